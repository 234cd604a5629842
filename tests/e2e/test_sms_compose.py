"""A person writes Turkish text, watches the counter pick Turkish single shift, sends to three numbers
and watches them turn delivered."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from messaging.services import reports
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_type_turkish_text_send_to_three_numbers_and_watch_them_delivered(page, sandbox, sandbox_account) -> None:
    team = TeamFactory(name="Ankara Office")
    MembershipFactory(team=team, user=UserFactory(email="alice@example.com"), role=Role.OWNER)
    account = sandbox_account(team, "pasifik")
    account.options = {**account.options, "sender_ids": ["DEMO"]}
    account.save()

    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("alice@example.com")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Ankara Office").wait_for()

    page.goto("/sms/new/")
    alphabet = page.locator("#sms-alphabet")
    text = page.get_by_label("Text")
    text.fill("Kargonuz yola cikti")
    assert alphabet.inner_text() == "GSM default"
    text.fill("Kargonuz yola çıktı, Şişli şubesinden alabilirsiniz.")
    page.wait_for_function("document.getElementById('sms-alphabet').textContent === 'Turkish single shift'")
    assert page.locator("[data-out=parts]").inner_text() == "1"
    assert "ç" in page.locator("[data-costly]").inner_text()

    # A curly quote would force UCS-2: one click puts the plain quote back.
    text.fill("Kargonuz yola çıktı \u201cŞişli\u201d")
    page.wait_for_function("document.getElementById('sms-alphabet').textContent === 'Unicode (UCS-2)'")
    marked = page.locator("[data-sms-preview] mark").all_inner_texts()  # every costly character, in place
    assert marked == ["ç", "ı", "ı", "\u201c", "Ş", "ş", "\u201d"]
    page.get_by_role("button", name="Replace look-alike characters (quotes, dashes, spaces)").click()
    assert text.input_value() == 'Kargonuz yola çıktı "Şişli"'
    assert alphabet.inner_text() == "Turkish single shift"

    page.get_by_label("Numbers").fill("0532 111 11 11, 0532 222 22 22\n+90 532 333 33 33")
    assert page.locator("[data-out=recipients]").inner_text() == "3"
    page.get_by_role("button", name="Send").click()
    page.get_by_text("3 recipients stored; sending in the background.").wait_for()
    page.locator("[data-count=waiting]", has_text="3 waiting").wait_for()

    sandbox.clock.advance(60)  # the sandbox delivers 30 s after submission
    reports.sms_reports_poll()  # what the periodic task does
    page.locator("[data-count=delivered]", has_text="3 delivered").wait_for()  # the page polls by itself
    page.locator("[data-batch-state]", has_text="Completed").wait_for()
    page.locator("#recipients tbody tr[data-state=delivered]").nth(2).wait_for()  # the table follows as well
    assert page.locator("#recipients tbody tr").count() == 3
