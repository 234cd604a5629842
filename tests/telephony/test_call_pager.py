"""The calls list has one pager, a keyset one, that shows every row exactly once both ways in every sort order."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from telephony.models import CallRecord
from telephony.selectors import PAGE_SIZE, SORTS
from tests.factories import ProviderAccountFactory

pytestmark = pytest.mark.django_db

ROWS = 2 * PAGE_SIZE + 37
SORT_ORDERS = [prefix + name for name in SORTS for prefix in ("", "-")]
_ROW = re.compile(r'<a href="/calls/(\d+)/">')
_LINK = re.compile(r'<a [^>]*href="([^"]*)"[^>]*rel="(next|prev)"')


@pytest.fixture
def calls_with_ties(team_a) -> list[CallRecord]:
    """Few distinct values in every sortable column, so most rows tie with others in the sort column."""
    account = ProviderAccountFactory(team=team_a, label="Main line")
    moment = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    return CallRecord.objects.bulk_create(
        CallRecord(
            team=team_a, account=account, source="pbx", provider_id=f"p{i}",
            start=moment + timedelta(minutes=i % 4), duration=i % 5, caller=f"+90532000000{i % 3}",
            callee=str(100 + i % 2), disposition="answered", raw={},
        )
        for i in range(ROWS)
    )  # fmt: skip


def _shown_ids(content: str) -> list[int]:
    """The calls of the table's rows, in order (each row's start links to its call)."""
    body = content.split('data-testid="calls-table"')[1].split("<tbody")[1].split("</tbody>")[0]
    return [int(pk) for pk in _ROW.findall(body)]


def _links(content: str) -> dict[str, str]:
    return {rel: html.unescape(href) for href, rel in _LINK.findall(content)}


def _walk(client, url: str, rel: str) -> tuple[list[list[int]], str]:
    """Follows the pager's ``rel`` links from ``url`` to the end: the ids of every page, and the last URL."""
    pages = []
    while True:
        response = client.get(url)
        assert response.status_code == 200
        content = response.content.decode()
        assert 'class="pagination' not in content, "a second pager is back"
        assert content.count('rel="next"') <= 1 and content.count('rel="prev"') <= 1
        shown = _shown_ids(content)  # what the table draws, not only what the view selected
        assert shown == [row.pk for row in response.context["page"].rows]
        pages.append(shown)
        following = _links(content).get(rel)
        if following is None:
            return pages, url
        url = reverse("calls-list") + following
        assert len(pages) <= ROWS, "the pager goes round in circles"


@pytest.mark.parametrize("sort", SORT_ORDERS)
def test_every_call_is_on_exactly_one_page_forward_and_backward(alice_client, calls_with_ties, sort) -> None:
    field = SORTS[sort.lstrip("-")]
    ordering = [f"-{field}", "-id"] if sort.startswith("-") else [field, "id"]
    expected = list(CallRecord.objects.order_by(*ordering).values_list("pk", flat=True))
    assert len(expected) == ROWS

    first_url = f"{reverse('calls-list')}?preset=all&sort={sort}"
    forward, last_url = _walk(alice_client, first_url, "next")
    assert [len(page) for page in forward] == [PAGE_SIZE, PAGE_SIZE, ROWS - 2 * PAGE_SIZE]
    assert [pk for page in forward for pk in page] == expected

    backward, _ = _walk(alice_client, last_url, "prev")
    assert backward[-1] == forward[0]  # back on the first page, which offers no "Newer"
    seen = [pk for page in reversed(backward) for pk in page]
    assert sorted(seen) == sorted(expected) and len(set(seen)) == ROWS
    assert seen == expected


def test_the_pages_of_a_filtered_list_keep_their_filters(alice_client, calls_with_ties) -> None:
    url = f"{reverse('calls-list')}?preset=all&sort=caller&number=%2B905320000001&match=prefix"
    pages, _ = _walk(alice_client, url, "next")
    wanted = set(CallRecord.objects.filter(caller="+905320000001").values_list("pk", flat=True))
    seen = [pk for page in pages for pk in page]
    assert len(seen) == len(wanted) and set(seen) == wanted


def test_a_sort_header_starts_its_order_from_the_first_page(alice_client, calls_with_ties) -> None:
    second = alice_client.get(reverse("calls-list") + "?preset=all&sort=duration")
    after = _links(second.content.decode())["next"]
    # Same column, other direction: the cursor marks a place in another sequence.
    flipped = alice_client.get(reverse("calls-list") + after.replace("sort=duration", "sort=-duration"))
    page = flipped.context["page"]
    assert page.prev_cursor is None
    assert page.rows[0].pk == CallRecord.objects.order_by("-duration", "-id").first().pk
