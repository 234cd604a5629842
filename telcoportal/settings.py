"""Settings, all read from the environment (see .env.example)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Each app lists its periodic tasks in <app>/schedule.py (plain data, no Django imports).
from accounts import schedule as accounts_schedule
from api import schedule as api_schedule
from email_to_fax import schedule as email_to_fax_schedule
from exportjobs import schedule as exportjobs_schedule
from fax import schedule as fax_schedule
from fax_to_email import schedule as fax_to_email_schedule
from messaging import schedule as messaging_schedule
from notifications import schedule as notifications_schedule
from privacy import schedule as privacy_schedule
from reports import schedule as reports_schedule
from telephony import schedule as telephony_schedule
from webhooks import schedule as webhooks_schedule

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def secret(name: str, default: str | None = None) -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/systemd secrets)."""
    file_path = env.str(f"{name}_FILE", default="")
    if file_path:
        return Path(file_path).read_text().strip()
    if default is None:
        return env.str(name)
    return env.str(name, default=default)


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = secret("SECRET_KEY", default="insecure-development-key-change-me" if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example)")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Keys for credentials at rest, newest first (MultiFernet: old keys still decrypt).
CREDENTIAL_KEYS = [k for k in secret("CREDENTIAL_KEYS", default="").replace(";", ",").split(",") if k.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_prometheus",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "telcoportal",
    "accounts",
    "messaging",
    "telephony",
    "fax",
    "webhooks",
    "notifications",
    "dashboard",
    "reports",
    "api",
    "privacy",
    "email_to_fax",
    "fax_to_email",
    "exportjobs",
    "core",
]
if DEBUG:
    # The provider emulators and the demo commands (sandbox, rundemo, demo_setup, fax_demo), for
    # `make demo` (its .env has DEBUG=1) and the tests; they need the `sandbox` extra, which
    # production does not install. Listed so `manage.py` finds the demo commands.
    INSTALLED_APPS.append("sandbox")

# django-prometheus times every request between its two middlewares (first and last): /metrics.
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SavedLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorSessionMiddleware",
    "accounts.user_sessions.UserSessionMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.CurrentTeamMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "telcoportal.urls"
WSGI_APPLICATION = "telcoportal.wsgi.application"
ASGI_APPLICATION = "telcoportal.asgi.application"

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
                "accounts.context_processors.current_team",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

# Django's widget HTML written without the template engine for the common widgets (core/form_renderer.py).
FORM_RENDERER = "core.form_renderer.LeanWidgetRenderer"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A kept connection the database dropped (restart, failover, pg_terminate_backend) is
# noticed and replaced before a request or task uses it, instead of failing it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails a request (and /healthz) in seconds, not after TCP's minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that does not answer costs a page (and /healthz) two seconds, not a hang.
    CACHES["default"].setdefault("OPTIONS", {}).update(socket_connect_timeout=2, socket_timeout=2)
    # Django's, keeping one client per server instead of building one per command (core/redis_cache.py).
    CACHES["default"]["BACKEND"] = "core.redis_cache.RedisCache"

# Database and cache metrics (queries, errors, hits and misses): django-prometheus' wrappers of the same backends.
_METRICS_BACKENDS = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
    "django.core.cache.backends.locmem.LocMemCache": "django_prometheus.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.filebased.FileBasedCache": "django_prometheus.cache.backends.filebased.FileBasedCache",
}  # not Django's Redis cache: django-prometheus' wrapper of it needs django-redis too
DATABASES["default"]["ENGINE"] = _METRICS_BACKENDS.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])
CACHES["default"]["BACKEND"] = _METRICS_BACKENDS.get(CACHES["default"]["BACKEND"], CACHES["default"]["BACKEND"])
PROMETHEUS_EXPORT_MIGRATIONS = False  # no database query when a process starts
# Whether every web process reads the same cache (Redis, Memcached). Only then may a request trust what
# another process cached about a session or a person: a session ended, a second factor added elsewhere
# (core/cached_reads.py). Sessions are then read from the cache (written through to the database), so a
# page makes no session query; with the per-process default every read goes to the database.
CACHE_SHARED = any(name in CACHES["default"]["BACKEND"].lower() for name in ("redis", "memcached"))
SESSION_ENGINE = "core.sessions" if CACHE_SHARED else "django.contrib.sessions.backends.db"

