"""What the New SMS page reads: each thing once, however many groups and accounts the team has."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.messaging.factories import ContactFactory, ContactGroupFactory

pytestmark = pytest.mark.django_db


def group_with(team, *fields: dict[str, str]):
    group = ContactGroupFactory(team=team)
    for extra in fields:
        ContactFactory(team=team, fields=extra).groups.add(group)
    return group


def test_the_groups_placeholders_cost_the_same_queries_for_one_group_or_five(alice_client, sms_account, team_a) -> None:
    first = group_with(team_a, {"City": "İzmir"}, {"plate": "35"})
    alice_client.get(reverse("sms-new"))  # warm: the session and the balance card's first read
    with CaptureQueriesContext(connection) as one:
        response = alice_client.get(reverse("sms-new"))
    assert response.context["group_info"] == {str(first.pk): {"size": 2, "fields": ["city", "plate"]}}

    others = [group_with(team_a, {"order": str(n)}) for n in range(4)]
    empty = ContactGroupFactory(team=team_a)
    with CaptureQueriesContext(connection) as six:
        response = alice_client.get(reverse("sms-new"))
    assert len(six) == len(one)
    info = response.context["group_info"]
    assert info[str(empty.pk)] == {"size": 0, "fields": []}
    assert all(info[str(g.pk)] == {"size": 1, "fields": ["order"]} for g in others)
    assert f'id="{response.context["form"]["groups"].auto_id}"' in response.content.decode()


def test_the_page_reads_the_teams_accounts_once(alice_client, sms_account) -> None:
    alice_client.get(reverse("sms-new"))
    with CaptureQueriesContext(connection) as queries:
        page = alice_client.get(reverse("sms-new")).content.decode()
    reads = [q["sql"] for q in queries if 'FROM "accounts_provideraccount"' in q["sql"]]
    assert len(reads) == 1, reads
    assert f'<option value="{sms_account.pk}">{sms_account}</option>' in page  # the select still lists it
