"""The list pages' filter sets make their form class once (core/filtersets.py); each request still has its own
fields, and a team's selects list only its own accounts and groups."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from fax.filters import FaxFilter
from messaging.filters import BatchFilter, ContactFilter, RecipientFilter
from telephony.filters import CallFilter
from telephony.models import CallRecord
from tests.factories import ProviderAccountFactory
from tests.messaging.factories import ContactGroupFactory

pytestmark = pytest.mark.django_db


def test_one_form_class_per_filter_set_and_fields_of_its_own_per_request(team_a, team_b) -> None:
    first = CallFilter(QueryDict(), queryset=CallRecord.objects.all(), team=team_a)
    second = CallFilter(QueryDict(), queryset=CallRecord.objects.all(), team=team_b)
    assert type(first.form) is type(second.form)
    assert first.form.fields["account"] is not second.form.fields["account"]
    assert type(FaxFilter(team=team_a).form) is type(FaxFilter(team=team_b).form)
    assert type(ContactFilter(team=team_a).form) is type(ContactFilter(team=team_b).form)
    assert type(BatchFilter().form) is type(BatchFilter().form)
    assert type(RecipientFilter().form) is type(RecipientFilter().form)


def test_each_teams_selects_list_its_own_accounts_and_groups_only(team_a, team_b) -> None:
    ours = ProviderAccountFactory(team=team_a, kind="pasifik", label="Ours")
    theirs = ProviderAccountFactory(team=team_b, kind="pasifik", label="Theirs")
    our_group, their_group = ContactGroupFactory(team=team_a), ContactGroupFactory(team=team_b)
    for team, mine, other in ((team_a, ours, theirs), (team_b, theirs, ours)):  # each team in turn, the same class
        calls = CallFilter(QueryDict(f"account={other.pk}"), queryset=CallRecord.objects.all(), team=team)
        assert [value for value, _ in calls.form.fields["account"].choices][1:] == [mine.pk]
        assert not calls.is_valid() and "account" in calls.form.errors
        faxes = FaxFilter(QueryDict(f"account={other.pk}"), team=team)
        assert [value for value, _ in faxes.form.fields["account"].choices][1:] == [mine.pk]
        assert not faxes.is_valid()
    for team, mine, other in ((team_a, our_group, their_group), (team_b, their_group, our_group)):
        contacts = ContactFilter(QueryDict(f"group={other.pk}"), team=team)
        assert [value for value, _ in contacts.form.fields["group"].choices][1:] == [mine.pk]
        assert not contacts.is_valid()
