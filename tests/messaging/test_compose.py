"""The compose form: every bad input is a clear error with its line or row, and what was typed stays."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import balance
from messaging.models import SmsBatch
from tests.messaging.factories import ContactFactory, ContactGroupFactory, SmsTemplateFactory
from tests.messaging.reviewing import through_review

pytestmark = pytest.mark.django_db


def post(client, account, **data):
    payload = {"account": account.pk, "sender": "DEMO", "text": "Merhaba", "recipients": "", **data}
    return client.post(reverse("sms-new"), payload)


def test_the_compose_page_shows_the_balance_and_the_counter(alice_client, sms_account) -> None:
    balance.balance_refresh(account_id=sms_account.pk)  # what the worker does when the page asks
    response = alice_client.get(reverse("sms-new"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="balance"' in html and "718.21" in html
    assert 'id="gsm-tables"' in html and "sms_counter.js" in html
    assert 'data-part-price="0.0240"' in html


def test_it_sends_typed_numbers_and_shows_the_batch(
    alice_client, sms_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post(alice_client, sms_account, recipients="0532 111 11 11\n905322222222, 05323333333")
    batch = SmsBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("sms-detail", args=[batch.pk])
    assert batch.recipient_count == 3
    page = alice_client.get(response["Location"])
    assert page.status_code == 200 and 'id="progress"' in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": ""}, "text", "Write the text of the message."),
        ({"recipients": "0532 111 11 11\n12ab"}, "recipients", "line 2: “12ab” is not a phone number"),
        ({"text": "Merhaba {surname}"}, "text", "Unknown placeholder: {surname}"),
        ({"scheduled_at": "2001-01-01T10:00"}, "scheduled_at", "The time to send is in the past."),
        ({"period": "0"}, "period", "greater than or equal to 1"),
        ({"period": "1441"}, "period", "less than or equal to 1440"),
        ({"sender": "NOTALLOWED"}, "sender", "Select a valid choice"),
        ({"recipients": ""}, "recipients", "Give at least one number"),
        ({"flash": "on", "text": "Şeker"}, "flash", "A flash SMS carries only GSM characters"),
    ],
)
def test_bad_input_is_a_clear_form_error_and_the_input_is_kept(alice_client, sms_account, data, field, message) -> None:
    data = {"recipients": "05321111111", **data}
    response = post(alice_client, sms_account, **data)
    assert response.status_code == 400
    errors = " ".join(str(e) for e in response.context["form"].errors.get(field, []))
    assert message in errors
    assert response.context["form"]["recipients"].value() == data["recipients"]
    assert SmsBatch.objects.count() == 0


def test_a_sender_of_another_account_is_not_allowed(alice_client, sms_account, sandbox_account, team_a) -> None:
    other = sandbox_account(team_a, "pasifik")
    other.options = {**other.options, "sender_ids": ["OTHER"]}
    other.save()
    response = post(alice_client, sms_account, sender="OTHER", recipients="05321111111")
    assert "not allowed for the chosen account" in str(response.context["form"].errors["sender"])


def test_numbers_abroad_need_a_confirmation_that_says_so(
    alice_client, sms_account, django_capture_on_commit_callbacks
) -> None:
    response = post(alice_client, sms_account, recipients="+49 151 12345678")
    assert response.status_code == 400
    assert "outside Turkey" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(alice_client, sms_account, recipients="+49 151 12345678", confirm="on")
    assert response.status_code == 302


def test_a_send_over_the_balance_asks_for_confirmation(alice_client, sms_account) -> None:
    sms_account.options = {**sms_account.options, "sms_part_price": "1000"}
    sms_account.save()
    balance.balance_refresh(account_id=sms_account.pk)
    response = post(alice_client, sms_account, recipients="05321111111")
    assert response.status_code == 400
    assert "exceeds the balance" in response.content.decode()


def csv_upload(text: str, encoding: str = "utf-8", name: str = "list.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1254"])
def test_a_csv_in_any_turkish_encoding_fills_placeholders(
    alice_client, sms_account, encoding, django_capture_on_commit_callbacks
) -> None:
    upload = csv_upload("telefon;ad\n05321111111;Şule\n05322222222;Ilgın\n", encoding)
    review = post(alice_client, sms_account, text="Merhaba {ad}", upload=upload)
    with django_capture_on_commit_callbacks(execute=True):
        response = through_review(alice_client, review)
    assert response.status_code == 302, response.context["form"].errors
    batch = SmsBatch.objects.get()
    assert sorted(batch.recipients.values_list("text", flat=True)) == ["Merhaba Ilgın", "Merhaba Şule"]
    assert batch.personalised


def test_a_bad_row_in_a_file_is_named_with_its_row(alice_client, sms_account) -> None:
    response = post(alice_client, sms_account, upload=csv_upload("phone,name\n05321111111,A\nnope,B\n,C\n"))
    assert response.context["prepared"].skipped_count == 2  # left out, and the review says which
    assert [m for _, m in response.context["prepared"].skipped] == [
        "row 3: “nope” is not a phone number",
        "row 4: no phone number",
    ]
    assert "row 3: “nope” is not a phone number" in response.content.decode()
    response = post(alice_client, sms_account, upload=csv_upload("phone,name\nnope,B\n,C\n"))
    errors = response.context["form"].errors["upload"]  # nobody left: each row is an error
    assert errors == ["row 2: “nope” is not a phone number", "row 3: no phone number"]


def test_a_file_in_an_unknown_format_is_refused(alice_client, sms_account) -> None:
    upload = SimpleUploadedFile("list.csv", b"\x00\x01\x02binary", content_type="application/octet-stream")
    response = post(alice_client, sms_account, upload=upload)
    assert "neither text (CSV) nor an Excel workbook" in str(response.context["form"].errors["upload"])
    upload = SimpleUploadedFile("list.csv", b"05321111111\n" + b"\x81\x8d", content_type="text/csv")
    response = post(alice_client, sms_account, upload=upload)
    assert "encoding is unknown" in str(response.context["form"].errors["upload"])


def test_an_xlsx_file_is_read(alice_client, sms_account, django_capture_on_commit_callbacks) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["GSM", "Name"])
    sheet.append([905321111111, "Ayşe"])
    sheet.append(["0532 222 22 22", "Ali"])
    data = io.BytesIO()
    workbook.save(data)
    upload = SimpleUploadedFile("list.xlsx", data.getvalue())
    review = post(alice_client, sms_account, text="Selam {name}", upload=upload)
    with django_capture_on_commit_callbacks(execute=True):
        response = through_review(alice_client, review)
    assert response.status_code == 302
    assert sorted(SmsBatch.objects.get().recipients.values_list("phone", flat=True)) == [
        "+905321111111",
        "+905322222222",
    ]


def test_contact_groups_are_recipients_with_their_fields(
    alice_client, sms_account, team_a, django_capture_on_commit_callbacks
) -> None:
    group = ContactGroupFactory(team=team_a)
    ContactFactory(team=team_a, name="Deniz", phone="+905321111111", fields={"city": "İzmir"}).groups.add(group)
    review = post(alice_client, sms_account, groups=[group.pk], text="{name}, {city}")
    with django_capture_on_commit_callbacks(execute=True):
        response = through_review(alice_client, review)
    assert response.status_code == 302
    assert SmsBatch.objects.get().recipients.get().text == "Deniz, İzmir"


def test_a_saved_template_fills_the_text(alice_client, sms_account, team_a) -> None:
    template = SmsTemplateFactory(team=team_a, text="Kargonuz yolda")
    response = alice_client.get(reverse("sms-new") + f"?template={template.pk}")
    assert response.context["form"]["text"].value() == "Kargonuz yolda"


def test_a_viewer_sees_batches_but_cannot_compose(bob_client, sms_account) -> None:
    assert bob_client.get(reverse("sms-list")).status_code == 200
    assert bob_client.get(reverse("sms-new")).status_code == 403


def test_an_uploaded_file_is_kept_after_an_error_and_used_on_the_next_try(
    alice_client, sms_account, django_capture_on_commit_callbacks
) -> None:
    upload = csv_upload("telefon,ad\n05321111111,Şule\n")
    response = post(alice_client, sms_account, text="", upload=upload)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.kept_upload_name == "list.csv" and "is kept" in response.content.decode()
    review = post(alice_client, sms_account, text="Merhaba {ad}", upload_token=form.kept_upload)
    with django_capture_on_commit_callbacks(execute=True):
        response = through_review(alice_client, review)
    assert response.status_code == 302
    assert SmsBatch.objects.get().recipients.get().text == "Merhaba Şule"


def test_a_kept_file_of_another_team_is_not_found(alice_client, sms_account, team_b) -> None:
    from messaging import uploads

    token = uploads.stash(team=team_b, name="theirs.csv", data=b"telefon\n05321111111\n")
    response = post(alice_client, sms_account, upload_token=token)
    assert response.status_code == 400
    assert "Give at least one number" in str(response.context["form"].errors["recipients"])


def test_kept_files_older_than_a_day_are_purged(team_a, settings) -> None:
    import os
    import time

    from messaging import uploads

    token = uploads.stash(team=team_a, name="old.csv", data=b"x")
    path = settings.MEDIA_ROOT / "sms-uploads" / str(team_a.pk) / token.split("/")[0]
    old = time.time() - 2 * 86400
    os.utime(path, (old, old))
    assert uploads.purge() == 1 and uploads.load(team=team_a, token=token) is None


def test_a_double_click_makes_one_batch_and_one_send(
    alice_client, sms_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    key = alice_client.get(reverse("sms-new")).context["form"]["submission_key"].value()
    assert len(key) == 32
    with django_capture_on_commit_callbacks(execute=True):
        first = post(alice_client, sms_account, recipients="05321111111", submission_key=key)
        second = post(alice_client, sms_account, recipients="05321111111", submission_key=key)
    assert first["Location"] == second["Location"]
    assert SmsBatch.objects.count() == 1
    assert len(sandbox.requests_for("pasifik", "sms/submit")) == 1
