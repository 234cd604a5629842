"""API tokens in a browser: from the account menu, make a token (shown once), use it, revoke it."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.roles import Role
from tests.e2e.conftest import signed_in_page
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_make_use_and_revoke_a_token(browser, live_server) -> None:
    team = TeamFactory(name="İzmir Office")
    user = UserFactory(email="ops@example.com")
    MembershipFactory(team=team, user=user, role=Role.OPERATOR)
    context, page = signed_in_page(browser, live_server, user)
    page.goto("/")
    page.get_by_test_id("account-menu").click()
    page.get_by_test_id("api-tokens-link").click()
    page.get_by_role("heading", name="API tokens").wait_for()

    page.get_by_label("Name").fill("CRM")
    page.get_by_label("Scope").select_option("send")
    page.get_by_role("button", name="Make the token").click()
    raw = page.get_by_test_id("new-token").locator("code").inner_text().strip()
    assert raw.startswith("tp_")

    api = Client()
    me = api.get("/api/v1/me/", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200 and me.json()["scope"] == "send" and me.json()["role"] == "operator"

    page.goto("/account/api-tokens/")
    assert raw not in page.content()  # shown once
    row = page.get_by_test_id("tokens").locator("tbody tr", has_text="CRM")
    row.get_by_text("active").wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()
    page.get_by_text("Token “CRM” revoked: it no longer works.").wait_for()
    refused = api.get("/api/v1/me/", headers={"Authorization": f"Bearer {raw}"})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "token_revoked"
    context.close()
