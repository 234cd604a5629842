"""One TOTP code posted by several sessions at once logs in exactly one of them."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from tests.accounts.test_two_factor import code_for, device_for, password_step

pytestmark = pytest.mark.django_db(transaction=True)
SESSIONS = 8


@pytest.fixture
def postgresql(db) -> None:
    # SQLite takes one writer at a time anyway; the race needs a database with row locks.
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/telcoportal (as CI does)"
        )


def test_one_code_posted_concurrently_logs_in_one_session(postgresql, alice) -> None:
    device = device_for(alice)
    clients = [Client() for _ in range(SESSIONS)]
    for client in clients:
        assert password_step(client, alice.email)["Location"] == reverse("two-factor-verify")
    code = code_for(device)
    start = threading.Barrier(SESSIONS)
    statuses: list[int] = []

    def post(client: Client) -> None:
        try:
            start.wait()
            statuses.append(client.post(reverse("two-factor-verify"), {"code": code}).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(statuses) == SESSIONS
    assert statuses.count(302) == 1, statuses
    device.refresh_from_db()
    assert device.last_t >= 0  # the used time step is stored, so the code stays spent
    assert sum(client.get(reverse("dashboard")).status_code == 200 for client in clients) == 1
