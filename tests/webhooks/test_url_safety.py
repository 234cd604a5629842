"""Where a webhook may go: https on public addresses, checked when saved and again at delivery (no SSRF)."""

from __future__ import annotations

import socket

import pytest
from django.urls import reverse

from providers.errors import RequestRefused
from tests.conftest import client_for
from webhooks.delivery import delivery_send
from webhooks.emitters import emit
from webhooks.models import Attempt, Endpoint, EventType
from webhooks.urlsafety import endpoint_url_check

from .conftest import only_delivery
from .receivers import receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = False


@pytest.fixture
def intranet_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """``intranet.example`` resolves to a private address, ``public.example`` to a public one."""
    real = socket.getaddrinfo
    answers = {"intranet.example": "10.20.30.40", "public.example": "93.184.215.14"}

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1/hook", "Use an https:// address."),
        ("https://127.0.0.1/hook", "This address is not allowed"),
        ("https://169.254.169.254/latest/meta-data/", "This address is not allowed"),
        ("https://[::1]/hook", "This address is not allowed"),
        ("https://localhost/hook", "This address is not allowed"),
        ("https://intranet.example/hook", "This address is not allowed"),
        ("https://user:pw@public.example/hook", "user name or password"),
        ("ftp://public.example/hook", "Use an https:// address."),
        ("https://exa mple.com/hook", "Enter a valid URL"),
    ],
)
def test_the_form_refuses_addresses_that_are_not_public_https_in_production(
    production, intranet_dns, alice, url, message
) -> None:
    response = client_for(alice).post(reverse("webhook-create"), {"url": url, "events": ["sms.delivered"]})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert url.replace("&", "&amp;") in response.content.decode()  # what was typed stays in the form
    assert not Endpoint.objects.exists()


def test_a_public_https_address_is_accepted_in_production(production, intranet_dns) -> None:
    endpoint_url_check("https://public.example/hook")


def test_the_test_setting_allows_http_and_loopback_only(intranet_dns) -> None:
    endpoint_url_check("http://127.0.0.1:8080/hook")
    for url in ("http://169.254.169.254/", "http://10.0.0.1/", "http://intranet.example/"):
        with pytest.raises(RequestRefused):
            endpoint_url_check(url)


def test_a_delivery_to_loopback_is_refused_in_production_and_nothing_arrives(endpoint_to, settings) -> None:
    with receiver() as hook:
        endpoint = endpoint_to(hook.url)  # saved while allowed, as a test server
        settings.WEBHOOKS_ALLOW_PRIVATE = False
        emit(team_id=endpoint.team_id, type=EventType.SMS_DELIVERED, data={})
        assert delivery_send(delivery_id=only_delivery(endpoint).pk) == "retry"
        https = endpoint_to(hook.url.replace("http://", "https://"))
        emit(team_id=https.team_id, type=EventType.FAX_RECEIVED, data={})
        delivery_send(delivery_id=only_delivery(https).pk)
    assert hook.received == []
    for attempt in Attempt.objects.all():
        assert attempt.error == Attempt.Error.REFUSED and attempt.status_code is None


def test_a_host_that_now_resolves_to_a_private_address_is_refused_at_delivery(
    endpoint_to, production, monkeypatch
) -> None:
    """DNS rebinding: public when saved, private when sent; the connection is checked, not the saved URL."""
    endpoint = endpoint_to("https://rebinding.example/hook")
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "rebinding.example":
            asked.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    emit(team_id=endpoint.team_id, type=EventType.SMS_DELIVERED, data={})
    delivery_send(delivery_id=only_delivery(endpoint).pk)
    assert asked  # resolved at delivery time
    assert Attempt.objects.get().error == Attempt.Error.REFUSED


def test_metadata_address_is_refused_even_with_the_test_setting(endpoint_to) -> None:
    endpoint = endpoint_to("http://169.254.169.254/latest/meta-data/")
    emit(team_id=endpoint.team_id, type=EventType.SMS_DELIVERED, data={})
    delivery_send(delivery_id=only_delivery(endpoint).pk)
    assert Attempt.objects.get().error == Attempt.Error.REFUSED
