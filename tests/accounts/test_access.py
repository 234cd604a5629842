"""Access, for every URL the project has: login, role and team checks.

New views join these tests by themselves: a new URL must redirect anonymous
users to the login page unless it is listed in PUBLIC; a new team view must
declare ``permission`` (and ``team_model`` when its URL carries an object id),
and its model must have a factory in ``tests.factories.TEAM_OBJECT_FACTORIES``.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.access import TeamView
from accounts.roles import TEAM_ADJUSTABLE, Role, role_has
from api.base import TeamAPIView
from api.scopes import Scope, scope_allows
from api.tokens import token_create
from tests.conftest import client_for
from tests.factories import MembershipFactory, TeamFactory
from tests.team_objects import TEAM_OBJECT_FACTORIES
from tests.urlwalk import API_PUBLIC, Route, api_methods, buildable, is_api, walk

# URLs anyone may open. Everything else requires a signed-in user.
PUBLIC = {
    "login",
    "logout",
    "healthz",
    # A 404 until METRICS_TOKEN or METRICS_ALLOWED_IPS is set, then a token or address (tests/test_operations.py).
    "metrics",
    "set_language",
    "invitation-accept",
    "password-reset",
    "password-reset-done",
    "password-reset-confirm",
    "password-reset-complete",
    "sso-choose",
    "sso-start",
    "sso-callback",
    "admin:login",
    "admin:logout",
    # The links in a received fax's mail: signed, the document's expiring (tests/fax_to_email/).
    "fax-mail-opt-out-link",
    "fax-mail-document",
}

ROUTES = [r for r in walk() if buildable(r)]
TEAM_ROUTES = [r for r in ROUTES if r.view_class and issubclass(r.view_class, TeamView)]
OBJECT_ROUTES = [r for r in TEAM_ROUTES if "pk" in r.converters]
# The REST API's routes: signed in by a token (role AND scope), never by the session.
API_ROUTES = [r for r in ROUTES if is_api(r) and r.name not in API_PUBLIC]
API_OBJECT_ROUTES = [r for r in API_ROUTES if "pk" in r.converters]


def allowed_methods(route: Route) -> list[str]:
    view = route.view_class
    assert view is not None
    return [m.upper() for m in ("get", "post") if m in view.http_method_names and hasattr(view, m)]


def test_every_url_can_be_built_for_the_walk() -> None:
    unbuildable = [r.pattern for r in walk() if not buildable(r) and not r.pattern.startswith("admin/")]
    assert unbuildable == []


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if r.name not in PUBLIC and not is_api(r)], ids=lambda r: r.name)
def test_every_non_public_url_sends_anonymous_users_to_log_in(route: Route) -> None:
    response = Client().get(route.url())
    assert response.status_code == 302, f"{route.pattern} answered {response.status_code}"
    assert response["Location"].startswith((reverse("login"), reverse("admin:login")))


def test_public_urls_are_only_the_listed_ones() -> None:
    names = {r.name for r in ROUTES}
    assert names >= PUBLIC, f"listed as public but gone: {PUBLIC - names}"


def test_every_view_with_an_id_in_its_url_is_team_scoped() -> None:
    for route in ROUTES:
        if "pk" in route.converters and not route.pattern.startswith("admin/"):
            assert route.view_class and issubclass(route.view_class, TeamView | TeamAPIView), route.pattern
            assert route.view_class.team_model is not None, f"{route.pattern} needs team_model"
            assert route.view_class.team_model in TEAM_OBJECT_FACTORIES, (
                f"add a factory for {route.view_class.team_model.__name__} to TEAM_OBJECT_FACTORIES"
            )


def _url_in(route: Route, team) -> str:
    if "pk" in route.converters:
        obj = TEAM_OBJECT_FACTORIES[route.view_class.team_model](team)
        return route.url(pk=obj.pk)
    return route.url()


MATRIX = [(route, role, method) for route in TEAM_ROUTES for role in Role for method in allowed_methods(route)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "role", "method"), MATRIX, ids=[f"{r.name}-{role.value}-{m}" for r, role, m in MATRIX]
)
def test_role_matrix(route: Route, role: Role, method: str) -> None:
    team = TeamFactory()
    user = MembershipFactory(team=team, role=role).user
    url = _url_in(route, team)
    response = getattr(client_for(user), method.lower())(url)
    needed = route.view_class.required_permission(route.view_class(), method)
    if role_has(role, needed):
        assert response.status_code not in (403, 404, 500), f"{role} {method} {url}: {response.status_code}"
    else:
        assert response.status_code == 403, f"{role} {method} {url}: {response.status_code}"


# Permissions the owner may move per team: the same walk with the lowest roles moved both ways.
OVERRIDES = [
    {"listen_recordings": "viewer", "download_recordings": "viewer"},
    {"listen_recordings": "owner", "download_recordings": "owner"},
]
ADJUSTABLE_MATRIX = [
    (route, role, method, overrides)
    for route in TEAM_ROUTES
    for method in allowed_methods(route)
    if route.view_class.required_permission(route.view_class(), method) in TEAM_ADJUSTABLE
    for role in Role
    for overrides in OVERRIDES
]


def test_the_adjustable_walk_is_not_empty() -> None:
    assert {r.name for r, *_ in ADJUSTABLE_MATRIX} >= {"calls-recording"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "role", "method", "overrides"),
    ADJUSTABLE_MATRIX,
    ids=[f"{r.name}-{role.value}-{m}-{o['listen_recordings']}" for r, role, m, o in ADJUSTABLE_MATRIX],
)
def test_role_matrix_follows_the_teams_overrides(route: Route, role: Role, method: str, overrides: dict) -> None:
    team = TeamFactory(permission_overrides=overrides)
    user = MembershipFactory(team=team, role=role).user
    url = _url_in(route, team)
    response = getattr(client_for(user), method.lower())(url)
    needed = route.view_class.required_permission(route.view_class(), method)
    if role_has(role, needed, overrides):
        assert response.status_code not in (403, 404, 500), f"{role} {method} {url}: {response.status_code}"
    else:
        assert response.status_code == 403, f"{role} {method} {url}: {response.status_code}"


CROSS = [(route, method) for route in OBJECT_ROUTES for method in allowed_methods(route)]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method"), CROSS, ids=[f"{r.name}-{m}" for r, m in CROSS])
def test_another_teams_object_is_not_found(route: Route, method: str) -> None:
    mine, theirs = TeamFactory(), TeamFactory()
    owner = MembershipFactory(team=mine, role=Role.OWNER).user
    url = _url_in(route, theirs)
    response = getattr(client_for(owner), method.lower())(url)
    assert response.status_code == 404


# --- the REST API: the same walk with tokens --------------------------------------


def test_every_api_route_is_a_token_view() -> None:
    assert API_ROUTES, "the API has routes"
    for route in API_ROUTES:
        assert route.view_class and issubclass(route.view_class, TeamAPIView), route.pattern


def _api_url_in(route: Route, team) -> str:
    if "pk" in route.converters:
        obj = TEAM_OBJECT_FACTORIES[route.view_class.team_model](team)
        return route.url(pk=obj.pk)
    return route.url()


def _api_call(client: Client, method: str, url: str, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if method in ("POST", "PUT", "PATCH"):
        return getattr(client, method.lower())(url, "{}", "application/json", headers=headers)
    return getattr(client, method.lower())(url, headers=headers)


API_ANONYMOUS = [(route, method) for route in API_ROUTES for method in api_methods(route)]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method"), API_ANONYMOUS, ids=[f"{r.name}-{m}" for r, m in API_ANONYMOUS])
def test_every_api_route_answers_401_without_a_token(route: Route, method: str) -> None:
    response = _api_call(Client(), method, _api_url_in(route, TeamFactory()), None)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


API_MATRIX = [
    (route, role, scope, method)
    for route in API_ROUTES
    for role in Role
    for scope in Scope
    for method in api_methods(route)
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "role", "scope", "method"),
    API_MATRIX,
    ids=[f"{r.name}-{role.value}-{scope.value}-{m}" for r, role, scope, m in API_MATRIX],
)
def test_api_role_and_scope_matrix(route: Route, role: Role, scope: Scope, method: str) -> None:
    team = TeamFactory()
    member = MembershipFactory(team=team, role=role)
    token = token_create(membership=member, name="walk", scope=scope, days=1).raw
    url = _api_url_in(route, team)
    response = _api_call(Client(), method, url, token)
    needed = route.view_class.required_permission(route.view_class(), method)
    if role_has(role, needed) and scope_allows(scope, needed):
        assert response.status_code not in (401, 403, 404, 500), (
            f"{role}/{scope} {method} {url}: {response.status_code}"
        )
    else:
        assert response.status_code == 403, f"{role}/{scope} {method} {url}: {response.status_code}"
        assert response.json()["error"]["code"] == "permission_denied"


API_ADJUSTABLE_MATRIX = [
    (route, role, method, overrides)
    for route in API_ROUTES
    for method in api_methods(route)
    if route.view_class.required_permission(route.view_class(), method) in TEAM_ADJUSTABLE
    for role in Role
    for overrides in OVERRIDES
]


def test_the_api_adjustable_walk_is_not_empty() -> None:
    assert API_ADJUSTABLE_MATRIX, "the API serves recordings"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "role", "method", "overrides"),
    API_ADJUSTABLE_MATRIX,
    ids=[f"{r.name}-{role.value}-{m}-{o['listen_recordings']}" for r, role, m, o in API_ADJUSTABLE_MATRIX],
)
def test_api_role_matrix_follows_the_teams_overrides(route: Route, role: Role, method: str, overrides: dict) -> None:
    team = TeamFactory(permission_overrides=overrides)
    token = token_create(membership=MembershipFactory(team=team, role=role), name="walk", scope="read", days=1).raw
    url = _api_url_in(route, team)
    response = _api_call(Client(), method, url, token)
    needed = route.view_class.required_permission(route.view_class(), method)
    if role_has(role, needed, overrides):
        assert response.status_code not in (401, 403, 404, 500), f"{role} {method} {url}: {response.status_code}"
    else:
        assert response.status_code == 403, f"{role} {method} {url}: {response.status_code}"


API_CROSS = [(route, method) for route in API_OBJECT_ROUTES for method in api_methods(route)]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method"), API_CROSS, ids=[f"{r.name}-{m}" for r, m in API_CROSS])
def test_another_teams_object_is_not_found_through_the_api(route: Route, method: str) -> None:
    mine, theirs = TeamFactory(), TeamFactory()
    token = token_create(membership=MembershipFactory(team=mine, role=Role.OWNER), name="x", scope="admin", days=1).raw
    url = _api_url_in(route, theirs)
    response = _api_call(Client(), method, url, token)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_a_missing_id_is_not_found_too(alice_client: Client) -> None:
    assert alice_client.get(reverse("provider-edit", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_a_viewer_posting_to_an_operator_action_is_forbidden(bob_client: Client) -> None:
    assert bob_client.post(reverse("sms-new"), {"text": "hello"}).status_code == 403
    assert bob_client.post(reverse("fax-new")).status_code == 403


@pytest.mark.django_db
def test_forms_reject_posts_without_csrf_token(alice) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("member-invite"), {"email": "x@example.com", "role": "viewer"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_user_without_a_team_is_asked_to_create_one(member_of) -> None:
    from tests.factories import UserFactory

    client = client_for(UserFactory())
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("team-create")


def test_the_team_lifecycle_pages_are_in_the_walk() -> None:
    walked = {r.name for r in TEAM_ROUTES}
    assert {"team-transfer", "team-leave", "team-delete"} <= walked
