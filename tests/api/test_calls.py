"""Call records through the API: the page's filters and keyset pages, a call, its recording with Range."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from api.scopes import Scope
from telephony import services
from telephony.models import CallRecord, Source
from tests.api.conftest import bearer
from tests.factories import ProviderAccountFactory
from tests.telephony.factories import CallRecordFactory

pytestmark = pytest.mark.django_db

CALLS = "/api/v1/calls/"


@pytest.fixture
def recorded_call(team_a, sandbox_account, sandbox) -> CallRecord:
    account = sandbox_account(team_a, "pasifik")
    services.pbx_cdr_import(account=account, now=sandbox.clock.now())
    return CallRecord.objects.filter(source=Source.PBX, has_recording=True).order_by("-start").first()


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_recording_download_and_ranges(api, team_a, token_for, recorded_call) -> None:
    raw = token_for(team_a, Role.VIEWER, Scope.READ)
    url = f"{CALLS}{recorded_call.pk}/recording/"
    whole_response = api.get(url, headers=bearer(raw))
    assert whole_response.status_code == 200
    assert whole_response["Content-Type"] == "audio/wav" and whole_response["Accept-Ranges"] == "bytes"
    whole = body(whole_response)
    assert whole[:4] == b"RIFF"
    middle = api.get(url, headers={**bearer(raw), "Range": "bytes=100-199"})
    assert middle.status_code == 206
    assert middle["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert body(middle) == whole[100:200]
    assert api.get(url, headers={**bearer(raw), "Range": f"bytes={len(whole) + 10}-"}).status_code == 416
    # One audit event for the download, none for the later range request; it names the token.
    events = AuditEvent.objects.filter(action="calls.recording_download")
    assert events.count() == 1 and events.get().data["via_api_token"] == "test read"


def test_the_filters_and_keyset_pages_of_the_page(api, team_a, token_for) -> None:
    account = ProviderAccountFactory(team=team_a, kind="pasifik")
    now = timezone.now()
    for n in range(60):
        CallRecordFactory(account=account, start=now - timedelta(minutes=n + 1), duration=n, caller=f"+90532000{n:04d}")
    raw = token_for(team_a, Role.VIEWER, Scope.READ)
    first = api.get(CALLS, {"preset": "all"}, headers=bearer(raw)).json()
    assert len(first["results"]) == 50 and first["previous_cursor"] is None
    second = api.get(CALLS, {"preset": "all", "after": first["next_cursor"]}, headers=bearer(raw)).json()
    assert len(second["results"]) == 10 and second["next_cursor"] is None
    seen = [r["id"] for r in first["results"] + second["results"]]
    assert len(set(seen)) == 60
    back = api.get(CALLS, {"preset": "all", "before": second["previous_cursor"]}, headers=bearer(raw)).json()
    assert [r["id"] for r in back["results"]] == [r["id"] for r in first["results"]]
    long = api.get(CALLS, {"preset": "all", "min_duration": 55}, headers=bearer(raw)).json()
    assert sorted(r["duration"] for r in long["results"]) == [55, 56, 57, 58, 59]
    number = api.get(CALLS, {"preset": "all", "number": "+905320000007"}, headers=bearer(raw)).json()
    assert [r["caller"] for r in number["results"]] == ["+905320000007"]
    bad = api.get(CALLS, {"date_from": "2026-01-10", "date_to": "2026-01-01"}, headers=bearer(raw))
    assert bad.status_code == 400 and "date_to" in bad.json()["error"]["fields"]


def test_another_teams_call_and_recording_are_not_found(api, team_a, team_b, token_for, recorded_call) -> None:
    raw = token_for(team_b)
    for url in (f"{CALLS}{recorded_call.pk}/", f"{CALLS}{recorded_call.pk}/recording/"):
        assert api.get(url, headers=bearer(raw)).status_code == 404
    assert api.get(CALLS, {"preset": "all"}, headers=bearer(raw)).json()["results"] == []


def test_unknown_api_addresses_answer_json(api) -> None:
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_docs_page_lists_every_operation_without_scripts(client) -> None:
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/sms/" in html and "sms_send" in html
    assert "cdn" not in html.lower()
