"""What an operator watches: /metrics (token or address only), /healthz (detail to operators only),
the worker and beat heartbeats, JSON logs and Sentry, both scrubbed of secrets."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import socket
import time
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from accounts.provider_clients import client_for
from core.logging import RedactSecretsFilter
from fax.models import Fax
from providers.errors import ProviderUnavailable
from telcoportal import heartbeat
from telcoportal.celery import app
from telcoportal.tasks import heartbeat_record
from telephony.models import ImportWatermark
from tests.conftest import client_for as signed_in
from tests.factories import ProviderAccountFactory, TeamFactory, UserFactory

TOKEN = "scrape-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def metrics_token(settings: Any) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(**headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics by (name, sorted labels)."""
    response = Client().get("/metrics", headers={**AUTH, **headers})
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# --- /metrics is never public ------------------------------------------------------------


def test_metrics_are_not_found_until_a_token_or_an_address_is_set() -> None:
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", headers=AUTH).status_code == 404


@pytest.mark.django_db
def test_metrics_want_the_token(metrics_token: str) -> None:
    assert Client().get("/metrics").status_code == 401
    assert Client().get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert Client().get("/metrics", headers={"Authorization": TOKEN}).status_code == 401  # no scheme
    response = Client().get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert "django_http_requests_total_by_method" in response.content.decode()  # django-prometheus' own


@pytest.mark.django_db
def test_metrics_answer_a_listed_address_and_believe_no_forwarded_header(settings: Any) -> None:
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="192.0.2.1").get("/metrics").status_code == 401
    forged = Client(REMOTE_ADDR="192.0.2.1").get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"})
    assert forged.status_code == 401


@pytest.mark.django_db
def test_a_signed_in_staff_member_gets_no_metrics_without_the_token(metrics_token: str) -> None:
    staff = UserFactory(is_staff=True)
    assert signed_in(staff).get("/metrics").status_code == 401


# --- custom series ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_provider_call_through_the_sandbox_is_timed_by_provider_and_endpoint(
    metrics_token: str, sandbox_account: Any
) -> None:
    account = sandbox_account(TeamFactory(), "pasifik")
    labels = {"provider": "pasifik", "endpoint": "/user/getsettings"}
    before = value(scrape(), "telcoportal_provider_request_seconds_count", **labels)
    with client_for(account) as client:
        client.user_settings()
    after = scrape()
    assert value(after, "telcoportal_provider_request_seconds_count", **labels) == before + 1
    assert value(after, "telcoportal_provider_request_seconds_sum", **labels) > 0


@pytest.mark.django_db
def test_a_provider_that_does_not_answer_counts_an_error(metrics_token: str) -> None:
    account = ProviderAccountFactory(kind="pasifik", base_url="http://127.0.0.1:9/pasifik")  # nothing listens
    labels = {"provider": "pasifik", "endpoint": "/user/getsettings", "error": "ProviderUnavailable"}
    before = value(scrape(), "telcoportal_provider_request_errors_total", **labels)
    with client_for(account, quick=True) as client, pytest.raises(ProviderUnavailable):
        client.user_settings()
    assert value(scrape(), "telcoportal_provider_request_errors_total", **labels) == before + 1


@pytest.mark.django_db
def test_sends_are_counted_by_state(metrics_token: str) -> None:
    team = TeamFactory()
    Fax.objects.create(team=team, direction="out", status="failed")
    Fax.objects.create(team=team, direction="out", status="failed")
    samples = scrape()
    assert value(samples, "telcoportal_faxes", direction="out", status="failed") == 2
    assert value(samples, "telcoportal_faxes", direction="in", status="failed") == 0
    for state in ("queued", "submitting", "submitted", "failed", "unknown", "cancelled"):
        assert ("telcoportal_sms_chunks", (("state", state),)) in samples


@pytest.mark.django_db
def test_the_import_lag_is_the_laggiest_source_of_each_active_account(metrics_token: str) -> None:
    account = ProviderAccountFactory(kind="pasifik")
    now = timezone.now()
    ImportWatermark.objects.create(account=account, source="pbx", imported_until=now - timedelta(minutes=5))
    ImportWatermark.objects.create(account=account, source="tel", key="7", imported_until=now - timedelta(hours=3))
    sleeping = ProviderAccountFactory(kind="pasifik", is_active=False)
    ImportWatermark.objects.create(account=sleeping, source="pbx", imported_until=now - timedelta(days=9))
    samples = scrape()
    lag = value(samples, "telcoportal_cdr_import_lag_seconds", account=str(account.pk), provider="pasifik")
    assert 3 * 3600 <= lag < 4 * 3600
    assert not any(
        k[0] == "telcoportal_cdr_import_lag_seconds" and ("account", str(sleeping.pk)) in k[1] for k in samples
    )


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.django_db
def test_no_queue_depth_for_the_embedded_broker(metrics_token: str) -> None:
    assert not any(name == "telcoportal_celery_queue_depth" for name, _labels in scrape())


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379 (CI has one)")
@pytest.mark.django_db
def test_the_queue_depth_is_read_from_a_redis_broker(metrics_token: str, settings: Any) -> None:
    import redis

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/14"
    store = redis.Redis(host="127.0.0.1", port=6379, db=14)
    store.delete("celery", "celery\x06\x163")
    try:
        store.rpush("celery", "a", "b")
        store.rpush("celery\x06\x163", "c")
        assert value(scrape(), "telcoportal_celery_queue_depth", queue="celery") == 3
    finally:
        store.delete("celery", "celery\x06\x163")


