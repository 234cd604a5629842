"""Two-factor login: turning it on, the log-in's second step, recovery codes, throttling
and a team that requires it."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, RecoveryCode, User
from accounts.two_factor import recovery_codes_generate
from accounts.two_factor_views import NEW_CODES_KEY, PENDING_KEY
from tests.conftest import client_for
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or ``steps_ahead`` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def device_for(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def verified_client(user: User, device: TOTPDevice) -> Client:
    client = client_for(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def password_step(client: Client, email: str, next_url: str = ""):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": email, "password": TEST_PASSWORD})


def test_it_logs_in_a_person_without_two_factor_exactly_as_before(alice) -> None:
    client = Client()
    response = password_step(client, alice.email)
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_it_asks_for_the_code_before_logging_in(alice) -> None:
    device_for(alice)
    client = Client()
    response = password_step(client, alice.email)
    assert response["Location"] == reverse("two-factor-verify")
    # The password alone does not open any page.
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    page = client.get(reverse("two-factor-verify"))
    assert page.status_code == 200
    assert b"Enter your code" in page.content


def test_it_logs_in_with_the_right_code_and_goes_where_the_person_was_going(alice) -> None:
    device = device_for(alice)
    client = Client()
    password_step(client, alice.email, next_url=reverse("audit"))
    response = client.post(reverse("two-factor-verify"), {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("audit")
    assert client.get(reverse("audit")).status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert PENDING_KEY not in client.session


def test_it_refuses_a_wrong_code_and_keeps_the_person_logged_out(alice) -> None:
    device = device_for(alice)
    client = Client()
    password_step(client, alice.email)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    response = client.post(reverse("two-factor-verify"), {"code": wrong})
    assert response.status_code == 400
    assert b"This code is not right" in response.content
    assert client.get(reverse("dashboard")).status_code == 302


def test_it_throttles_code_guessing_even_when_the_next_guess_is_right(alice) -> None:
    device = device_for(alice)
    client = Client()
    password_step(client, alice.email)
    client.post(reverse("two-factor-verify"), {"code": "not-a-code"})
    client.post(reverse("two-factor-verify"), {"code": "bad-code-2"})
    response = client.post(reverse("two-factor-verify"), {"code": code_for(device)})
    assert response.status_code == 429
    assert b"Too many wrong codes" in response.content
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the second guess was refused unread


def test_a_recovery_code_logs_in_once_and_is_audited(alice) -> None:
    device_for(alice)
    codes = recovery_codes_generate(user=alice)
    client = Client()
    password_step(client, alice.email)
    response = client.post(reverse("two-factor-verify"), {"code": codes[0].lower()})
    assert response["Location"] == reverse("dashboard")
    assert AuditEvent.objects.filter(action="two_factor.recovery_code_used", actor=alice).exists()
    assert RecoveryCode.objects.filter(user=alice, used_at__isnull=True).count() == len(codes) - 1

    again = Client()
    password_step(again, alice.email)
    assert again.post(reverse("two-factor-verify"), {"code": codes[0]}).status_code == 400


def test_recovery_codes_are_stored_hashed(alice) -> None:
    codes = recovery_codes_generate(user=alice)
    stored = set(RecoveryCode.objects.filter(user=alice).values_list("code_hash", flat=True))
    assert len(stored) == len(codes) == 10
    assert not any(code in stored or code.replace("-", "") in stored for code in codes)


def test_the_code_step_expires(alice, settings) -> None:
    device = device_for(alice)
    client = Client()
    password_step(client, alice.email)
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "at": time.time() - settings.TWO_FACTOR_PENDING_SECONDS - 1}
    session.save()
    response = client.post(reverse("two-factor-verify"), {"code": code_for(device)})
    assert response["Location"] == reverse("login")
    assert client.get(reverse("dashboard")).status_code == 302


def test_it_never_follows_a_next_address_on_another_site(alice) -> None:
    device = device_for(alice)
    client = Client()
    password_step(client, alice.email, next_url="https://evil.example.com/")
    response = client.post(reverse("two-factor-verify"), {"code": code_for(device)})
    assert response["Location"] == reverse("dashboard")


def test_the_code_step_without_a_password_step_goes_back_to_log_in() -> None:
    assert Client().get(reverse("two-factor-verify"))["Location"] == reverse("login")


def test_a_session_that_skipped_the_code_is_logged_out(alice) -> None:
    # e.g. someone used the admin's own log-in page
    device_for(alice)
    client = client_for(alice)
    response = client.get(reverse("dashboard"))
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_turning_it_on_shows_a_qr_code_and_needs_a_first_code(alice_client: Client, alice) -> None:
    page = alice_client.get(reverse("two-factor-setup"))
    assert page.status_code == 200
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert page.context["manual_key"].replace(" ", "") in page.content.decode().replace(" ", "")
    # A reload keeps the same key, so a scanned code stays valid.
    alice_client.get(reverse("two-factor-setup"))
    assert TOTPDevice.objects.filter(user=alice).count() == 1

    wrong = alice_client.post(reverse("two-factor-setup"), {"code": "12345x"})
    assert wrong.status_code == 400
    assert b"This code is not right" in wrong.content
    assert b'value="12345x"' in wrong.content
    device.throttle_reset()

    response = alice_client.post(reverse("two-factor-setup"), {"code": code_for(device)})
    assert response["Location"] == reverse("security")
    device.refresh_from_db()
    assert device.confirmed
    team = alice.memberships.get().team
    assert AuditEvent.objects.filter(action="two_factor.enable", actor=alice, team=team).exists()

    shown = alice_client.get(reverse("security"))
    codes = shown.context["new_codes"]
    assert len(codes) == 10
    assert codes[0].encode() in shown.content
    # Shown once only.
    assert codes[0].encode() not in alice_client.get(reverse("security")).content
    assert NEW_CODES_KEY not in alice_client.session
    # The session that turned it on counts as verified: no log-out follows.
    assert alice_client.get(reverse("dashboard")).status_code == 200


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(alice) -> None:
    device = device_for(alice)
    old = recovery_codes_generate(user=alice)
    client = verified_client(alice, device)
    refused = client.post(reverse("recovery-codes"), {"code": "nope"})
    assert refused["Location"] == reverse("security")
    assert RecoveryCode.objects.filter(user=alice).count() == 10
    device.throttle_reset()

    client.post(reverse("recovery-codes"), {"code": code_for(device)})
    new = client.get(reverse("security")).context["new_codes"]
    assert set(new).isdisjoint(old)
    assert AuditEvent.objects.filter(action="two_factor.recovery_codes", actor=alice).count() == 2


def test_turning_it_off_needs_a_code_and_is_audited(alice) -> None:
    device = device_for(alice)
    recovery_codes_generate(user=alice)
    client = verified_client(alice, device)
    client.post(reverse("two-factor-disable"), {"code": ""})
    assert TOTPDevice.objects.filter(user=alice).exists()

    client.post(reverse("two-factor-disable"), {"code": code_for(device)})
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not RecoveryCode.objects.filter(user=alice).exists()
    assert AuditEvent.objects.filter(action="two_factor.disable", actor=alice).exists()
    assert b"Off" in client.get(reverse("security")).content


def test_an_owner_must_have_two_factor_before_requiring_it(alice_client: Client, team_a) -> None:
    response = alice_client.post(reverse("team-two-factor"), {"require_two_factor": "on"}, follow=True)
    assert b"Turn on two-factor login for yourself first." in response.content
    team_a.refresh_from_db()
    assert not team_a.require_two_factor


def test_only_an_owner_may_require_two_factor(member_of, team_a) -> None:
    admin = member_of(team_a, "admin")
    assert client_for(admin).post(reverse("team-two-factor"), {"require_two_factor": "on"}).status_code == 403
    assert b'action="/team/two-factor/"' not in client_for(admin).get(reverse("team-settings")).content


def test_a_team_that_requires_it_sends_members_without_it_to_turn_it_on(alice, bob, team_a) -> None:
    owner = verified_client(alice, device_for(alice))
    response = owner.post(reverse("team-two-factor"), {"require_two_factor": "on"})
    assert response["Location"] == reverse("team-settings")
    team_a.refresh_from_db()
    assert team_a.require_two_factor
    assert AuditEvent.objects.filter(action="team.require_two_factor", team=team_a).exists()
    assert owner.get(reverse("dashboard")).status_code == 200

    bob_client = client_for(bob)
    for name in ("dashboard", "sms-list", "calls-list", "fax-list", "team-settings"):
        response = bob_client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("security") + "?next=")
    # An htmx fragment asks the browser to go there instead of swapping the page in.
    htmx = bob_client.get(
        reverse("calls-live") + "?fragment=1",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/calls/live/"},
    )
    assert htmx["HX-Redirect"] == reverse("security") + "?next=%2Fcalls%2Flive%2F"
    # The security pages themselves stay open.
    assert bob_client.get(reverse("security")).status_code == 200
    assert bob_client.get(reverse("two-factor-setup")).status_code == 200

    device = TOTPDevice.objects.get(user=bob)
    response = bob_client.post(f"{reverse('two-factor-setup')}?next=/sms/", {"code": code_for(device)})
    assert response["Location"] == f"{reverse('security')}?next=%2Fsms%2F"
    assert b'href="/sms/"' in bob_client.get(response["Location"]).content
    assert bob_client.get(reverse("sms-list")).status_code == 200
