"""Long-running work that outlives a database connection: go on with a fresh one instead of dying."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.db import DatabaseError, connection

T = TypeVar("T")
RETRY_WAIT = 1.0  # seconds, times the attempt number


def reconnect() -> None:
    """After a database error, the next query opens a fresh connection (the old one may be dead).

    Inside a transaction nothing can be done here: the transaction itself has to be given up.
    """
    if not connection.in_atomic_block:
        connection.close()


def with_retries(write: Callable[[], T], *, attempts: int = 3) -> T:
    """Runs ``write`` (one short transaction); after a database error, reconnects and tries again."""
    for attempt in range(1, attempts):
        try:
            return write()
        except DatabaseError:
            reconnect()
            pause_after_error(attempt)
    return write()


def pause_after_error(errors_in_a_row: int) -> None:
    """A short wait, longer after each error in a row: a database restarting needs a few seconds."""
    time.sleep(RETRY_WAIT * min(errors_in_a_row, 3))
