"""The REST API (v1) under /api/v1/: one list of routes, documented at /api/docs/."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api import MeView, TokenView
from analysis.api import (
    SessionDetailView,
    SessionFinishView,
    SessionListView,
    SessionReactionView,
    SessionSamplesView,
    VideoSessionsView,
)
from clips.api import (
    ClipCaptionsView,
    ClipDetailView,
    ClipDownloadView,
    ClipListView,
    ClipRangeView,
    ClipResetView,
    ClipShareView,
    ClipSubtitlesView,
    PublicShareView,
    ReelDetailView,
    ReelDownloadView,
    ReelListView,
    ShareReportView,
    VideoExportView,
    VideoMomentsView,
)
from clips.urls import TOKEN as SHARE_TOKEN
from common.api_errors import api_not_found
from jobs.api import DemoJobView, JobDetailView, JobListView
from videos.api import VideoDetailView, VideoListView, VideoRetryView

urlpatterns = [
    path("v1/auth/token/", TokenView.as_view(), name="api_token"),
    path("v1/me/", MeView.as_view(), name="api_me"),
    path("v1/jobs/", JobListView.as_view(), name="api_jobs"),
    path("v1/jobs/demo/", DemoJobView.as_view(), name="api_job_demo"),
    path("v1/jobs/<int:pk>/", JobDetailView.as_view(), name="api_job"),
    path("v1/videos/", VideoListView.as_view(), name="api_videos"),
    path("v1/videos/<int:pk>/", VideoDetailView.as_view(), name="api_video"),
    path("v1/videos/<int:pk>/retry/", VideoRetryView.as_view(), name="api_video_retry"),
    path("v1/videos/<int:pk>/moments/", VideoMomentsView.as_view(), name="api_video_moments"),
    path("v1/videos/<int:pk>/sessions/", VideoSessionsView.as_view(), name="api_video_sessions"),
    path("v1/sessions/", SessionListView.as_view(), name="api_sessions"),
    path("v1/sessions/<int:pk>/", SessionDetailView.as_view(), name="api_session"),
    path("v1/sessions/<int:pk>/samples/", SessionSamplesView.as_view(), name="api_session_samples"),
    path("v1/sessions/<int:pk>/reaction/", SessionReactionView.as_view(),
         name="api_session_reaction"),
    path("v1/sessions/<int:pk>/finish/", SessionFinishView.as_view(), name="api_session_finish"),
    path("v1/clips/", ClipListView.as_view(), name="api_clips"),
    path("v1/clips/<int:pk>/", ClipDetailView.as_view(), name="api_clip"),
    path("v1/clips/<int:pk>/download/", ClipDownloadView.as_view(), name="api_clip_download"),
    path("v1/clips/<int:pk>/captions.srt", ClipSubtitlesView.as_view(),
         name="api_clip_subtitles"),
    path("v1/clips/<int:pk>/captions/", ClipCaptionsView.as_view(), name="api_clip_captions"),
    path("v1/clips/<int:pk>/range/", ClipRangeView.as_view(), name="api_clip_range"),
    path("v1/clips/<int:pk>/reset/", ClipResetView.as_view(), name="api_clip_reset"),
    path("v1/clips/<int:pk>/share/", ClipShareView.as_view(), name="api_clip_share"),
    re_path(rf"^v1/share/(?P<token>{SHARE_TOKEN})/$", PublicShareView.as_view(),
            name="api_share"),
    re_path(rf"^v1/share/(?P<token>{SHARE_TOKEN})/report/$", ShareReportView.as_view(),
            name="api_share_report"),
    path("v1/reels/", ReelListView.as_view(), name="api_reels"),
    path("v1/reels/<int:pk>/", ReelDetailView.as_view(), name="api_reel"),
    path("v1/reels/<int:pk>/download/", ReelDownloadView.as_view(), name="api_reel_download"),
    path("v1/videos/<int:pk>/exports/<str:fmt>/", VideoExportView.as_view(),
         name="api_video_export"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Swagger UI with its start-up script served as a file, so the page needs no inline
    # script. (No ReDoc page: its bundle always loads its logo from cdn.redoc.ly.)
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    # Last: whatever else is under /api/ answers in the API's error shape.
    re_path(r"^.*$", api_not_found),
]
