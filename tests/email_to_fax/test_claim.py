"""Two workers reading the same mail at the same moment: its Message-ID claim lets one of them make the fax."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from email_to_fax.intake import mail_take
from email_to_fax.models import InboundMail
from fax.models import Fax
from tests.email_to_fax.mails import mail_bytes

# Each thread has its own database connection: the rows must be committed for both to see them.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_mail_taken_by_two_workers_at_once_becomes_one_fax(alice, mailbox, sandbox, mailoutbox) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("the shared in-memory SQLite test database cannot wait for a lock; on PostgreSQL (CI) it runs")
    raw = mail_bytes(message_id="<race@mail.example.com>")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            start.wait()
            outcomes.append(mail_take(mailbox=mailbox, raw=raw).outcome)
        finally:
            connection.close()  # the thread's own connection, or the test database cannot be dropped

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(outcomes) == ["duplicate", "queued"]
    assert Fax.objects.count() == 1 and InboundMail.objects.count() == 1
    assert len([r for r in sandbox.requests_for("pasifik") if "fax/submit" in r.path]) == 1
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Fax queued"]
