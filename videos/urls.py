from django.urls import path

from . import views

urlpatterns = [
    path("videos/", views.video_list, name="videos"),
    path("videos/add/", views.video_add, name="video_add"),
    path("videos/<int:pk>/", views.video_detail, name="video_detail"),
    path("videos/<int:pk>/retry/", views.video_retry, name="video_retry"),
    path("videos/<int:pk>/delete/", views.video_delete, name="video_delete"),
    path("videos/<int:pk>/file/", views.video_file, name="video_file"),
    path("videos/<int:pk>/captions/", views.video_captions, name="video_captions"),
]
