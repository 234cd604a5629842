"""The shared transport: what it redacts, and how it tells a request that never left from one that may have."""

from __future__ import annotations

import io
import logging
import re
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError, ProtocolError

from providers.errors import InvalidRequest, ProviderUnavailable, UnexpectedResponse
from providers.files import Download, filename_from_disposition
from providers.telphin import TelphinClient
from providers.telsam import TelsamClient
from providers.transport import (
    REDACTED,
    MemoryTokenStore,
    Redactor,
    RetryPolicy,
    Token,
    Transport,
    classify_failure,
)

BASE = "https://api.example.test"
SECRET = "Sentinel-k3y-9f2a"


def make_transport() -> Transport:
    return Transport(
        base_url=BASE,
        provider="example",
        redactor=Redactor([SECRET]),
        retry=RetryPolicy(attempts=1),
        sleep=lambda _: None,
    )


# --- redaction ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"unknown field xyz={SECRET}",
        f'{{"echo": {{"whatever_name": "{SECRET}"}}}}',
        f"Authorization: Basic {SECRET}",
        f"GET /fdrs?key={SECRET}&page=2",
    ],
)
def test_a_known_secret_is_redacted_under_any_name(text: str) -> None:
    assert SECRET not in Redactor([SECRET])(text)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ('{"code": "E4012", "description": "sender not allowed"}', "E4012"),
        ("code=400 the request was refused", "code=400"),
        ('{"token_type": "Bearer", "monkey": "banana"}', "banana"),
    ],
)
def test_a_harmless_field_is_kept_whatever_its_name(text: str, kept: str) -> None:
    assert kept in Redactor([SECRET])(text)


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: Bearer eyJhbGciOi.unknown-token",
        "{'Cookie': 'session=abc123; csrftoken=def456'}",
        "Set-Cookie: sessionid=abc123; HttpOnly",
        "X-Api-Key: abc123",
        "GET /fdrs?key=abc123&page=2",
        "grant_type=password&password=abc123&client_secret=def456",
        '{"access_token": "abc123", "refresh_token": "def456"}',
    ],
)
def test_the_values_of_secret_headers_and_fields_are_redacted_even_when_unknown(text: str) -> None:
    redacted = Redactor()(text)
    assert "abc123" not in redacted and "def456" not in redacted
    assert REDACTED in redacted


@responses.activate
def test_an_error_keeps_the_providers_error_code_and_hides_the_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    responses.post(
        f"{BASE}/send", json={"message": f"code E4012: key {SECRET} refused", "errors": {"misc": [SECRET]}}, status=400
    )

    with pytest.raises(InvalidRequest) as caught:
        make_transport().request("POST", "/send", read=False)

    texts = [str(caught.value), repr(caught.value), caught.value.excerpt, str(caught.value.field_errors), caplog.text]
    assert all(SECRET not in text for text in texts)
    assert "E4012" in str(caught.value)


@responses.activate
def test_a_malformed_answer_echoing_the_secret_does_not_show_it() -> None:
    responses.get(f"{BASE}/list", body=f"<html>unexpected_name={SECRET} code=E77", status=200)
    transport = make_transport()

    with pytest.raises(UnexpectedResponse) as caught:
        transport.json(transport.request("GET", "/list", read=True))

    assert SECRET not in str(caught.value) and "E77" in str(caught.value)


# --- connection failures, by exception type ------------------------------------------------------


NO_POOL: Any = None  # urllib3's errors name the pool or connection; these tests have none


def _wrapped(reason: Exception) -> requests.ConnectionError:
    """What requests raises: urllib3's MaxRetryError, with the reason, inside a ConnectionError."""
    return requests.ConnectionError(MaxRetryError(NO_POOL, "/x", reason))


@pytest.mark.parametrize(
    ("exc", "sent"),
    [
        (requests.ConnectTimeout("whatever the text"), False),
        (requests.exceptions.SSLError("handshake failure"), False),
        (requests.exceptions.ProxyError("proxy said no"), False),
        (_wrapped(NewConnectionError(NO_POOL, "Connection refused")), False),
        (_wrapped(NameResolutionError("nowhere.test", NO_POOL, socket.gaierror("x"))), False),
        (requests.ReadTimeout("Connection refused"), True),  # the text says refused; the type decides
        (requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError())), True),
        (requests.ConnectionError("Name or service not known"), True),  # text alone proves nothing
        (requests.exceptions.ChunkedEncodingError("broken"), True),
    ],
)
def test_a_failure_is_classified_by_its_type_not_its_message(exc: requests.RequestException, sent: bool) -> None:
    assert classify_failure(exc)[1] is sent


@responses.activate
def test_a_refused_tls_handshake_is_unavailable_and_not_sent() -> None:
    responses.post(f"{BASE}/send", body=requests.exceptions.SSLError("certificate verify failed"))

    with pytest.raises(ProviderUnavailable) as caught:
        make_transport().request("POST", "/send", read=False)

    assert caught.value.request_sent is False
    assert "SSLError" in str(caught.value)


# --- downloads: one type, one Content-Disposition parser --------------------------------------


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ('attachment; filename="fax 12.pdf"', "fax 12.pdf"),
        ("attachment; filename=fax.tif", "fax.tif"),
        ("attachment; filename*=UTF-8''fa%C3%A7s%201.pdf", "façs 1.pdf"),
        ("attachment; filename=../../etc/passwd", "passwd"),
        ('attachment; filename="C:\\\\faxes\\\\in.tif"', "in.tif"),
        ("inline", "fallback.pdf"),
        ("", "fallback.pdf"),
    ],
)
def test_the_one_disposition_parser_gives_a_base_name_or_the_fallback(header: str, name: str) -> None:
    assert filename_from_disposition(header, "fallback.pdf") == name


@pytest.mark.parametrize("client", ["telsam", "telphin"])
@responses.activate
def test_every_client_reads_an_rfc_5987_file_name(client: str) -> None:
    headers = {"Content-Disposition": "attachment; filename*=UTF-8''g%C3%BCn%201.pdf"}
    url = re.compile(r"https://files\.example\.test/.*")
    responses.add(responses.POST, url, body=b"%PDF-1.4", headers=headers, content_type="application/pdf")
    responses.add(responses.GET, url, body=b"%PDF-1.4", headers=headers, content_type="application/pdf")
    base = "https://files.example.test"
    token = MemoryTokenStore(Token("t0ken-abc", datetime(2999, 1, 1, tzinfo=UTC)))
    if client == "telsam":
        document = TelsamClient(client_id="1", client_secret="s3cret", base_url=base, token_store=token).fax_download(7)
    else:
        document = TelphinClient(
            client_id="1", client_secret="s3cret", extension_id=5, base_url=base, token_store=token
        ).fax_in_file("u-1")

    with document:
        assert isinstance(document, Download)
        assert (document.filename, document.read()) == ("gün 1.pdf", b"%PDF-1.4")


def test_a_download_that_breaks_off_is_unavailable_not_a_requests_error() -> None:
    response = requests.Response()
    response.status_code, response.raw = 200, _BrokenBody()

    with pytest.raises(ProviderUnavailable) as caught, Download(response, provider="example") as download:
        download.read()

    assert caught.value.request_sent is True and caught.value.provider == "example"


class _BrokenBody(io.BytesIO):
    """A body whose connection drops on the first read, as urllib3 reports it."""

    def stream(self, chunk_size: int, decode_content: bool = True) -> Iterator[bytes]:
        raise ProtocolError("Connection broken: IncompleteRead")
