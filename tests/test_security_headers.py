"""Security headers on every page, and no inline script anywhere (the CSP forbids it).

Walks the whole URLconf as a team owner, like tests/accounts/test_access.py, so a
new page is checked without anyone listing it.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from tests.conftest import client_for
from tests.factories import MembershipFactory, TeamFactory
from tests.team_objects import TEAM_OBJECT_FACTORIES
from tests.urlwalk import Route, buildable, walk

ROOT = Path(__file__).resolve().parent.parent
GET_ROUTES = [
    r
    for r in walk()
    if buildable(r) and (r.view_class is None or "get" in getattr(r.view_class, "http_method_names", ["get"]))
]


class InlineCodeFinder(HTMLParser):
    """Collects ``<script>`` elements without ``src`` and ``on…=`` event handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower() for name, _value in attrs}
        if tag == "script" and "src" not in names:
            script_type = dict(attrs).get("type") or ""
            if script_type not in ("application/json", "application/ld+json"):  # data, never executed
                self.problems.append(f"inline <script> at line {self.getpos()[0]}")
        self.problems += [f"{name}= on <{tag}> at line {self.getpos()[0]}" for name in names if name.startswith("on")]
        for name, value in attrs:
            is_url = name in ("href", "src", "action", "formaction")
            if is_url and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}> at line {self.getpos()[0]}")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.problems


def test_the_finder_catches_inline_scripts_and_handlers() -> None:
    assert inline_code('<script src="/static/a.js"></script><script type="application/json">{}</script>') == []
    assert len(inline_code("<script>alert(1)</script>")) == 1
    assert len(inline_code('<button onclick="x()">a</button><body onload="y()">')) == 2
    assert len(inline_code('<a href="javascript:void(0)">a</a>')) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("route", GET_ROUTES, ids=lambda r: r.name)
def test_every_page_sends_the_csp_and_carries_no_inline_script(route: Route) -> None:
    team = TeamFactory()
    owner = MembershipFactory(team=team, role=Role.OWNER).user
    model = getattr(route.view_class, "team_model", None)
    if "pk" in route.converters and model is not None:
        if model not in TEAM_OBJECT_FACTORIES:
            pytest.skip(f"{route.pattern}: no factory for its team_model yet (tests/accounts/test_access.py says so)")
        url = route.url(pk=TEAM_OBJECT_FACTORIES[model](team).pk)
    else:
        url = route.url()
    response = client_for(owner).get(url)
    policy = response.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy, f"{url} answered {response.status_code} without the CSP"
    assert "frame-ancestors 'none'" in policy
    content_type = response.get("Content-Type", "")
    if response.status_code == 200 and content_type.startswith("text/html") and not response.streaming:
        assert inline_code(response.content.decode()) == [], url


def test_the_policy_never_allows_inline_or_evaluated_scripts() -> None:
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["default-src"]
    assert directives["object-src"] == ["'none'"]


def test_no_template_in_the_project_has_inline_script() -> None:
    # Also covers states the page walk does not reach (errors, empty lists, emails).
    templates = [
        path
        for path in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and "site-packages" not in path.parts
    ]
    assert templates
    problems = {str(p.relative_to(ROOT)): found for p in templates if (found := inline_code(p.read_text()))}
    assert problems == {}


@pytest.mark.django_db
def test_pages_send_the_other_security_headers(settings) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000  # production's value (a local .env may say DEBUG=1)
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"].startswith(f"max-age={settings.SECURE_HSTS_SECONDS}")
    assert "includeSubDomains" in response["Strict-Transport-Security"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_static_files_and_health_checks_get_the_headers_too() -> None:
    response = Client().get(reverse("healthz"))
    assert "Content-Security-Policy" in response
    assert "Permissions-Policy" in response


ADMIN_PAGES = [r for r in GET_ROUTES if r.name.startswith("admin:") and not r.converters]


@pytest.mark.django_db
@pytest.mark.parametrize("route", ADMIN_PAGES, ids=lambda r: r.name)
def test_the_admin_pages_carry_no_inline_script_either(route: Route) -> None:
    from tests.factories import UserFactory

    response = client_for(UserFactory(is_staff=True, is_superuser=True)).get(route.url())
    assert "script-src 'self'" in response.get("Content-Security-Policy", "")
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        assert inline_code(response.content.decode()) == [], route.url()
