"""Contacts in Turkish alphabetical order, sorted by the database (PostgreSQL's ICU, SQLite's own collation)."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from core.collation import sort_key
from messaging.models import Contact

pytestmark = pytest.mark.django_db

TURKISH_ORDER = ["Cem", "Çağla", "Gül", "Ğ Harfi", "Hakan", "ılık", "Irmak", "İpek", "iz", "Oya", "Ömer", "Sema",
                 "Şule", "Umut", "Ülkü", "Zeynep"]  # fmt: skip


@pytest.fixture
def contacts(team_a) -> None:
    names = TURKISH_ORDER[:]
    random.Random(7).shuffle(names)
    Contact.objects.bulk_create(Contact(team=team_a, name=n, phone=f"+9053210000{i:02d}") for i, n in enumerate(names))


def test_the_database_sorts_contacts_in_turkish_order(contacts) -> None:
    assert [c.name for c in Contact.objects.all()] == TURKISH_ORDER


def test_the_contact_list_sorts_both_ways_in_turkish_order(alice_client, contacts) -> None:
    def names(query: str) -> list[str]:
        table = alice_client.get(reverse("sms-contacts") + query).context["table"]
        return [row.record.name for row in table.page.object_list]

    assert names("") == TURKISH_ORDER
    assert names("?sort=name") == TURKISH_ORDER
    assert names("?sort=-name") == TURKISH_ORDER[::-1]


def test_the_sqlite_fallback_agrees_with_the_alphabet() -> None:
    assert sorted(reversed(TURKISH_ORDER), key=sort_key) == TURKISH_ORDER
    assert sorted(["b", "B", "a", "A"], key=sort_key) == ["a", "A", "b", "B"]
