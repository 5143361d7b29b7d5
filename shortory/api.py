"""The REST API (v1) under /api/v1/: one list of routes, documented at /api/docs/."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts.api import MeView, TokenView
from analysis.api import (
    SessionDetailView,
    SessionFinishView,
    SessionListView,
    SessionSamplesView,
    VideoSessionsView,
)
from clips.api import ClipDetailView, ClipDownloadView, ClipListView, VideoMomentsView
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
    path("v1/sessions/<int:pk>/finish/", SessionFinishView.as_view(), name="api_session_finish"),
    path("v1/clips/", ClipListView.as_view(), name="api_clips"),
    path("v1/clips/<int:pk>/", ClipDetailView.as_view(), name="api_clip"),
    path("v1/clips/<int:pk>/download/", ClipDownloadView.as_view(), name="api_clip_download"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_redoc"),
    # Last: whatever else is under /api/ answers in the API's error shape.
    re_path(r"^.*$", api_not_found),
]
