"""The API against its own OpenAPI schema (schemathesis, in-process over WSGI).

Every operation, with a token of every role and scope: no 500, and every answer (status,
content type, headers, body) is one the schema describes. Each generated request is also
made once more with the id of an object the team has, so detail answers are checked too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from accounts.roles import Role
from api.scopes import Scope
from api.tokens import token_create
from tests.factories import MembershipFactory, TeamFactory
from tests.fax.factories import fax_with_documents
from tests.messaging.factories import ContactFactory, OptOutFactory, SmsBatchFactory, SmsRecipientFactory
from tests.telephony.factories import CallRecordFactory, ProviderAccountFactory

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]
EXAMPLES = 12  # fuzzed cases per operation (besides the explicit and coverage ones): one per token


@pytest.fixture
def api_world(db, settings) -> Iterator[dict[str, Any]]:
    """A team with one object of each kind and a token for every role x scope."""
    settings.API_RATE_LIMIT = "1000000/min"
    # As Django's test client does: a request must not close the test's connection (its transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    team = TeamFactory()
    batch = SmsBatchFactory(team=team)
    SmsRecipientFactory(chunk__batch=batch, batch=batch)
    ids = {
        "/api/v1/sms/{id}/": batch.pk,
        "/api/v1/sms/{id}/recipients/": batch.pk,
        "/api/v1/contacts/{id}/": ContactFactory(team=team).pk,
        "/api/v1/opt-outs/{id}/": OptOutFactory(team=team).pk,
        "/api/v1/calls/{id}/": CallRecordFactory(account=ProviderAccountFactory(team=team)).pk,
        "/api/v1/calls/{id}/recording/": CallRecordFactory(
            account=ProviderAccountFactory(team=team), has_recording=True, recording_missing=True
        ).pk,
    }
    fax = fax_with_documents(team)
    ids["/api/v1/faxes/{id}/"] = ids["/api/v1/faxes/{id}/document/"] = fax.pk
    tokens = [
        token_create(
            membership=MembershipFactory(team=team, role=role), name=f"{role} {scope}", scope=scope, days=30
        ).raw
        for role in Role
        for scope in Scope
    ]
    yield {"ids": ids, "tokens": tokens, "turn": 0}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def served_schema() -> dict[str, Any]:
    """What /api/v1/schema/ serves (made without a request: at collection there is no test database yet)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


def wsgi_schema() -> Any:
    from telcoportal.wsgi import application

    loaded = schemathesis.openapi.from_dict(served_schema())
    loaded.app = application  # requests go in-process to the portal's WSGI application
    loaded.location = "/api/v1/schema/"
    return loaded


schema = wsgi_schema()


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_answers_within_the_schema(case: Any, api_world: dict[str, Any]) -> None:
    # Each case with the next token in turn: every operation's cases go through every role and scope.
    tokens = api_world["tokens"]
    raw = tokens[api_world["turn"] % len(tokens)]
    api_world["turn"] += 1
    case.call_and_validate(headers={"Authorization": f"Bearer {raw}"}, checks=CHECKS)
    real_id = api_world["ids"].get(case.operation.path)
    if real_id is not None and case.path_parameters and "id" in case.path_parameters:
        case.path_parameters = {**case.path_parameters, "id": real_id}
        case.call_and_validate(headers={"Authorization": f"Bearer {raw}"}, checks=CHECKS)


def test_the_schema_generates_without_warnings() -> None:
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull)


@pytest.mark.django_db
def test_the_schema_url_serves_the_tested_schema(client) -> None:
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert response.json() == served_schema()


def test_the_schema_covers_every_api_route() -> None:
    from tests.urlwalk import walk

    paths = set(served_schema()["paths"])
    routes = {
        "/" + r.pattern.replace("<int:pk>", "{id}")
        for r in walk()
        if r.pattern.startswith("api/v1/") and r.name not in ("api:schema", "api:docs")
    }
    assert routes == paths
