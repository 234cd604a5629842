"""Call records through the API: the page's filters and keyset pages, a call, its recording with Range."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from api.scopes import Scope
from telephony import services
from telephony.models import CallRecord, Source
from tests.api.conftest import bearer
from tests.factories import MembershipFactory, ProviderAccountFactory
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
    raw = token_for(team_a, Role.ADMIN, Scope.READ)
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


def stored_recording_call(team, **fields) -> CallRecord:
    call = CallRecordFactory(
        account=ProviderAccountFactory(team=team), recording_name="in-1.wav", has_recording=True, **fields
    )
    call.recording.save(f"call-{call.pk}.wav", ContentFile(b"RIFF" + b"\0" * 100), save=True)
    return call


@pytest.mark.parametrize(("role", "status"), [(Role.VIEWER, 403), (Role.OPERATOR, 403), (Role.ADMIN, 200)])
def test_a_recording_through_the_api_is_a_download_admins_may_by_default(api, team_a, token_for, role, status) -> None:
    call = stored_recording_call(team_a)
    response = api.get(f"{CALLS}{call.pk}/recording/", headers=bearer(token_for(team_a, role, Scope.READ)))
    assert response.status_code == status


def test_the_teams_choice_of_role_holds_through_the_api(api, team_a, alice_client, token_for) -> None:
    call = stored_recording_call(team_a)
    viewer, admin = token_for(team_a, Role.VIEWER, Scope.READ), token_for(team_a, Role.ADMIN, Scope.READ)
    alice_client.post(
        reverse("team-recording-access"), {"listen_recordings": "viewer", "download_recordings": "viewer"}
    )
    assert api.get(f"{CALLS}{call.pk}/recording/", headers=bearer(viewer)).status_code == 200
    alice_client.post(reverse("team-recording-access"), {"listen_recordings": "owner", "download_recordings": "owner"})
    assert api.get(f"{CALLS}{call.pk}/recording/", headers=bearer(admin)).status_code == 403


def test_a_member_limited_to_numbers_gets_only_those_recordings_through_the_api(api, team_a, token_for) -> None:
    mine = stored_recording_call(team_a, callee="101")
    other = stored_recording_call(team_a, callee="102")
    member = MembershipFactory(team=team_a, role=Role.ADMIN, recording_numbers=["101"])
    raw = token_for(team_a, Role.ADMIN, Scope.READ, membership=member)
    assert api.get(f"{CALLS}{mine.pk}/recording/", headers=bearer(raw)).status_code == 200
    assert api.get(f"{CALLS}{other.pk}/recording/", headers=bearer(raw)).status_code == 404
