"""One date format per language on every page, times in the team's zone (which the page says)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.test import Client

from accounts.audit import audit_record
from accounts.models import Team, User
from tests.conftest import client_for
from tests.messaging.factories import SmsBatchFactory

# 21:05 UTC is 00:05 the next day in Istanbul: the date itself must move with the zone.
MOMENT = datetime(2026, 11, 30, 21, 5, 9, tzinfo=UTC)
EXPECTED = {"en": "2026-12-01 00:05", "tr": "01.12.2026 00:05"}
NOT_EXPECTED = ("2026-11-30 21:05", "Dec. 1, 2026", "12/01/2026", "1 Aralık 2026")


def in_language(user: User, language: str) -> Client:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def batch(team_a: Team):
    batch = SmsBatchFactory(team=team_a)
    type(batch).objects.filter(pk=batch.pk).update(created_at=MOMENT)
    return batch


@pytest.mark.parametrize("language", ["en", "tr"])
@pytest.mark.parametrize("page", ["list", "detail"])
def test_sms_pages_use_the_language_s_one_format(alice: User, batch, language: str, page: str) -> None:
    url = "/sms/" if page == "list" else f"/sms/{batch.pk}/"

    html = in_language(alice, language).get(url).content.decode()

    assert EXPECTED[language] in html
    assert not [text for text in NOT_EXPECTED if text in html]


@pytest.mark.parametrize("language", ["en", "tr"])
def test_the_audit_log_uses_the_language_s_format_with_seconds(alice: User, team_a: Team, language: str) -> None:
    event = audit_record(team=team_a, actor=alice, action="team.update")
    type(event).objects.filter(pk=event.pk).update(created_at=MOMENT)

    html = in_language(alice, language).get("/team/audit/").content.decode()

    assert {"en": "2026-12-01 00:05:09", "tr": "01.12.2026 00:05:09"}[language] in html


def test_pages_say_which_time_zone_their_times_are_in(alice: User, team_a: Team) -> None:
    html = client_for(alice).get("/sms/").content.decode()

    assert "Times are shown in Europe/Istanbul (UTC+0300)" in html
