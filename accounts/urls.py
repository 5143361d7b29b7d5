from django.urls import include, path

from . import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("profile/", views.profile, name="profile"),
    path("delete/", views.delete_account, name="delete_account"),
    path("password_reset/", views.RateLimitedPasswordResetView.as_view(),
         name="password_reset"),
    path("", include("django.contrib.auth.urls")),
]
