"""A recipient file is measured once: each distinct text's parts counted once, each number parsed once."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from messaging import encoding, recipients
from messaging.models import SmsBatch
from messaging.services.plan import sms_plan
from tests.messaging.reviewing import through_review

pytestmark = pytest.mark.django_db

ROWS = [("05321111111", "Şule"), ("05322222222", "Ilgın"), ("05323333333", "Şule"), ("05324444444", "Çağrı")]


def spy(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, calls: Counter[str]) -> None:
    real = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[str(args[0])] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)


def test_an_upload_is_read_and_counted_once_for_its_review_and_not_again_on_confirm(
    alice_client, sms_account, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    content = "telefon;ad\n" + "".join(f"{phone};{name}\n" for phone, name in ROWS)
    upload = SimpleUploadedFile("liste.csv", content.encode("cp1254"), content_type="text/csv")
    payload = {"account": sms_account.pk, "sender": "DEMO", "text": "Merhaba {ad}, hoş geldiniz", "upload": upload}
    measured: Counter[str] = Counter()
    parsed: Counter[str] = Counter()
    read: Counter[str] = Counter()
    spy(monkeypatch, encoding, "count_parts", measured)
    spy(monkeypatch, recipients, "parse_number", parsed)
    spy(monkeypatch, recipients, "read_table", read)
    review = alice_client.post(reverse("sms-new"), {**payload, "recipients": ""})
    assert sum(measured.values()) == 3  # Şule's text is the same twice: measured once
    assert sorted(parsed.values()) == [1, 1, 1, 1] and sum(read.values()) == 1
    measured.clear(), parsed.clear(), read.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = through_review(alice_client, review)
    assert response.status_code == 302, response.context["form"].errors
    # Confirm takes the rows and the plan the review kept: no file read, no number parsed, no text counted
    assert (sum(read.values()), sum(parsed.values()), sum(measured.values())) == (0, 0, 0)
    batch = SmsBatch.objects.get()
    stored = dict(batch.recipients.values_list("phone", "text"))
    assert stored == {
        f"+90{phone[1:]}": f"Merhaba {name}, hoş geldiniz" for phone, name in ROWS
    }  # the Windows-1254 names round-trip
    expected = [encoding.segments(text) for text in stored.values()]
    assert batch.parts == max(s.parts for s in expected) and batch.alphabet == expected[0].alphabet


@pytest.mark.parametrize("reserve", [0, 5])
def test_the_plan_counts_what_each_text_alone_counts(reserve: int) -> None:
    long_name = "Жанна" * 30  # Cyrillic: a UCS-2 text of several parts
    people = [
        recipients.Recipient(recipients.parse_number(phone), name, {"ad": name})
        for phone, name in [*ROWS, ("05325555555", long_name)]
    ]
    plan = sms_plan(text="Merhaba {ad}", recipients=people, reserve=reserve, flash=False)
    each = [encoding.segments(f"Merhaba {p.name}", reserve=reserve, alphabet=plan.alphabet).parts for p in people]
    assert (plan.parts, plan.total_parts, plan.personalised) == (max(each), sum(each), True)
    assert plan.alphabet == encoding.UCS2 and plan.parts > 1
