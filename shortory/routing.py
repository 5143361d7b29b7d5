from django.urls import path

from analysis.consumers import WatchSessionConsumer
from jobs.consumers import JobProgressConsumer

websocket_urlpatterns = [
    path("ws/jobs/", JobProgressConsumer.as_asgi()),
    path("ws/sessions/<int:pk>/", WatchSessionConsumer.as_asgi()),
]
