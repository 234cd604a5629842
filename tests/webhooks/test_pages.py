"""The webhook pages: add (the secret shown once), change, delete, deliveries and redeliver, all audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from tests.conftest import client_for
from tests.factories import MembershipFactory
from webhooks.delivery import delivery_send
from webhooks.emitters import emit
from webhooks.models import Delivery, Endpoint, EventType

from .conftest import only_delivery
from .receivers import receiver

pytestmark = pytest.mark.django_db


def test_adding_an_endpoint_shows_its_secret_once(alice_client, team_a) -> None:
    response = alice_client.post(
        reverse("webhook-create"),
        {"url": "http://127.0.0.1:9/hook", "description": "CRM", "events": ["fax.received", "sms.delivered"]},
    )
    endpoint = Endpoint.objects.get(team=team_a)
    assert response.status_code == 302 and response["Location"] == reverse("webhook-detail", args=[endpoint.pk])
    assert endpoint.events == ["sms.delivered", "fax.received"] and endpoint.description == "CRM"
    page = alice_client.get(response["Location"]).content.decode()
    assert endpoint.signing_secret.startswith("whsec_") and endpoint.signing_secret in page
    assert endpoint.signing_secret not in alice_client.get(response["Location"]).content.decode()
    event = AuditEvent.objects.get(team=team_a, action="webhook.create")
    assert event.data == {"url": "http://127.0.0.1:9/hook", "events": ["sms.delivered", "fax.received"]}
    assert endpoint.signing_secret not in str(event.data)


def test_an_endpoint_needs_an_event(alice_client) -> None:
    response = alice_client.post(reverse("webhook-create"), {"url": "http://127.0.0.1:9/hook"})
    assert response.status_code == 400 and not Endpoint.objects.exists()
    assert "This field is required." in response.content.decode()


def test_editing_disables_and_enables_and_deleting_removes(alice_client, endpoint_to, team_a) -> None:
    endpoint = endpoint_to("http://127.0.0.1:9/a")
    data = {"url": "http://127.0.0.1:9/b", "description": "", "events": ["call.recorded"]}
    assert alice_client.post(reverse("webhook-edit", args=[endpoint.pk]), data).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url.endswith("/b") and endpoint.events == ["call.recorded"] and not endpoint.is_active
    assert endpoint.disabled_by == Endpoint.DisabledBy.PERSON
    alice_client.post(reverse("webhook-edit", args=[endpoint.pk]), {**data, "is_active": "on"})
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.disabled_by == ""
    assert alice_client.post(reverse("webhook-delete", args=[endpoint.pk])).status_code == 302
    assert not Endpoint.objects.exists()
    actions = list(AuditEvent.objects.filter(team=team_a).order_by("pk").values_list("action", flat=True))
    assert actions == ["webhook.update", "webhook.update", "webhook.delete"]


def test_the_endpoint_page_lists_each_attempt_and_redeliver_sends_the_event_again(
    alice_client, endpoint_to, team_a, django_capture_on_commit_callbacks
) -> None:
    with receiver(status=500, body=b"database is down") as hook:
        endpoint = endpoint_to(hook.url)
        emit(team_id=team_a.pk, type=EventType.SMS_DELIVERED, data={"batch": 1})
        delivery = only_delivery(endpoint)
        delivery_send(delivery_id=delivery.pk)
        Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.FAILED)
        page = alice_client.get(reverse("webhook-detail", args=[endpoint.pk])).content.decode()
        assert "database is down" in page and ">500<" in page and "sms.delivered" in page
        assert reverse("webhook-redeliver", args=[delivery.pk]) in page
        hook.status, hook.body = 204, b""
        with django_capture_on_commit_callbacks(execute=True):
            response = alice_client.post(reverse("webhook-redeliver", args=[delivery.pk]))
        assert response.status_code == 302
    again = endpoint.deliveries.exclude(pk=delivery.pk).get()
    assert again.state == Delivery.State.SUCCEEDED and again.redelivery_of_id == delivery.pk
    assert again.event_id == delivery.event_id and len(hook.received) == 2
    assert hook.received[0].body == hook.received[1].body  # the same event, the same payload
    assert AuditEvent.objects.filter(team=team_a, action="webhook.redeliver").count() == 1


def test_a_disabled_endpoint_is_not_redelivered_to(alice_client, endpoint_to, team_a) -> None:
    endpoint = endpoint_to("http://127.0.0.1:9/hook")
    emit(team_id=team_a.pk, type=EventType.SMS_DELIVERED, data={})
    delivery = only_delivery(endpoint)
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.FAILED)
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    response = alice_client.post(reverse("webhook-redeliver", args=[delivery.pk]), follow=True)
    assert "This endpoint is disabled" in response.content.decode()
    assert endpoint.deliveries.count() == 1


def test_another_teams_endpoint_and_delivery_are_not_found(alice_client, endpoint_to, team_b) -> None:
    theirs = endpoint_to("http://127.0.0.1:9/hook", team=team_b)
    emit(team_id=team_b.pk, type=EventType.SMS_DELIVERED, data={})
    delivery = only_delivery(theirs)
    for name in ("webhook-detail", "webhook-edit", "webhook-delete"):
        assert alice_client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert alice_client.post(reverse("webhook-redeliver", args=[delivery.pk])).status_code == 404
    assert alice_client.post(reverse("webhook-delete", args=[theirs.pk])).status_code == 404
    assert Endpoint.objects.filter(pk=theirs.pk).exists()


def test_operators_do_not_manage_webhooks_and_admins_do(team_a) -> None:
    operator = MembershipFactory(team=team_a, role="operator").user
    admin = MembershipFactory(team=team_a, role="admin").user
    assert client_for(operator).get(reverse("webhook-list")).status_code == 403
    assert client_for(admin).get(reverse("webhook-list")).status_code == 200
    assert reverse("webhook-list") not in client_for(operator).get(reverse("team-settings")).content.decode()


def test_the_pages_speak_turkish(alice, endpoint_to) -> None:
    alice.language = "tr"
    alice.save()
    endpoint_to("http://127.0.0.1:9/hook")
    client = client_for(alice)
    client.cookies["django_language"] = "tr"
    assert "Uç nokta ekle" in client.get(reverse("webhook-list")).content.decode()
    assert "Olaylar" in client.get(reverse("webhook-create")).content.decode()


def test_the_operator_sees_an_endpoint_in_the_admin_without_its_secret(endpoint_to) -> None:
    from tests.factories import UserFactory

    endpoint = endpoint_to("http://127.0.0.1:9/hook")
    operator = UserFactory(is_staff=True, is_superuser=True)
    client = client_for(operator)
    page = client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]))
    assert page.status_code == 200 and endpoint.signing_secret not in page.content.decode()
    assert client.get(reverse("admin:webhooks_endpoint_add")).status_code == 403
