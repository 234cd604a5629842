"""Every list of the URLconf under odd list parameters: never a 500, never an unbounded page.

The walk finds new lists by itself: any team view that answers GET is asked
for absurd page sizes, pages and sort keys.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.paginator import Page, Paginator
from django.http import HttpResponseBase
from django.test import RequestFactory
from django.urls import reverse
from django_tables2 import Table

from accounts.access import TeamView
from accounts.roles import Role
from core.lists import PER_PAGE_MAX, page_of, page_size, paginate_table
from messaging.models import Contact
from tests.conftest import client_for
from tests.factories import MembershipFactory, TeamFactory
from tests.team_objects import TEAM_OBJECT_FACTORIES
from tests.urlwalk import Route, buildable, walk

GET_ROUTES = [
    r
    for r in walk()
    if buildable(r) and r.view_class and issubclass(r.view_class, TeamView) and "get" in r.view_class.http_method_names
]

BAD_PARAMETERS = [
    "per_page=-1",
    "per_page=0",
    "per_page=1000000",
    "per_page=abc",
    "per_page=1e9",
    "page=abc",
    "page=-1",
    "page=0",
    "page=99999999999999999999999",
    "sort=bogus",
    "sort=-",
    "sort=name,,-bogus,__class__",
    "per_page=-1&page=abc&sort=bogus",
]


def _url(route: Route, team: Any) -> str:
    if "pk" in route.converters:
        obj = TEAM_OBJECT_FACTORIES[route.view_class.team_model](team)
        return route.url(pk=obj.pk)
    return route.url()


def _body(response: HttpResponseBase) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _paginators(response: Any) -> list[Paginator]:
    found: list[Paginator] = []
    for context in response.context or []:
        values = context.flatten().values() if hasattr(context, "flatten") else context.values()
        for value in values:
            if isinstance(value, Table) and getattr(value, "paginator", None) is not None:
                found.append(value.paginator)
            elif isinstance(value, Paginator):
                found.append(value)
            elif isinstance(value, Page):
                found.append(value.paginator)
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("route", GET_ROUTES, ids=lambda r: r.name)
def test_no_list_answers_500_to_odd_list_parameters(route: Route) -> None:
    team = TeamFactory()
    client = client_for(MembershipFactory(team=team, role=Role.OWNER).user)
    url = _url(route, team)
    for query in BAD_PARAMETERS:
        response = client.get(f"{url}?{query}")
        _body(response)
        assert response.status_code < 500, f"{url}?{query} answered {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", GET_ROUTES, ids=lambda r: r.name)
def test_no_list_shows_more_than_the_cap(route: Route) -> None:
    team = TeamFactory()
    client = client_for(MembershipFactory(team=team, role=Role.OWNER).user)
    response = client.get(f"{_url(route, team)}?per_page=1000000")
    for paginator in _paginators(response):
        assert paginator.per_page == PER_PAGE_MAX


def test_the_lists_of_the_portal_are_found_by_the_walk() -> None:
    names = {r.name for r in GET_ROUTES}
    assert {"sms-list", "sms-detail", "sms-contacts", "fax-list", "audit", "notifications"} <= names


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 50),
        ("per_page=10", 10),
        ("per_page=-1", 50),
        ("per_page=0", 50),
        ("per_page=x", 50),
        ("per_page=1000000", PER_PAGE_MAX),
        (f"per_page={PER_PAGE_MAX + 1}", PER_PAGE_MAX),
    ],
)
def test_the_page_size_is_bounded(query: str, expected: int) -> None:
    assert page_size(RequestFactory().get(f"/?{query}"), 50) == expected


@pytest.mark.parametrize(("query", "number"), [("page=abc", 1), ("page=-3", 1), ("page=2", 2), ("page=99", 3)])
def test_a_plain_list_falls_back_to_a_page_that_exists(query: str, number: int) -> None:
    page = page_of(RequestFactory().get(f"/?{query}"), list(range(25)), per_page=10)
    assert page.number == number


@pytest.mark.django_db
def test_a_table_page_is_bounded_and_a_page_past_the_end_is_the_last(team_a) -> None:
    from messaging.tables import ContactTable

    Contact.objects.bulk_create(Contact(team=team_a, phone=f"+90532111{i:04d}") for i in range(450))
    table = ContactTable(team_a.contacts.all())
    paginate_table(RequestFactory().get("/?per_page=1000000&page=9"), table, per_page=50)
    assert (table.paginator.per_page, table.page.number, len(table.page.object_list)) == (PER_PAGE_MAX, 3, 50)


@pytest.mark.django_db
def test_the_table_pager_speaks_turkish(alice_client, team_a) -> None:
    Contact.objects.bulk_create(Contact(team=team_a, phone=f"+90532111{i:04d}") for i in range(120))
    alice_client.post(reverse("set_language"), {"language": "tr", "next": "/"})
    html = alice_client.get(reverse("sms-contacts") + "?page=2").content.decode()
    pager = html[html.index('<ul class="pagination') :]
    pager = pager[: pager.index("</ul>")]
    words = " ".join(re.sub(r"<[^>]+>|&[a-z]+;|\d+", " ", pager).split())
    assert words == "Önceki sayfa Sonraki sayfa"


@pytest.mark.django_db
def test_every_opt_out_can_be_reached_page_by_page(alice_client, team_a) -> None:
    from messaging.models import OptOut

    OptOut.objects.bulk_create(OptOut(team=team_a, phone=f"+90532111{i:04d}") for i in range(620))
    seen: set[int] = set()
    page_number = 1
    while True:
        page = alice_client.get(reverse("sms-opt-outs"), {"page": page_number, "per_page": 200}).context["opt_outs"]
        seen |= {o.pk for o in page.object_list}
        if not page.has_next():
            break
        page_number += 1
    assert (len(seen), page_number) == (620, 4)
