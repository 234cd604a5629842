"""A send to a file or contact groups shows a review first: who, what was left out, what it costs,
three texts as they will read; Confirm sends, Back keeps everything that was typed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts import balance
from messaging.models import SmsBatch
from tests.messaging.factories import ContactFactory, ContactGroupFactory, OptOutFactory
from tests.messaging.reviewing import review_data, through_review

pytestmark = pytest.mark.django_db


def file_of_500() -> SimpleUploadedFile:
    rows = ["telefon;ad;şehir"]
    rows += [f"0532{1000000 + i};Kişi {i};İzmir" for i in range(497)]
    rows += ["05321000000;Kişi tekrar;İzmir", "05329999999;Ayrılan;Van", "yok;Bozuk;Van"]  # dup, opted out, invalid
    return SimpleUploadedFile("liste.csv", "\n".join(rows).encode("utf-8"), content_type="text/csv")


def compose(client, account, **data):
    payload = {"account": account.pk, "sender": "DEMO", "text": "Merhaba {ad}, {şehir} şubesi", **data}
    return client.post(reverse("sms-new"), payload)


def test_a_500_row_file_is_reviewed_with_counts_cost_and_samples(
    alice_client, sms_account, team_a, django_capture_on_commit_callbacks
) -> None:
    OptOutFactory(team=team_a, phone="+905329999999")
    balance.balance_refresh(account_id=sms_account.pk)
    response = compose(alice_client, sms_account, upload=file_of_500(), recipients="0532 777 77 77", confirm="on")
    assert response.status_code == 200 and SmsBatch.objects.count() == 0  # nothing sent yet
    html = response.content.decode()
    assert "1 recipient has no value for {ad}, {şehir}: their text reads it empty." in html  # the typed number
    review = response.context
    assert review["prepared"].recipients.__len__() == 498  # 497 rows + the typed number
    assert (review["prepared"].duplicates, review["prepared"].opt_outs, review["prepared"].skipped_count) == (1, 1, 1)
    assert 'data-review="recipients">498<' in html
    assert 'data-review="duplicates">1<' in html and 'data-review="opt-outs">1<' in html
    assert 'data-review="invalid">1<' in html and "“yok” is not a phone number" in html
    assert 'data-review="parts">1<' in html
    price = review["form"].balance.part_price
    assert f'data-review="cost">{price * 498:.2f} TRY<' in html
    samples = [text for _, text in review["samples"]]
    assert samples == ["Merhaba ,  şubesi", "Merhaba Kişi 0, İzmir şubesi", "Merhaba Kişi 1, İzmir şubesi"]
    assert html.count("data-sample") == 3

    with django_capture_on_commit_callbacks(execute=True):
        sent = through_review(alice_client, response)
    assert sent.status_code == 302
    batch = SmsBatch.objects.get()
    assert batch.recipient_count == 498 and batch.skipped_duplicates == 1 and batch.skipped_opt_outs == 1
    assert batch.recipients.get(phone="+905321000001").text == "Merhaba Kişi 1, İzmir şubesi"


def test_back_from_the_review_keeps_everything_typed_and_the_file(alice_client, sms_account, team_a) -> None:
    when = (timezone.localtime(timezone.now(), team_a.tzinfo) + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    group = ContactGroupFactory(team=team_a)
    ContactFactory(team=team_a, phone="+905331111111", fields={"ad": "Can", "şehir": "Bursa"}).groups.add(group)
    response = compose(
        alice_client,
        sms_account,
        upload=file_of_500(),
        groups=[group.pk],
        recipients="0532 777 77 77",
        period="90",
        scheduled_at=when,
        confirm="on",
    )
    assert response.status_code == 200 and 'id="review"' in response.content.decode()
    back = through_review(alice_client, response, step="edit")
    assert back.status_code == 200 and 'id="compose"' in back.content.decode()
    form = back.context["form"]
    assert form["text"].value() == "Merhaba {ad}, {şehir} şubesi"
    assert form["recipients"].value() == "0532 777 77 77"
    assert [str(v) for v in form["groups"].value()] == [str(group.pk)]
    assert form["period"].value() == "90" and form["scheduled_at"].value() == when
    assert form.kept_upload_name == "liste.csv"
    # no opt-out in this test: 497 rows and the one from Van
    assert back.context["kept_file"] == {"count": 498, "fields": ["telefon", "ad", "şehir"]}
    assert SmsBatch.objects.count() == 0


def test_a_confirm_for_other_recipients_than_reviewed_shows_the_review_again(alice_client, sms_account, team_a) -> None:
    group = ContactGroupFactory(team=team_a)
    ContactFactory(team=team_a, phone="+905331111111").groups.add(group)
    response = compose(alice_client, sms_account, groups=[group.pk], text="Merhaba {name}")
    ContactFactory(team=team_a, phone="+905332222222").groups.add(group)  # the group grew meanwhile
    again = alice_client.post(reverse("sms-new"), review_data(response.content.decode()))
    assert again.status_code == 200 and 'id="review"' in again.content.decode()
    assert 'data-review="recipients">2<' in again.content.decode()
    assert SmsBatch.objects.count() == 0


def test_typed_numbers_alone_need_no_review(alice_client, sms_account) -> None:
    response = compose(alice_client, sms_account, recipients="05321111111", text="Merhaba")
    assert response.status_code == 302


def test_the_side_panel_knows_the_groups_and_their_fields(alice_client, sms_account, team_a) -> None:
    group = ContactGroupFactory(team=team_a)
    for i in range(3):
        ContactFactory(team=team_a, fields={"şehir": "Van"}).groups.add(group)
    html = alice_client.get(reverse("sms-new")).content.decode()
    assert f'"{group.pk}": {{"size": 3, "fields": ["\\u015fehir"]}}' in html


def test_a_typed_number_that_is_also_in_the_group_is_sent_once_with_the_contact_s_name(
    alice_client, sms_account, team_a
) -> None:
    group = ContactGroupFactory(team=team_a)
    ayse = ContactFactory(team=team_a, name="Ayşe", phone="+905334440001", fields={"şehir": "İzmir"})
    ayse.groups.add(group)
    ContactFactory(team=team_a, name="Mehmet", phone="+905334440002", fields={"şehir": "Van"}).groups.add(group)
    response = compose(
        alice_client, sms_account, recipients="0533 444 00 01", groups=[group.pk], text="Merhaba {name}, {şehir} şubesi"
    )
    html = response.content.decode()
    assert "Merhaba Ayşe, İzmir şubesi" in html  # the sample of the typed number, filled from its contact
    assert "Merhaba ,  şubesi" not in html
    through_review(alice_client, response)
    batch = SmsBatch.objects.get()
    assert batch.recipient_count == 2 and batch.skipped_duplicates == 1
    assert sorted(batch.recipients.values_list("text", flat=True)) == [
        "Merhaba Ayşe, İzmir şubesi",
        "Merhaba Mehmet, Van şubesi",
    ]
