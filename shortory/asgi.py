"""ASGI entry point: Django for HTTP, Channels for WebSockets (served by daphne)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortory.settings")
django_asgi_app = get_asgi_application()  # before importing anything that touches models

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from common.ws_auth import TokenOrSameOriginAuthMiddleware  # noqa: E402
from shortory.body_limits import BodyLimitMiddleware  # noqa: E402
from shortory.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodyLimitMiddleware(django_asgi_app),
        "websocket": AuthMiddlewareStack(
            TokenOrSameOriginAuthMiddleware(URLRouter(websocket_urlpatterns))
        ),
    }
)
