"""Legal holds: set and cleared by admin+ with a reason, shown on the item's page, audited."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import AuditEvent
from accounts.roles import Role
from tests.conftest import client_for
from tests.factories import MembershipFactory
from tests.privacy.data import call, fax, sms_batch

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["call", "sms", "fax"])
def item_and_urls(request, team_a):
    if request.param == "call":
        item = call(team_a, age_days=1)
        return item, f"/privacy/holds/calls/{item.pk}/", f"/calls/{item.pk}/"
    if request.param == "sms":
        item = sms_batch(team_a, age_days=1)
        return item, f"/privacy/holds/sms/{item.pk}/", f"/sms/{item.pk}/"
    item = fax(team_a, age_days=1)
    return item, f"/privacy/holds/fax/{item.pk}/", f"/fax/{item.pk}/"


def test_an_admin_sets_a_hold_with_a_reason_and_the_page_shows_who_when_why(
    alice_client: Client, alice, item_and_urls
) -> None:
    item, hold_url, page_url = item_and_urls
    response = alice_client.post(hold_url, {"action": "set", "reason": "Dava dosyası 2026/41"})
    assert response.status_code == 302 and response["Location"] == page_url
    item.refresh_from_db()
    assert item.legal_hold and item.legal_hold_reason == "Dava dosyası 2026/41"
    assert item.legal_hold_by == alice.email and item.legal_hold_at is not None
    event = AuditEvent.objects.get(action="legal_hold.set")
    assert event.object_id == str(item.pk) and event.data == {"reason": "Dava dosyası 2026/41"}

    alice_client.cookies["django_language"] = "tr"
    page = alice_client.get(page_url).content.decode()
    assert "Yasal saklama altında" in page and "Dava dosyası 2026/41" in page and alice.email in page
    assert "Saklamayı kaldır" in page


def test_clearing_needs_a_reason_too_and_is_audited(alice_client: Client, item_and_urls) -> None:
    item, hold_url, _page_url = item_and_urls
    alice_client.post(hold_url, {"action": "set", "reason": "Denetim"})
    response = alice_client.post(hold_url, {"action": "clear", "reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    item.refresh_from_db()
    assert item.legal_hold

    assert alice_client.post(hold_url, {"action": "clear", "reason": "Dava kapandı"}).status_code == 302
    item.refresh_from_db()
    assert not item.legal_hold and item.legal_hold_reason == ""
    assert AuditEvent.objects.get(action="legal_hold.clear").data == {"reason": "Dava kapandı"}


def test_clearing_an_item_not_held_says_so(alice_client: Client, item_and_urls) -> None:
    _item, hold_url, _page = item_and_urls
    response = alice_client.post(hold_url, {"action": "clear", "reason": "x"})
    assert response.status_code == 200 and "not under legal hold" in response.content.decode()
    assert not AuditEvent.objects.filter(action="legal_hold.clear").exists()


def test_a_viewer_sees_the_hold_but_no_form_and_cannot_post(bob_client: Client, item_and_urls) -> None:
    _item, hold_url, page_url = item_and_urls
    page = bob_client.get(page_url).content.decode()
    assert 'id="legal-hold"' in page and hold_url not in page
    assert bob_client.post(hold_url, {"action": "set", "reason": "x"}).status_code == 403


def test_an_operator_cannot_set_a_hold(team_a, item_and_urls) -> None:
    _item, hold_url, _page = item_and_urls
    operator = MembershipFactory(team=team_a, role=Role.OPERATOR).user
    assert client_for(operator).post(hold_url, {"action": "set", "reason": "x"}).status_code == 403


def test_another_teams_item_is_not_found(team_b, item_and_urls, charlie) -> None:
    _item, hold_url, _page = item_and_urls
    assert client_for(charlie).post(hold_url, {"action": "set", "reason": "x"}).status_code == 404
