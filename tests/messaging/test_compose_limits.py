"""Limits on what one New SMS may cost and when it may go: parts per message, confirmation, schedule,
the counter's own cost in the browser, and the messages that explain a refusal."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from accounts.forms import ProviderAccountForm
from messaging import encoding
from messaging.models import SmsBatch
from messaging.numbers import Number
from messaging.recipients import Recipient, prepare_recipients
from messaging.services import create, errors, plan
from tests.messaging.factories import OptOutFactory

pytestmark = pytest.mark.django_db
HERE = Path(__file__).parent


def post(client, account, **data):
    payload = {"account": account.pk, "sender": "DEMO", "text": "Merhaba", "recipients": "05321111111", **data}
    return client.post(reverse("sms-new"), payload)


def text_of(parts: int) -> str:
    """A GSM text that costs exactly ``parts`` SMS (153 characters a part once concatenated)."""
    return "a" * (153 * (parts - 1) + 1) if parts > 1 else "a"


def test_text_of_costs_what_it_says() -> None:
    assert [encoding.segments(text_of(n)).parts for n in (1, 4, 5, 10, 11)] == [1, 4, 5, 10, 11]


# --- parts per message ------------------------------------------------------------------


def test_a_text_longer_than_ten_parts_is_refused_by_default(alice_client, sms_account) -> None:
    response = post(alice_client, sms_account, text=text_of(11), confirm="on")
    assert response.status_code == 400
    assert response.context["form"].errors["text"] == [
        "This text needs 11 SMS per recipient; the account allows at most 10. Shorten it."
    ]
    assert response.context["form"]["text"].value() == text_of(11)  # what was typed stays
    assert SmsBatch.objects.count() == 0


def test_the_maximum_is_an_option_of_the_account(alice_client, sms_account) -> None:
    sms_account.options = {**sms_account.options, "sms_max_parts": 3}
    sms_account.save()
    response = post(alice_client, sms_account, text=text_of(4))
    assert "at most 3" in str(response.context["form"].errors["text"])
    assert 'data-max-parts="3"' in alice_client.get(reverse("sms-new")).content.decode()


def test_the_service_refuses_too_many_parts_whoever_calls_it(sms_account, alice) -> None:
    with pytest.raises(errors.SmsError, match="needs 11 SMS per recipient"):
        create.sms_batch_create(
            create.BatchRequest(
                team=sms_account.team,
                account=sms_account,
                actor=alice,
                sender="DEMO",
                text=text_of(11),
                recipients=[Recipient(Number("+905321111111"))],
            )
        )
    assert SmsBatch.objects.count() == 0


def test_more_than_four_parts_ask_for_a_confirmation(
    alice_client, sms_account, django_capture_on_commit_callbacks
) -> None:
    assert post(alice_client, sms_account, text=text_of(4)).status_code == 302
    response = post(alice_client, sms_account, text=text_of(5))
    assert response.status_code == 400
    assert "Each recipient gets 5 SMS for this long text (5 SMS in all)." in response.content.decode()
    assert response.context["form"].errors["confirm"]
    with django_capture_on_commit_callbacks(execute=True):
        response = post(alice_client, sms_account, text=text_of(5), confirm="on")
    assert response.status_code == 302
    assert SmsBatch.objects.filter(parts=5).count() == 1


def test_the_threshold_for_confirming_is_a_setting(alice_client, sms_account, settings) -> None:
    settings.SMS_CONFIRM_PARTS = 1
    response = post(alice_client, sms_account, text=text_of(3))
    assert response.status_code == 400 and "Each recipient gets 3 SMS" in response.content.decode()


@pytest.mark.parametrize(("given", "error"), [("0", "greater than or equal to 1"), ("256", "less than or equal to")])
def test_the_account_form_checks_the_maximum(team_a, given, error) -> None:
    form = ProviderAccountForm(
        {"label": "P", "cred_username": "u", "cred_password": "p", "opt_sms_max_parts": given},
        kind="pasifik",
        team=team_a,
    )
    assert not form.is_valid()
    assert error in str(form.errors["opt_sms_max_parts"])


def test_the_account_form_gives_the_default_when_the_maximum_is_left_empty(team_a) -> None:
    form = ProviderAccountForm(
        {"label": "P", "cred_username": "u", "cred_password": "p", "opt_language": "tr", "opt_auth_scheme": "bare"},
        kind="pasifik",
        team=team_a,
    )
    assert form.is_valid(), form.errors
    assert form.options()["sms_max_parts"] == 10
    assert ProviderAccountForm(kind="pasifik", team=team_a)["opt_sms_max_parts"].value() == 10


# --- the counter --------------------------------------------------------------------------


def test_the_empty_text_is_0_sms() -> None:
    assert encoding.segments("").parts == 0
    assert encoding.segments("", reserve=5).parts == 0
    assert plan.sms_plan(text="", recipients=[Recipient(Number("+905321111111"))], reserve=0, flash=False).parts == 0


def test_the_browser_counter_is_linear_in_the_text() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the browser test pastes a long text instead")
    result = subprocess.run(
        [node, "--test", str(HERE / "segment_linear.test.js")], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


# --- schedule -----------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["9999-12-31T23:59", "3000-01-01T00:00"])
def test_a_schedule_absurdly_far_ahead_is_refused(alice_client, sms_account, when) -> None:
    response = post(alice_client, sms_account, scheduled_at=when)
    assert response.status_code == 400
    assert response.context["form"].errors["scheduled_at"] == ["A send can be scheduled at most 365 days ahead."]
    assert response.context["form"]["scheduled_at"].value() == when


def test_a_team_west_of_utc_gets_the_same_error_not_an_overflow(alice_client, sms_account) -> None:
    sms_account.team.time_zone = "America/Los_Angeles"
    sms_account.team.save()
    response = post(alice_client, sms_account, scheduled_at="9999-12-31T23:59")
    assert "at most 365 days ahead" in str(response.context["form"].errors["scheduled_at"])


def test_the_schedule_bound_is_a_setting_and_the_service_keeps_it(sms_account, alice, settings) -> None:
    settings.SMS_SCHEDULE_MAX_DAYS = 30
    with pytest.raises(errors.SmsError, match="at most 30 days ahead"):
        create.sms_batch_create(
            create.BatchRequest(
                team=sms_account.team,
                account=sms_account,
                actor=alice,
                sender="DEMO",
                text="Merhaba",
                recipients=[Recipient(Number("+905321111111"))],
                scheduled_at=timezone.now() + timedelta(days=31),
            )
        )


# --- what a refusal says ------------------------------------------------------------------------


def test_when_every_number_opted_out_it_says_so(alice_client, sms_account, team_a) -> None:
    OptOutFactory(team=team_a, phone="+905321111111")
    OptOutFactory(team=team_a, phone="+905322222222")
    response = post(alice_client, sms_account, recipients="0532 111 11 11\n0532 222 22 22")
    assert response.status_code == 400
    assert response.context["form"].errors["recipients"] == [
        "All 2 numbers given have opted out of our messages: there is no one to send to."
    ]
    response = post(alice_client, sms_account, recipients="0532 111 11 11")
    assert "has opted out" in str(response.context["form"].errors["recipients"])


WRONG_FILE = "".join(
    f"Lorem ipsum dolor sit amet {i}, consectetur adipiscing elit, sed do eiusmod\n" for i in range(80)
)


def test_a_wrong_file_says_no_phone_column_with_one_short_sample(alice_client, sms_account) -> None:
    upload = SimpleUploadedFile("notes.csv", WRONG_FILE.encode(), content_type="text/csv")
    response = post(alice_client, sms_account, recipients="", upload=upload)
    assert response.status_code == 400
    errors = response.context["form"].errors["upload"]
    assert len(errors) == 1
    assert errors[0].startswith("No phone column found")
    assert "Lorem ipsum dolor sit amet 0" in errors[0] and "amet 1" not in errors[0]
    assert len(errors[0]) < 200
    html = response.content.decode()
    assert html.count("Lorem ipsum") == 1  # one sample, not 50 rows


def test_no_phone_column_is_said_in_turkish(team_a) -> None:
    with translation.override("tr"):
        prepared = prepare_recipients(team=team_a, upload_name="x.csv", upload=WRONG_FILE.encode())
    assert prepared.file_error.startswith("Telefon sütunu bulunamadı")


def test_a_list_of_numbers_without_a_header_is_still_read(team_a) -> None:
    prepared = prepare_recipients(team=team_a, upload_name="x.csv", upload=b"05321111111\n05322222222\n")
    assert not prepared.file_error and len(prepared.recipients) == 2


# --- plurals -------------------------------------------------------------------------------------


def test_one_recipient_is_one_recipient(alice_client, sms_account, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post(alice_client, sms_account)
    page = alice_client.get(response["Location"]).content.decode()
    assert "1 recipient stored; sending in the background." in page


# --- costs --------------------------------------------------------------------------------------


def test_costs_carry_their_currency_and_a_recipient_shows_sms_parts(
    alice_client, sms_account, django_capture_on_commit_callbacks
) -> None:
    from decimal import Decimal

    from accounts import balance

    balance.balance_refresh(account_id=sms_account.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(alice_client, sms_account, recipients="05321111111\n05322222222\n05323333333")
    batch = SmsBatch.objects.get()
    assert (batch.estimated_cost, batch.currency) == (Decimal("0.0720"), "TRY")
    batch.recipients.update(cost=Decimal("1.0000"))
    html = alice_client.get(response["Location"]).content.decode()
    assert '<dd class="col-7" id="estimated-cost">0.07 TRY</dd>' in html
    assert "1 SMS" in html and "1.0000" not in html


def test_the_recipient_export_names_the_unit_of_the_charge(
    alice_client, sms_account, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post(alice_client, sms_account)
    from decimal import Decimal

    SmsBatch.objects.get().recipients.update(cost=Decimal("1.0000"))
    export = alice_client.get(response["Location"], {"_export": "csv"})
    header, row = b"".join(export.streaming_content).decode().splitlines()[:2]
    assert "Charged (SMS)" in header and "Cost" not in header
    assert ",1," in row and "1.0000" not in row  # a count of parts


def test_one_chunk_is_one_chunk_on_the_progress(alice_client, sms_account, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post(alice_client, sms_account)
    page = alice_client.get(response["Location"]).content.decode()
    assert "1 of 1 chunk submitted" in page and "chunks submitted" not in page


def test_a_placeholder_that_would_read_empty_asks_for_a_confirmation(
    alice_client, sms_account, django_capture_on_commit_callbacks
) -> None:
    data = {"account": sms_account.pk, "sender": "DEMO", "text": "Merhaba {name}", "recipients": "05321111111"}
    response = alice_client.post(reverse("sms-new"), data)
    assert response.status_code == 400 and not SmsBatch.objects.exists()
    assert "1 recipient has no value for {name}: their text reads it empty." in response.content.decode()
    assert response.context["form"].errors["confirm"]
    with django_capture_on_commit_callbacks(execute=False):
        assert alice_client.post(reverse("sms-new"), {**data, "confirm": "on"}).status_code == 302
    assert SmsBatch.objects.get().recipient_count == 1


# --- the recipient file's limits (issue 11, "Bounded work") -------------------------------------


def test_a_recipient_file_over_the_size_limit_is_refused_before_it_is_read(
    alice_client, sms_account, settings, monkeypatch
) -> None:
    from messaging import recipients

    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    monkeypatch.setattr(recipients, "read_table", lambda *a: pytest.fail("the file was parsed"))
    upload = SimpleUploadedFile("big.csv", b"05321111111\n" * (1024 * 1024 // 12 + 1), content_type="text/csv")
    response = post(alice_client, sms_account, recipients="", upload=upload)
    assert response.status_code == 400
    assert response.context["form"].errors["upload"] == ["The file is larger than 1 MB: split it into smaller files."]
    assert not SmsBatch.objects.exists()


def test_a_recipient_file_over_the_row_limit_is_refused(alice_client, sms_account, settings) -> None:
    settings.UPLOAD_MAX_ROWS = 5
    rows = "telefon\n" + "".join(f"0532111110{i}\n" for i in range(6))
    upload = SimpleUploadedFile("list.csv", rows.encode(), content_type="text/csv")
    response = post(alice_client, sms_account, recipients="", upload=upload)
    assert response.status_code == 400
    assert "The file has more than 5 rows" in " ".join(response.context["form"].errors["upload"])
    assert not SmsBatch.objects.exists()
