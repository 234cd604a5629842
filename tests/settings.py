"""Test settings: the real settings with fast hashing and fixed test keys.

``DATABASE_URL`` still chooses the database, so the same suite runs on SQLite
and on PostgreSQL.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
# A fixed Fernet key for tests only.
os.environ.setdefault("CREDENTIAL_KEYS", "hZ5qX2w1e0m9bJ7Pq3Uu0fYk8sVd4nT6cR1aL2gH5jE=")

from telcoportal import settings as _base
from telcoportal.settings import *  # noqa: F403

DEBUG = False
# The demo commands, which some tests run (the settings list them with DEBUG on only).
if "sandbox" not in _base.INSTALLED_APPS:
    INSTALLED_APPS = [*_base.INSTALLED_APPS, "sandbox"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
CELERY_TASK_ALWAYS_EAGER = True
# One process: the per-process memory cache is everything's cache, so the cached reads are exercised
# (the autouse fixture clears it around each test).
CACHE_SHARED = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
# The providers' documented addresses, the sandbox (its fixture allows its own origin) and the
# discard port, where nothing listens: tests point an account there to play a provider that is down.
PROVIDER_URL_ALLOWLIST = ["http://127.0.0.1:9"]
# Webhook receivers the tests start on loopback (http://127.0.0.1:<port>); short timeouts for the slow one.
WEBHOOKS_ALLOW_PRIVATE = True
WEBHOOKS_READ_TIMEOUT = 0.5

# Uploaded and fetched files of the tests go to a throw-away folder, not var/media.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="telcoportal-test-media-"))
