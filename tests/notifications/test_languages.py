"""Notifications are stored as a kind and parameters and written in the reader's language:
on the page, in the bell, and in emails (the member's chosen language, else the site's)."""

from __future__ import annotations

import importlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from accounts.roles import Role
from notifications import services
from notifications.models import Kind, Notification
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

FAILING_NUMBER = "902125550129"  # the sandboxes fail numbers ending in 9


def page_in(client: Client, language: str) -> str:
    client.cookies["django_language"] = language
    return client.get(reverse("notifications")).content.decode()


def test_the_same_notification_reads_in_each_readers_language(team_a, alice, bob) -> None:
    team_a.time_zone = "Europe/Istanbul"
    team_a.save()
    services.notify(
        team=team_a, kind=Kind.RECEIVED_FAX, params={"number": "+90 212 555 01 99", "account": "Merkez"}, email=False
    )
    services.notify(
        team=team_a,
        kind=Kind.FAX_STUCK,
        params={"id": 4, "number": "+90 212 555 01 98", "status": "sending", "since": "2026-11-30T20:30:00+00:00"},
        email=False,
    )
    stored = Notification.objects.get(kind=Kind.RECEIVED_FAX)
    assert stored.legacy_message == "" and stored.params["account"] == "Merkez"

    english = page_in(client_for(alice), "en")
    assert "New fax from +90 212 555 01 99 on Merkez" in english
    assert "has been sending since" in english
    since = datetime(2026, 11, 30, 23, 30, tzinfo=ZoneInfo("Europe/Istanbul"))  # 20:30 UTC in the team's zone
    with translation.override("en"):
        assert f"since {formats.date_format(since, 'SHORT_DATETIME_FORMAT')}" in english

    turkish = page_in(client_for(bob), "tr")
    assert "Merkez hesabına +90 212 555 01 99 numarasından yeni faks" in turkish
    assert "şu durumda: gönderiliyor" in turkish
    assert "New fax" not in turkish and "has been" not in turkish


def test_a_failed_fax_tells_its_sender_in_the_bell_and_by_email_in_their_language(
    team_a, alice, bob, sandbox_account, sandbox, mailoutbox, django_capture_on_commit_callbacks, settings, tmp_path
) -> None:
    from sandbox.pasifik import FAX_DELIVERY_SECONDS
    from tests.fax.helpers import send, track

    settings.MEDIA_ROOT = tmp_path / "media"
    alice.language = "tr"
    alice.save()
    account = sandbox_account(team_a, "pasifik")
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=[FAILING_NUMBER], user=alice)
    sandbox.clock.advance(FAX_DELIVERY_SECONDS + 120)
    with django_capture_on_commit_callbacks(execute=True):
        assert track(fax).status == "failed"

    notification = Notification.objects.get(team=team_a, kind=Kind.FAX_FAILED)
    assert notification.recipient == alice
    assert notification.url == f"/fax/{fax.pk}/"
    # In the sender's bell, not in a colleague's.
    bell = 'data-testid="notification-count">1<'
    assert bell in client_for(alice).get(reverse("dashboard")).content.decode()
    assert 'data-testid="notification-count"' not in client_for(bob).get(reverse("dashboard")).content.decode()
    assert client_for(bob).get(reverse("notification-open", args=[notification.pk])).status_code == 404
    # By email, to the sender, in Turkish (her choice).
    [email] = mailoutbox
    assert email.to == ["alice@example.com"]
    assert "Faks gönderilemedi" in email.subject
    assert f"{fax.pk} numaralı faks gönderilemedi" in email.body


def test_a_batch_with_failed_chunks_finishes_with_failures_and_tells_the_team(
    team_a, alice, sandbox_account, sandbox, mailoutbox, django_capture_on_commit_callbacks, settings
) -> None:
    from messaging.numbers import parse_number
    from messaging.recipients import Recipient
    from messaging.services import create

    settings.LANGUAGE_CODE = "tr"  # the site's language: the team's address gets Turkish
    team_a.notification_email = "ops@example.com"
    team_a.save()
    account = sandbox_account(team_a, "pasifik")
    account.options = {**account.options, "sender_ids": ["DEMO"]}
    account.save()
    sandbox.inject("expired-token", provider="pasifik", path="sms/submit")
    with django_capture_on_commit_callbacks(execute=True):
        batch = create.sms_batch_create(
            create.BatchRequest(
                team=team_a,
                account=account,
                actor=alice,
                sender="DEMO",
                text="Merhaba",
                recipients=[Recipient(parse_number("905321111111"), "", {})],
            )
        )

    batch.refresh_from_db()
    assert batch.state == "completed"
    notification = Notification.objects.get(team=team_a, kind=Kind.BATCH_FAILURES)
    assert notification.params["failed"] == 1
    assert not Notification.objects.filter(kind=Kind.BATCH_FINISHED).exists()
    [email] = mailoutbox
    assert email.to == ["ops@example.com"]
    assert "hatalarla tamamlandı" in email.body and "1 sağlayıcı tarafından kabul edilmedi" in email.body


def test_old_sentences_are_read_back_into_parameters(team_a) -> None:
    from django.apps import apps

    migration = importlib.import_module("notifications.migrations.0003_keys_and_parameters")
    english = Notification.objects.create(
        team=team_a, kind=Kind.BATCH_FINISHED, message="SMS batch #12 from ACME finished: 3 delivered, 1 not delivered."
    )
    turkish = Notification.objects.create(
        team=team_a, kind=Kind.RECEIVED_FAX, message="Merkez hesabına +90 212 555 01 99 numarasından yeni faks"
    )
    odd = Notification.objects.create(team=team_a, kind=Kind.LOW_BALANCE, message="Something else entirely")

    migration.sentences_to_parameters(apps, None)

    english.refresh_from_db()
    assert english.params == {"id": 12, "sender": "ACME", "delivered": 3, "undelivered": 1}
    turkish.refresh_from_db()
    assert turkish.params == {"account": "Merkez", "number": "+90 212 555 01 99"}
    with translation.override("en"):
        assert turkish.message == "New fax from +90 212 555 01 99 on Merkez"
    odd.refresh_from_db()
    assert odd.params == {} and odd.message == "Something else entirely"


def test_choosing_a_language_is_remembered_for_emails(team_a, alice) -> None:
    client = client_for(alice)
    client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == "tr"


def test_a_colleague_who_left_the_team_is_not_the_recipient(team_a, alice) -> None:
    """A fax whose sender is no longer a member tells the team instead."""
    from fax.models import Fax
    from fax.notices import fax_failed_notify

    gone = UserFactory(email="gone@example.com")
    MembershipFactory(team=team_a, user=gone, role=Role.OPERATOR).delete()
    fax = Fax.objects.create(
        team=team_a, direction="out", status="failed", remote_number="902125550129", created_by=gone
    )
    fax_failed_notify(fax=fax)
    assert Notification.objects.get(kind=Kind.FAX_FAILED).recipient is None
