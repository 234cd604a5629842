"""Options are checked when saved; rows already bad say so instead of failing pages (issue 11 and 10)."""

from __future__ import annotations

import sys

import pytest
from django.test import Client
from django.urls import reverse
from django.views.debug import ExceptionReporter

from accounts.models import ProviderAccount, Team
from accounts.provider_clients import client_for
from accounts.provider_errors import describe
from accounts.provider_specs import pasifik
from providers.errors import InvalidRequest, UnexpectedResponse
from providers.pasifik import PasifikClient
from providers.transport import Transport
from providers.urlsafety import UrlGuard

PASSWORD = "pw-Zq81-never-shown"


def _pasifik_form(**changes: str) -> dict[str, str]:
    return {
        "label": "Pasifik",
        "cred_username": "demo",
        "cred_password": PASSWORD,
        "opt_language": "tr",
        "opt_auth_scheme": "bare",
        "is_active": "on",
        **changes,
    }


@pytest.mark.django_db
def test_a_bad_language_cannot_be_saved(alice_client: Client) -> None:
    response = alice_client.post(reverse("provider-create", args=["pasifik"]), _pasifik_form(opt_language="xx"))
    assert response.status_code == 400
    assert "opt_language" in response.context["form"].errors
    assert not ProviderAccount.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/sms/new/", "/calls/live/", "/pbx/"])
def test_pages_that_build_a_client_explain_a_bad_stored_option(alice_client: Client, team_a: Team, path: str) -> None:
    ProviderAccount.objects.create(
        team=team_a,
        kind="pasifik",
        label="Pasifik legacy",
        credentials={"username": "demo", "password": PASSWORD},
        options={"language": "xx", "telephone_ids": ["1"]},
    )
    response = alice_client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    if path != "/sms/new/":  # New SMS reads the balance from a cache the worker fills: it never builds a client
        assert "Pasifik legacy" in page and "is invalid" in page
    assert PASSWORD not in page


@pytest.mark.django_db
def test_the_debug_page_never_shows_the_provider_password(team_a: Team, settings, monkeypatch) -> None:
    settings.DEBUG = True
    account = ProviderAccount.objects.create(
        team=team_a, kind="pasifik", label="Pasifik", credentials={"username": "demo", "password": PASSWORD}
    )

    def broken(**kwargs: object) -> PasifikClient:
        return PasifikClient(**{**kwargs, "language": "xx"})  # raises inside the client

    monkeypatch.setattr(pasifik, "PasifikClient", broken)
    try:
        client_for(account)
    except ValueError:
        reporter = ExceptionReporter(None, *sys.exc_info())
        html, text = reporter.get_traceback_html(), reporter.get_traceback_text()
    else:
        pytest.fail("the client did not fail")
    assert "creds" in html and "password" in html  # the frames are there, with their variables
    assert PASSWORD not in html and PASSWORD not in text


# --- fax numbers (issue 10) -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_fax_number_typed_locally_is_saved_as_international_digits(alice_client: Client, team_a: Team) -> None:
    data = {
        "label": "Verimor",
        "cred_api_key": "k",
        "opt_fax_numbers": "0212 963 01 99\n0212 963 01 99",
        "is_active": "on",
    }
    assert alice_client.post(reverse("provider-create", args=["verimor"]), data).status_code == 302
    assert ProviderAccount.objects.get(label="Verimor").options["fax_numbers"] == ["902129630199"]


@pytest.mark.django_db
def test_a_wrong_fax_number_is_refused_and_kept_as_typed(alice_client: Client) -> None:
    data = {"label": "Verimor", "cred_api_key": "k", "opt_fax_numbers": "0212 963\n12", "is_active": "on"}
    response = alice_client.post(reverse("provider-create", args=["verimor"]), data)
    assert response.status_code == 400
    assert "not a valid phone number" in response.context["form"].errors["opt_fax_numbers"][0]
    assert "0212 963" in response.content.decode()


# --- messages (issue 10: say what we refused) ---------------------------------------------------


def test_our_own_refusal_says_what_and_why() -> None:
    text = describe(InvalidRequest("limit must be between 1 and 100", provider="verimor"))
    assert text.startswith("We did not send the request")
    assert "limit must be between 1 and 100" in text
    assert "The provider rejected" not in text


def test_a_documented_hosts_answer_shows_only_a_short_redacted_excerpt() -> None:
    transport = Transport(base_url="https://api.bulutsantralim.com", provider="verimor", guard=UrlGuard("verimor"))
    transport.redactor.add("k-secret-1")
    error = transport.error_for_status(400, "bad key k-secret-1 " + "x" * 500)
    transport.mark(error)
    text = describe(error)
    assert "The provider rejected the request." in text
    assert "k-secret-1" not in text
    assert len(error.excerpt) <= 80


def test_any_other_hosts_answer_is_not_shown() -> None:
    transport = Transport(base_url="http://127.0.0.1:8001/verimor", provider="verimor", guard=UrlGuard("verimor"))
    error = transport.mark(UnexpectedResponse("root:x:0:0:root:/root:/bin/bash", provider="verimor"))
    assert describe(error) == "The provider answered with something we could not read."
