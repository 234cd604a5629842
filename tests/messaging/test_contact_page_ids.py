"""The contacts page holds several forms: every element id on it is unique (labels and ARIA rely on them)."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.messaging.factories import ContactFactory, ContactGroupFactory, ContactImportFactory

pytestmark = pytest.mark.django_db


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.label_targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(values["id"] or "")
        if tag == "label" and values.get("for"):
            self.label_targets.append(values["for"] or "")


def _parse(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("query", ["", "?q=x&group=1", "?q="])
def test_every_id_on_the_contacts_page_is_unique(alice_client, team_a, query: str) -> None:
    ContactGroupFactory(team=team_a)
    ContactFactory(team=team_a)
    ContactImportFactory(team=team_a)
    page = _parse(alice_client.get(reverse("sms-contacts") + query).content.decode())
    assert [i for i, n in Counter(page.ids).items() if n > 1] == []
    assert set(page.label_targets) <= set(page.ids), "every label points at an element of the page"


def test_ids_stay_unique_when_a_form_comes_back_with_errors(alice_client, team_a) -> None:
    ContactGroupFactory(team=team_a)
    response = alice_client.post(reverse("sms-contacts"), {"form": "group", "name": ""})
    assert response.status_code == 400
    page = _parse(response.content.decode())
    assert [i for i, n in Counter(page.ids).items() if n > 1] == []
