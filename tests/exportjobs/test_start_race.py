"""Two Starts of the same export at once (a double click's two requests, served side by side) make one job."""

from __future__ import annotations

import threading
import time
from functools import partial

import pytest
from django.db import connection, connections, transaction

from core.export_kinds import export_kind
from exportjobs.models import ExportJob
from exportjobs.services import export_job_start

pytestmark = pytest.mark.django_db(transaction=True)


def _a_session_waits_for_a_lock(other: threading.Thread) -> bool:
    """Whether another session of this database waits for a lock (asked of PostgreSQL, not guessed from time)."""
    for _attempt in range(600):
        with connection.cursor() as cursor:
            # pg_locks is read live (pg_stat_activity would repeat this transaction's first snapshot).
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> pg_backend_pid()")
            if cursor.fetchone()[0]:
                return True
        if not other.is_alive():
            return False
        time.sleep(0.05)
    return False


def test_a_start_arriving_while_the_same_one_is_being_recorded_waits_and_gets_it(alice, team_a) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db>")
    kind = export_kind("faxes")
    assert kind is not None
    start = partial(export_job_start, team=team_a, actor=alice, kind=kind, file_format="csv",
                    filters={"status": ["sent"]})  # fmt: skip
    second: list[ExportJob] = []

    def click_again() -> None:
        try:
            second.append(start())
        finally:
            connections.close_all()

    other = threading.Thread(target=click_again)
    with transaction.atomic():
        first = start()  # recorded, not yet committed: the second request cannot see it
        other.start()
        waited = _a_session_waits_for_a_lock(other)
    other.join()
    assert waited, "the second start did not wait for the first"
    assert [job.pk for job in second] == [first.pk] and ExportJob.objects.count() == 1
