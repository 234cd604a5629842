"""Project-wide promises: health check, languages, production settings, Celery wiring."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_reports_what_it_checked_to_an_operator(settings) -> None:
    from django.db import connection

    settings.METRICS_TOKEN = "operator-token-0123456789"
    response = Client().get("/healthz", headers={"Authorization": "Bearer operator-token-0123456789"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": connection.vendor}
    assert body["broker"] == {"ok": True, "transport": "memory"}  # the test settings' broker
    assert body["cache"] == {"ok": True, "backend": "LocMemCache"}
    assert body["media"] == {"shared": False}
    assert {"telcoportal.W011", "telcoportal.W012", "telcoportal.W013"} <= set(body["one_machine"])


@pytest.mark.django_db
def test_healthz_says_when_the_broker_is_unreachable(settings, monkeypatch) -> None:
    from telcoportal import health

    monkeypatch.setattr(health, "_broker_ok", lambda: False)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error"}  # what failed, only to an operator


def test_the_turkish_catalogue_is_compiled_and_used() -> None:
    assert (ROOT / "locale" / "tr" / "LC_MESSAGES" / "django.mo").exists()
    with translation.override("tr"):
        assert translation.gettext("Log in") == "Giriş yap"
        assert translation.gettext("Dashboard") == "Pano"


@pytest.mark.django_db
def test_the_login_page_speaks_turkish_after_switching(alice) -> None:
    client = Client()
    response = client.post(reverse("set_language"), {"language": "tr", "next": reverse("login")})
    assert response.status_code == 302
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="tr">' in page
    assert "Giriş yap" in page


def _production_env() -> dict[str, str]:
    from cryptography.fernet import Fernet

    skip = ("DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        DJANGO_SETTINGS_MODULE="telcoportal.settings",
        DEBUG="0",
        SECRET_KEY="x" * 30 + "production-check-" + "y" * 30,
        CREDENTIAL_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="portal.example.com",
        # What a production of several machines uses (nothing is connected to by `check`).
        DATABASE_URL="postgres://telcoportal@db.example.com:5432/telcoportal",
        CELERY_BROKER_URL="redis://redis.example.com:6379/0",
        CACHE_URL="redis://redis.example.com:6379/1",
        MEDIA_SHARED="1",
    )
    for key in ("SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SECURE_HSTS_SECONDS", "STATIC_MANIFEST"):
        env.pop(key, None)
    return env


def test_production_settings_pass_the_deployment_checklist_with_no_warning() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = _production_env()
    env["SECRET_KEY"] = ""
    env["DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, "SECRET_KEY": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0


def test_production_needs_neither_the_sandbox_nor_its_extra() -> None:
    """`pip install .` installs no extra: with the sandbox and the `sandbox` extra's packages unimportable,
    the production settings pass the checklist, and every URL, admin and task module loads."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extra = pyproject["project"]["optional-dependencies"]["sandbox"]
    blocked = ["sandbox", *(re.split(r"[^A-Za-z0-9_.-]", requirement)[0].lower() for requirement in extra)]
    assert "werkzeug" in blocked
    script = (
        "import sys\n"
        f"sys.modules.update(dict.fromkeys({blocked!r}))\n"  # None there: importing it fails
        "import django\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')\n"
        "from django.urls import get_resolver\n"
        "get_resolver().url_patterns\n"
        "from telcoportal.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print('sandbox' in sys.modules and sys.modules['sandbox'] is not None)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=_production_env(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split()[-1] == "False"


def test_celery_finds_every_task_in_the_beat_schedule() -> None:
    from django.conf import settings

    from telcoportal.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_every_task_is_named_app_dot_verb_noun() -> None:
    from telcoportal.celery import app

    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    wrong = [
        name
        for name, task in ours.items()
        if name == task.name and not re.fullmatch(rf"{task.run.__module__.split('.')[0]}\.[a-z]+(_[a-z]+)+", name)
    ]
    assert ours and wrong == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("messaging.tasks.sms_batch_send_task", "messaging.send_batch"),
        ("fax.tasks.send_fax", "fax.send_fax"),
        ("fax.tasks.fax_watchdog", "fax.watch_stuck_faxes"),
        ("telephony.tasks.calls_import_all", "telephony.import_calls"),
        ("notifications.tasks.balance_check", "notifications.check_balance"),
        ("accounts.tasks.provider_account_check", "accounts.check_provider_account"),
    ],
)
def test_a_message_queued_under_a_tasks_old_name_still_runs(old: str, new: str) -> None:
    from telcoportal.celery import app

    app.loader.import_default_modules()
    assert app.tasks[old] is app.tasks[new]


def _redis_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379 (CI has one)")
def test_healthz_checks_a_real_redis_broker_and_notices_a_dead_one() -> None:
    from telcoportal import health
    from telcoportal.celery import app

    original = app.conf.broker_url
    try:
        app.conf.broker_url = "redis://127.0.0.1:6379/15"
        assert health._broker_ok() is True
        app.conf.broker_url = "redis://127.0.0.1:1/15"  # nothing listens there
        assert health._broker_ok() is False
    finally:
        app.conf.broker_url = original
