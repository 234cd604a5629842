"""A person logs in, switches to Turkish, switches team and invites a member."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import Invitation
from accounts.roles import Role
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_log_in_switch_language_and_team_then_invite_a_member(page) -> None:
    alice = UserFactory(email="alice@example.com", full_name="Alice Owner")
    MembershipFactory(team=TeamFactory(name="Ankara Office"), user=alice, role=Role.OWNER)
    MembershipFactory(team=TeamFactory(name="Izmir Office"), user=alice, role=Role.ADMIN)

    page.goto("/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Email address").fill("alice@example.com")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("The email address or password is not right.").wait_for()
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Ankara Office").wait_for()

    page.select_option("#language-switch", "tr")
    assert page.locator("html").get_attribute("lang") == "en"  # choosing alone changes nothing (WCAG 3.2.2)
    page.get_by_test_id("language-apply").click()
    page.get_by_role("link", name="Pano").wait_for()
    assert page.locator("html").get_attribute("lang") == "tr"

    page.select_option("#team-switch", label="Izmir Office")
    page.get_by_test_id("team-switch-apply").click()
    page.get_by_role("heading", name="Izmir Office").wait_for()
    page.get_by_text("Artık Izmir Office ekibinde çalışıyorsunuz.").wait_for()

    page.get_by_role("link", name="Ekip", exact=True).click()
    page.get_by_role("link", name="Üyeler").click()
    page.get_by_label("E-posta adresi").fill("new.colleague@example.com")
    page.get_by_label("Rol").select_option("operator")
    page.get_by_role("button", name="Davet gönder").click()
    page.get_by_text("Davet new.colleague@example.com adresine gönderildi.").wait_for()
    page.get_by_role("cell", name="new.colleague@example.com").wait_for()

    invitation = Invitation.objects.get(email="new.colleague@example.com")
    assert invitation.team.name == "Izmir Office"
    assert invitation.role == Role.OPERATOR
    assert mail.outbox and mail.outbox[-1].to == ["new.colleague@example.com"]
