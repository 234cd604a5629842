"""New SMS in the browser: the counter next to Send, a 200,000-character paste counted at once,
and a file send through its review page and back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from messaging import encoding
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TURKISH = "Kargonuz yola çıktı, Şişli şubesinden alabilirsiniz; İğdır'a ğüşöç. "


@pytest.fixture
def signed_in(page, sandbox, sandbox_account):
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
    return page


def test_at_desktop_width_the_counter_sits_right_above_send(signed_in) -> None:
    page = signed_in
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/sms/new/")
    counter = page.locator("[data-sms-counter]").bounding_box()
    send = page.locator("#send").bounding_box()
    assert counter and send
    assert counter["y"] + counter["height"] <= send["y"]  # above Send, not below
    assert send["y"] - (counter["y"] + counter["height"]) < 120  # and right above it
    assert counter["x"] <= send["x"] < counter["x"] + counter["width"]  # in the same column
    assert page.locator("[data-out=parts]").inner_text() == "0"  # the empty text is 0 SMS


def test_a_200000_character_turkish_paste_is_counted_and_the_page_stays_usable(signed_in) -> None:
    page = signed_in
    page.goto("/sms/new/")
    big = (TURKISH * (200_000 // len(TURKISH) + 1))[:200_000]
    page.get_by_label("Text").fill(big)
    page.locator("[data-out=characters]", has_text="200000").wait_for()
    expected = encoding.segments(big)
    assert page.locator("[data-out=parts]").inner_text() == str(expected.parts)
    assert page.locator("#sms-alphabet").inner_text() == "Turkish single shift"
    marks = page.locator("[data-sms-preview] mark").count()
    assert 0 < marks < 2000  # the marked preview covers the start of the text only
    assert page.locator("[data-too-long]").is_visible()  # far over the account's 10 parts
    assert page.locator("[data-out=max-parts]").inner_text() == "10"
    # Still responsive: the next edit is counted too.
    page.get_by_label("Text").fill("Merhaba")
    page.locator("[data-out=characters]", has_text="7").wait_for()
    assert page.locator("[data-out=parts]").inner_text() == "1"
    assert not page.locator("[data-too-long]").is_visible()


def test_a_file_send_is_reviewed_and_back_keeps_everything(signed_in, tmp_path) -> None:
    page = signed_in
    rows = ["telefon;ad;şehir"] + [f"0532{1000000 + i};Kişi {i};İzmir" for i in range(500)]
    path = tmp_path / "liste.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    page.goto("/sms/new/")
    page.get_by_label("Or a file").set_input_files(str(path))
    page.get_by_label("Text").fill("Merhaba {ad}, {şehir} şubeniz hazır.")
    page.locator("[data-out=recipients]", has_text="500").wait_for()  # not "0 numbers"
    placeholders = page.locator("[data-out=placeholders]").inner_text()
    assert "{ad}" in placeholders and "{şehir}" in placeholders
    page.locator("#balance").wait_for()  # the card asks again until the worker has read the balance
    expect(page.locator("[data-out=cost]")).to_have_text("12.00")  # 500 × 1 part × 0.0240
    expect(page.locator("[data-out=currency]")).to_have_text("TRY")

    page.locator("#send").click()
    page.get_by_role("heading", name="Review the SMS before it is sent").wait_for()
    assert page.locator("[data-review=recipients]").inner_text() == "500"
    assert page.locator("[data-review=cost]").inner_text().endswith("TRY")
    samples = page.locator("[data-sample]").all_inner_texts()
    assert len(samples) == 3 and "Merhaba Kişi 0, İzmir şubeniz hazır." in samples[0]

    page.get_by_role("button", name="Back to edit").click()
    page.get_by_role("heading", name="New SMS").wait_for()
    assert page.get_by_label("Text").input_value() == "Merhaba {ad}, {şehir} şubeniz hazır."
    assert "liste.csv" in page.locator("#kept-upload").inner_text()
    assert page.locator("[data-out=recipients]").inner_text() == "500"

    page.locator("#send").click()
    page.get_by_role("button", name="Confirm and send").click()
    page.get_by_text("500 recipients stored").wait_for()


@pytest.mark.parametrize("width", [390, 1366])
def test_a_wrong_file_says_no_phone_column_and_the_page_keeps_its_width(signed_in, tmp_path, width) -> None:
    page = signed_in
    page.set_viewport_size({"width": width, "height": 900})
    line = "Lorem-ipsum-dolor-sit-amet-consectetur-adipiscing-elit-sed-do-eiusmod-tempor-incididunt" * 3
    path = tmp_path / "notes.csv"
    path.write_text("\n".join(f"{line}-{i}" for i in range(80)), encoding="utf-8")
    page.goto("/sms/new/")
    page.get_by_label("Or a file").set_input_files(str(path))
    page.get_by_label("Text").fill("Merhaba")
    page.locator("#send").click()
    error = page.locator("#id_upload_errors")
    error.wait_for()
    assert error.inner_text().startswith("No phone column found")
    assert page.content().count("Lorem-ipsum") == 1  # one short sample, not 50 rows
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_in_turkish_the_counter_writes_the_cost_like_the_rest_of_the_page(signed_in, live_server) -> None:
    page = signed_in
    page.context.add_cookies([{"name": "django_language", "value": "tr", "url": live_server.url}])
    page.goto("/sms/new/")
    page.locator("#balance").wait_for()  # the card asks again until the worker has read the balance
    assert page.locator("#balance").inner_text() == "718,21 TRY"  # the server writes amounts so in Turkish
    page.locator("#id_recipients").fill("0532 111 11 11, 0532 222 22 22, 0532 333 33 33")
    page.locator("#id_text").fill("Merhaba")
    expect(page.locator("[data-out=cost]")).to_have_text("0,07")  # 3 × 1 part × 0.0240, not "0.07"
    expect(page.locator("[data-out=currency]")).to_have_text("TRY")
