"""A background export starts only from its confirmation page's Start button (a CSRF-checked POST), never from a
GET: an image on another site, a reload or a link prefetch starts nothing. The page says what will be exported;
a double click starts one job."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from accounts.audit_labels import action_label
from accounts.models import AuditEvent
from core.export_kinds import export_kind, export_kinds
from exportjobs.models import ExportJob, ExportState
from exportjobs.services import ASKED_AGAIN, estimated_rows
from tests.conftest import client_for
from tests.factories import AuditEventFactory, ProviderAccountFactory
from tests.fax.factories import FaxFactory
from tests.messaging.factories import SmsBatchFactory, SmsChunkFactory, SmsRecipientFactory
from tests.telephony.factories import CallRecordFactory

pytestmark = pytest.mark.django_db

MARCH = {"preset": "custom", "date_from": "2026-03-01", "date_to": "2026-03-31"}


def _calls(team: Any) -> dict[str, str]:
    account = ProviderAccountFactory(team=team)
    CallRecordFactory.create_batch(3, account=account, start=datetime(2026, 3, 10, 9, tzinfo=UTC))
    return MARCH


def _batches(team: Any) -> dict[str, str]:
    SmsBatchFactory.create_batch(3, team=team, state="done")
    return {"state": "done"}


def _recipients(team: Any) -> dict[str, str]:
    chunk = SmsChunkFactory(batch=SmsBatchFactory(team=team, recipient_count=3), size=3)
    SmsRecipientFactory.create_batch(3, chunk=chunk)
    return {"batch": str(chunk.batch.pk)}


def _faxes(team: Any) -> dict[str, str]:
    FaxFactory.create_batch(3, team=team, status="sent")
    return {"status": "sent"}


def _audit(team: Any) -> dict[str, str]:
    AuditEventFactory.create_batch(3, team=team, action="provider.update")
    return {"action": "provider.update"}


KINDS: dict[str, Callable[[Any], dict[str, str]]] = {
    "calls": _calls, "sms-batches": _batches, "sms-recipients": _recipients, "faxes": _faxes, "audit-log": _audit,
}  # fmt: skip


def _url(kind: str, params: dict[str, str], file_format: str = "csv") -> str:
    return f"{reverse('export-start', args=[kind])}?{urlencode({**params, 'export': file_format})}"


def _csrf_client(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _token(page: Any) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert found, "the confirmation has no CSRF token"
    return found.group(1)


def _estimate(html: str) -> int:
    found = re.search(r"About (\d+) rows?\.", html)
    assert found, "no estimate of the rows"
    return int(found.group(1))


def _estimated(team: Any, kind: str, params: dict[str, str]) -> int:
    """What the page should say: the planner's estimate on PostgreSQL, a count elsewhere (3 rows here)."""
    found = export_kind(kind)
    assert found is not None
    queryset = found.queryset(team, {name: [value] for name, value in params.items()})
    assert queryset is not None
    return estimated_rows(queryset)


def test_every_kind_is_confirmed_here() -> None:
    assert set(KINDS) == {kind.name for kind in export_kinds()}


@pytest.mark.parametrize("kind", KINDS)
def test_the_confirmation_says_what_will_be_exported_and_a_get_starts_nothing(alice_client, team_a, kind) -> None:
    params = KINDS[kind](team_a)
    url = _url(kind, params, "xlsx")
    page = alice_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and 'id="export-start"' in html and 'method="post"' in html
    assert _estimate(html) == _estimated(team_a, kind, params) and 'id="export-filters"' in html
    assert re.search(r'<input type="radio" name="file_format" value="xlsx"[^>]* checked', html), "the format asked"
    assert alice_client.get(url).status_code == 200  # a reload
    assert alice_client.head(url).status_code == 200  # a prefetch
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_a_post_without_the_csrf_token_is_refused_and_with_it_starts_exactly_one_job(alice, team_a, kind) -> None:
    params = KINDS[kind](team_a)
    client = _csrf_client(alice)
    url = _url(kind, params)
    assert client.post(url, {"file_format": "xlsx"}).status_code == 403
    assert not ExportJob.objects.exists()

    token = _token(client.get(url))
    response = client.post(url, {"file_format": "xlsx", "csrfmiddlewaretoken": token})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
    assert (job.team, job.requested_by, job.kind, job.file_format) == (team_a, alice, kind, "xlsx")  # the page's
    assert job.filters == {name: [value] for name, value in params.items()}


def test_a_double_click_starts_one_job(alice_client, team_a) -> None:
    url = _url("faxes", _faxes(team_a))
    first = alice_client.post(url, {"file_format": "csv"})
    second = alice_client.post(url, {"file_format": "csv"})
    job = ExportJob.objects.get()
    assert first["Location"] == second["Location"] == f"/exports/{job.pk}/"


def test_the_same_export_asked_again_later_is_a_new_job(alice_client, team_a) -> None:
    url = _url("faxes", _faxes(team_a))
    alice_client.post(url, {"file_format": "csv"})
    ExportJob.objects.update(created_at=ExportJob.objects.get().created_at - ASKED_AGAIN - timedelta(seconds=1))
    alice_client.post(url, {"file_format": "csv"})
    assert ExportJob.objects.count() == 2


