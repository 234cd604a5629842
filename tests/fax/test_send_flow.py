"""Each provider's send and status flow against the sandbox, with its error forms and faults."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from accounts.models import AuditEvent
from core.retries import RetrySchedule
from fax.models import Fax, FaxDocument, Status
from fax.services import actions, drafts, retry, sending
from sandbox.pasifik import FAX_DELIVERY_SECONDS
from tests.fax.helpers import send, track

pytestmark = pytest.mark.django_db

OK_NUMBER = "902125550123"
FAILING_NUMBER = "902125550129"  # the sandboxes fail numbers ending in 9


@pytest.fixture
def account(request, team_a, sandbox_account):
    return sandbox_account(team_a, request.param)


def transmitted_of(fax: Fax) -> bytes:
    document = fax.documents.get(role=FaxDocument.Role.TRANSMITTED)
    with document.file.open("rb") as handle:
        return handle.read()


@pytest.mark.parametrize("account", ["pasifik", "telsam", "verimor", "telphin"], indirect=True)
def test_a_fax_is_recorded_sent_once_and_followed_until_it_is_sent(
    account, alice, sandbox, django_capture_on_commit_callbacks
) -> None:
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=[OK_NUMBER], user=alice)

    assert fax.status == Status.SENDING
    assert fax.provider_id
    assert fax.attempts == 1
    assert AuditEvent.objects.filter(action="fax.send", object_id=str(fax.pk)).exists()
    sends = [
        r
        for r in sandbox.requests
        if r.method in ("POST",)
        and ("send" in r.path or "submit" in r.path or r.path.endswith("fax_orders") or r.path.endswith("/fax/out/"))
    ]
    assert len(sends) == 1

    sandbox.clock.advance(FAX_DELIVERY_SECONDS + 120)
    fax = track(fax)

    assert fax.status == Status.SENT, (fax.provider_status, fax.error)
    assert fax.completed_at is not None
    assert [e.kind for e in fax.events.all()][:3] == ["queued", "attempt", "accepted"]


@pytest.mark.parametrize("account", ["pasifik", "telsam", "verimor", "telphin"], indirect=True)
def test_a_number_the_provider_cannot_reach_ends_failed(account, sandbox, django_capture_on_commit_callbacks) -> None:
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=[FAILING_NUMBER])
    sandbox.clock.advance(FAX_DELIVERY_SECONDS + 120)

    assert track(fax).status == Status.FAILED


@pytest.mark.parametrize("account", ["pasifik", "verimor", "telphin"], indirect=True)
def test_what_is_transmitted_is_our_fax_tiff(account, sandbox, django_capture_on_commit_callbacks) -> None:
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=[OK_NUMBER], quality="normal")

    tiff = transmitted_of(fax)
    with Image.open(io.BytesIO(tiff)) as image:
        assert (image.width, image.n_frames, image.info["compression"]) == (1728, 2, "group4")
        assert tuple(round(v) for v in image.info["dpi"]) == (204, 98)
    sent = [
        r
        for r in sandbox.requests
        if r.method == "POST" and r.path.rstrip("/").endswith(("upload", "fax_orders", "out"))
    ]
    [request] = sent
    if account.kind == "verimor":
        assert request.form["filedata"][0] == "data:image/tiff;base64," + base64.b64encode(tiff).decode()
    else:
        [upload] = [f for f in request.files.values()]
        assert upload["content"] == tiff


@pytest.mark.parametrize("account", ["telsam"], indirect=True)
def test_telsam_gets_the_documents_in_base64_in_one_call(account, sandbox, django_capture_on_commit_callbacks) -> None:
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=[OK_NUMBER])

    [request] = [r for r in sandbox.requests_for("telsam") if r.path.endswith("/fax/send")]
    body = request.json()
    assert body["did"] == fax.our_number and body["phones"] == [OK_NUMBER]
    assert base64.b64decode(body["files"][0]) == transmitted_of(fax)


def test_several_recipients_become_one_fax_each(
    team_a, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    account = sandbox_account(team_a, "pasifik")
    faxes = send(django_capture_on_commit_callbacks, account, recipients=[OK_NUMBER, "902125550124"])

    assert {f.remote_number for f in faxes} == {OK_NUMBER, "902125550124"}
    assert all(f.status == Status.SENDING and f.provider_id for f in faxes)
    # one stored transmitted file serves both
    assert len({f.documents.get(role="transmitted").file.name for f in faxes}) == 1


def test_a_duplicate_task_never_sends_twice(
    team_a, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    account = sandbox_account(team_a, "telphin")
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=[OK_NUMBER])

    assert sending.fax_send(fax_id=fax.pk) == "not-queued"
    assert len([r for r in sandbox.requests_for("telphin") if r.method == "POST" and "/fax/out/" in r.path]) == 1


def test_confirming_a_draft_twice_queues_it_once(
    team_a, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    from tests.fax.helpers import draft_on

    draft = draft_on(sandbox_account(team_a, "telphin"), recipients=[OK_NUMBER])
    with django_capture_on_commit_callbacks(execute=True):
        first = drafts.draft_confirm(draft=draft, actor=None)
        second = drafts.draft_confirm(draft=draft, actor=None)
    assert [f.pk for f in first] == [f.pk for f in second]
    assert Fax.objects.count() == 1


def test_provider_down_before_the_request_left_keeps_it_queued_then_fails_after_max_attempts(
    team_a, sandbox_account, sandbox, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    account = sandbox_account(team_a, "telphin", base_url="http://127.0.0.1:9/telphin")  # nothing listens there
    monkeypatch.setattr(retry, "SEND_RETRIES", RetrySchedule(delays=(0, 0)))
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=[OK_NUMBER])

    # eager Celery ran the automatic retries at once: three attempts, then failed with the reason
    assert fax.status == Status.FAILED
    assert fax.attempts == retry.SEND_RETRIES.max_attempts
    assert "did not answer" in fax.error_text and "Gave up after 3 attempts" in fax.error_text
    assert actions.can_retry(fax)


@pytest.mark.parametrize("fault", ["500", "503"])
def test_a_server_error_on_submit_is_an_unknown_outcome_reconciled_not_resent(
    fault, team_a, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    account = sandbox_account(team_a, "pasifik")
    sandbox.inject(fault, provider="pasifik", path="fax/submit")
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=[OK_NUMBER])

    assert fax.status == Status.SENDING and fax.outcome_unknown
    assert track(fax).status == Status.SENDING  # still looking: the provider has no record yet
    submits = len(sandbox.requests_for("pasifik", "fax/submit"))

    Fax.objects.filter(pk=fax.pk).update(
        provider_ref={**fax.provider_ref, "attempt_started": (timezone.now() - timedelta(hours=1)).isoformat()}
    )
    fax = track(fax)

    assert fax.status == Status.FAILED
    assert "no record" in fax.error_text
    assert len(sandbox.requests_for("pasifik", "fax/submit")) == submits  # never resent blindly
    assert actions.can_retry(fax)


@pytest.mark.parametrize("account", ["pasifik", "telsam", "telphin"], indirect=True)
def test_a_lost_answer_after_the_provider_took_the_fax_is_reconciled_from_its_records(
    account, sandbox, django_capture_on_commit_callbacks
) -> None:
    path = {"pasifik": "fax/submit", "telsam": "fax/send", "telphin": "fax/out"}[account.kind]
    sandbox.inject("truncated", provider=account.kind, path=path)
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=[OK_NUMBER])
    assert fax.outcome_unknown and not fax.provider_id

    fax = track(fax)

    assert not fax.outcome_unknown
    assert fax.provider_id
    assert fax.status == Status.SENDING
    assert fax.events.filter(kind="accepted").exists()


def test_telsam_field_errors_land_on_the_form_fields(
    team_a, sandbox_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    account = sandbox_account(team_a, "telsam")
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=["901234"])  # too short for Telsam

    assert fax.status == Status.FAILED
    assert "recipients" in fax.error_fields
    assert "rejected" in fax.error_text


def test_verimor_invalid_base64_lands_on_the_files_field(
    team_a, sandbox_account, sandbox, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    from fax.gateways.verimor import VerimorGateway

    account = sandbox_account(team_a, "verimor")

    def broken_send(self, *, fax, documents, fine, scheduled_at):
        response = self.client.transport.request(
            "POST",
            "/fax_orders",
            read=False,
            params={"key": account.credentials["api_key"]},
            data={
                "key": account.credentials["api_key"],
                "local_station_header": "x",
                "remote_station_id": OK_NUMBER,
                "filedata": "data:application/pdf;base64,@@@",
            },
        )
        raise AssertionError(response.text)

    monkeypatch.setattr(VerimorGateway, "send", broken_send)
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=[OK_NUMBER])

    assert fax.status == Status.FAILED
    assert list(fax.error_fields) == ["files"]  # the sandbox is not a documented host: its words are not shown


def test_verimor_a_lost_answer_is_found_among_pending_orders(
    team_a, sandbox_account, sandbox, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    # Verimor answers a bare number, so a truncated answer still looks like an id: lose it with a read timeout.
    from providers.errors import ProviderUnavailable
    from providers.verimor import VerimorClient

    real_send = VerimorClient.fax_send

    def send_then_time_out(self, **kwargs):
        real_send(self, **kwargs)
        raise ProviderUnavailable("read timeout", request_sent=True, provider="verimor")

    monkeypatch.setattr(VerimorClient, "fax_send", send_then_time_out)
    account = sandbox_account(team_a, "verimor")
    [fax] = send(django_capture_on_commit_callbacks, account, recipients=[OK_NUMBER])
    assert fax.outcome_unknown

    fax = track(fax)

    assert not fax.outcome_unknown and fax.provider_id
    sandbox.clock.advance(120)
    assert track(fax).status == Status.SENT
