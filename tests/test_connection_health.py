"""The next web request after the database dropped its connections answers normally, not 500."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection


def _get(handler: WSGIHandler, path: str) -> int:
    """One request through the production handler (request_started/finished close or check connections)."""
    status: list[str] = []
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(b""),
        "wsgi.errors": BytesIO(),
    }
    response = handler(environ, lambda s, headers, exc_info=None: status.append(s))
    b"".join(response)
    response.close()
    return int(status[0].split()[0])


def test_kept_connections_are_checked_before_use() -> None:
    from django.conf import settings

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db(transaction=True)
def test_a_request_after_the_database_killed_the_kept_connection_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (a server that can drop a connection): run with DATABASE_URL=postgres://…")
    import psycopg

    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)  # production keeps connections
    connection.close()
    handler = WSGIHandler()
    assert _get(handler, "/healthz") == 200
    pid = connection.connection.info.backend_pid  # kept open for the next request
    settings_dict = connection.settings_dict
    with psycopg.connect(
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname=settings_dict["NAME"],
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    assert _get(handler, "/healthz") == 200
    assert connection.connection.info.backend_pid != pid
