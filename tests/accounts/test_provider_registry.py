"""The provider registry is the one place that knows the provider kinds (issue 12).

A provider that exists only in this test gets the account form, option cleaning,
typed options, a client and a connection check from its spec alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pytest
from django import forms
from django.db import models
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from accounts.forms import ProviderAccountForm, ProviderKindForm
from accounts.models import ProviderAccount, Team
from accounts.provider_checks import provider_account_check
from accounts.provider_clients import UnusableClient, client_for
from accounts.provider_errors import AccountUnusable
from accounts.provider_options import clean_options, options_of
from accounts.provider_registry import all_specs, registered, spec_for
from accounts.provider_spec import Capability, Connection, CredentialField, ProviderSpec, Timeouts, option
from accounts.provider_specs.pasifik import PASIFIK, PasifikOptions
from fax.gateways import GATEWAYS
from providers.pasifik import PasifikClient


class AcmeClient:
    """A provider client as the portal sees one: built from credentials and a connection, closes."""

    def __init__(self, *, token: str, region: str, timeout: tuple[float, float], guard: object) -> None:
        self.token = token
        self.region = region
        self.timeout = timeout
        self.guard = guard

    def ping(self) -> int:
        return 7

    def close(self) -> None:
        return None

    def __enter__(self) -> AcmeClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None


@dataclass(frozen=True)
class AcmeOptions:
    region: str = option("Region", kind="choice", choices=(("eu", "Europe"), ("us", "America")), default="eu")
    sender_ids: tuple[str, ...] = option("Sender ids", kind="list")
    callback_path: str = option("Callback path", default="/hooks/{id}", path_placeholders=frozenset({"id"}))


def _build(credentials: Mapping[str, str], options: AcmeOptions, connection: Connection) -> AcmeClient:
    return AcmeClient(
        token=credentials.get("token", ""), region=options.region, timeout=connection.timeout, guard=connection.guard
    )


ACME: ProviderSpec[AcmeClient, AcmeOptions] = ProviderSpec(
    kind="acme",
    label="Acme Telecom",
    credentials=(CredentialField("token", "API token"),),
    options_type=AcmeOptions,
    build=_build,
    check=lambda client: f"Connected. {client.ping()} lines.",
    capabilities=frozenset({Capability.SMS}),
)


@pytest.fixture
def acme() -> Iterator[ProviderSpec[AcmeClient, AcmeOptions]]:
    with registered(ACME) as spec:
        yield spec


@pytest.fixture
def acme_account(acme: ProviderSpec[AcmeClient, AcmeOptions], team_a: Team) -> ProviderAccount:
    return ProviderAccount.objects.create(
        team=team_a, kind="acme", label="Acme", credentials={"token": "t-1"}, options={"region": "us"}
    )


def test_a_registered_provider_is_a_choice_of_the_account_form(acme: ProviderSpec[AcmeClient, AcmeOptions]) -> None:
    form_field = ProviderKindForm().fields["kind"]
    model_field = ProviderAccount._meta.get_field("kind")
    assert isinstance(form_field, forms.ChoiceField) and isinstance(model_field, models.CharField)
    assert form_field.valid_value("acme")
    assert ("acme", "Acme Telecom") in list(model_field.flatchoices)
    assert spec_for("acme") is acme


@pytest.mark.django_db
def test_the_account_form_asks_what_its_spec_declares(
    acme: ProviderSpec[AcmeClient, AcmeOptions], team_a: Team
) -> None:
    form = ProviderAccountForm(
        {"label": "Acme", "cred_token": "t-1", "opt_region": "us", "opt_sender_ids": "A\nB", "opt_callback_path": ""},
        kind="acme",
        team=team_a,
    )
    assert form.is_valid(), form.errors
    assert form.credentials() == {"token": "t-1"}
    assert form.options()["region"] == "us" and form.options()["sender_ids"] == ["A", "B"]


@pytest.mark.django_db
def test_an_admin_adds_an_account_of_a_registered_provider(
    acme: ProviderSpec[AcmeClient, AcmeOptions], alice_client: Client, team_a: Team
) -> None:
    page = alice_client.get(reverse("provider-create", args=["acme"]))
    assert page.status_code == 200 and "API token" in page.content.decode()
    response = alice_client.post(
        reverse("provider-create", args=["acme"]),
        {"label": "Acme", "cred_token": "t-1", "opt_region": "eu", "is_active": "on"},
    )
    assert response.status_code == 302
    assert team_a.provider_accounts.get(kind="acme").credentials == {"token": "t-1"}


def test_its_options_are_cleaned_by_the_schema_of_its_spec(acme: ProviderSpec[AcmeClient, AcmeOptions]) -> None:
    assert clean_options("acme", {"region": "mars"})[1].keys() == {"region"}
    assert clean_options("acme", {"callback_path": "/hooks/{token}"})[1].keys() == {"callback_path"}
    assert clean_options("acme", {"sender_ids": "A, B"}) == ({"sender_ids": ["A", "B"]}, {})


@pytest.mark.django_db
def test_its_options_are_typed(acme_account: ProviderAccount) -> None:
    options = options_of(acme_account, ACME)
    assert options == AcmeOptions(region="us", sender_ids=(), callback_path="/hooks/{id}")


@pytest.mark.django_db
def test_client_for_builds_its_client_with_the_one_timeout_policy(
    acme_account: ProviderAccount, settings: Settings
) -> None:
    settings.PROVIDER_QUICK_TIMEOUT = (1.0, 2.0)
    client = client_for(acme_account, ACME)
    assert isinstance(client, AcmeClient)
    assert (client.token, client.region, client.timeout) == ("t-1", "us", Timeouts.NORMAL)
    assert client_for(acme_account, ACME, quick=True).timeout == (1.0, 2.0)
    assert isinstance(client_for(acme_account), AcmeClient)  # the path for code that serves any kind


@pytest.mark.django_db
def test_the_connection_check_is_its_specs(acme_account: ProviderAccount) -> None:
    result = provider_account_check(account=acme_account)
    assert (result.ok, result.message) == (True, "Connected. 7 lines.")
    acme_account.refresh_from_db()
    assert acme_account.last_checked_at is not None and acme_account.last_error == ""


@pytest.mark.django_db
def test_an_unusable_account_of_it_gets_a_client_that_says_why(acme_account: ProviderAccount) -> None:
    acme_account.options = {"region": "mars"}
    client = client_for(acme_account, ACME)
    assert isinstance(client, UnusableClient)
    with pytest.raises(AccountUnusable, match="Region"):
        client.ping()


@pytest.mark.django_db
def test_a_client_of_another_kind_is_refused(acme_account: ProviderAccount) -> None:
    with pytest.raises(ValueError, match="acme account has no pasifik client"):
        client_for(acme_account, PASIFIK)
    with pytest.raises(ValueError):
        options_of(acme_account, PASIFIK)


@pytest.mark.django_db
def test_client_for_with_a_spec_is_typed_and_reads_typed_options(team_a: Team) -> None:
    account = ProviderAccount.objects.create(
        team=team_a, kind="pasifik", label="P", credentials={"username": "u", "password": "p"}, options={}
    )
    client: PasifikClient = client_for(account, PASIFIK)
    assert client.language == "tr" and client.auth_scheme == "bare"
    assert options_of(account, PASIFIK) == PasifikOptions()
    assert options_of(account, PASIFIK).sms_chunk_size == 500


def test_a_kind_is_registered_once() -> None:
    with pytest.raises(ValueError, match="registered already"):
        registered(PASIFIK).__enter__()


def test_every_provider_that_faxes_has_a_gateway_and_every_gateway_a_spec() -> None:
    faxing = {spec.kind for spec in all_specs() if spec.can(Capability.FAX)}
    assert set(GATEWAYS) == faxing
    for kind, gateway in GATEWAYS.items():
        assert gateway.spec is spec_for(kind)


@pytest.mark.django_db
def test_an_accounts_name_shows_its_kind_as_the_field_display_does(
    acme: ProviderSpec[AcmeClient, AcmeOptions], team_a: Team
) -> None:
    for spec in all_specs():  # the built-in kinds and the one registered by this test
        account = ProviderAccount(team=team_a, kind=spec.kind, label="Ofis")
        assert str(account) == f"Ofis ({account.get_kind_display()})" == f"Ofis ({spec.label})"
    gone = ProviderAccount(team=team_a, kind="retired", label="Eski")  # a kind no longer registered
    assert str(gone) == f"Eski ({gone.get_kind_display()})" == "Eski (retired)"