def test_another_format_other_filters_or_after_a_failure_is_a_new_job(alice_client, team_a) -> None:
    params = _faxes(team_a)
    alice_client.post(_url("faxes", params), {"file_format": "csv"})
    alice_client.post(_url("faxes", params), {"file_format": "xlsx"})
    alice_client.post(_url("faxes", {"status": "failed"}), {"file_format": "csv"})
    assert ExportJob.objects.count() == 3
    ExportJob.objects.update(state=ExportState.FAILED)
    alice_client.post(_url("faxes", params), {"file_format": "csv"})  # trying again after it failed
    assert ExportJob.objects.count() == 4


def test_two_members_asking_the_same_export_each_get_their_own(alice_client, member_of, team_a) -> None:
    url = _url("faxes", _faxes(team_a))
    alice_client.post(url, {"file_format": "csv"})
    client_for(member_of(team_a, "viewer")).post(url, {"file_format": "csv"})
    assert ExportJob.objects.count() == 2 and ExportJob.objects.values("requested_by").distinct().count() == 2


def test_an_unknown_format_is_refused_on_the_page(alice_client, team_a) -> None:
    response = alice_client.post(_url("faxes", _faxes(team_a)), {"file_format": "pdf"})
    assert response.status_code == 400 and 'id="export-start"' in response.content.decode()
    assert not ExportJob.objects.exists()


def test_filters_no_longer_valid_send_back_to_the_list_and_start_nothing(alice_client, team_a) -> None:
    url = _url("calls", {**MARCH, "date_to": "2026-02-01"})  # the end before the start
    for response in (alice_client.get(url), alice_client.post(url, {"file_format": "csv"})):
        assert response.status_code == 302 and response["Location"] == reverse("calls-list")
    assert not ExportJob.objects.exists()


def _words(client: Client, url: str, language: str) -> list[tuple[str, str]]:
    html = client.get(url, headers={"Accept-Language": language}).content.decode()
    return re.findall(r'<dt class="col-sm-4">(.*?)</dt><dd class="col-sm-8">(.*?)</dd>', html)


def test_the_filters_are_said_in_words_in_the_readers_language(alice_client, team_a) -> None:
    calls = _url("calls", {**_calls(team_a), "number": "", "match": "prefix"})
    assert _words(alice_client, calls, "en") == [("Period", "Custom dates"), ("From", "2026-03-01"),
                                                 ("Until", "2026-03-31")]  # fmt: skip
    assert _words(alice_client, calls, "tr") == [("Dönem", "Özel tarihler"), ("Başlangıç", "01.03.2026"),
                                                 ("Bitiş", "31.03.2026")]  # fmt: skip
    assert _words(alice_client, _url("faxes", _faxes(team_a)), "tr") == [("Durum", "Gönderildi")]
    audit = _url("audit-log", _audit(team_a))
    assert _words(alice_client, audit, "en") == [("Action", str(action_label("provider.update")))]
    recipients = _recipients(team_a)
    assert _words(alice_client, _url("sms-recipients", {**recipients, "state": "delivered"}), "en") == [
        ("SMS batch", f"#{recipients['batch']}"), ("State", "Delivered"),
    ]  # fmt: skip


def test_a_relative_period_is_said_as_the_dates_it_stands_for(alice_client, team_a) -> None:
    words = dict(_words(alice_client, _url("calls", {"preset": "7d"}), "en"))
    assert words["Period"] == "Custom dates" and words["From"] and words["Until"]  # as the job will read it


def test_no_filter_says_every_row(alice_client, team_a) -> None:
    _batches(team_a)
    html = alice_client.get(_url("sms-batches", {})).content.decode()
    assert "None: every row of the list." in html and _estimate(html) == _estimated(team_a, "sms-batches", {})


def test_the_confirmation_reads_in_turkish(alice_client, team_a) -> None:
    html = alice_client.get(_url("sms-batches", _batches(team_a)), headers={"Accept-Language": "tr"}).content.decode()
    for text in ("SMS gönderimleri dışa aktarımı", "arka planda yazılır", "Filtreler", "Biçim", "Dışa aktarımı başlat",
                 "Listeye dön"):  # fmt: skip
        assert text in html, text
    assert re.search(r"Yaklaşık \d+ satır\.", html)


@pytest.mark.parametrize(("kind", "action"), [("calls", "calls.export"), ("audit-log", "audit.export")])
def test_a_large_export_is_audited_once_when_started_not_when_confirmed(
    alice, alice_client, team_a, settings, kind, action
) -> None:
    settings.EXPORT_BACKGROUND_ROWS = 1
    params = KINDS[kind](team_a)
    list_url = reverse("calls-export" if kind == "calls" else "audit-export")
    confirm = alice_client.get(list_url, {**params, "export": "xlsx"})["Location"]
    assert alice_client.get(confirm).status_code == 200
    assert not AuditEvent.objects.filter(action=action).exists()  # nothing exported yet

    alice_client.post(confirm, {"file_format": "xlsx"})
    alice_client.post(confirm, {"file_format": "xlsx"})  # a double click
    job = ExportJob.objects.get()
    event = AuditEvent.objects.get(action=action)
    assert (event.actor, event.object_type, event.object_id) == (alice, "exportjob", str(job.pk))
    assert event.data["format"] == "xlsx"
    assert event.data["filters"] == {name: values[0] for name, values in job.filters.items()}