# Operators' endpoints (docs/deploy.md, "Metrics and health"): /metrics, and /healthz's detail, for a
# scraper sending "Authorization: Bearer METRICS_TOKEN" or one at an address in METRICS_ALLOWED_IPS
# (addresses or networks, compared with the peer's own address). Neither set: /metrics is a 404.
METRICS_TOKEN = secret("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
# A worker's own metrics (its provider requests) on this port, to the same token or addresses; 0: none.
METRICS_WORKER_PORT = env.int("METRICS_WORKER_PORT", default=0)
# Beat queues a heartbeat task this often; a worker or beat heartbeat older than the second is stale.
HEARTBEAT_SECONDS = env.int("HEARTBEAT_SECONDS", default=30)
HEARTBEAT_STALE_SECONDS = env.int("HEARTBEAT_STALE_SECONDS", default=180)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Throttle password guessing: 5 failures per account and address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429  # the lockout page's status (django-axes' default, named here for accounts.throttle)
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.throttle.login_username"
AXES_VERBOSE = False
AXES_HANDLER = "accounts.throttle.AddressLimitHandler"
AXES_LOCKOUT_CALLABLE = "accounts.throttle.lockout_response"
# Failures from one address over every account within the cool-off: guessing a few
# passwords of many people (spraying) is refused like guessing many of one.
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
# The client's address (throttling and the audit log) is read by django-ipware from these
# META keys. Behind reverse proxies that append to X-Forwarded-For, set AXES_IP_HEADERS to
# HTTP_X_FORWARDED_FOR,REMOTE_ADDR and TRUSTED_PROXY_COUNT to how many proxies there are
# (or TRUSTED_PROXY_IPS to the addresses they appear with in the header): a chain longer
# than that was forged by the client and is not believed.
AXES_IPWARE_META_PRECEDENCE_ORDER = env.list("AXES_IP_HEADERS", default=["REMOTE_ADDR"])
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# ipware counts the proxies listed in the header, i.e. all but the nearest one.
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1 if TRUSTED_PROXY_COUNT > 0 else None
AXES_IPWARE_PROXY_TRUSTED_IPS = env.list("TRUSTED_PROXY_IPS", default=[]) or None

# The language of pages before anyone chooses one, and of emails to the team's address.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("tr", _("Turkish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
FORMAT_MODULE_PATH = ["core.formats"]
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Istanbul")
DEFAULT_TEAM_TIME_ZONE = TIME_ZONE

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Say MEDIA_ROOT is one folder every web and worker machine sees (NFS, EFS…); the deployment
# checklist (`make check-prod`) warns about a local folder until then.
MEDIA_SHARED = env.bool("MEDIA_SHARED", default=False)
# Where media (fax documents and previews, recordings, exports, uploads) is kept: "local" (MEDIA_ROOT) or
# "s3", a private bucket of any S3-compatible store (docs/deploy.md, "Storage"). The code only goes
# through default_storage, never a local path.
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="local")
# How recordings, fax documents and exports reach the browser, always after the portal's permission check:
# "stream" (through the portal, with Range) or "presign" (s3 only: a redirect to a signed URL that lives
# MEDIA_PRESIGN_SECONDS).
MEDIA_SERVE = env.str("MEDIA_SERVE", default="stream")
MEDIA_PRESIGN_SECONDS = env.int("MEDIA_PRESIGN_SECONDS", default=300)
if STORAGE_BACKEND not in ("local", "s3"):
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be local or s3, not {STORAGE_BACKEND!r}")
if MEDIA_SERVE not in ("stream", "presign") or (MEDIA_SERVE == "presign" and STORAGE_BACKEND != "s3"):
    raise ImproperlyConfigured("MEDIA_SERVE must be stream, or presign with STORAGE_BACKEND=s3")


def s3_storage_options() -> dict[str, object]:
    """django-storages' S3Storage options from the AWS_* variables: a private bucket, no overwrites."""
    return {
        "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,  # empty: AWS itself
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "access_key": secret("AWS_ACCESS_KEY_ID", default="") or None,  # empty: boto3's own chain (IAM role…)
        "secret_key": secret("AWS_SECRET_ACCESS_KEY", default="") or None,
        "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,  # "path" for MinIO
        "signature_version": env.str("AWS_S3_SIGNATURE_VERSION", default="s3v4"),
        "location": env.str("AWS_LOCATION", default=""),  # a key prefix inside the bucket
        "default_acl": "private",
        "querystring_auth": True,  # url() is always signed: a presigned URL, never a public one
        "querystring_expire": MEDIA_PRESIGN_SECONDS,
        "file_overwrite": False,  # a second upload of the same name gets a new name, as on disk
        "custom_domain": None,
    }


