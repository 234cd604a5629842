"""What every page reads before its own work: one read of the member's teams, the second-factor flag and
the bell's count kept in the cache until they change, sessions from the cache when it is shared — and none
of it ever lets a change wait: a removed member, a new role, a switched team, a device added or a session
ended elsewhere all count on the very next request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, Role
from accounts.two_factor import has_two_factor
from accounts.user_sessions import other_sessions_end
from core.cached_reads import cached_read, cached_read_forget
from notifications.services import notifications_mark_read
from tests.conftest import client_for
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def queries_on(client: Client, path: str, table: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    page = response.content.decode() if response.status_code == 200 else ""
    return sum(f'"{table}"' in q["sql"] for q in queries), page


def test_a_page_reads_the_members_teams_once_and_the_switcher_lists_them(alice, team_a) -> None:
    other = TeamFactory(name="Another team")
    MembershipFactory(team=other, user=alice, role=Role.VIEWER)
    count, page = queries_on(client_for(alice), reverse("dashboard"), "accounts_membership")
    assert count == 1
    assert 'id="team-switch"' in page and ">Another team<" in page and ">Team A<" in page


def test_a_removed_member_loses_the_team_on_the_next_request(bob, bob_client, team_a) -> None:
    assert bob_client.get(reverse("calls-list")).status_code == 200
    Membership.objects.filter(user=bob, team=team_a).delete()
    response = bob_client.get(reverse("calls-list"))
    assert response.status_code == 302 and response["Location"] == reverse("team-create")


def test_a_new_role_counts_on_the_next_request(bob, bob_client, team_a) -> None:
    assert bob_client.get(reverse("members")).status_code == 403
    Membership.objects.filter(user=bob, team=team_a).update(role=Role.OWNER)
    assert bob_client.get(reverse("members")).status_code == 200


def test_switching_teams_shows_the_other_team_at_once(alice, alice_client, team_a) -> None:
    other = TeamFactory(name="Zulu team")  # after Team A: not the team a new session starts in
    MembershipFactory(team=other, user=alice, role=Role.OWNER)
    NotificationFactory(team=other, message="Only in the other team")
    assert "Only in the other team" not in alice_client.get(reverse("notifications")).content.decode()
    alice_client.post(reverse("team-switch"), {"team": other.pk})
    page = alice_client.get(reverse("notifications")).content.decode()
    assert "Only in the other team" in page and 'data-testid="notification-count">1<' in page


def test_the_bell_is_read_once_then_follows_new_and_read_notifications(alice, alice_client, bob, team_a) -> None:
    NotificationFactory.create_batch(2, team=team_a)
    count, page = queries_on(alice_client, reverse("dashboard"), "notifications_notification")
    assert count == 1 and 'data-testid="notification-count">2<' in page
    count, page = queries_on(alice_client, reverse("dashboard"), "notifications_notification")
    assert count == 0 and 'data-testid="notification-count">2<' in page

    NotificationFactory(team=team_a, recipient=alice)  # hers alone
    assert 'data-testid="notification-count">3<' in alice_client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="notification-count">2<' in client_for(bob).get(reverse("dashboard")).content.decode()

    notifications_mark_read(team=team_a, user=alice)
    assert 'data-testid="notification-count"' not in alice_client.get(reverse("dashboard")).content.decode()


def test_a_panel_loaded_by_htmx_does_not_read_the_bell_it_does_not_show(alice_client, team_a) -> None:
    NotificationFactory(team=team_a)
    count, page = queries_on(alice_client, reverse("dashboard-faxes"), "notifications_notification")
    assert count == 0 and page and "notification-bell" not in page


def test_a_device_confirmed_in_another_browser_logs_this_session_out_at_once(alice, alice_client) -> None:
    count, _ = queries_on(alice_client, reverse("dashboard"), "otp_totp_totpdevice")
    assert count == 1
    count, _ = queries_on(alice_client, reverse("dashboard"), "otp_totp_totpdevice")
    assert count == 0  # kept in the cache

    device = TOTPDevice.objects.create(user=alice, name="authenticator", confirmed=False)
    assert alice_client.get(reverse("dashboard")).status_code == 200  # not confirmed yet: nothing changes
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    response = alice_client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("login")


def test_a_value_read_while_a_change_was_made_is_not_kept(settings) -> None:
    reads: list[int] = []

    def read_while_changing() -> int:
        reads.append(1)
        if len(reads) == 1:
            cached_read_forget("scope")  # written (and committed) between the read and the store
        return len(reads)

    assert cached_read("scope", "value", read_while_changing, seconds=60) == 1
    assert cached_read("scope", "value", read_while_changing, seconds=60) == 2
    assert cached_read("scope", "value", read_while_changing, seconds=60) == 2  # now kept

    settings.CACHE_SHARED = False  # a per-process cache: never trusted, read every time
    assert cached_read("scope", "value", read_while_changing, seconds=60) == 3


@pytest.fixture
def cached_sessions(settings) -> Iterator[None]:
    settings.SESSION_ENGINE = "core.sessions"
    yield


def logged_in(email: str) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": email, "password": TEST_PASSWORD}).status_code == 302
    return client


def test_a_cached_session_costs_no_query_and_ends_elsewhere_at_once(cached_sessions, alice) -> None:
    laptop, phone = logged_in("alice@example.com"), logged_in("alice@example.com")
    laptop.get(reverse("dashboard"))
    count, page = queries_on(laptop, reverse("dashboard"), "django_session")
    assert count == 0 and "alice@example.com" in page

    other_sessions_end(user=alice, current_key=laptop.session.session_key)
    response = phone.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert laptop.get(reverse("dashboard")).status_code == 200


def test_a_cached_session_logged_out_is_gone(cached_sessions, alice) -> None:
    laptop = logged_in("alice@example.com")
    key = laptop.cookies["sessionid"].value
    laptop.post(reverse("logout"))
    stolen = Client()
    stolen.cookies["sessionid"] = key
    response = stolen.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


DEAD_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_a_page_is_still_served_from_the_database_when_the_cache_does_not_answer(
    cached_sessions, alice, team_a
) -> None:
    laptop = logged_in("alice@example.com")
    NotificationFactory(team=team_a)
    with override_settings(CACHES=DEAD_CACHE):
        page = laptop.get(reverse("notifications"))
        assert page.status_code == 200 and 'data-testid="notification-count">1<' in page.content.decode()
        assert not has_two_factor(alice)
        TOTPDevice.objects.create(user=alice, name="authenticator", confirmed=True)  # forgetting it fails, logged
        assert has_two_factor(alice)  # read from the database while the cache is down


def test_a_device_added_while_the_cache_could_not_be_told_counts_within_a_minute(alice, monkeypatch) -> None:
    from datetime import UTC, datetime, timedelta

    import time_machine
    from django.core.cache.backends.locmem import LocMemCache

    assert not has_two_factor(alice)  # kept in the cache
    kept_set = LocMemCache.set

    def generation_write_fails(self, key, *args, **kwargs):
        if ":gen:" in key:
            raise ConnectionError("the cache failed during the write")
        return kept_set(self, key, *args, **kwargs)

    with monkeypatch.context() as failing:
        failing.setattr(LocMemCache, "set", generation_write_fails)
        TOTPDevice.objects.create(user=alice, name="authenticator", confirmed=True)  # forgetting it fails, logged
    assert not has_two_factor(alice)  # the cache still holds the value from before the device
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=61), tick=False):
        assert has_two_factor(alice)
