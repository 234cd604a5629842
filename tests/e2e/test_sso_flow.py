"""Single sign-on in a real browser against a real OpenID Connect provider (tests/oidc_provider/):
the owner connects the team, a member whose team turned password log-in off is sent from the
log-in page to the provider and back, signed in. No Content-Security-Policy violation on the way."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.roles import Role
from accounts.sso_models import TeamSSO
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory
from tests.oidc_provider.runner import CLIENT_ID, CLIENT_SECRET, running_provider

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_owner_connects_the_team_and_a_member_signs_in_through_the_provider(browser, live_server, settings) -> None:
    from tests.e2e.conftest import signed_in_page

    with running_provider(redirect_uri=f"{live_server.url}/sso/callback/") as provider:
        settings.PROVIDER_URL_ALLOWLIST = [provider.issuer]
        team = TeamFactory(name="Acme")
        owner = MembershipFactory(team=team, user=UserFactory(email="owner@acme.test"), role=Role.OWNER).user
        MembershipFactory(team=team, user=UserFactory(email="ada@acme.test"), role=Role.OPERATOR)

        context, page = signed_in_page(browser, live_server, owner)
        violations: list[str] = []
        page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
        page.goto("/team/")
        page.get_by_role("link", name="Single sign-on").click()
        page.get_by_label("Provider name").fill("Acme ID")
        page.get_by_label("Sign-in name").fill("acme")
        page.get_by_label("Issuer URL").fill(provider.issuer)
        page.get_by_label("Client ID").fill(CLIENT_ID)
        page.get_by_label("Client secret").fill(CLIENT_SECRET)
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Single sign-on settings saved.").wait_for()
        assert CLIENT_SECRET not in page.content()
        context.close()

        # As if a first sign-in had proved it works, the owner turned password log-in off.
        TeamSSO.objects.filter(team=team).update(password_login_disabled=True, last_sign_in_at=timezone.now())

        member = browser.new_context(base_url=live_server.url, locale="en-US")
        page = member.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
        page.goto("/accounts/login/")
        page.get_by_label("Email address").fill("ada@acme.test")
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_text("Acme signs in with Acme ID only").wait_for()
        page.get_by_role("link", name="Sign in with Acme ID").click()
        page.get_by_label("Email address").fill("ada@acme.test")
        page.get_by_role("button", name="Sign in with Acme ID").click()
        page.wait_for_url(f"{live_server.url}/")
        page.get_by_role("heading", name="Acme").first.wait_for()
        member.close()
    assert violations == []
