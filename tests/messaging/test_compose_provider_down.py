"""New SMS never waits on the provider: the balance comes from a short cache the worker refreshes, and a
send the provider cannot take now is stored and queued, and the page says so."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.balance import balance_refresh
from messaging import balance
from messaging.models import SmsBatch, SmsChunk

pytestmark = pytest.mark.django_db


@pytest.fixture
def quick(settings):
    settings.PROVIDER_QUICK_TIMEOUT = (0.5, 0.5)


def test_the_page_does_not_call_the_provider_it_asks_the_worker(
    alice_client, sms_account, sandbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = alice_client.get(reverse("sms-new"))
    assert response.status_code == 200
    assert sandbox.requests_for("pasifik", "getsettings") == []
    assert 'id="balance-reading"' in response.content.decode()  # and the card asks again shortly
    assert len(queued) == 1  # one refresh queued...
    with django_capture_on_commit_callbacks(execute=False) as again:
        alice_client.get(reverse("sms-new"))
    assert again == []  # ...not one per page view
    queued[0]()  # the worker runs it (eager in tests)
    card = alice_client.get(reverse("sms-new-balance") + f"?account={sms_account.pk}").content.decode()
    assert "718.21 TRY" in card and "hx-get" not in card


def test_a_hung_provider_gives_balance_unavailable_with_the_reason(alice_client, sms_account, sandbox, quick) -> None:
    sandbox.inject("timeout", provider="pasifik", path="getsettings", delay=3.0)
    assert balance_refresh(account_id=sms_account.pk) == "failed: slow"  # after 0.5 s, one try
    assert len(sandbox.requests_for("pasifik", "getsettings")) == 1
    html = alice_client.get(reverse("sms-new")).content.decode()
    assert 'id="balance-unavailable"' in html
    assert "Balance unavailable: The provider did not answer in time." in html
    assert "You can still send" in html


def test_a_hung_provider_leaves_the_last_good_balance_with_its_age(alice_client, sms_account, sandbox, quick) -> None:
    assert balance_refresh(account_id=sms_account.pk).startswith("read: 718.21")
    key = f"balance:good:{sms_account.pk}"
    cache.set(key, {**cache.get(key), "fetched_at": (timezone.now() - timedelta(minutes=7)).isoformat()})
    sandbox.inject("timeout", provider="pasifik", path="getsettings", delay=3.0)
    balance_refresh(account_id=sms_account.pk)
    found = balance.account_balance(account=sms_account)
    assert found.amount == Decimal("718.21") and found.error
    html = alice_client.get(reverse("sms-new")).content.decode()
    assert "718.21 TRY" in html
    assert "This is the last known balance, read 7\xa0minutes ago." in html


def test_a_send_while_the_provider_hangs_is_stored_queued_and_said_so(
    alice_client, sms_account, sandbox, quick, django_capture_on_commit_callbacks
) -> None:
    sandbox.inject("timeout", provider="pasifik", delay=3.0, times=100)
    balance_refresh(account_id=sms_account.pk)
    before = len(sandbox.requests)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = alice_client.post(
            reverse("sms-new"),
            {"account": sms_account.pk, "sender": "DEMO", "text": "Merhaba", "recipients": "05321111111"},
        )
    assert response.status_code == 302
    assert len(sandbox.requests) == before  # the request itself asked the provider nothing
    batch = SmsBatch.objects.get()
    assert list(batch.chunks.values_list("state", flat=True)) == [SmsChunk.State.QUEUED]
    assert queued  # the worker sends it
    page = alice_client.get(response["Location"]).content.decode()
    assert "The provider is not answering right now: the batch is queued and sent as soon as it answers." in page


@pytest.mark.django_db(transaction=True)  # the page's on_commit runs at once, as in production
def test_a_broker_that_is_down_does_not_break_the_page(alice_client, sms_account, monkeypatch) -> None:
    from accounts import tasks

    tried = []

    def down(*args, **kwargs):
        tried.append(args)
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.balance_refresh_task, "apply_async", down)
    response = alice_client.get(reverse("sms-new"))
    assert response.status_code == 200 and 'id="balance-reading"' in response.content.decode()
    assert tried == [((sms_account.pk,),)]


@pytest.mark.django_db(transaction=True)  # on_commit runs at once, as in production
def test_the_compose_page_never_calls_the_provider_even_one_that_fails(alice_client, sms_account, monkeypatch) -> None:
    from accounts import balance as shared_balance
    from accounts import tasks

    calls: list[int] = []
    queued: list[tuple[int, ...]] = []

    def failing_client(account, *args, **kwargs):
        calls.append(account.pk)
        raise ConnectionError("the provider is down")

    monkeypatch.setattr(shared_balance, "client_for", failing_client)
    monkeypatch.setattr(tasks.balance_refresh_task, "apply_async", lambda args, **kwargs: queued.append(args))
    for _ in range(3):
        response = alice_client.get(reverse("sms-new"))
        assert response.status_code == 200 and 'id="balance-reading"' in response.content.decode()
    assert calls == []  # the page asked the provider nothing...
    assert queued == [(sms_account.pk,)]  # ...it asked the worker, once