def bucket_origin(options: dict[str, object]) -> str:
    """The scheme://host a presigned URL of the bucket starts with (path style: the endpoint's host)."""
    endpoint = str(options["endpoint_url"] or f"https://s3.{options['region_name'] or 'us-east-1'}.amazonaws.com")
    scheme, _, host = endpoint.partition("://")
    host = host.split("/", 1)[0]
    return (
        f"{scheme}://{host}" if options["addressing_style"] == "path" else f"{scheme}://{options['bucket_name']}.{host}"
    )


S3_OPTIONS = s3_storage_options() if STORAGE_BACKEND == "s3" else {}
STORAGES = {
    "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": S3_OPTIONS}
    if STORAGE_BACKEND == "s3"
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Telcoportal <noreply@localhost>")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email("EMAIL_URL"))
INVITATION_TTL = timedelta(days=env.int("INVITATION_TTL_DAYS", default=7))
# Password reset: links last an hour; requests are limited per address asked for and per client
# address within the window (counted whether or not the address has an account).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=3600)
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_LIMIT_PER_CLIENT = env.int("PASSWORD_RESET_LIMIT_PER_CLIENT", default=10)
PASSWORD_RESET_WINDOW_SECONDS = env.int("PASSWORD_RESET_WINDOW_SECONDS", default=3600)
# An email change waits for the link sent to the new address; it works once and this long.
EMAIL_CHANGE_TIMEOUT = timedelta(hours=env.int("EMAIL_CHANGE_TIMEOUT_HOURS", default=24))

# Provider base URLs other than the providers' documented addresses (the sandbox, a test host):
# origins (scheme://host[:port]) and IP networks whose private addresses may be reached.
# See docs/deploy.md, "Provider addresses".
PROVIDER_URL_ALLOWLIST = env.list("PROVIDER_URL_ALLOWLIST", default=[])
# Webhooks (docs/api.md, "Webhooks"). Endpoint URLs are https:// on public addresses only; this also allows
# http:// and loopback addresses (tests, a local demo), never in production.
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
WEBHOOKS_CONNECT_TIMEOUT = env.float("WEBHOOKS_CONNECT_TIMEOUT", default=3.0)
WEBHOOKS_READ_TIMEOUT = env.float("WEBHOOKS_READ_TIMEOUT", default=10.0)
# An endpoint whose every attempt has failed for this long is disabled (its team's admins are told).
WEBHOOKS_DISABLE_AFTER_HOURS = env.int("WEBHOOKS_DISABLE_AFTER_HOURS", default=24)
# The debug page and error emails hide secret-looking locals in every frame (provider clients' too).
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.error_reports.SecretsExceptionReporterFilter"

# Security. Production (DEBUG off) turns every one of these on.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=True) else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Scripts only from our own origin, never inline (no nonces needed: templates carry none).
# Styles allow 'unsafe-inline': htmx injects its indicator <style> and progress bars set a
# computed width in a style attribute; an inline style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
if MEDIA_SERVE == "presign":
    # The audio player follows the play URL's redirect to the bucket: its origin may serve media.
    presign_origin = env.str("MEDIA_PRESIGN_ORIGIN", default="") or bucket_origin(S3_OPTIONS)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["media-src"].append(presign_origin)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Two-factor login (TOTP). Each wrong code doubles the wait before the next try (1 s, 2 s, 4 s…).
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Telcoportal")
# The public address, for absolute links in notification emails.
SITE_URL = env.str("SITE_URL", default="")
# Fax to email (docs/fax-email.md): a received fax's PDF larger than this goes as a signed link instead,
# which works for FAX_EMAIL_LINK_DAYS. Most mail servers refuse messages above 10-25 MB (base64 adds a third).
FAX_EMAIL_ATTACHMENT_MAX_BYTES = env.int("FAX_EMAIL_ATTACHMENT_MAX_BYTES", default=7 * 1024 * 1024)
FAX_EMAIL_LINK_DAYS = env.int("FAX_EMAIL_LINK_DAYS", default=14)
OTP_TOTP_THROTTLE_FACTOR = 1
TWO_FACTOR_PENDING_SECONDS = 300
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

