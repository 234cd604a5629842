"""The audit page names actions and details in the reader's language, not as codes."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from accounts.audit_labels import ACTIONS
from tests.factories import AuditEventFactory
from tests.sources import source_files


def cells(page: str) -> str:
    return " ".join(re.findall(r"<td[^>]*>(.*?)</td>", page, re.S))


def test_actions_and_details_read_in_english_and_turkish(alice_client: Client, team_a) -> None:
    AuditEventFactory(team=team_a, action="sms.send", object_repr="batch one", data={"recipients": 3})
    AuditEventFactory(
        team=team_a, action="member.role_change", object_repr="bob", data={"old_role": "viewer", "new_role": "operator"}
    )
    english = alice_client.get(reverse("audit")).content.decode()
    assert "SMS sent" in cells(english) and "sms.send" not in cells(english)
    assert "old role: Viewer · new role: Operator" in cells(english)
    assert re.search(r'<option value="sms.send"[^>]*>SMS sent</option>', english)

    alice_client.cookies["django_language"] = "tr"
    turkish = alice_client.get(reverse("audit")).content.decode()
    assert "SMS gönderildi" in cells(turkish)
    assert "eski rol: İzleyici · yeni rol: Operatör" in cells(turkish)
    assert "SMS sent" not in turkish


def test_the_dashboard_names_recent_actions_too(alice_client: Client, team_a) -> None:
    AuditEventFactory(team=team_a, action="fax.send", object_repr="fax 1")
    alice_client.cookies["django_language"] = "tr"
    page = alice_client.get(reverse("dashboard")).content.decode()
    assert "Faks gönderildi" in page and "fax.send" not in page


def test_every_action_the_code_records_has_a_label() -> None:
    recorded: set[str] = set()
    for path in source_files(".py"):
        if "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        for call in re.findall(r"audit_(?:record|for_user)\((.*?)\n    \)|action=([^\n]*)", source, re.S):
            recorded.update(re.findall(r'"([a-z_]+\.[a-z_]+)"', " ".join(call)))
    recorded = {code for code in recorded if not code.endswith((".pdf", ".tif"))}
    assert recorded, "no action found: the scan is broken"
    assert recorded - set(ACTIONS) == set()


def test_changed_fields_read_as_their_labels_not_as_field_names(alice_client: Client, team_a) -> None:
    AuditEventFactory(team=team_a, action="account.profile_update", data={"fields": ["full_name", "language"]})
    AuditEventFactory(team=team_a, action="team.update", data={"fields": ["time_zone", "notification_email"]})
    english = cells(alice_client.get(reverse("audit")).content.decode())
    assert "fields: full name, language" in english and "full_name" not in english
    assert "fields: time zone, notification email" in english and "time_zone" not in english

    alice_client.cookies["django_language"] = "tr"
    turkish = cells(alice_client.get(reverse("audit")).content.decode())
    assert "alanlar: ad soyad, dil" in turkish and "full_name" not in turkish
