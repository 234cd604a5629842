"""The retention settings page (admin+): saved per kind, audited, bad input kept; its dry run."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from privacy.models import RetentionKind
from privacy.retention import retention_days
from tests.conftest import client_for
from tests.factories import MembershipFactory
from tests.privacy.data import call

pytestmark = pytest.mark.django_db
URL = "/privacy/retention/"


def test_the_address_is_the_named_one() -> None:
    assert reverse("privacy-retention") == URL


def test_an_admin_saves_periods_and_forever_and_it_is_audited(alice_client: Client, team_a) -> None:
    response = alice_client.post(URL, {"recordings": "30", "calls": "365", "sms": "", "fax_documents": "90"})
    assert response.status_code == 302
    assert retention_days(team_a) == {
        RetentionKind.RECORDINGS: 30, RetentionKind.CALLS: 365, RetentionKind.SMS: None,
        RetentionKind.FAX_DOCUMENTS: 90,
    }  # fmt: skip
    event = AuditEvent.objects.get(action="retention.update")
    assert event.data == {"recordings_days": 30, "calls_days": 365, "sms_days": None, "fax_documents_days": 90}
    alice_client.cookies["django_language"] = "tr"
    audit = alice_client.get(reverse("audit")).content.decode()
    assert "Saklama ayarları değiştirildi" in audit and "sonsuza dek" in audit


def test_a_bad_period_is_refused_and_what_was_typed_stays(alice_client: Client, team_a) -> None:
    response = alice_client.post(URL, {"recordings": "-3", "calls": "abc", "sms": "12", "fax_documents": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="-3"' in page and 'value="abc"' in page and 'value="12"' in page
    assert not AuditEvent.objects.filter(action="retention.update").exists()
    assert retention_days(team_a)[RetentionKind.SMS] is None


def test_the_dry_run_shows_counts_and_the_oldest_item_and_deletes_nothing(alice_client: Client, team_a) -> None:
    alice_client.post(URL, {"recordings": "", "calls": "30", "sms": "", "fax_documents": ""})
    old = call(team_a, age_days=45)
    page = alice_client.get(URL + "?preview=1").content.decode()
    assert 'id="preview"' in page and "Call records" in page
    assert old.start.strftime("%Y") in page
    assert old.__class__.objects.filter(pk=old.pk).exists()


def test_with_every_kind_forever_the_dry_run_says_nothing_would_go(alice_client: Client) -> None:
    alice_client.cookies["django_language"] = "tr"
    page = alice_client.get(URL + "?preview=1").content.decode()
    assert 'id="preview-empty"' in page and "Hiçbir şey silinmez" in page


def test_only_admins_and_owners_reach_the_page(team_a) -> None:
    for role, status in ((Role.VIEWER, 403), (Role.OPERATOR, 403), (Role.ADMIN, 200), (Role.OWNER, 200)):
        user = MembershipFactory(team=team_a, role=role).user
        assert client_for(user).get(URL).status_code == status, role
