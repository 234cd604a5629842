"""fax tells the apps above it when a received fax's document is stored: once per fax, never breaking the inbox."""

from __future__ import annotations

import pytest

from fax.models import Direction, Fax, FaxDocument
from fax.services import inbox
from fax.signals import fax_document_received

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    faxes: list[int] = []

    def receiver(sender, *, fax, **kwargs) -> None:
        assert fax.documents.filter(role=FaxDocument.Role.RECEIVED).exists()
        faxes.append(fax.pk)

    fax_document_received.connect(receiver, dispatch_uid="test-heard")
    yield faxes
    fax_document_received.disconnect(dispatch_uid="test-heard")


def test_it_is_sent_once_per_received_fax_with_its_document_stored(team_a, sandbox_account, heard) -> None:
    account = sandbox_account(team_a, "telphin")
    inbox.fax_fetch_incoming(account=account)
    inbox.fax_fetch_incoming(account=account)

    received = Fax.objects.filter(account=account, direction=Direction.INCOMING)
    assert sorted(heard) == sorted(received.values_list("pk", flat=True))
    assert len(heard) == received.count() > 0


def test_a_document_the_provider_serves_late_is_heard_of_when_it_arrives(
    team_a, sandbox_account, sandbox, heard
) -> None:
    account = sandbox_account(team_a, "telphin")
    sandbox.inject("503", provider="telphin", path="/file/", times=50)
    inbox.fax_fetch_incoming(account=account)
    assert heard == [] and Fax.objects.filter(account=account).exists()

    sandbox.faults.clear()
    inbox.fax_fetch_incoming(account=account)
    assert len(heard) == Fax.objects.filter(account=account).count()


def test_a_receiver_that_fails_never_stops_the_inbox(team_a, sandbox_account, caplog) -> None:
    def broken(sender, **kwargs) -> None:
        raise RuntimeError("a receiver bug")

    fax_document_received.connect(broken, dispatch_uid="test-broken")
    try:
        account = sandbox_account(team_a, "telphin")
        assert inbox.fax_fetch_incoming(account=account) == 2
    finally:
        fax_document_received.disconnect(dispatch_uid="test-broken")
    assert FaxDocument.objects.filter(role=FaxDocument.Role.RECEIVED).count() == 2
    assert "fax_document_received failed" in caplog.text
