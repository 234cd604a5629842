"""A received fax is mailed once, as a PDF, to each recipient of its rule, over a real SMTP server."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pypdfium2 as pdfium
import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from fax.models import FaxDocument
from fax_to_email import delivery as deliveries
from fax_to_email.models import Delivery, OptOut
from fax_to_email.routing import rule_matches
from sandbox.media import fax_tiff_bytes
from tests.factories import MembershipFactory, UserFactory
from tests.fax_to_email.conftest import rule_for

pytestmark = pytest.mark.django_db

OUR_NUMBER = "74957654321"  # where the Telphin sandbox's faxes arrive (its "destination")


def pdf_pages(content: bytes) -> int:
    document = pdfium.PdfDocument(io.BytesIO(content))
    try:
        return len(document)
    finally:
        document.close()


@pytest.fixture
def one_new_fax(telphin_inbox, sandbox):
    """The sandbox holds one received fax: a three-page TIFF from +90 212 555 01 23."""
    telphin_inbox[:] = [
        {
            "uuid": "5d1e0c1a-7a51-4c1e-9a0e-000000000001",
            "caller_id": "902125550123",
            "destination": OUR_NUMBER,
            "received_at": sandbox.clock.now() - timedelta(minutes=5),
            "content": fax_tiff_bytes("routing", pages=3),
            "content_type": "image/tiff",
        }
    ]


def test_a_received_fax_goes_as_a_pdf_to_the_members_and_addresses_of_its_rule_in_each_ones_language(
    team_a, alice, bob, sandbox_account, one_new_fax, poll, smtp_server
) -> None:
    bob.language = "tr"
    bob.save()
    rule_for(team_a, OUR_NUMBER, members=[alice, bob], emails=["desk@client.example", "BOB@example.com"], language="en")
    account = sandbox_account(team_a, "telphin")

    [fax] = poll(account)

    mails = smtp_server.wait_for(3)
    assert sorted(m.rcpt_tos[0].lower() for m in mails) == [
        "alice@example.com",
        "bob@example.com",
        "desk@client.example",
    ]
    for mail in mails:
        [(filename, content_type, content)] = mail.attachments()
        assert content_type == "application/pdf" and filename.endswith(".pdf")
        assert content.startswith(b"%PDF") and pdf_pages(content) == 3
    [to_bob] = smtp_server.to("bob@example.com")
    assert to_bob.subject == "+7 495 765-43-21 numarasına +90 212 555 01 23 numarasından faks, 3 sayfa"
    assert "Gönderen" in to_bob.text() and "Europe/Istanbul" in to_bob.text()
    [to_desk] = smtp_server.to("desk@client.example")
    assert to_desk.subject == "Fax from +90 212 555 01 23 to +7 495 765-43-21, 3 pages"
    received = timezone.localtime(fax.created_at, team_a.tzinfo)
    assert f"{received:%H:%M}" in to_desk.text()  # the time in the team's zone
    assert "opt-out" not in to_desk.text()  # an address outside the team has nothing to opt out of
    assert "/fax/email/opt-out/" in to_bob.text()
    assert set(Delivery.objects.filter(fax=fax).values_list("state", "document", "attempts")) == {
        ("sent", "attached", 1)
    }

    poll(account)  # the next poll finds nothing new: nothing is mailed again
    deliveries.deliveries_due()
    assert len(smtp_server.messages) == 3


def test_the_catch_all_rule_takes_a_fax_no_numbered_rule_names(
    team_a, alice, bob, sandbox_account, one_new_fax, poll, smtp_server
) -> None:
    rule_for(team_a, "902129999999", members=[alice])
    rule_for(team_a, "", members=[bob])

    poll(sandbox_account(team_a, "telphin"))

    assert [m.rcpt_tos for m in smtp_server.wait_for(1)] == [["bob@example.com"]]


@pytest.mark.parametrize(
    ("rule_number", "provider_wrote"),
    [
        ("902129630199", "902129630199"),  # Verimor, Telsam: international digits
        ("902129630199", "02129630199"),  # Pasifik's cld: the national form
        ("902129630199", "2129630199"),
        ("902129630199", "+90 212 963 01 99"),
        ("74957654321", "74957654321"),  # Telphin's destination
        ("122", "122"),  # an extension
    ],
)
def test_a_rule_matches_our_number_in_every_form_a_provider_writes_it(rule_number, provider_wrote) -> None:
    assert rule_matches(rule_number, provider_wrote)


def test_a_rule_does_not_match_another_number() -> None:
    assert not rule_matches("902129630199", "902129630198")
    assert not rule_matches("902129630199", "")


@pytest.mark.parametrize("kind", ["pasifik", "telsam", "verimor", "telphin"])
def test_each_providers_received_faxes_are_routed_by_the_number_they_arrived_on(
    kind, team_a, alice, sandbox_account, poll, smtp_server
) -> None:
    from fax.gateways import gateway_for

    account = sandbox_account(team_a, kind)
    gateway = gateway_for(account)
    try:
        arrived = gateway.incoming(since=timezone.now() - timedelta(days=7))
    finally:
        gateway.close()
    ours = {item.our_number for item in arrived if item.our_number}
    assert ours, f"{kind}: the sandbox's received faxes name our number"
    rule_for(team_a, sorted(ours)[0], members=[alice])

    faxes = poll(account)

    routed = [f for f in faxes if rule_matches(sorted(ours)[0], f.our_number) and f.documents.exists()]
    assert routed
    assert len(smtp_server.wait_for(len(routed))) == len(routed)
    assert Delivery.objects.filter(state="sent").count() == len(routed)


def test_a_mail_server_outage_is_recorded_and_retried_and_the_mail_arrives_once(
    team_a, alice, sandbox_account, one_new_fax, poll, smtp_server
) -> None:
    rule_for(team_a, OUR_NUMBER, members=[alice])
    with smtp_server.down():
        [fax] = poll(sandbox_account(team_a, "telphin"))
        delivery = Delivery.objects.get(fax=fax)
        assert delivery.state == "queued" and delivery.attempts == 1
        assert delivery.error_key == "unreachable" and delivery.next_attempt_at > timezone.now()
        assert deliveries.deliveries_due() == []  # not due before its time: the schedule's backoff

        page = Client()
        page.force_login(alice)
        html = page.get(f"/fax/{fax.pk}/").content.decode()
        assert "The mail server could not be reached." in html and "alice@example.com" in html

        with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
            [due] = deliveries.deliveries_due()
            assert deliveries.delivery_send(delivery_id=due) == "retry"  # still down: the next, longer wait
        second = Delivery.objects.get(pk=delivery.pk)
        assert second.attempts == 2
        assert second.next_attempt_at - delivery.next_attempt_at >= timedelta(seconds=110)

    with time_machine.travel(second.next_attempt_at + timedelta(seconds=1)):
        for pk in deliveries.deliveries_due():
            deliveries.delivery_send(delivery_id=pk)
        assert deliveries.delivery_send(delivery_id=delivery.pk) == "not due"  # claimed once, sent once

    assert [m.rcpt_tos for m in smtp_server.wait_for(1)] == [["alice@example.com"]]
    done = Delivery.objects.get(pk=delivery.pk)
    assert (done.state, done.attempts, done.error_key) == ("sent", 3, "")


def test_after_the_last_attempt_the_delivery_has_failed_with_its_reason(
    team_a, alice, sandbox_account, one_new_fax, poll, smtp_server
) -> None:
    rule_for(team_a, OUR_NUMBER, members=[alice])
    with smtp_server.down():
        [fax] = poll(sandbox_account(team_a, "telphin"))
        delivery = Delivery.objects.get(fax=fax)
        for _attempt in range(deliveries.RETRY_SCHEDULE.max_attempts - 1):
            Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
            deliveries.delivery_send(delivery_id=delivery.pk)
    failed = Delivery.objects.get(pk=delivery.pk)
    assert (failed.state, failed.attempts) == ("failed", deliveries.RETRY_SCHEDULE.max_attempts)
    assert failed.reason.startswith("The mail server could not be reached.")


def test_a_refused_address_bounces_and_is_not_tried_again(
    team_a, alice, bob, sandbox_account, one_new_fax, poll, smtp_server
) -> None:
    smtp_server.reject("bob@example.com")
    rule_for(team_a, OUR_NUMBER, members=[alice, bob])

    poll(sandbox_account(team_a, "telphin"))

    bounced = Delivery.objects.get(email="bob@example.com")
    assert bounced.state == "bounced" and bounced.next_attempt_at is None
    assert "550" in bounced.reason and "refused this address" in bounced.reason
    assert Delivery.objects.get(email="alice@example.com").state == "sent"
    assert deliveries.deliveries_due() == []


def test_a_connection_lost_after_the_data_is_unknown_and_only_an_admin_sends_it_again(
    team_a, alice, sandbox_account, one_new_fax, poll, smtp_server
) -> None:
    rule_for(team_a, OUR_NUMBER, members=[alice])
    smtp_server.hang_up_after_data = True
    [fax] = poll(sandbox_account(team_a, "telphin"))
    unknown = Delivery.objects.get(fax=fax)
    assert unknown.state == "unknown" and "may have been delivered" in unknown.reason
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert deliveries.deliveries_due() == []  # never resent blindly

    smtp_server.hang_up_after_data = False
    admin = Client()
    admin.force_login(alice)
    with pytest.MonkeyPatch.context():
        response = admin.post(f"/fax/email/deliveries/{unknown.pk}/resend/")
    assert response.status_code == 302
    for pk in deliveries.deliveries_due():
        deliveries.delivery_send(delivery_id=pk)
    assert len(smtp_server.wait_for(1)) == 1
    assert Delivery.objects.get(pk=unknown.pk).state == "sent"
    assert AuditEvent.objects.filter(action="fax_mail.resend", data__previous_state="unknown").exists()


def test_a_claim_whose_worker_vanished_becomes_unknown_not_a_second_mail(
    team_a, alice, sandbox_account, one_new_fax, poll, smtp_server
) -> None:
    rule_for(team_a, OUR_NUMBER, members=[alice])
    with smtp_server.down():
        [fax] = poll(sandbox_account(team_a, "telphin"))
    Delivery.objects.filter(fax=fax).update(
        state="sending", claimed_at=timezone.now() - deliveries.STALE_CLAIM - timedelta(minutes=1)
    )

    assert deliveries.deliveries_due(now=timezone.now() + timedelta(days=1)) == []
    assert Delivery.objects.get(fax=fax).error_key == "worker_lost"
    assert smtp_server.messages == []


def test_a_document_above_the_limit_goes_as_a_signed_link_that_expires(
    team_a, alice, sandbox_account, one_new_fax, poll, smtp_server, settings
) -> None:
    settings.FAX_EMAIL_ATTACHMENT_MAX_BYTES = 1000
    rule_for(team_a, OUR_NUMBER, emails=["desk@client.example"])
    poll(sandbox_account(team_a, "telphin"))

    [mail] = smtp_server.wait_for(1)
    assert mail.attachments() == []
    assert Delivery.objects.get().document == "link"
    link = re.search(r"https://portal\.example\.com(/fax/email/document/\S+/)", mail.text()).group(1)

    anonymous = Client()
    response = anonymous.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert pdf_pages(b"".join(response)) == 3
    assert anonymous.get(link.replace("/document/", "/document/x")).status_code == 404
    assert anonymous.get(link[:-3] + "AA/").status_code == 404  # tampered signature
    with time_machine.travel(timezone.now() + timedelta(days=settings.FAX_EMAIL_LINK_DAYS, hours=1)):
        assert anonymous.get(link).status_code == 404  # expired
    FaxDocument.objects.all().delete()
    assert anonymous.get(link).status_code == 404  # the document is gone: the link checks it


def test_a_rule_without_the_document_sends_the_notice_and_a_link_to_the_portal(
    team_a, alice, sandbox_account, one_new_fax, poll, smtp_server
) -> None:
    rule_for(team_a, OUR_NUMBER, members=[alice], attach_document=False)
    [fax] = poll(sandbox_account(team_a, "telphin"))

    [mail] = smtp_server.wait_for(1)
    assert mail.attachments() == []
    assert f"https://portal.example.com/fax/{fax.pk}/" in mail.text()
    assert Delivery.objects.get().document == "none"


def test_a_member_who_opted_out_gets_no_mail_and_the_link_in_a_mail_opts_out(
    team_a, alice, bob, sandbox_account, one_new_fax, poll, smtp_server, telphin_inbox, sandbox
) -> None:
    carol = MembershipFactory(team=team_a, user=UserFactory(email="carol@example.com"), role=Role.OPERATOR).user
    OptOut.objects.create(team=team_a, user=carol)
    rule_for(team_a, OUR_NUMBER, members=[alice, bob, carol])
    account = sandbox_account(team_a, "telphin")
    poll(account)

    assert sorted(m.rcpt_tos[0] for m in smtp_server.wait_for(2)) == ["alice@example.com", "bob@example.com"]
    [to_bob] = smtp_server.to("bob@example.com")
    link = re.search(r"https://portal\.example\.com(/fax/email/opt-out/\S+/)", to_bob.text()).group(1)
    anonymous = Client()
    assert anonymous.get(link).status_code == 200
    assert not OptOut.objects.filter(user=bob).exists()  # a GET changes nothing
    assert anonymous.post(link).status_code == 200
    assert OptOut.objects.filter(team=team_a, user=bob).exists()
    assert AuditEvent.objects.filter(action="fax_mail.opt_out", actor=bob).exists()
    assert anonymous.get(link.replace("/opt-out/", "/opt-out/1")).status_code == 404

    telphin_inbox.append({**telphin_inbox[0], "uuid": "5d1e0c1a-7a51-4c1e-9a0e-000000000002"})
    smtp_server.clear()
    poll(account)
    assert [m.rcpt_tos for m in smtp_server.wait_for(1)] == [["alice@example.com"]]
