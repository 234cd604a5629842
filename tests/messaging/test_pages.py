"""Batch list and detail, their exports and actions; contacts, opt-outs and templates."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from messaging.models import Contact, OptOut, SmsBatch, SmsTemplate
from messaging.numbers import parse_number
from messaging.recipients import Recipient
from messaging.services import create, reports
from tests.messaging.factories import ContactGroupFactory, SmsBatchFactory, SmsRecipientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(sms_account, alice, sandbox, django_capture_on_commit_callbacks) -> SmsBatch:
    with django_capture_on_commit_callbacks(execute=True):
        batch = create.sms_batch_create(
            create.BatchRequest(
                team=sms_account.team,
                account=sms_account,
                actor=alice,
                sender="DEMO",
                text="Merhaba",
                recipients=[Recipient(parse_number(n)) for n in ("05321111111", "05322222229", "05323333333")],
            )
        )
    sandbox.clock.advance(60)
    reports.sms_reports_poll()
    return batch


def test_the_batch_list_filters_by_number_state_and_sender(alice_client, sent, team_a) -> None:
    SmsBatchFactory(team=team_a, sender="OTHER")
    response = alice_client.get(reverse("sms-list"), {"number": "0532 222 22 29"})
    assert [b.pk for b in response.context["table"].data] == [sent.pk]
    response = alice_client.get(reverse("sms-list"), {"sender": "other"})
    assert [b.sender for b in response.context["table"].data] == ["OTHER"]
    response = alice_client.get(reverse("sms-list"), {"state": "completed"})
    assert [b.pk for b in response.context["table"].data] == [sent.pk]


def test_the_batch_list_exports_csv_and_xlsx(alice_client, sent) -> None:
    response = alice_client.get(reverse("sms-list"), {"_export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming and "Merhaba" in b"".join(response.streaming_content).decode()
    response = alice_client.get(reverse("sms-detail", args=[sent.pk]), {"_export": "xlsx"})
    assert response.streaming
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert len(rows) == 4 and rows[2][:3] == ("+905322222229", None, "Undelivered")


def test_the_batch_page_shows_states_and_polls_only_while_running(alice_client, sent) -> None:
    html = alice_client.get(reverse("sms-detail", args=[sent.pk])).content.decode()
    assert "2 delivered" in html and "1 undelivered" in html
    assert "hx-trigger" not in html  # completed: nothing more to watch
    SmsBatch.objects.filter(pk=sent.pk).update(state="sending")
    fragment = alice_client.get(reverse("sms-progress", args=[sent.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in fragment


def test_recipients_filter_by_state(alice_client, sent) -> None:
    response = alice_client.get(reverse("sms-detail", args=[sent.pk]), {"state": "undelivered"})
    assert [r.phone for r in response.context["table"].data] == ["+905322222229"]


def test_resend_to_undelivered_from_the_page(alice_client, sent, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("sms-action", args=[sent.pk]), {"action": "resend"})
    new = SmsBatch.objects.exclude(pk=sent.pk).get()
    assert response["Location"] == reverse("sms-detail", args=[new.pk])
    assert new.resend_of_id == sent.pk


def test_an_action_that_does_not_apply_says_why(alice_client, sent) -> None:
    response = alice_client.post(reverse("sms-action", args=[sent.pk]), {"action": "pause"}, follow=True)
    assert "Only a batch that is sending can be paused." in response.content.decode()


def test_a_viewer_cannot_act_on_a_batch(bob_client, sent) -> None:
    assert bob_client.post(reverse("sms-action", args=[sent.pk]), {"action": "cancel"}).status_code == 403


def test_another_teams_batch_is_not_found(alice_client, team_b) -> None:
    other = SmsRecipientFactory(chunk__batch__team=team_b).batch
    assert alice_client.get(reverse("sms-detail", args=[other.pk])).status_code == 404


def test_contacts_can_be_added_edited_and_deleted(alice_client, team_a) -> None:
    response = alice_client.post(reverse("sms-contacts"), {"form": "contact", "name": "Ece", "phone": "0532 111 11 11"})
    assert response.status_code == 302
    contact = Contact.objects.get(team=team_a)
    assert contact.phone == "+905321111111"
    again = alice_client.post(reverse("sms-contacts"), {"form": "contact", "name": "X", "phone": "905321111111"})
    assert "exists already" in str(again.context["form"].errors["phone"])
    alice_client.post(reverse("sms-contact-edit", args=[contact.pk]), {"name": "Ece K.", "phone": "05321111111"})
    contact.refresh_from_db()
    assert contact.name == "Ece K."
    alice_client.post(reverse("sms-contact-edit", args=[contact.pk]), {"delete": "1"})
    assert not Contact.objects.exists()


def test_a_contact_import_reports_each_bad_row_and_dedupes(alice_client, team_a) -> None:
    group = ContactGroupFactory(team=team_a)
    data = "Telefon,Ad,Şehir\n05321111111,Ayşe,İzmir\n0532 111 11 11,Ayşe 2,\nyanlış,Ali,\n05322222222,Can,Bursa\n"
    upload = SimpleUploadedFile("rehber.csv", data.encode("cp1254"))
    response = alice_client.post(
        reverse("sms-contacts"), {"form": "import", "file": upload, "group": group.pk}, follow=True
    )
    job = response.context["job"]
    assert (job.state, job.created, job.duplicates) == ("done", 2, 1)
    assert response.context["row_errors"] == ["Row 4: “yanlış” is not a phone number"]
    assert Contact.objects.get(phone="+905321111111").fields == {"şehir": "İzmir"}
    assert group.contacts.count() == 2


def test_groups_can_be_created_renamed_and_deleted(alice_client, team_a) -> None:
    alice_client.post(reverse("sms-contacts"), {"form": "group", "name": "VIP"})
    group = team_a.contact_groups.get()
    alice_client.post(reverse("sms-group-edit", args=[group.pk]), {"name": "Çok önemli"})
    group.refresh_from_db()
    assert group.name == "Çok önemli"
    assert "Çok önemli" in alice_client.get(reverse("sms-group-edit", args=[group.pk])).content.decode()
    alice_client.post(reverse("sms-group-delete", args=[group.pk]))
    assert not team_a.contact_groups.exists()


def test_the_opt_out_list_adds_and_removes(alice_client, team_a) -> None:
    alice_client.post(reverse("sms-opt-outs"), {"phone": "0532 111 11 11", "reason": "asked by phone"})
    opt_out = OptOut.objects.get(team=team_a)
    assert opt_out.phone == "+905321111111"
    bad = alice_client.post(reverse("sms-opt-outs"), {"phone": "abc"})
    assert bad.status_code == 400
    alice_client.post(reverse("sms-opt-out-delete", args=[opt_out.pk]))
    assert not OptOut.objects.exists()


def test_templates_are_saved_and_deleted(alice_client, team_a) -> None:
    alice_client.post(reverse("sms-templates"), {"name": "Kargo", "text": "Kargonuz yolda {name}"})
    template = SmsTemplate.objects.get(team=team_a)
    assert "Kargonuz yolda" in alice_client.get(reverse("sms-templates")).content.decode()
    alice_client.post(reverse("sms-template-delete", args=[template.pk]))
    assert not SmsTemplate.objects.exists()


def test_batches_sent_outside_the_portal_are_imported_once(alice_client, sms_account, sandbox) -> None:
    today = timezone.localdate()
    data = {"account": sms_account.pk, "start": today - timedelta(days=8), "end": today + timedelta(days=1)}
    response = alice_client.post(reverse("sms-list"), data, follow=True)
    assert "6 batches imported from the provider." in response.content.decode()
    batches = SmsBatch.objects.filter(team=sms_account.team)
    assert batches.count() == 6 and set(batches.values_list("state", flat=True)) == {"completed"}
    assert batches.filter(recipients__state="undelivered").distinct().count() == 6
    alice_client.post(reverse("sms-list"), data)
    assert SmsBatch.objects.count() == 6

    imported = batches.first()
    assert imported is not None
    html = alice_client.get(reverse("sms-detail", args=[imported.pk])).content.decode()
    assert '<dd class="col-7" id="alphabet">—</dd>' in html  # the reports do not say: a dash, not a gap
    assert f"{imported.estimated_cost:.2f} TRY" in html  # the reports' cost, in the account's currency


def test_an_import_range_must_make_sense(alice_client, sms_account) -> None:
    data = {"account": sms_account.pk, "start": "2026-02-10", "end": "2026-02-01"}
    response = alice_client.post(reverse("sms-list"), data)
    assert response.status_code == 400
    assert "The end is before the start." in response.content.decode()


def test_the_batch_list_counts_delivered_and_undelivered_for_the_shown_page_only(alice_client, sent, team_a) -> None:
    for _ in range(30):  # more batches than one page holds
        SmsRecipientFactory(batch=SmsBatchFactory(team=team_a), state="delivered")
    response = alice_client.get(reverse("sms-list"))
    table = response.context["table"]
    shown = [row.record.pk for row in table.page.object_list]
    assert len(shown) == 25 and sent.pk not in shown  # the oldest batch is on page 2
    assert table.state_counts().keys() <= set(shown)
    page_two = alice_client.get(reverse("sms-list"), {"page": 2})
    row = next(r for r in page_two.context["table"].page.object_list if r.record.pk == sent.pk)
    assert (row.get_cell("delivered"), row.get_cell("undelivered")) == (2, 1)
