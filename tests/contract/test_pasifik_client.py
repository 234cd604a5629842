"""PasifikClient against the Pasifik sandbox: construction, authorization, errors, faults, secrets."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from decimal import Decimal

import pytest

from providers.errors import (
    AuthenticationFailed,
    InvalidRequest,
    ProviderUnavailable,
    RateLimited,
    UnexpectedResponse,
)
from providers.pasifik import PasifikClient, UserSettings, api_root
from sandbox.core import Sandbox
from sandbox.pasifik import DEMO_CREDENTIALS, DEMO_TELEPHONE_IDS

DEMO_AUTHORIZATION = base64.b64encode(b"demo:demo-pass").decode()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def client(sandbox_url: str, waits: list[float]) -> Iterator[PasifikClient]:
    with PasifikClient(**DEMO_CREDENTIALS, base_url=f"{sandbox_url}/pasifik", sleep=waits.append) as client:
        yield client


def pasifik_requests(sandbox: Sandbox) -> list:
    return sandbox.requests_for("pasifik")


# --- construction and the exact request ---------------------------------------


def test_it_posts_an_empty_json_object_with_the_bare_authorization_value(
    client: PasifikClient, sandbox: Sandbox
) -> None:
    client.user_settings()

    [request] = pasifik_requests(sandbox)
    assert request.method == "POST"
    assert request.path == "/en/api/user/getsettings/"
    assert request.header("Authorization") == DEMO_AUTHORIZATION
    assert request.header("Content-Type") == "application/json"
    assert request.header("Accept") == "application/json"
    assert request.json() == {}


def test_it_prefixes_basic_when_the_account_asks_for_the_basic_scheme(sandbox_url: str, sandbox: Sandbox) -> None:
    with PasifikClient(**DEMO_CREDENTIALS, base_url=f"{sandbox_url}/pasifik", auth_scheme="basic") as client:
        client.user_settings()

    assert pasifik_requests(sandbox)[0].header("Authorization") == f"Basic {DEMO_AUTHORIZATION}"


@pytest.mark.parametrize("language", ["tr", "en", "ar"])
def test_it_puts_the_language_segment_in_every_path(sandbox_url: str, sandbox: Sandbox, language: str) -> None:
    with PasifikClient(**DEMO_CREDENTIALS, base_url=f"{sandbox_url}/pasifik", language=language) as client:
        client.user_settings()

    assert pasifik_requests(sandbox)[0].path == f"/{language}/api/user/getsettings/"


def test_it_reads_user_settings_with_decimal_balance_and_integer_accounts(client: PasifikClient) -> None:
    settings = client.user_settings()

    assert isinstance(settings, UserSettings)
    assert settings.username == "demo"
    assert settings.balance == Decimal("718.21")
    assert isinstance(settings.balance, Decimal)
    assert settings.currency == "TRY"
    assert settings.tel_account_list == DEMO_TELEPHONE_IDS
    assert settings.count_all == settings.delivered_all + settings.undelivered_all + settings.waiting_all


def test_it_builds_the_api_root_from_a_base_url_with_or_without_language() -> None:
    assert api_root("https://oim.pasifiktelekom.com.tr", "tr") == "https://oim.pasifiktelekom.com.tr/tr/api/"
    assert api_root("https://oim.pasifiktelekom.com.tr/en/api/", "ar") == "https://oim.pasifiktelekom.com.tr/ar/api/"
    assert api_root("http://127.0.0.1:8000/pasifik/", "en") == "http://127.0.0.1:8000/pasifik/en/api/"


@pytest.mark.parametrize(
    "options",
    [{"language": "de"}, {"auth_scheme": "bearer"}, {"password": ""}],
)
def test_it_refuses_a_configuration_the_document_does_not_allow(options: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        PasifikClient(**{**DEMO_CREDENTIALS, **options})


# --- the document's error forms ----------------------------------------------------


def test_it_raises_authentication_failed_for_a_wrong_password(sandbox_url: str) -> None:
    client = PasifikClient(username="demo", password="wrong-pass", base_url=f"{sandbox_url}/pasifik")

    with pytest.raises(AuthenticationFailed) as caught:
        client.user_settings()

    assert caught.value.status_code == 401


def test_it_raises_authentication_failed_when_the_provider_answers_its_own_401(
    client: PasifikClient, sandbox: Sandbox
) -> None:
    sandbox.inject("expired-token", provider="pasifik")

    with pytest.raises(AuthenticationFailed):
        client.user_settings()
    assert len(pasifik_requests(sandbox)) == 1


def test_it_raises_invalid_request_with_field_errors_for_the_providers_400(
    client: PasifikClient, sandbox: Sandbox
) -> None:
    # A valid request the provider still refuses: the balance cannot pay for it.
    sandbox.by_name["pasifik"].balance = Decimal("0")
    with pytest.raises(InvalidRequest) as caught:
        client.sms_submit(sender="DEMOFIRMA", to="905321234567", text="hello")

    assert caught.value.status_code == 400
    assert "balance" in caught.value.field_errors
    assert len(pasifik_requests(sandbox)) == 1


# --- injected faults ---------------------------------------------------------------


def test_it_retries_a_read_after_429_waiting_as_long_as_retry_after_says(
    client: PasifikClient, sandbox: Sandbox, waits: list[float]
) -> None:
    sandbox.inject("429", provider="pasifik", path="user/getsettings", retry_after=7)

    settings = client.user_settings()

    assert settings.username == "demo"
    assert waits == [7.0]
    assert len(pasifik_requests(sandbox)) == 2


def test_it_does_not_retry_a_send_after_429_and_reports_retry_after(
    client: PasifikClient, sandbox: Sandbox, waits: list[float]
) -> None:
    sandbox.inject("429", provider="pasifik", path="sms/submit", retry_after=12)

    with pytest.raises(RateLimited) as caught:
        client.sms_submit(sender="DEMOFIRMA", to="905321234567", text="hello")

    assert caught.value.retry_after == 12.0
    assert waits == []
    assert len(pasifik_requests(sandbox)) == 1


@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_it_retries_a_read_after_a_server_error(
    client: PasifikClient, sandbox: Sandbox, waits: list[float], kind: str
) -> None:
    sandbox.inject(kind, provider="pasifik", path="user/getsettings", times=2)

    assert client.user_settings().currency == "TRY"
    assert len(pasifik_requests(sandbox)) == 3
    assert len(waits) == 2
    assert waits[0] < waits[1]  # exponential backoff


def test_it_gives_up_a_read_after_three_server_errors(
    client: PasifikClient, sandbox: Sandbox, waits: list[float]
) -> None:
    sandbox.inject("503", provider="pasifik", times=5)

    with pytest.raises(ProviderUnavailable) as caught:
        client.user_settings()

    assert caught.value.status_code == 503
    assert len(pasifik_requests(sandbox)) == 3


def test_it_never_retries_a_send_after_a_server_error(
    client: PasifikClient, sandbox: Sandbox, waits: list[float]
) -> None:
    sandbox.inject("500", provider="pasifik", path="sms/submit")

    with pytest.raises(ProviderUnavailable) as caught:
        client.sms_submit(sender="DEMOFIRMA", to="905321234567", text="hello")

    assert caught.value.request_sent is True
    assert len(pasifik_requests(sandbox)) == 1
    assert waits == []


def test_it_never_retries_a_send_that_timed_out(sandbox_url: str, sandbox: Sandbox) -> None:
    waits: list[float] = []
    sandbox.inject("timeout", provider="pasifik", path="sms/submit", delay=1.0)

    with (
        PasifikClient(
            **DEMO_CREDENTIALS, base_url=f"{sandbox_url}/pasifik", timeout=(2, 0.3), sleep=waits.append
        ) as client,
        pytest.raises(ProviderUnavailable) as caught,
    ):
        client.sms_submit(sender="DEMOFIRMA", to="905321234567", text="hello")

    assert caught.value.request_sent is True
    assert len(pasifik_requests(sandbox)) == 1
    assert waits == []


def test_it_retries_a_read_that_timed_out(sandbox_url: str, sandbox: Sandbox) -> None:
    waits: list[float] = []
    sandbox.inject("timeout", provider="pasifik", path="user/getsettings", delay=1.0)

    with PasifikClient(
        **DEMO_CREDENTIALS, base_url=f"{sandbox_url}/pasifik", timeout=(2, 0.3), sleep=waits.append
    ) as client:
        assert client.user_settings().username == "demo"

    assert len(pasifik_requests(sandbox)) == 2
    assert len(waits) == 1


def test_it_raises_unexpected_response_for_a_malformed_body(client: PasifikClient, sandbox: Sandbox) -> None:
    sandbox.inject("malformed", provider="pasifik")

    with pytest.raises(UnexpectedResponse):
        client.user_settings()


def test_it_raises_unexpected_response_for_a_truncated_body(client: PasifikClient, sandbox: Sandbox) -> None:
    sandbox.inject("truncated", provider="pasifik", path="tel/history")

    with pytest.raises(UnexpectedResponse):
        client.tel_history(i_account=DEMO_TELEPHONE_IDS[0], type="all", limit=5)


def test_it_reports_an_unreachable_provider_as_unavailable_and_not_sent() -> None:
    waits: list[float] = []
    # Port 9 on loopback: nothing listens, nothing leaves the machine.
    client = PasifikClient(**DEMO_CREDENTIALS, base_url="http://127.0.0.1:9/pasifik", sleep=waits.append)

    with pytest.raises(ProviderUnavailable) as caught:
        client.sms_submit(sender="DEMOFIRMA", to="905321234567", text="hello")

    assert caught.value.request_sent is False


# --- secrets -------------------------------------------------------------------------


def test_it_never_lets_the_password_into_an_exception_or_a_log_line(
    sandbox_url: str, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    sentinel_user, sentinel_password = "sentinel-user-7c1f", "Sentinel-Pa55-93e2b"
    authorization = base64.b64encode(f"{sentinel_user}:{sentinel_password}".encode()).decode()
    secrets = (sentinel_user, sentinel_password, authorization)
    caplog.set_level(logging.DEBUG)
    errors: list[Exception] = []

    for scheme in ("bare", "basic"):
        client = PasifikClient(
            username=sentinel_user,
            password=sentinel_password,
            base_url=f"{sandbox_url}/pasifik",
            auth_scheme=scheme,
            sleep=lambda _: None,
        )
        with pytest.raises(AuthenticationFailed) as refused:
            client.user_settings()
        errors.append(refused.value)
        sandbox.inject("503", provider="pasifik", times=3)
        with pytest.raises(ProviderUnavailable) as unavailable:
            client.pbx_sip_peers()
        errors.append(unavailable.value)
        sandbox.inject("malformed", provider="pasifik")
        with pytest.raises(UnexpectedResponse) as malformed:
            client.fax_query(fax_id=1)
        errors.append(malformed.value)
        assert all(secret not in repr(client) for secret in secrets)

    texts = [str(error) for error in errors] + [repr(error) for error in errors] + [caplog.text]
    texts += [record.getMessage() for record in caplog.records]
    for secret in secrets:
        assert not any(secret in text for text in texts), secret
    assert caplog.records, "the transport should have logged the calls"
