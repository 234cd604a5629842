"""A fax the worker failed (in English) reads in Turkish on the page of a Turkish reader."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation

from accounts.roles import Role
from fax.models import Status
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.fax.helpers import send

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_failed_fax_reads_in_turkish_for_a_turkish_reader(
    browser, live_server, sandbox, sandbox_account, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    team = TeamFactory(name="Ön Büro")
    user = UserFactory(email="ayse@example.com", language="tr")
    MembershipFactory(team=team, user=user, role=Role.OPERATOR)
    account = sandbox_account(team, "telsam", label="Telsam")
    with translation.override("en"):  # the worker's language
        [fax] = send(django_capture_on_commit_callbacks, account, recipients=["901234"])  # too short for Telsam
    assert fax.status == Status.FAILED

    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, locale="tr-TR")
    name = django_settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])
    context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "tr", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"/fax/{fax.pk}/")
        alert = page.locator("#fax-status [role=alert]")
        alert.wait_for()
        assert alert.inner_text().strip() == "Sağlayıcı isteği reddetti."
        page.goto(f"/fax/new/?from={fax.pk}")
        page.get_by_text("sağlayıcı tarafından reddedildi").first.wait_for()
        assert "refused by the provider" not in page.content()
    finally:
        context.close()
