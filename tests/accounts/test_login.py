"""Logging in by email, clear refusals, and throttling of repeated failures."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD


def login(client: Client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_a_member_logs_in_with_email_and_lands_on_the_dashboard(alice) -> None:
    client = Client()
    response = login(client, "ALICE@example.com", TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_wrong_password_gets_a_clear_message(alice) -> None:
    response = login(Client(), "alice@example.com", "wrong")
    assert response.status_code == 200
    assert b"The email address or password is not right." in response.content
    assert b'value="alice@example.com"' in response.content  # what was typed stays


def test_repeated_failures_are_throttled_even_with_the_right_password(alice, settings) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice@example.com", "wrong")
    response = login(client, "alice@example.com", TEST_PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed log-in attempts" in response.content
    # Another account from the same address is not locked out.
    from tests.factories import UserFactory

    UserFactory(email="other@example.com")
    assert login(Client(), "other@example.com", TEST_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_logging_out_needs_a_post_and_returns_to_login(alice_client: Client) -> None:
    response = alice_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
