"""A fax the worker failed (in English) reads in Turkish on the page of a Turkish reader."""

from __future__ import annotations

import pytest
from django.utils import translation

from accounts.roles import Role
from fax.models import Status
from tests.e2e.conftest import signed_in_page
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.fax.helpers import send

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_failed_fax_reads_in_turkish_for_a_turkish_reader(
    browser, live_server, sandbox, sandbox_account, django_capture_on_commit_callbacks
) -> None:
    team = TeamFactory(name="Ön Büro")
    user = UserFactory(email="ayse@example.com", language="tr")
    MembershipFactory(team=team, user=user, role=Role.OPERATOR)
    account = sandbox_account(team, "telsam", label="Telsam")
    with translation.override("en"):  # the worker's language
        [fax] = send(django_capture_on_commit_callbacks, account, recipients=["901234"])  # too short for Telsam
    assert fax.status == Status.FAILED

    context, page = signed_in_page(browser, live_server, user, locale="tr-TR", language="tr")
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
