"""The audit log page: filters and a streamed CSV export in the team's time zone."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from django.test import Client
from django.urls import reverse

from accounts.audit import audit_record
from tests.factories import AuditEventFactory


def test_state_changes_leave_who_what_when_and_where(alice, team_a) -> None:
    from django.test import RequestFactory

    request = RequestFactory().post("/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="pytest")
    event = audit_record(team=team_a, actor=alice, action="sms.send", target=team_a, request=request, count=3)
    assert (event.actor_email, event.ip_address, event.user_agent) == ("alice@example.com", "10.1.2.3", "pytest")
    assert (event.object_type, event.object_id, event.data) == ("team", str(team_a.pk), {"count": 3})


def test_the_audit_page_filters_by_action_and_person(alice_client: Client, team_a, team_b) -> None:
    AuditEventFactory(team=team_a, action="sms.send", actor_email="op@example.com", object_repr="batch one")
    AuditEventFactory(team=team_a, action="call.disconnect", actor_email="other@example.com", object_repr="call two")
    AuditEventFactory(team=team_b, action="sms.send", object_repr="foreign batch")
    page = alice_client.get(reverse("audit"), {"action": "sms.send"}).content.decode()
    assert "batch one" in page and "call two" not in page and "foreign batch" not in page
    page = alice_client.get(reverse("audit"), {"actor": "other@"}).content.decode()
    assert "call two" in page and "batch one" not in page


def test_a_malformed_date_filter_is_a_form_error_not_a_crash(alice_client: Client) -> None:
    response = alice_client.get(reverse("audit"), {"since": "31/31/2026"})
    assert response.status_code == 200
    assert "since" in response.context["filter"].form.errors
    assert alice_client.get(reverse("audit-export"), {"since": "nope"}).status_code == 400


def test_the_csv_export_streams_the_filtered_events_with_zoned_times(alice_client: Client, team_a) -> None:
    AuditEventFactory(
        team=team_a, action="sms.send", object_repr="batch one", created_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    )
    AuditEventFactory(team=team_a, action="fax.send", object_repr="fax one")
    response = alice_client.get(reverse("audit-export"), {"action": "sms.send"})
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["time", "person", "action"]
    assert [r[5] for r in rows[1:]] == ["batch one"]
    assert rows[1][0] == "2026-03-01T12:30:00+03:00"
    assert team_a.audit_events.filter(action="audit.export").exists()
