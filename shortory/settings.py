"""Shortory settings: one module, driven by environment variables.

Out of the box (no variables set) this runs the *embedded default*: SQLite, the in-memory
channel layer, the django-q2 ORM broker and local media. Production and the scaled-out mode
are reached by setting variables documented in `.env.example`.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

import fusion
from shortory.env import (
    env_bool,
    env_float,
    env_int,
    env_list,
    load_env_file,
    s3_storage_options,
)

BASE_DIR = Path(__file__).resolve().parent.parent


load_env_file(Path(os.environ.get("SHORTORY_ENV_FILE", BASE_DIR / ".env")))

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (see .env.example), "
            "or set DEBUG=1 for local development."
        )
    # Development only: a fixed, obviously-insecure key so sessions survive restarts.
    SECRET_KEY = "django-insecure-shortory-development-key-do-not-use-in-production"

# The placeholder from .env.example (and anything like it) is not a secret.
if not DEBUG and (SECRET_KEY.startswith(("change-me", "django-insecure")) or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY is the placeholder from .env.example or shorter than 32 characters. Set a "
        "long random value (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    # Ours, lowest layer first (the import contracts in .importlinter keep this order).
    "common",
    "accounts",
    "jobs",
    "videos",
    "analysis",
    "clips",
    # Deletes a FileField's file when its row goes or the field gets a new file (after
    # commit). Last, as its docs ask, so it sees every model above.
    "django_cleanup.apps.CleanupConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "common.middleware.PermissionsPolicyMiddleware",
    # Inside the locale, session and auth layers, so its 404 page has the user's language.
    "shortory.middleware.FriendlyNotFoundMiddleware",
    # Last, as its docs ask: turns a locked-out sign-in into accounts.lockout's answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shortory.urls"
ASGI_APPLICATION = "shortory.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite needs a busy timeout, IMMEDIATE transactions and WAL: with the ORM broker, django-q2
# workers and the web process write concurrently, and SQLite's defaults then lose results
# ("database is locked" raised inside the cluster).
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(Path(os.environ.get("SQLITE_PATH", BASE_DIR / "db.sqlite3"))),
            "OPTIONS": SQLITE_OPTIONS,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels and the task queue ------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py's default 5 s socket timeout equals channels-redis's blocking read,
            # so idle consumers died with TimeoutError every ~5 s: no socket timeout.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": None}]},
        }
    }
    # Several server processes must share what they count per user and per client address
    # (the API throttles, the password-reset limit, sockets per user in
    # common.socket_quota): a per-process cache gave each process its own allowance.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "shortory",
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The longest task (a video download or a batch of renders) may run this long.
TASK_TIMEOUT = env_int("TASK_TIMEOUT", 1800)
# A running job's worker writes a heartbeat this often; a job whose heartbeat is older than
# JOB_STALE_AFTER is a dead worker's. Every worker process (`manage.py worker`) sweeps every
# JOB_SWEEP_SECONDS: a dead worker's job is queued again, up to JOB_MAX_ATTEMPTS runs in all,
# then failed (and Retry is allowed). A worker death is noticed within
# JOB_STALE_AFTER + JOB_SWEEP_SECONDS (30 s).
JOB_HEARTBEAT_SECONDS = env_int("SHORTORY_JOB_HEARTBEAT_SECONDS", 5, minimum=1)
JOB_STALE_AFTER = env_int("SHORTORY_JOB_STALE_AFTER", 20, minimum=2)
JOB_SWEEP_SECONDS = env_int("SHORTORY_JOB_SWEEP_SECONDS", 10, minimum=1)
JOB_MAX_ATTEMPTS = env_int("SHORTORY_JOB_MAX_ATTEMPTS", 3, minimum=1)
# A job still waiting after this long has its task sent again (a dead cluster may have held
# it); a second delivery of a job already taken does nothing.
JOB_RESEND_AFTER = env_int("SHORTORY_JOB_RESEND_AFTER", 300, minimum=10)
Q_CLUSTER = {
    "name": "shortory",
    "workers": env_int("Q_WORKERS", 2),
    "recycle": 100,
    "timeout": TASK_TIMEOUT,
    # Must be larger than timeout, or a long task is handed to a second worker while running.
    "retry": TASK_TIMEOUT + 300,
    "max_attempts": 2,
    "ack_failures": True,
    "save_limit": 1000,
    "queue_limit": 50,
    "label": "Task queue",
    "catch_up": False,
    "poll": 0.5,
    "sync": env_bool("Q_SYNC", default=False),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "videos"
LOGOUT_REDIRECT_URL = "home"
# django-axes counts failed sign-ins (page, admin, API token) per account and per address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# How many reverse proxies in front of us append to X-Forwarded-For (0: trust no header, so
# a client cannot pick its own address to dodge the limits).
NUM_PROXIES = env_int("NUM_PROXIES", 1 if env_bool("BEHIND_PROXY", default=False) else 0)
AXES_FAILURE_LIMIT = env_int("SHORTORY_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SHORTORY_LOGIN_LOCK_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_IPWARE_PROXY_COUNT = NUM_PROXIES or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if NUM_PROXIES else ("REMOTE_ADDR",))
AXES_VERBOSE = False
PASSWORD_RESET_LIMIT = env_int("SHORTORY_PASSWORD_RESET_LIMIT", 5)  # per hour, address, e-mail
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_URL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_URL_HOST:
    EMAIL_HOST = EMAIL_URL_HOST
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Shortory <noreply@localhost>")

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Media on object storage when STORAGE_URL (s3://bucket/prefix?endpoint_url=...) or
# AWS_STORAGE_BUCKET_NAME is set: django-storages' S3 backend; else the local MEDIA_ROOT.
S3_OPTIONS = s3_storage_options(os.environ.get("STORAGE_URL", ""))
STORAGES = {
    "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": S3_OPTIONS}
    if S3_OPTIONS else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# daphne serves static files through WhiteNoise; in DEBUG straight from the app folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Owner-checked media downloads (clips, posters, source videos). Behind nginx with local media,
# set SHORTORY_X_ACCEL_MEDIA to nginx's internal location for MEDIA_ROOT (deploy/nginx.conf.template
# uses /_protected_media/): views check ownership, then nginx sends the file and its byte
# ranges. Unset: streamed by Python. With object storage: presigned URLs valid this long.
X_ACCEL_MEDIA_PREFIX = os.environ.get("SHORTORY_X_ACCEL_MEDIA", "")
MEDIA_URL_EXPIRE = env_int("SHORTORY_MEDIA_URL_EXPIRE", 600, minimum=30)
# Uploads larger than this are streamed to a temp file by Django; the product limit is below.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Security (effective when DEBUG is off) --------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
# Load balancers probe /healthz over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
if env_bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The watch page needs the camera for its own origin only (sent by
# common.middleware.PermissionsPolicyMiddleware on every response).
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"
# Nothing is loaded from another origin, nothing frames us, no plugins, forms post here only,
# and no inline code: every script and stylesheet is a static file, pages carry no style=""
# or on*="" attributes (scripts set element.style, which CSP allows). tests/e2e/test_csp.py
# walks the pages in Chromium with this policy and counts violations.
_CSP = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'",
    "img-src": "'self' data: blob:", "media-src": "'self' blob:", "connect-src": "'self'",
    "font-src": "'self' data:", "worker-src": "'self' blob:", "object-src": "'none'",
    "base-uri": "'self'", "form-action": "'self'", "frame-ancestors": "'none'",
}
CONTENT_SECURITY_POLICY = "; ".join(f"{name} {value}" for name, value in _CSP.items())
# Pages we do not write, by URL prefix (first match wins): DRF's browsable API and the API
# docs (Swagger UI, ReDoc) put style="" attributes and <style> elements in their pages, so
# under /api/ styles may be inline. Scripts stay 'self' there too (Swagger's start-up script
# is served as a file: SpectacularSwaggerSplitView).
CONTENT_SECURITY_POLICY_BY_PATH = [
    ("/api/", "; ".join(f"{name} {value}" for name, value in
                        {**_CSP, "style-src": "'self' 'unsafe-inline'"}.items())),
]

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api_errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "600/min"},
    "NUM_PROXIES": NUM_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shortory API",
    "DESCRIPTION": "Highlight clips from comment timestamps and viewers' reactions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Every operation documents its error responses in the one error shape.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.api_errors.add_error_responses",
    ],
    # Swagger UI served from our own static files (no CDN: works offline).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "jobs.models.Job.Status",
        "VideoStatusEnum": "videos.models.Video.Status",
        "SessionStatusEnum": "analysis.models.WatchSession.Status",
        "ClipStatusEnum": "clips.models.Clip.Status",
        "MomentKindEnum": "clips.models.Moment.Kind",
    },
}

# --- Shortory -------------------------------------------------------------------------------
MODELS_DIR = Path(os.environ.get("SHORTORY_MODELS_DIR", BASE_DIR / "models"))
FFMPEG_BINARY = os.environ.get("SHORTORY_FFMPEG", "")  # empty: imageio-ffmpeg's binary
YOUTUBE_API_KEY = os.environ.get("YOUTUBE_API_KEY", "")
# Where a YouTube id is fetched from. Not user-controlled; tests point it at a local server.
YOUTUBE_WATCH_URL_TEMPLATE = "https://www.youtube.com/watch?v={id}"
MAX_COMMENTS = env_int("SHORTORY_MAX_COMMENTS", 5000)
MAX_VIDEO_DURATION = env_int("SHORTORY_MAX_VIDEO_DURATION", 4 * 3600)
MAX_UPLOAD_BYTES = env_int("SHORTORY_MAX_UPLOAD_BYTES", 2 * 1024 * 1024 * 1024)
MAX_COMMENTS_FILE_BYTES = env_int("SHORTORY_MAX_COMMENTS_FILE_BYTES", 50 * 1024 * 1024)
# Request bodies are capped by the server before they are read (shortory/body_limits.py):
# only these paths may carry a video (and a comments file); every other one gets the small cap.
UPLOAD_PATHS = ("/videos/add/", "/api/v1/videos/")
MAX_REQUEST_BYTES = env_int("SHORTORY_MAX_REQUEST_BYTES", DATA_UPLOAD_MAX_MEMORY_SIZE + 1024 * 1024)
CLIP_BEFORE_SECONDS = env_int("SHORTORY_CLIP_BEFORE", 10)
CLIP_AFTER_SECONDS = env_int("SHORTORY_CLIP_AFTER", 10)
TOP_MOMENTS = env_int("SHORTORY_TOP_MOMENTS", 5)
CAPTURE_FPS = env_int("SHORTORY_CAPTURE_FPS", 4)
# Crowd timeline: a second is shown only when this many distinct viewers contributed to it.
CROWD_MIN_VIEWERS = env_int("SHORTORY_CROWD_MIN_VIEWERS", 5, minimum=2)
# Fused ranking (docs/fusion.md): each signal's weight after per-video normalisation.
FUSION_WEIGHTS = {
    name: env_float(f"SHORTORY_FUSION_WEIGHT_{name.upper()}", default, minimum=0)
    for name, default in fusion.DEFAULT_WEIGHTS.items()
}
# Live watch sessions: the recognizer class, the shared batching inference worker, and limits
# on what a client may send (frames are 8 bytes of video time + a JPEG).
EMOTION_RECOGNIZER = os.environ.get(
    "SHORTORY_EMOTION_RECOGNIZER", "analysis.inference.default_recognizer"
)
# A model manifest (see models/README.md); empty: the FER model fetched at set-up.
EMOTION_MODEL_MANIFEST = os.environ.get("SHORTORY_EMOTION_MANIFEST", "")
# Worker processes that decode and analyse frames outside daphne's GIL (analysis.inference):
# one per core by default (bench/live.py --baseline-threads). 0: threads in daphne instead.
INFERENCE_PROCESSES = env_int("SHORTORY_INFERENCE_PROCESSES", os.cpu_count() or 1, minimum=0)
# With INFERENCE_PROCESSES=0: LiteRT releases the GIL, one inference thread per core.
INFERENCE_THREADS = env_int("SHORTORY_INFERENCE_THREADS", min(os.cpu_count() or 1, 4))
INFERENCE_MAX_BATCH = env_int("SHORTORY_INFERENCE_MAX_BATCH", 16)
MAX_FRAME_BYTES = env_int("SHORTORY_MAX_FRAME_BYTES", 300 * 1024)
# Open sockets per account (per server process): watch sessions, and job-progress pages/tabs.
MAX_SESSION_SOCKETS_PER_USER = env_int("SHORTORY_MAX_SESSION_SOCKETS_PER_USER", 3)
MAX_JOB_SOCKETS_PER_USER = env_int("SHORTORY_MAX_JOB_SOCKETS_PER_USER", 20)
# Frames one viewer may have waiting for inference (its 2-second burst): the rest of the
# queue is everyone else's.
INFERENCE_MAX_PENDING_PER_VIEWER = env_int("SHORTORY_INFERENCE_MAX_PENDING_PER_VIEWER", 8)
SAMPLE_FLUSH_EVERY = 16  # samples written per batch (also flushed every 2 s and on close)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}
