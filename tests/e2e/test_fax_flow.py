"""A person sends a two-page PDF through each provider, watches it become sent, then opens a received fax."""

from __future__ import annotations

import re

import pytest

from accounts.roles import Role
from fax import tasks
from fax.models import Fax, Status
from fax.services import inbox
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory
from tests.fax.factories import two_page_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Fax", exact=True).wait_for()


def test_send_a_two_page_pdf_through_each_provider_then_open_a_received_fax(
    page, sandbox_account, sandbox, tmp_path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    team = TeamFactory(name="Fax Office")
    MembershipFactory(team=team, user=UserFactory(email="oya@example.com"), role=Role.OPERATOR)
    accounts = [sandbox_account(team, kind) for kind in ("pasifik", "telsam", "verimor", "telphin")]
    document = tmp_path / "contract.pdf"
    document.write_bytes(two_page_pdf())
    log_in(page, "oya@example.com")

    for account in accounts:
        page.goto("/fax/new/")
        page.select_option("#id_account", label=str(account))
        page.get_by_label("Recipients").fill("+90 212 555 01 23")
        page.get_by_label("Documents").set_input_files(str(document))
        page.get_by_role("button", name="Preview").click()

        page.get_by_test_id("page-count").filter(has_text="2").wait_for()
        page.get_by_alt_text("Page 2").wait_for()
        page.get_by_role("button", name="Send to 1 number").click()

        page.get_by_role("heading", name=re.compile(r"Fax to \+90 212 555 01 23")).wait_for()
        status = page.get_by_test_id("fax-status")
        assert status.get_attribute("data-status") == Status.SENDING, account.kind

        sandbox.clock.advance(200)
        tasks.poll_outgoing_faxes()  # what beat runs every minute
        page.locator('[data-testid="fax-status"][data-status="sent"]').wait_for()

    assert Fax.objects.filter(status=Status.SENT).count() == 4

    inbox.fax_fetch_incoming(account=accounts[3])
    page.goto("/fax/?direction=in")
    page.get_by_test_id("fax-notifications").wait_for()
    page.locator("[data-testid=fax-table] tbody a").first.click()
    page.get_by_role("heading", name=re.compile(r"Fax from")).wait_for()
    page.get_by_alt_text("Page 1").wait_for()
    with page.expect_download() as download:
        page.get_by_test_id("received-document").click()
    assert download.value.suggested_filename.endswith((".pdf", ".tif"))
