"""Faxes through the API: a multipart send (stored, rendered, confirmed, sent by the worker), status, documents."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from accounts.roles import Role
from api.scopes import Scope
from fax.models import Fax, FaxDraft, Status
from tests.api.conftest import bearer
from tests.fax.factories import fax_with_documents, two_page_pdf

pytestmark = pytest.mark.django_db

FAXES = "/api/v1/faxes/"


@pytest.fixture
def pasifik(team_a, sandbox_account):
    return sandbox_account(team_a, "pasifik")


def form(account, **fields):
    numbers = (account.options or {}).get("fax_numbers") or [""]
    return {
        "account": account.pk,
        "our_number": numbers[0],
        "recipients": "+902125550123, +902125550124",
        "files": [SimpleUploadedFile("contract.pdf", two_page_pdf(), "application/pdf")],
        **fields,
    }


def test_a_multipart_send_queues_one_fax_per_recipient_once(
    api, team_a, token_for, pasifik, sandbox, django_capture_on_commit_callbacks
) -> None:
    raw = token_for(team_a, Role.OPERATOR, Scope.SEND)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(FAXES, form(pasifik), headers={**bearer(raw), "Idempotency-Key": "fax-1"})
    assert response.status_code == 201, response.json()
    sent = response.json()
    assert len(sent) == 2
    assert Fax.objects.filter(status=Status.SENDING).count() == 2
    event = AuditEvent.objects.filter(action="fax.send").first()
    assert event is not None and event.data["via_api_token"] == "test send"
    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(FAXES, form(pasifik), headers={**bearer(raw), "Idempotency-Key": "fax-1"})
    assert again.status_code == 201 and again.json() == sent
    assert FaxDraft.objects.count() == 1 and Fax.objects.count() == 2
    status = api.get(f"{FAXES}{sent[0]['id']}/", headers=bearer(raw)).json()
    assert status["status"] == "sending" and status["pages"] == 2


def test_bad_fax_input_is_a_clear_error_and_sends_nothing(api, team_a, token_for, pasifik) -> None:
    raw = token_for(team_a, Role.OPERATOR, Scope.SEND)
    bad_number = api.post(FAXES, form(pasifik, recipients="not a number"), headers=bearer(raw))
    assert bad_number.status_code == 400 and "recipients" in bad_number.json()["error"]["fields"]
    unknown = api.post(FAXES, form(pasifik, colour="yes"), headers=bearer(raw))
    assert unknown.status_code == 400 and "colour" in unknown.json()["error"]["fields"]
    as_json = api.post(FAXES, {"account": pasifik.pk}, "application/json", headers=bearer(raw))
    assert as_json.status_code == 415 and as_json.json()["error"]["code"] == "unsupported_media_type"
    assert not FaxDraft.objects.exists() and not Fax.objects.exists()


def test_documents_download_with_an_audit_and_another_team_gets_404(api, team_a, team_b, token_for) -> None:
    fax = fax_with_documents(team_a)
    raw = token_for(team_a, Role.VIEWER, Scope.READ)
    download = api.get(f"{FAXES}{fax.pk}/document/", {"role": "original"}, headers=bearer(raw))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="fax.download", object_id=str(fax.pk)).exists()
    assert api.get(f"{FAXES}{fax.pk}/document/", {"n": 9}, headers=bearer(raw)).status_code == 404
    listed = api.get(FAXES, {"direction": fax.direction}, headers=bearer(raw)).json()
    assert [f["id"] for f in listed["results"]] == [fax.pk]
    theirs = token_for(team_b)
    assert api.get(f"{FAXES}{fax.pk}/", headers=bearer(theirs)).status_code == 404
    assert api.get(f"{FAXES}{fax.pk}/document/", headers=bearer(theirs)).status_code == 404
