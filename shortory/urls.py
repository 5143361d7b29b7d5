from django.contrib import admin
from django.urls import include, path

from . import health, views

admin.site.site_header = "Shortory moderation"
admin.site.site_title = "Shortory admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("jobs/", include("jobs.urls")),
    path("", include("videos.urls")),
    path("", include("analysis.urls")),
    path("", include("clips.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("shortory.api")),
    path("admin/", admin.site.urls),
]
# MEDIA_ROOT is never served by URL, in any mode: source videos and clips (hidden ones too)
# reach a browser only through the owner-checked views (video_file, clip downloads).

handler403 = "shortory.views.error_403"
handler404 = "shortory.views.error_404"
handler500 = "shortory.views.error_500"