# Celery. The default transport keeps messages in files under var/: no server needed.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
_celery_dir = BASE_DIR / "var" / "celery"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_celery_dir / "out"),
        "data_folder_out": str(_celery_dir / "out"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    # Redis/SQS hand a task held by a dead worker to another after this many seconds
    # (their default is an hour). Every task is safe to run twice: sends claim their
    # chunk or fax atomically, imports upsert.
    else {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600)}
)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# A worker child that grew past this (KiB) is replaced once its task ends: one heavy task cannot keep the
# memory it took. The fax renderer bounds each document before rendering and runs under FAX_RENDER_MEMORY_MB.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=512_000)
FAX_RENDER_MEMORY_MB = env.int("FAX_RENDER_MEMORY_MB", default=768)
# Fax cover pages are drawn in DejaVu Sans (Debian: fonts-dejavu-core), which has every Turkish letter.
FAX_COVER_FONT_DIR = env.str("FAX_COVER_FONT_DIR", default="/usr/share/fonts/truetype/dejavu")
FAX_CONTACTS_IMPORT_MAX_ROWS = env.int("FAX_CONTACTS_IMPORT_MAX_ROWS", default=5000)  # one fax address book file
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "var" / "celerybeat-schedule")
)
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Beat stamps its heartbeat on queueing this, a worker on running it (telcoportal/heartbeat.py); one
    # nobody ran in time says nothing new, so it expires rather than running late.
    "record-heartbeat": {
        "task": "telcoportal.record_heartbeat",
        "schedule": float(HEARTBEAT_SECONDS),
        "options": {"expires": float(HEARTBEAT_SECONDS)},
    },
    **accounts_schedule.BEAT_SCHEDULE,
    **messaging_schedule.BEAT_SCHEDULE,
    **telephony_schedule.BEAT_SCHEDULE,
    **fax_schedule.BEAT_SCHEDULE,
    **fax_to_email_schedule.BEAT_SCHEDULE,
    **notifications_schedule.BEAT_SCHEDULE,
    **reports_schedule.BEAT_SCHEDULE,
    **webhooks_schedule.BEAT_SCHEDULE,
    **api_schedule.BEAT_SCHEDULE,
    **privacy_schedule.BEAT_SCHEDULE,
    **email_to_fax_schedule.BEAT_SCHEDULE,
    **exportjobs_schedule.BEAT_SCHEDULE,
}

