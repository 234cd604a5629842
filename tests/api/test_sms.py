"""SMS through the API: the compose page's rules, idempotency keys, bad input; nothing sent by mistake."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from accounts.models import AuditEvent
from accounts.roles import Role
from api.scopes import Scope
from messaging.models import SmsBatch
from tests.api.conftest import bearer
from tests.messaging.factories import SmsBatchFactory, SmsRecipientFactory

pytestmark = pytest.mark.django_db

SMS = "/api/v1/sms/"


def post(api, raw, body, **headers):
    return api.post(SMS, json.dumps(body), "application/json", headers={**bearer(raw), **headers})


def submits(sandbox) -> int:
    return sum(1 for r in sandbox.requests_for("pasifik", "sms/submit") if r.method == "POST")


def test_one_key_three_times_reaches_the_sandbox_once(
    api, team_a, token_for, sms_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    raw = token_for(team_a, Role.OPERATOR, Scope.SEND)
    body = {"sender": "DEMO", "text": "Merhaba", "to": ["05321111111"]}
    answers = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            answers.append(post(api, raw, body, **{"Idempotency-Key": "order-42"}))
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert "Idempotent-Replayed" not in answers[0] and answers[2]["Idempotent-Replayed"] == "true"
    assert SmsBatch.objects.count() == 1
    assert submits(sandbox) == 1
    event = AuditEvent.objects.get(action="sms.send")
    assert event.data["via_api_token"] == "test send"


def test_the_same_key_with_another_body_is_a_409_and_sends_nothing(
    api, team_a, token_for, sms_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    raw = token_for(team_a, Role.OPERATOR, Scope.SEND)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            post(
                api, raw, {"sender": "DEMO", "text": "A", "to": ["05321111111"]}, **{"Idempotency-Key": "k"}
            ).status_code
            == 201
        )
        again = post(api, raw, {"sender": "DEMO", "text": "B", "to": ["05321111111"]}, **{"Idempotency-Key": "k"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "idempotency_key_reused"
    assert SmsBatch.objects.count() == 1 and submits(sandbox) == 1


def test_a_personalised_send_gives_each_their_text(
    api, team_a, token_for, sms_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    raw = token_for(team_a, Role.OPERATOR, Scope.SEND)
    body = {
        "sender": "DEMO",
        "text": "Merhaba {name}, kodunuz {code}",
        "recipients": [
            {"phone": "05321111111", "name": "Ali", "values": {"code": "1234"}},
            {"phone": "05322222222", "name": "Ayşe", "values": {"code": "5678"}},
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, raw, body)
    assert response.status_code == 201, response.json()
    batch = SmsBatch.objects.get()
    assert batch.personalised
    texts = sorted(batch.recipients.values_list("text", flat=True))
    assert texts == ["Merhaba Ali, kodunuz 1234", "Merhaba Ayşe, kodunuz 5678"]
    assert response.json()["recipient_count"] == 2


def test_notes_need_confirm(api, team_a, token_for, sms_account, sandbox) -> None:
    raw = token_for(team_a, Role.OPERATOR, Scope.SEND)
    body = {"sender": "DEMO", "text": "Hi", "to": ["+4915112345678"]}
    response = post(api, raw, body)
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert any("outside Turkey" in m for m in fields["confirm"])
    assert post(api, raw, {**body, "confirm": True}).status_code == 201


@pytest.mark.parametrize(
    ("body", "content_type", "code", "field"),
    [
        ('{"sender": "DEMO", "text": "x", "to": ["05321111111"]', "application/json", "parse_error", None),
        ("sender=DEMO&text=x&to=05321111111", "application/x-www-form-urlencoded", "unsupported_media_type", None),
        (
            '{"sender": "DEMO", "text": "x", "to": ["05321111111"], "sendr": "X"}',
            "application/json",
            "invalid",
            "sendr",
        ),
        ('{"sender": "NOPE", "text": "x", "to": ["05321111111"]}', "application/json", "invalid", "sender"),
        ('{"sender": "DEMO", "text": "x", "to": ["not a number"]}', "application/json", "invalid", "to"),
        ('["DEMO"]', "application/json", "invalid", None),
    ],
)
def test_bad_input_is_a_clear_error_and_sends_nothing(
    api, team_a, token_for, sms_account, sandbox, body, content_type, code, field
) -> None:
    raw = token_for(team_a, Role.OPERATOR, Scope.SEND)
    response = api.post(SMS, body, content_type, headers=bearer(raw))
    assert response.status_code in (400, 415)
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    if field:
        assert field in error["fields"]
    assert SmsBatch.objects.count() == 0 and submits(sandbox) == 0


def test_a_body_over_the_limit_is_a_413(api, team_a, token_for, sms_account, settings) -> None:
    settings.API_MAX_BODY_BYTES = 1000
    raw = token_for(team_a, Role.OPERATOR, Scope.SEND)
    response = post(api, raw, {"sender": "DEMO", "text": "x" * 2000, "to": ["05321111111"]})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert SmsBatch.objects.count() == 0


def test_a_read_token_of_an_operator_may_not_send(api, team_a, token_for, sms_account, sandbox) -> None:
    raw = token_for(team_a, Role.OPERATOR, Scope.READ)
    response = post(api, raw, {"sender": "DEMO", "text": "x", "to": ["05321111111"]})
    assert response.status_code == 403
    assert SmsBatch.objects.count() == 0


def test_batch_status_and_recipients(api, team_a, token_for) -> None:
    batch = SmsBatchFactory(team=team_a)
    SmsRecipientFactory(chunk__batch=batch, batch=batch, state="delivered")
    SmsRecipientFactory(chunk__batch=batch, batch=batch, state="waiting")
    raw = token_for(team_a, Role.VIEWER, Scope.READ)
    detail = api.get(f"{SMS}{batch.pk}/", headers=bearer(raw)).json()
    assert detail["recipients"]["delivered"] == 1 and detail["recipients"]["waiting"] == 1
    page = api.get(f"{SMS}{batch.pk}/recipients/?state=delivered", headers=bearer(raw)).json()
    assert page["count"] == 1 and page["results"][0]["state"] == "delivered"
    listed = api.get(SMS, headers=bearer(raw)).json()
    assert [b["id"] for b in listed["results"]] == [batch.pk]
    bad = api.get(f"{SMS}{batch.pk}/recipients/?state=nonsense", headers=bearer(raw))
    assert bad.status_code == 400 and "state" in bad.json()["error"]["fields"]


def test_another_teams_batch_is_not_found(api, team_a, team_b, token_for) -> None:
    theirs = SmsBatchFactory(team=team_b)
    raw = token_for(team_a)
    for url in (f"{SMS}{theirs.pk}/", f"{SMS}{theirs.pk}/recipients/"):
        response = api.get(url, headers=bearer(raw))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert api.get(SMS, headers=bearer(raw)).json()["count"] == 0


def test_keys_older_than_the_keep_days_are_purged(api, team_a, token_for, settings) -> None:
    import time_machine
    from django.utils import timezone

    from api.idempotency import idempotency_purge
    from api.models import IdempotentRequest

    raw = token_for(team_a, Role.OPERATOR, Scope.SEND)
    post(api, raw, {"sender": "DEMO", "text": "x", "to": ["05321111111"]}, **{"Idempotency-Key": "old"})
    assert IdempotentRequest.objects.get().status_code == 400  # no account: the error is kept for a retry
    with time_machine.travel(timezone.now() + timedelta(days=settings.API_IDEMPOTENCY_KEEP_DAYS, hours=1)):
        assert idempotency_purge() == 1


def test_a_key_whose_first_request_is_still_running_is_a_409(api, team_a, token_for, sms_account) -> None:
    from api.models import ApiToken, IdempotentRequest

    raw = token_for(team_a, Role.OPERATOR, Scope.SEND)
    body = {"sender": "DEMO", "text": "x", "to": ["05321111111"]}
    first = post(api, raw, body, **{"Idempotency-Key": "busy"})
    record = IdempotentRequest.objects.get(token=ApiToken.objects.get())
    record.status_code, record.response = None, None  # as while the first request is still being answered
    record.save()
    again = post(api, raw, body, **{"Idempotency-Key": "busy"})
    assert first.status_code == 201 and again.status_code == 409
    assert again.json()["error"]["code"] == "idempotency_key_in_use"
    assert SmsBatch.objects.count() == 1


def test_a_program_posts_without_a_csrf_token(team_a, token_for, sms_account) -> None:
    from django.test import Client

    raw = token_for(team_a, Role.OPERATOR, Scope.SEND)
    strict = Client(enforce_csrf_checks=True)
    response = post(strict, raw, {"sender": "DEMO", "text": "x", "to": ["05321111111"]})
    assert response.status_code == 201
