"""The bell, the notifications page, and the team's notification address."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent
from notifications.models import Notification
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_the_bell_shows_the_unread_count_and_links_to_the_page(alice_client, team_a, team_b) -> None:
    page = alice_client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="notification-bell"' in page and 'data-testid="notification-count"' not in page

    NotificationFactory.create_batch(3, team=team_a)
    NotificationFactory(team=team_a, read_at="2026-01-01T00:00:00Z")
    NotificationFactory(team=team_b)
    page = alice_client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="notification-count">3<' in page
    assert f'href="{reverse("notifications")}"' in page


def test_the_bell_reads_a_bounded_number_of_rows_not_a_count(alice_client, team_a) -> None:
    NotificationFactory.create_batch(101, team=team_a)
    with CaptureQueriesContext(connection) as queries:
        page = alice_client.get(reverse("notifications")).content.decode()
    assert 'data-testid="notification-count">99+<' in page
    bell = [q["sql"] for q in queries if "notifications_notification" in q["sql"] and "LIMIT 100" in q["sql"]]
    assert len(bell) == 1 and "COUNT" not in bell[0].upper()


def test_the_page_lists_the_teams_notifications_newest_first(bob_client, team_a, team_b) -> None:
    NotificationFactory(team=team_a, message="Older one")
    NotificationFactory(team=team_a, message="Newer one")
    NotificationFactory(team=team_b, message="Not yours")
    page = bob_client.get(reverse("notifications")).content.decode()
    assert page.index("Newer one") < page.index("Older one")
    assert "Not yours" not in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_object(bob_client, team_a) -> None:
    notification = NotificationFactory(team=team_a, url="/sms/7/")
    other = NotificationFactory(team=team_a)
    response = bob_client.get(reverse("notification-open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/sms/7/"
    notification.refresh_from_db()
    other.refresh_from_db()
    assert notification.read_at is not None and other.read_at is None


def test_a_notification_never_redirects_off_site(bob_client, team_a) -> None:
    notification = NotificationFactory(team=team_a, url="https://evil.example/")
    response = bob_client.get(reverse("notification-open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications")


def test_mark_all_read_clears_the_bell_and_is_audited(bob_client, team_a, team_b) -> None:
    NotificationFactory.create_batch(2, team=team_a)
    theirs = NotificationFactory(team=team_b)
    response = bob_client.post(reverse("notifications-read"), follow=True)
    page = response.content.decode()
    assert 'data-testid="notification-count"' not in page
    assert not Notification.objects.filter(team=team_a, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert AuditEvent.objects.filter(team=team_a, action="notifications.read_all").exists()


def test_an_admin_sets_the_notification_address_in_team_settings(alice_client, team_a) -> None:
    data = {"name": team_a.name, "time_zone": team_a.time_zone, "notification_email": "not an address"}
    response = alice_client.post(reverse("team-settings"), data)
    assert response.status_code == 200 and "not an address" in response.content.decode()  # kept, with the error

    data["notification_email"] = "ops@example.com"
    assert alice_client.post(reverse("team-settings"), data).status_code == 302
    team_a.refresh_from_db()
    assert team_a.notification_email == "ops@example.com"

    data["notification_email"] = ""
    alice_client.post(reverse("team-settings"), data)
    team_a.refresh_from_db()
    assert team_a.notification_email == ""


def test_the_fax_page_still_lists_fax_notifications_only(alice_client, team_a) -> None:
    NotificationFactory(team=team_a, kind="received_fax", message="A fax came in")
    NotificationFactory(team=team_a, kind="low_balance", message="Balance is low")
    page = alice_client.get(reverse("fax-list")).content.decode()
    assert "A fax came in" in page and "Balance is low" not in page.split('data-testid="fax-notifications"')[1][:2000]
    alice_client.post(reverse("fax-notifications-read"))
    assert list(Notification.objects.filter(read_at__isnull=True).values_list("kind", flat=True)) == ["low_balance"]
