from django.urls import path

from . import views

urlpatterns = [
    path("galleries/", views.gallery, name="galleries"),
    path("galleries/<str:emotion>.zip", views.gallery_zip, name="gallery_zip"),
    path("clips/<int:pk>/file/", views.clip_file, name="clip_file"),
    path("clips/<int:pk>/thumbnail/", views.clip_thumbnail, name="clip_thumbnail"),
    path("clips/<int:pk>/download/", views.clip_download, name="clip_download"),
    path("clips/<int:pk>/delete/", views.clip_delete, name="clip_delete"),
    path("clips/<int:pk>/captions.srt", views.clip_subtitles, name="clip_subtitles"),
    path("clips/<int:pk>/captions/", views.clip_captions, name="clip_captions"),
]