@pytest.mark.django_db
def test_a_dead_redis_broker_leaves_the_scrape_answering_without_its_depth(metrics_token: str, settings: Any) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens
    samples = scrape()
    assert not any(name == "telcoportal_celery_queue_depth" for name, _labels in samples)
    assert any(name == "telcoportal_faxes" for name, _labels in samples)


# --- heartbeats ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_beat_stamps_its_heartbeat_on_queueing_the_task_and_a_worker_on_running_it(metrics_token: str) -> None:
    cache.clear()
    assert heartbeat.age_seconds("beat") is None
    app.send_task(heartbeat.TASK_NAME)  # what beat does (on the memory broker of the tests: nobody runs it)
    assert heartbeat.age_seconds("beat") is not None
    assert heartbeat.age_seconds("worker") is None
    heartbeat_record.apply()  # what a worker does
    body = Client().get("/healthz", headers=AUTH).json()
    assert body["worker"]["ok"] is True
    assert body["beat"]["ok"] is True
    assert ("telcoportal_heartbeat_age_seconds", (("part", "worker"),)) in scrape()


@pytest.mark.django_db
def test_a_stale_worker_shows_in_the_detail_but_keeps_the_node_in_the_balancer(metrics_token: str) -> None:
    cache.set("telcoportal:heartbeat:worker", time.time() - django_settings.HEARTBEAT_STALE_SECONDS - 60)
    response = Client().get("/healthz", headers=AUTH)
    assert response.status_code == 200
    assert response.json()["worker"]["ok"] is False
    assert value(scrape(), "telcoportal_heartbeat_age_seconds", part="worker") > django_settings.HEARTBEAT_STALE_SECONDS


# --- /healthz -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_names_no_backend_to_anonymous_callers() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_gives_the_detail_to_staff_and_to_the_token_only(metrics_token: str) -> None:
    staff, member = UserFactory(is_staff=True), UserFactory()
    assert "database" in signed_in(staff).get("/healthz").json()
    assert signed_in(member).get("/healthz").json() == {"status": "ok"}
    assert "cache" in Client().get("/healthz", headers=AUTH).json()
    assert Client().get("/healthz", headers={"Authorization": "Bearer nope"}).json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_fails_when_the_cache_does_not_answer(metrics_token: str) -> None:
    dead_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=dead_cache):  # put back before the suite's own cache clearing
        anonymous = Client().get("/healthz")
        detail = Client().get("/healthz", headers=AUTH).json()
    assert anonymous.status_code == 503
    assert anonymous.json() == {"status": "error"}
    assert detail["cache"]["ok"] is False
    assert detail["database"]["ok"] is True


@pytest.mark.django_db
def test_healthz_fails_when_the_broker_does_not_answer(metrics_token: str) -> None:
    original = app.conf.broker_url
    try:
        app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens
        response = Client().get("/healthz", headers=AUTH)
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["cache"]["ok"] is True


