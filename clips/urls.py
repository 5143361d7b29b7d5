from django.urls import path, re_path

from . import views

# Share tokens are `secrets.token_urlsafe(32)` (43 characters); anything else is a 404 before
# any database work.
TOKEN = r"[A-Za-z0-9_-]{32,64}"

urlpatterns = [
    path("galleries/", views.gallery, name="galleries"),
    path("galleries/<str:emotion>.zip", views.gallery_zip, name="gallery_zip"),
    path("clips/<int:pk>/file/", views.clip_file, name="clip_file"),
    path("clips/<int:pk>/thumbnail/", views.clip_thumbnail, name="clip_thumbnail"),
    path("clips/<int:pk>/download/", views.clip_download, name="clip_download"),
    path("clips/<int:pk>/delete/", views.clip_delete, name="clip_delete"),
    path("clips/<int:pk>/captions.srt", views.clip_subtitles, name="clip_subtitles"),
    path("clips/<int:pk>/captions/", views.clip_captions, name="clip_captions"),
    path("clips/<int:pk>/edit/", views.clip_edit, name="clip_edit"),
    path("clips/<int:pk>/strip.jpg", views.clip_strip, name="clip_strip"),
    path("clips/<int:pk>/share/", views.clip_share, name="clip_share"),
    re_path(rf"^s/(?P<token>{TOKEN})/$", views.share_page, name="share_page"),
    re_path(rf"^s/(?P<token>{TOKEN})/video\.mp4$", views.share_file, name="share_file"),
    re_path(rf"^s/(?P<token>{TOKEN})/poster\.jpg$", views.share_poster, name="share_poster"),
    re_path(rf"^s/(?P<token>{TOKEN})/report/$", views.share_report, name="share_report"),
    path("reels/", views.reel_list, name="reels"),
    path("reels/new/", views.reel_new, name="reel_new"),
    path("reels/<int:pk>/", views.reel_detail, name="reel_detail"),
    path("reels/<int:pk>/file/", views.reel_file, name="reel_file"),
    path("reels/<int:pk>/thumbnail/", views.reel_thumbnail, name="reel_thumbnail"),
    path("reels/<int:pk>/download/", views.reel_download, name="reel_download"),
    path("reels/<int:pk>/delete/", views.reel_delete, name="reel_delete"),
    path("videos/<int:pk>/export/<str:fmt>/", views.video_export, name="video_export"),
]
