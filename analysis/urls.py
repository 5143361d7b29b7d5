from django.urls import path

from . import views

urlpatterns = [
    path("videos/<int:pk>/watch/", views.watch, name="watch"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/watch/", views.watch_session, name="watch_session"),
    path("sessions/<int:pk>/reaction/", views.session_reaction, name="session_reaction"),
    path("sessions/<int:pk>/finish/", views.session_finish, name="session_finish"),
    path("sessions/<int:pk>/retry/", views.session_retry, name="session_retry"),
]
