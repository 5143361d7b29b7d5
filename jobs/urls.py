from django.urls import path

from . import views

urlpatterns = [
    path("", views.job_list, name="jobs"),
    path("demo/", views.demo_start, name="job_demo"),
]
