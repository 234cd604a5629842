"""A person imports a large contact file: the page shows the worker's progress, then every row left out;
the contacts page pages in Turkish and holds no duplicate ids."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from messaging import tasks
from messaging.models import Contact, ContactImport
from messaging.services import contact_import
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("alice@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Ankara Office").wait_for()


@pytest.fixture
def team():
    team = TeamFactory(name="Ankara Office")
    MembershipFactory(team=team, user=UserFactory(email="alice@example.com"), role=Role.OWNER)
    return team


def test_a_large_import_shows_its_progress_then_its_report(page, team, settings, monkeypatch, tmp_path) -> None:
    from playwright.sync_api import expect

    settings.UPLOAD_INLINE_ROWS = 50
    monkeypatch.setattr(tasks.contact_import_task, "apply_async", lambda *a, **k: None)  # the worker takes it later
    rows = "".join(f"0532{1000000 + n},Kişi {n}\n" for n in range(300))
    upload = tmp_path / "rehber.csv"
    upload.write_text("telefon,ad\n" + rows + "yanlış,Bozuk\n", encoding="utf-8")

    _log_in(page)
    page.goto("/sms/contacts/")
    page.get_by_label("CSV or XLSX file").set_input_files(str(upload))
    page.get_by_role("button", name="Import").click()

    progress = page.locator("#import-progress")
    expect(progress).to_have_attribute("data-state", "queued")
    assert "Waiting for the worker" in progress.inner_text()
    assert page.locator("#import-progress [role=progressbar]").get_attribute("aria-valuenow") == "0"

    contact_import.contact_import_run(job_id=ContactImport.objects.get().pk)  # the worker's turn

    expect(progress).to_have_attribute("data-state", "done")  # the page's poll, every 2 s
    assert page.locator("[data-count=created]").inner_text() == "300 new contacts"
    assert page.locator("#import-errors li").all_inner_texts() == ["Row 302: “yanlış” is not a phone number"]
    assert Contact.objects.filter(team=team).count() == 300


def test_the_contacts_page_pages_in_turkish_with_unique_ids(page, team) -> None:
    Contact.objects.bulk_create(Contact(team=team, name=f"Kişi {n:03d}", phone=f"+90532100{n:04d}") for n in range(60))
    _log_in(page)
    page.goto("/sms/contacts/")
    page.locator("#language-switch").select_option("tr")
    page.get_by_test_id("language-apply").click()
    page.wait_for_url("**/sms/contacts/")

    pager = page.locator("ul.pagination")
    assert "Sonraki sayfa" in pager.inner_text() and "next" not in pager.inner_text().lower()
    pager.get_by_role("link", name="Sonraki sayfa").click()
    assert "Önceki sayfa" in page.locator("ul.pagination").inner_text()
    duplicates = page.evaluate(
        "() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
        " return ids.filter((id, i) => ids.indexOf(id) !== i); }"
    )
    assert duplicates == []
