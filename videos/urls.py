from django.urls import path

from . import views

urlpatterns = [
    path("videos/", views.video_list, name="videos"),
    path("videos/add/", views.video_add, name="video_add"),
    path("videos/sample/", views.video_sample, name="video_sample"),
    path("videos/<int:pk>/", views.video_detail, name="video_detail"),
    path("videos/<int:pk>/retry/", views.video_retry, name="video_retry"),
    path("videos/<int:pk>/comments/", views.video_comments, name="video_comments"),
    path("videos/<int:pk>/delete/", views.video_delete, name="video_delete"),
    path("videos/<int:pk>/file/", views.video_file, name="video_file"),
    path("videos/<int:pk>/captions/", views.video_captions, name="video_captions"),
    path("videos/<int:pk>/poster.jpg", views.video_poster, name="video_poster"),
]
