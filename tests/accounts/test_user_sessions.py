"""The sessions list, and "log out other sessions" (which ends them in the session store)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accounts.models import UserSession
from tests.factories import TEST_PASSWORD


def logged_in(email: str, agent: str) -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post(reverse("login"), {"username": email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def test_each_log_in_is_listed_with_its_browser(alice, bob) -> None:
    laptop = logged_in("alice@example.com", "Laptop Firefox")
    logged_in("alice@example.com", "Phone Safari")
    logged_in("bob@example.com", "Bob's browser")
    page = laptop.get(reverse("sessions")).content.decode()
    assert "Laptop Firefox" in page and "Phone Safari" in page
    assert "Bob&#x27;s browser" not in page and "Bob's browser" not in page
    assert page.count("This browser") == 1


def test_log_out_other_sessions_ends_them_and_keeps_this_one(alice, bob, team_a) -> None:
    laptop = logged_in("alice@example.com", "Laptop Firefox")
    phone = logged_in("alice@example.com", "Phone Safari")
    bobs = logged_in("bob@example.com", "Bob's browser")
    assert phone.get(reverse("dashboard")).status_code == 200

    response = laptop.post(reverse("sessions"), follow=True)
    assert "Other sessions logged out: 1." in response.content.decode()
    assert phone.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    assert laptop.get(reverse("dashboard")).status_code == 200
    assert bobs.get(reverse("dashboard")).status_code == 200
    assert list(UserSession.objects.filter(user=alice).values_list("user_agent", flat=True)) == ["Laptop Firefox"]
    assert team_a.audit_events.get(action="account.sessions_end").data == {"count": 1}


def test_logging_out_forgets_the_session_and_a_password_change_keeps_the_list_true(alice) -> None:
    phone = logged_in("alice@example.com", "Phone Safari")
    phone.post(reverse("logout"))
    laptop = logged_in("alice@example.com", "Laptop Firefox")
    new = "a fresh passphrase 42"
    laptop.post(
        reverse("password-change"),
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )
    page = laptop.get(reverse("sessions")).content.decode()
    assert "Phone Safari" not in page
    assert "Laptop Firefox" in page and page.count("This browser") == 1
    assert UserSession.objects.filter(user=alice).count() == 1


def test_the_sessions_page_speaks_turkish(alice) -> None:
    client = logged_in("alice@example.com", "Laptop Firefox")
    client.cookies["django_language"] = "tr"
    assert "Diğer oturumları kapat" in client.get(reverse("sessions")).content.decode()


def test_a_session_whose_password_was_reset_elsewhere_is_not_listed(alice) -> None:
    phone = logged_in("alice@example.com", "Phone Safari")
    alice.set_password("a fresh passphrase 42")
    alice.save()
    laptop = Client(HTTP_USER_AGENT="Laptop Firefox")
    laptop.post(reverse("login"), {"username": "alice@example.com", "password": "a fresh passphrase 42"})
    page = laptop.get(reverse("sessions")).content.decode()
    assert "Phone Safari" not in page and "Laptop Firefox" in page
    assert phone.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