def test_the_production_settings_bound_waits_on_redis_and_postgresql() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "telcoportal.settings",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 50,
        "CACHE_URL": "redis://cache.invalid:6379/1",
        "DATABASE_URL": "postgres://u:p@db.invalid:5432/telcoportal",
    }
    code = (
        "import json; from django.conf import settings; import django; django.setup(); "
        "print(json.dumps([settings.CACHES['default'], settings.DATABASES['default']['OPTIONS']]))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    cache_config, database_options = json.loads(run.stdout.strip().splitlines()[-1])
    assert cache_config["OPTIONS"] == {"socket_connect_timeout": 2, "socket_timeout": 2}
    assert database_options["connect_timeout"] == 5


# --- logs and Sentry ------------------------------------------------------------------------


def test_a_json_log_line_parses_and_carries_no_secret() -> None:
    config = django_settings.LOGGING["formatters"]["json"]
    formatter = logging.config.DictConfigurator({}).configure_formatter(dict(config))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger("tests.json_log")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("provider said %s", "Authorization: Bearer sk-live-999 password=hunter2")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    line = json.loads(stream.getvalue().strip())
    assert line["level"] == "WARNING"
    assert line["logger"] == "tests.json_log"
    assert line["message"].startswith("provider said")
    assert "hunter2" not in stream.getvalue()
    assert "sk-live-999" not in stream.getvalue()


def test_sentry_events_are_scrubbed_before_they_leave() -> None:
    import sentry_sdk
    from sentry_sdk.transport import Transport

    from core.sentry import init

    class Recording(Transport):
        def __init__(self) -> None:
            super().__init__()
            self.events: list[dict[str, Any]] = []

        def capture_envelope(self, envelope: Any) -> None:
            event = envelope.get_event()
            if event is not None:
                self.events.append(event)

    recording = Recording()
    init(
        "https://public@sentry.invalid/1",
        environment="test",
        transport=recording,
        default_integrations=False,
        auto_enabling_integrations=False,
    )
    try:
        with sentry_sdk.new_scope() as scope:
            scope.set_extra("request_body", "grant_type=x&client_secret=s3cr3t-value")
            scope.set_context("provider", {"password": "hunter2", "kind": "pasifik"})
            try:
                raise RuntimeError("login refused: password=hunter2")
            except RuntimeError:
                sentry_sdk.capture_exception()
        sentry_sdk.flush()
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)
    assert len(recording.events) == 1
    sent = json.dumps(recording.events[0])
    assert "hunter2" not in sent
    assert "s3cr3t-value" not in sent
    assert "pasifik" in sent and "login refused" in sent
    assert "user" not in recording.events[0] or not recording.events[0]["user"].get("ip_address")


def test_the_sample_grafana_dashboard_charts_every_custom_series() -> None:
    from pathlib import Path

    dashboard = json.loads((Path(__file__).resolve().parents[1] / "deploy" / "grafana-dashboard.json").read_text())
    queries = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    for series in (
        "telcoportal_provider_request_seconds_bucket",
        "telcoportal_provider_request_errors_total",
        "telcoportal_sms_chunks",
        "telcoportal_faxes",
        "telcoportal_celery_queue_depth",
        "telcoportal_cdr_import_lag_seconds",
        "telcoportal_heartbeat_age_seconds",
    ):
        assert series in queries


@pytest.mark.parametrize(
    ("broker", "scheduler"),
    [("redis://127.0.0.1:6379/0", "redbeat.RedBeatScheduler"), ("filesystem://", "celery.beat:PersistentScheduler")],
)
def test_beat_takes_the_redis_lock_scheduler_on_a_redis_broker_only(broker: str, scheduler: str) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "telcoportal.settings",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 50,
        "CELERY_BROKER_URL": broker,
    }
    code = "from telcoportal.celery import app; print(app.conf.beat_scheduler)"
    found = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == scheduler


MULTIPROCESS_SCRIPT = """
import json, sys, urllib.request, urllib.error
import django
django.setup()
from django.test import Client
from providers.transport import RequestObservation, _notify
from telcoportal import worker_metrics

# A provider attempt in this process (a worker child, a gunicorn worker) lands in the shared folder.
_notify(RequestObservation("pasifik", "POST", "/sms/submit", 0.2, "ProviderUnavailable"))
server = worker_metrics.serve(0, "127.0.0.1")
url = f"http://127.0.0.1:{server.server_port}/metrics"
def get(headers):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, ""
anonymous, _ = get({})
status, worker_text = get({"Authorization": "Bearer " + sys.argv[1]})
server.shutdown()
from django.test.utils import setup_test_environment
from telcoportal.state_metrics import StateCollector
setup_test_environment()
StateCollector.collect = lambda self: iter(())  # no database here: the sum over processes is what is tested
web = Client().get("/metrics", headers={"Authorization": "Bearer " + sys.argv[1]})
print(json.dumps({"anonymous": anonymous, "status": status, "worker": worker_text, "web": web.content.decode()}))
"""


def test_with_a_multiprocess_folder_the_worker_and_web_endpoints_add_up_the_processes(tmp_path: Any) -> None:
    """What gunicorn and the prefork worker run with PROMETHEUS_MULTIPROC_DIR (a subprocess: the mode is
    chosen when prometheus_client is imported)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "METRICS_TOKEN": TOKEN,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    run = subprocess.run(
        [sys.executable, "-c", MULTIPROCESS_SCRIPT, TOKEN],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found["anonymous"] == 401
    assert found["status"] == 200
    labels = 'endpoint="/sms/submit",error="ProviderUnavailable",provider="pasifik"'
    series = f"telcoportal_provider_request_errors_total{{{labels}}} 1.0"
    assert series in found["worker"]
    assert series in found["web"]
    assert list(tmp_path.glob("*.db")), "the counts are kept in the folder"
