"""Numbers the document does not allow are refused by our client, before anything is sent (issue 10).

"universal = true ... make sure you should prefix it with +": a + number goes
only with universal, a universal SMS only to + numbers; and a number has 7 to
15 digits (E.164's maximum), never 3.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from providers.errors import InvalidRequest
from providers.pasifik import PasifikClient, SmsEnvelope
from sandbox.core import Sandbox
from sandbox.pasifik import DEMO_CREDENTIALS


@pytest.fixture
def client(sandbox_url: str) -> Iterator[PasifikClient]:
    with PasifikClient(**DEMO_CREDENTIALS, base_url=f"{sandbox_url}/pasifik", sleep=lambda _: None) as client:
        yield client


def refused(call, sandbox: Sandbox) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        call()
    assert sandbox.requests_for("pasifik") == [], "refused by our own check: nothing may be sent"
    assert caught.value.status_code is None
    return caught.value


def test_a_plus_number_without_universal_is_refused(client: PasifikClient, sandbox: Sandbox) -> None:
    error = refused(lambda: client.sms_submit(sender="DEMOFIRMA", to="+19999999999", text="hi"), sandbox)

    assert list(error.field_errors) == ["to"]
    assert "+19999999999" in error.message and "universal" in error.message


def test_a_plus_number_in_an_envelope_without_universal_is_refused(client: PasifikClient, sandbox: Sandbox) -> None:
    envelopes = [SmsEnvelope("905321111110", "one"), SmsEnvelope("+499999999999", "two")]

    error = refused(lambda: client.sms_submit_multi(sender="DEMOFIRMA", envelopes=envelopes), sandbox)

    assert list(error.field_errors) == ["envelopes.to"]
    assert "universal" in error.field_errors["envelopes.to"][0]


@pytest.mark.parametrize("number", ["112", "123", "12345", "905", "1234567890123456"])
def test_a_number_of_too_few_or_too_many_digits_is_refused(
    client: PasifikClient, sandbox: Sandbox, number: str
) -> None:
    error = refused(lambda: client.sms_submit(sender="DEMOFIRMA", to=number, text="hi"), sandbox)

    assert error.field_errors["to"] == [
        f"{number!r} is not a phone number in international format (7 to 15 digits, e.g. 905399999999)"
    ]


def test_a_short_fax_number_is_refused(client: PasifikClient, sandbox: Sandbox) -> None:
    error = refused(lambda: client.fax_submit(sender="902129630131", to="123", filename="a.pdf"), sandbox)

    assert list(error.field_errors) == ["to"]


def test_universal_still_needs_the_plus(client: PasifikClient, sandbox: Sandbox) -> None:
    error = refused(lambda: client.sms_submit(sender="DEMOFIRMA", to="19999999999", text="hi", universal=True), sandbox)

    assert "must start with + when universal is true" in error.field_errors["to"][0]


def test_the_documented_examples_still_go_out(client: PasifikClient, sandbox: Sandbox) -> None:
    client.sms_submit(sender="DEMOFIRMA", to="905999999998,905999999999", text="SMS test")
    client.sms_submit(sender="DEMOFIRMA", to=["+499999999999", "+19999999999"], text="hi", universal=True)

    bodies = [request.json() for request in sandbox.requests_for("pasifik", "sms/submit")]
    assert [(body["to"], body.get("universal")) for body in bodies] == [
        ("905999999998,905999999999", None),
        ("+499999999999,+19999999999", True),
    ]
