"""An admin adds a webhook endpoint, keeps the secret shown once, watches a delivery arrive and redelivers it."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from tests.e2e.conftest import signed_in_page
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.webhooks.documented import documented_verify
from tests.webhooks.receivers import receiver
from webhooks.emitters import emit
from webhooks.models import Endpoint, EventType

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_add_an_endpoint_see_its_delivery_and_redeliver_it(browser, live_server) -> None:
    team = TeamFactory(name="Bursa Office")
    admin = UserFactory(email="admin@example.com")
    MembershipFactory(team=team, user=admin, role=Role.ADMIN)
    context, page = signed_in_page(browser, live_server, admin)
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    with receiver() as hook:
        page.goto("/team/")
        page.get_by_role("link", name="Webhooks").click()
        page.get_by_role("link", name="Add endpoint").click()
        page.get_by_label("URL").fill(hook.url)
        page.get_by_role("button", name="Save").click()
        page.get_by_text("This field is required.").wait_for()  # no event chosen
        assert page.get_by_label("URL").input_value() == hook.url  # what was typed stays
        page.get_by_label("SMS delivered").check()
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Webhook endpoint added.").wait_for()
        secret = page.locator("#webhook-secret").inner_text()
        assert secret.startswith("whsec_") and secret == Endpoint.objects.get().signing_secret

        emit(team_id=team.pk, type=EventType.SMS_DELIVERED, data={"batch": 1})  # committed: sent at once
        page.reload()
        assert "whsec_" not in page.content()  # shown once only
        page.get_by_text("sms.delivered").first.wait_for()
        page.get_by_role("button", name="Redeliver").click()
        page.get_by_text("The event is being sent again.").wait_for()
        assert len(hook.received) == 2
        for request in hook.received:
            assert documented_verify()(secret, request.headers["Telcoportal-Signature"], request.body)
    context.close()
    assert violations == []