# One beat at a time (docs/deploy.md, "Beat"): on a Redis broker, beat is RedBeat, which holds a lock in
# Redis while it runs: a second beat started by mistake waits for the lock instead of queueing every
# periodic task again, and takes over within CELERY_BEAT_LOCK_SECONDS if the first one dies. Other
# brokers (the embedded one-machine setup) keep Celery's own scheduler and its file.
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = CELERY_BROKER_URL
    CELERY_REDBEAT_KEY_PREFIX = "telcoportal:redbeat:"
    CELERY_REDBEAT_LOCK_TIMEOUT = env.int("CELERY_BEAT_LOCK_SECONDS", default=60)
    CELERY_BEAT_MAX_LOOP_INTERVAL = min(10, CELERY_REDBEAT_LOCK_TIMEOUT // 3)  # the lock is renewed each loop

# Feature tuning (each has a sensible default; see .env.example).
# A send (SMS batch, fax) that has not moved for this long is resumed by the watchdog;
# above the longest single provider request (25 s), so a live send is never taken for dead.
SEND_STALL_SECONDS = env.int("SEND_STALL_SECONDS", default=60)
SMS_RECONCILE_GRACE_SECONDS = env.int("SMS_RECONCILE_GRACE_SECONDS", default=120)
SMS_CONFIRM_PARTS = env.int("SMS_CONFIRM_PARTS", default=4)  # more SMS per recipient than this: confirm first
SMS_SCHEDULE_MAX_DAYS = env.int("SMS_SCHEDULE_MAX_DAYS", default=365)
# A send (SMS, fax) due later than this stays in the portal, editable and cancellable, and is handed to
# the provider by the worker once it is due within this many minutes (the provider's own schedule field
# keeps it for those last minutes).
SEND_HOLD_THRESHOLD_MINUTES = env.int("SEND_HOLD_THRESHOLD_MINUTES", default=5)
FAX_SCHEDULE_MAX_DAYS = env.int("FAX_SCHEDULE_MAX_DAYS", default=365)
FAX_CONFIRM_PAGES = env.int("FAX_CONFIRM_PAGES", default=50)  # a fax this long or longer: confirm first

# Email to fax (docs/fax-email.md): the largest mail taken; the SMTP receiver's domain (addresses are
# <number>@<team's address name>.<domain>); the recipient domains whose local part names a number (empty: any);
# the mail servers whose Authentication-Results count (empty: every such header); the demo's folder mailboxes.
EMAIL_TO_FAX_MAX_MB = env.int("EMAIL_TO_FAX_MAX_MB", default=20)
EMAIL_TO_FAX_DOMAIN = env.str("EMAIL_TO_FAX_DOMAIN", default="")
EMAIL_TO_FAX_NUMBER_DOMAINS = env.list("EMAIL_TO_FAX_NUMBER_DOMAINS", default=[])
EMAIL_TO_FAX_AUTHSERV_IDS = env.list("EMAIL_TO_FAX_AUTHSERV_IDS", default=[])
EMAIL_TO_FAX_FOLDER_ROOT = env.str("EMAIL_TO_FAX_FOLDER_ROOT", default="")
BALANCE_CACHE_SECONDS = env.int("BALANCE_CACHE_SECONDS", default=60)  # then refreshed in the background
# Retention deletes expired items this many per transaction (a short lock, a bounded memory), until none is left.
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=500)
TELEPHONY_IMPORT_OVERLAP_MINUTES = env.int("TELEPHONY_IMPORT_OVERLAP_MINUTES", default=120)
TELEPHONY_IMPORT_BACKFILL_DAYS = env.int("TELEPHONY_IMPORT_BACKFILL_DAYS", default=30)
CALL_STATS_MAX_DAYS = env.int("CALL_STATS_MAX_DAYS", default=366)  # the longest period /calls/stats/ analyses
# Pages and panels that must answer at once (live calls, PBX, dashboard, the SMS balance read): one short try.
PROVIDER_QUICK_TIMEOUT = tuple(env.list("PROVIDER_QUICK_TIMEOUT", cast=float, default=[2.0, 4.0]))

# Contact and recipient files (docs/deploy.md, "Upload limits"): refused above these before
# any row is parsed; a contact import of more than UPLOAD_INLINE_ROWS rows runs in the worker.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
UPLOAD_MAX_ROWS = env.int("UPLOAD_MAX_ROWS", default=100_000)
UPLOAD_INLINE_ROWS = env.int("UPLOAD_INLINE_ROWS", default=2_000)
# A calls export of more rows than this is written to storage by a worker (progress page, notification,
# download link) instead of streamed in the request; the file is deleted EXPORT_KEEP_DAYS after it was made.
EXPORT_BACKGROUND_ROWS = env.int("EXPORT_BACKGROUND_ROWS", default=20_000)
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=7)

# LOG_FORMAT=json: one JSON object a line (python-json-logger) for a log collector; plain text otherwise.
# Either way every record passes the secret-scrubbing filter first.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT is plain or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "core.logging.RedactSecretsFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["redact_secrets"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
    },
}

DJANGO_TABLES2_TEMPLATE = "tables/table.html"  # the pager in our words, translated
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

# The REST API (api/, docs/api.md): tokens only (no session, so no CSRF), JSON in and out, one error shape.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenPermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Telcoportal API",
    "DESCRIPTION": "SMS, contacts, call records and faxes of one team, with a token of one of its members.",
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PUBLIC": True,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Calls and faxes both have a direction, with different choices: each its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "CallDirectionEnum": "telephony.models.Direction",
        "FaxDirectionEnum": "fax.models.Direction",
    },
}
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="120/min")  # requests per token, counted in the cache
API_IDEMPOTENCY_KEEP_DAYS = env.int("API_IDEMPOTENCY_KEEP_DAYS", default=7)  # then a reused key acts again
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)  # a JSON body; a fax upload may be larger

# Optional error reporting: with SENTRY_DSN set, errors of the web tier and the workers go to Sentry,
# scrubbed like the logs (core/sentry.py) and without personal data.
SENTRY_DSN = secret("SENTRY_DSN", default="")
if SENTRY_DSN:
    from core.sentry import init as sentry_init

    sentry_init(SENTRY_DSN, environment=env.str("SENTRY_ENVIRONMENT", default="production"))
