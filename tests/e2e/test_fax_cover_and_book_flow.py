"""An operator makes a cover page, adds a contact to the fax address book, picks both on New fax, sees the cover as
page 1 of the preview, sends, and the provider receives the document with one page more."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from accounts.roles import Role
from fax.models import Fax
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory
from tests.fax.factories import two_page_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_cover_and_an_address_book_contact_on_new_fax(page, sandbox_account, sandbox, tmp_path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    team = TeamFactory(name="Fax Office")
    MembershipFactory(team=team, user=UserFactory(email="oya@example.com"), role=Role.OPERATOR)
    account = sandbox_account(team, "pasifik")
    document = tmp_path / "contract.pdf"
    document.write_bytes(two_page_pdf())
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("oya@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Fax", exact=True).wait_for()

    page.goto("/fax/")
    page.get_by_role("link", name="Cover pages").click()
    page.get_by_role("link", name="New cover page").click()
    page.get_by_label("Name").fill("Standard")
    page.get_by_label("Header text").fill("Fax Office Ltd")
    page.get_by_role("button", name="Save").click()
    page.get_by_test_id("cover-sample").wait_for()

    page.get_by_role("link", name="Address book").click()
    page.get_by_role("link", name="New contact").click()
    page.get_by_label("Name").fill("Ayşe Yılmaz")
    page.get_by_label("Company").fill("Örnek A.Ş.")
    page.get_by_label("Fax number").fill("0212 555 01 23")
    page.get_by_role("button", name="Save").click()
    page.get_by_test_id("fax-contacts").get_by_text("+90 212 555 01 23").wait_for()

    page.goto("/fax/new/")
    page.select_option("#id_account", label=str(account))
    page.select_option("#id_contacts", label="Ayşe Yılmaz (+90 212 555 01 23)")
    page.get_by_label("Documents").set_input_files(str(document))
    page.select_option("#id_cover", label="Standard")
    page.get_by_label("Subject").fill("Contract to sign")
    page.get_by_role("button", name="Preview").click()

    page.get_by_test_id("page-count").filter(has_text="3").wait_for()
    page.get_by_test_id("cover-note").wait_for()
    page.get_by_alt_text("Page 3").wait_for()
    # The picture loads after the page: wait until it has (a broken one never gets a width, and this times out).
    page.wait_for_function(
        "() => { const img = document.querySelector('img[alt=\"Page 1\"]');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    page.get_by_role("button", name="Send to 1 number").click()
    page.get_by_role("heading", name=re.compile(r"Fax to \+90 212 555 01 23")).wait_for()

    fax = Fax.objects.get(team=team)
    assert fax.pages == 3
    [upload] = [
        f
        for r in sandbox.requests
        if r.method == "POST" and r.path.rstrip("/").endswith("upload")
        for f in r.files.values()
    ]
    with Image.open(io.BytesIO(upload["content"])) as tiff:
        assert tiff.n_frames == 3
