"""In the browser: a long fax asks first, titles say which fax, Cancel disappears once the provider can no
longer cancel, and a received TIFF downloads as PDF."""

from __future__ import annotations

import re

import pytest

from accounts.roles import Role
from fax import tasks
from fax.models import Direction, Fax, Status
from fax.services import inbox
from tests.e2e.test_fax_flow import log_in
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.fax.factories import two_page_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def office(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    team = TeamFactory(name="Fax Office")
    MembershipFactory(team=team, user=UserFactory(email="oya@example.com"), role=Role.ADMIN)
    return team


def test_a_long_fax_is_confirmed_before_it_goes_and_the_title_says_which_fax(
    page, office, sandbox_account, sandbox, tmp_path, settings
) -> None:
    settings.FAX_CONFIRM_PAGES = 2
    account = sandbox_account(office, "telphin")
    document = tmp_path / "contract.pdf"
    document.write_bytes(two_page_pdf())
    log_in(page, "oya@example.com")

    page.goto("/fax/new/")
    page.select_option("#id_account", label=str(account))
    page.get_by_label("Recipients").fill("+90 212 555 01 23")
    page.get_by_label("Documents").set_input_files(str(document))
    page.get_by_role("button", name="Preview").click()
    page.get_by_test_id("page-count").filter(has_text="2").wait_for()
    assert page.title().startswith("Preview of the fax to +90 212 555 01 23")

    warning = page.get_by_test_id("long-fax-warning")
    assert "This fax has 2 pages." in warning.inner_text()
    page.get_by_role("button", name="Send to 1 number").click()  # not confirmed: the browser keeps it here
    assert not Fax.objects.exists()
    page.get_by_label("Yes, send all 2 pages").check()
    page.get_by_role("button", name="Send to 1 number").click()

    page.get_by_role("heading", name=re.compile(r"Fax to \+90 212 555 01 23")).wait_for()
    fax = Fax.objects.get()
    assert page.title().startswith(f"Fax {fax.pk} to +90 212 555 01 23")


def test_cancel_is_offered_only_while_the_provider_can_cancel(
    page, office, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    from tests.fax.helpers import send

    account = sandbox_account(office, "telphin")
    with django_capture_on_commit_callbacks(execute=True):
        [fax] = send(django_capture_on_commit_callbacks, account, recipients=["902125550123"])
    assert fax.status == Status.SENDING and fax.provider_status == "ready_to_send"
    log_in(page, "oya@example.com")

    page.goto(f"/fax/{fax.pk}/")
    actions = page.get_by_test_id("fax-actions")
    actions.get_by_role("button", name="Cancel").wait_for()

    sandbox.clock.advance(15)  # the provider starts sending it: Telphin cannot cancel from here on
    tasks.poll_outgoing_faxes()  # what beat runs every minute
    page.locator("[data-testid=fax-status]").filter(has_text=re.compile(r"Provider says:\s*sending")).wait_for()
    assert page.get_by_role("button", name="Cancel").count() == 0


def test_a_received_tiff_fax_downloads_as_pdf(page, office, sandbox_account, sandbox) -> None:
    account = sandbox_account(office, "verimor")
    inbox.fax_fetch_incoming(account=account)
    fax = next(
        f
        for f in Fax.objects.filter(direction=Direction.INCOMING).order_by("-created_at")
        if f.documents.filter(media_type="image/tiff").exists()
    )
    log_in(page, "oya@example.com")

    page.goto(f"/fax/{fax.pk}/")
    assert page.title().startswith(f"Fax {fax.pk} from ")
    with page.expect_download() as download:
        page.get_by_test_id("received-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
