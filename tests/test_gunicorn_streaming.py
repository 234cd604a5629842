"""A large export downloaded through a real gunicorn process with the production config arrives whole.

With the old sync worker and ``timeout = 60`` the arbiter killed a worker mid-download and the browser kept an
HTTP 200 file holding part of the rows. The server here runs ``deploy/gunicorn.conf.py`` unchanged, on a
database of its own (a SQLite file migrated and seeded by subprocesses), and the test counts every row: of the
calls export streamed in the request, and of a batch's recipients written by a background job (started from
its confirmation page; the tests' Celery runs the job eagerly, inside the request that starts it) and
downloaded from storage.
"""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
ROWS = 50_000

SEED = f"""
from datetime import timedelta
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, BACKEND_SESSION_KEY
from django.utils import timezone
from importlib import import_module
from accounts.roles import Role
from telephony.models import CallRecord
from messaging.models import SmsRecipient
from tests.factories import MembershipFactory, ProviderAccountFactory
from tests.messaging.factories import SmsBatchFactory, SmsChunkFactory

member = MembershipFactory(role=Role.VIEWER)
account = ProviderAccountFactory(team=member.team, label="=Santral")
start = timezone.now() - timedelta(days=2)
CallRecord.objects.bulk_create(
    (
        CallRecord(team=member.team, account=account, source="pbx", provider_id=str(n), start=start,
                   duration=n % 300, caller=f"+90532{{n:07d}}", callee="+902121234567", direction="in",
                   disposition="answered")
        for n in range({ROWS})
    ),
    batch_size=5000,
)
chunk = SmsChunkFactory(batch=SmsBatchFactory(team=member.team, recipient_count={ROWS}), size={ROWS})
SmsRecipient.objects.bulk_create(
    (SmsRecipient(batch=chunk.batch, chunk=chunk, phone=f"+90532{{n:07d}}", name="=Müşteri") for n in range({ROWS})),
    batch_size=5000,
)
print(chunk.batch.pk)
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(member.user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = member.user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def background_rows() -> int:
    """Direct streaming, whatever size the portal would otherwise hand to a background job."""
    return ROWS * 10


@pytest.fixture
def server_env(tmp_path: Path, background_rows: int) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EXPORT_BACKGROUND_ROWS": str(background_rows),
        "WEB_CONCURRENCY": "1",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return env


@pytest.fixture
def gunicorn(server_env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    # The config unchanged; only the address, and no control socket (its default path is shared by every gunicorn
    # of the machine).
    command = [str(GUNICORN), "telcoportal.wsgi", "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
               "--no-control-socket"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=server_env, start_new_session=True,
                              stdout=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(300):
            assert server.poll() is None, "gunicorn exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_the_production_config_uses_threaded_workers() -> None:
    namespace: dict[str, object] = {}
    config = ROOT / "deploy" / "gunicorn.conf.py"
    exec(compile(config.read_text(), str(config), "exec"), namespace)  # how gunicorn reads it
    assert namespace["worker_class"] == "gthread"
    assert isinstance(namespace["threads"], int) and namespace["threads"] > 1
    for name in ("timeout", "graceful_timeout", "keepalive"):
        assert isinstance(namespace[name], int), name


def _seed(server_env: dict[str, str]) -> tuple[str, str]:
    """(the batch's id, the session key of a viewer of the team)."""
    seeded = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", SEED],
        cwd=ROOT, env=server_env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    batch_id, session_key = seeded.stdout.strip().splitlines()[-2:]
    return batch_id, session_key


def test_a_large_csv_export_through_gunicorn_holds_every_row(server_env: dict[str, str], gunicorn: str) -> None:
    _batch_id, session_key = _seed(server_env)
    response = requests.get(
        f"{gunicorn}/calls/export/",
        params={"preset": "all", "export": "csv"},
        cookies={"sessionid": session_key},
        stream=True,
        timeout=120,
        allow_redirects=False,
    )
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "Id"
    data = rows[1:]
    assert len(data) == ROWS
    assert len({row[0] for row in data}) == ROWS  # every call once
    assert {row[15] for row in data} == {"'=Santral"}  # formula-escaped as always


@pytest.mark.parametrize("background_rows", [1000])
def test_a_large_background_export_through_gunicorn_holds_every_row(server_env: dict[str, str], gunicorn: str) -> None:
    batch_id, session_key = _seed(server_env)
    cookies = {"sessionid": session_key}
    confirm = requests.get(f"{gunicorn}/sms/{batch_id}/", params={"export": "csv"}, cookies=cookies, timeout=120)
    assert confirm.status_code == 200 and "/exports/new/" in confirm.url, confirm.url  # the confirmation page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', confirm.text)
    assert token, confirm.text[:500]
    asked = requests.post(
        confirm.url, data={"file_format": "csv", "csrfmiddlewaretoken": token.group(1)},
        cookies={**cookies, "csrftoken": confirm.cookies["csrftoken"]}, timeout=120,
    )  # fmt: skip
    assert asked.status_code == 200 and "/exports/" in asked.url, asked.url  # the job's page, after Start
    assert 'id="export-download"' in asked.text, asked.text[:500]  # written already: the tests' Celery is eager
    response = requests.get(f"{asked.url}download/", cookies=cookies, stream=True, timeout=120)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Number"
    data = rows[1:]
    assert len(data) == ROWS and len({row[0] for row in data}) == ROWS  # every recipient once
    assert {row[1] for row in data} == {"'=Müşteri"}  # formula-escaped as always
