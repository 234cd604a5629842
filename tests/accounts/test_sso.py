"""Single sign-on against a real OpenID Connect provider (panva's oidc-provider, tests/oidc_provider/).

The Django test client plays the browser on the portal's side; ``follow_to_callback`` follows the provider's
real redirects (its login and consent are answered by server.js for the ``login_hint`` person).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, Membership, Team, User
from accounts.roles import Role
from accounts.sso_models import TeamSSO
from accounts.sso_oidc import SSOError, authorization_url, discover, exchange_code, new_pending, verify_id_token
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory
from tests.oidc_provider.runner import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_CLIENT_ID,
    REDIRECT_URI,
    RunningProvider,
    code_of,
    follow_to_callback,
    running_provider,
)


@pytest.fixture(scope="module")
def provider() -> Iterator[RunningProvider]:
    with running_provider() as running:
        yield running


@pytest.fixture
def acme(db, provider: RunningProvider, settings) -> Team:
    settings.PROVIDER_URL_ALLOWLIST = [provider.issuer]
    team = TeamFactory(name="Acme")
    TeamSSO.objects.create(
        team=team,
        slug="acme",
        display_name="Acme ID",
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        secrets={"client_secret": CLIENT_SECRET},
    )
    return team


@pytest.fixture
def ada(acme: Team) -> User:
    return MembershipFactory(team=acme, role=Role.OPERATOR, user=UserFactory(email="ada@acme.test")).user


def sign_in(client: Client, email: str, slug: str = "acme", next_url: str = "") -> object:
    """Starts at /sso/<slug>/, goes through the provider, and returns the portal's answer to the callback."""
    start = client.post(reverse("sso-start", args=[slug]), {"email": email, "next": next_url})
    assert start.status_code == 302, start.content[:500]
    callback = follow_to_callback(start["Location"])
    return client.get(callback)


def signed_in_user(client: Client) -> User | None:
    from django.contrib.auth import get_user

    user = get_user(client)  # type: ignore[arg-type]
    return user if user.is_authenticated else None


@pytest.mark.django_db
def test_a_member_signs_in_through_the_real_provider(ada: User, acme: Team) -> None:
    client = Client()
    response = sign_in(client, "ada@acme.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert signed_in_user(client) == ada
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.session["current_team_id"] == acme.pk
    event = AuditEvent.objects.get(action="sso.sign_in")
    assert (event.team, event.actor, event.data["mfa"]) == (acme, ada, False)
    assert TeamSSO.objects.get(team=acme).last_sign_in_at is not None


@pytest.mark.django_db
def test_the_sign_in_returns_to_the_page_asked_for(ada: User) -> None:
    client = Client()
    response = sign_in(client, "ada@acme.test", next_url=reverse("security"))
    assert response["Location"] == reverse("security")


@pytest.mark.django_db
def test_an_email_that_is_no_member_is_refused_and_nothing_changes(ada: User, acme: Team) -> None:
    UserFactory(email="out@elsewhere.test")  # a person of the portal, but not of this team
    users, memberships = User.objects.count(), Membership.objects.count()
    client = Client()
    response = sign_in(client, "out@elsewhere.test")
    assert response.status_code == 403
    assert "out@elsewhere.test is not a member of this team" in response.content.decode()
    assert signed_in_user(client) is None
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)
    assert not AuditEvent.objects.filter(action__startswith="sso.").exists()


@pytest.mark.django_db
def test_an_unverified_email_is_refused(acme: Team) -> None:
    MembershipFactory(team=acme, user=UserFactory(email="eve@acme.test"))
    client = Client()
    response = sign_in(client, "eve@acme.test")
    assert response.status_code == 400
    assert "Acme ID did not confirm that your email address is verified" in response.content.decode()
    assert signed_in_user(client) is None


@pytest.mark.django_db
def test_a_sign_in_refused_at_the_provider_says_so(ada: User) -> None:
    client = Client()
    response = sign_in(client, "nobody@acme.test")  # server.js answers access_denied, as a person cancelling
    assert response.status_code == 400
    assert "Acme ID did not sign you in (access_denied)." in response.content.decode()
    assert signed_in_user(client) is None


def test_without_the_installed_provider_the_tests_skip_and_say_how_to_install_it(monkeypatch, tmp_path) -> None:
    from tests.oidc_provider import runner

    monkeypatch.setattr(runner, "HERE", tmp_path)
    reason = runner.skip_reason()
    assert reason is not None
    assert "npm ci" in reason or "Node.js" in reason


@pytest.mark.django_db
def test_an_email_without_email_verified_counts_as_unverified(acme: Team) -> None:
    MembershipFactory(team=acme, user=UserFactory(email="noclaim@acme.test"))
    client = Client()
    assert sign_in(client, "noclaim@acme.test").status_code == 400
    assert signed_in_user(client) is None


@pytest.mark.django_db
def test_an_allowed_domain_creates_a_viewer_at_the_first_sign_in(acme: Team) -> None:
    TeamSSO.objects.filter(team=acme).update(allowed_domains=["acme.test"])
    client = Client()
    response = sign_in(client, "new@acme.test")
    assert response.status_code == 302
    user = User.objects.get(email="new@acme.test")
    assert signed_in_user(client) == user
    assert not user.has_usable_password()
    assert user.full_name == "New Person"
    assert Membership.objects.get(team=acme, user=user).role == Role.VIEWER
    event = AuditEvent.objects.get(action="sso.member_create")
    assert event.data == {"email": "new@acme.test", "role": "viewer", "new_account": True}


@pytest.mark.django_db
def test_a_domain_not_allowed_creates_nobody(acme: Team) -> None:
    TeamSSO.objects.filter(team=acme).update(allowed_domains=["acme.example"])
    client = Client()
    response = sign_in(client, "new@acme.test")
    assert response.status_code == 403
    assert not User.objects.filter(email="new@acme.test").exists()
    assert signed_in_user(client) is None


@pytest.mark.django_db
def test_without_allowed_domains_nobody_is_created(acme: Team) -> None:
    assert sign_in(Client(), "new@acme.test").status_code == 403
    assert not User.objects.filter(email="new@acme.test").exists()


@pytest.mark.django_db
def test_the_callback_cannot_be_replayed(ada: User) -> None:
    client = Client()
    start = client.post(reverse("sso-start", args=["acme"]), {"email": "ada@acme.test"})
    callback = follow_to_callback(start["Location"])
    assert client.get(callback).status_code == 302
    client.logout()
    replay = client.get(callback)
    assert replay.status_code == 400
    assert "expired or was already used" in replay.content.decode()


@pytest.mark.django_db
def test_a_callback_from_another_browser_is_refused(ada: User) -> None:
    start = Client().post(reverse("sso-start", args=["acme"]), {"email": "ada@acme.test"})
    callback = follow_to_callback(start["Location"])
    stranger = Client()
    assert stranger.get(callback).status_code == 400
    assert signed_in_user(stranger) is None


@pytest.mark.django_db
def test_an_id_token_issued_for_another_client_is_refused(provider: RunningProvider, settings) -> None:
    """A real token of the same provider, signed with its keys, but for another client id."""
    settings.PROVIDER_URL_ALLOWLIST = [provider.issuer]
    discovery = discover(provider.issuer)
    pending = new_pending()
    url = authorization_url(
        discovery=discovery,
        client_id=OTHER_CLIENT_ID,
        redirect_uri=REDIRECT_URI,
        pending=pending,
        login_hint="ada@acme.test",
    )
    id_token = exchange_code(
        discovery=discovery,
        client_id=OTHER_CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
        code=code_of(follow_to_callback(url)),
        pending=pending,
    ).id_token
    # The same token passes for the client it was issued to (this provider, as the specification wants,
    # keeps the email for UserInfo: every sign-in above went through with_userinfo)…
    claims = verify_id_token(id_token=id_token, discovery=discovery, client_id=OTHER_CLIENT_ID, nonce=pending.nonce)
    assert claims["sub"] == "ada@acme.test" and "email" not in claims
    # …and not for ours, nor with another nonce.
    with pytest.raises(SSOError) as wrong_audience:
        verify_id_token(id_token=id_token, discovery=discovery, client_id=CLIENT_ID, nonce=pending.nonce)
    assert wrong_audience.value.key == "claim_aud"
    with pytest.raises(SSOError) as wrong_nonce:
        verify_id_token(id_token=id_token, discovery=discovery, client_id=OTHER_CLIENT_ID, nonce="another")
    assert wrong_nonce.value.key == "claim_nonce"
    with pytest.raises(SSOError) as tampered:
        head, body, signature = id_token.split(".")
        verify_id_token(
            id_token=f"{head}.{body}.{signature[:-4]}AAAA",
            discovery=discovery,
            client_id=OTHER_CLIENT_ID,
            nonce=pending.nonce,
        )
    assert tampered.value.key == "signature"


@pytest.mark.django_db
def test_an_expired_id_token_is_refused(settings) -> None:
    """A provider whose clock is ten minutes behind issues one-minute ID tokens that expired nine minutes ago."""
    with running_provider(clock_skew=-600, id_token_ttl=60) as late:
        settings.PROVIDER_URL_ALLOWLIST = [late.issuer]
        team = TeamFactory(name="Late")
        TeamSSO.objects.create(
            team=team,
            slug="late",
            display_name="Late ID",
            issuer=late.issuer,
            client_id=CLIENT_ID,
            secrets={"client_secret": CLIENT_SECRET},
        )
        MembershipFactory(team=team, user=UserFactory(email="ada@acme.test"))
        client = Client()
        response = sign_in(client, "ada@acme.test", slug="late")
    assert response.status_code == 400
    assert "has expired" in response.content.decode()
    assert signed_in_user(client) is None


@pytest.mark.django_db
def test_a_provider_that_puts_the_email_in_the_id_token_itself(settings) -> None:
    """As Entra ID and Google do: no UserInfo request is needed, the same checks apply."""
    with running_provider(claims_in_id_token=True) as direct:
        settings.PROVIDER_URL_ALLOWLIST = [direct.issuer]
        discovery = discover(direct.issuer)
        pending = new_pending()
        url = authorization_url(
            discovery=discovery,
            client_id=CLIENT_ID,
            redirect_uri=REDIRECT_URI,
            pending=pending,
            login_hint="ada@acme.test",
        )
        tokens = exchange_code(
            discovery=discovery,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            redirect_uri=REDIRECT_URI,
            code=code_of(follow_to_callback(url)),
            pending=pending,
        )
        claims = verify_id_token(
            id_token=tokens.id_token, discovery=discovery, client_id=CLIENT_ID, nonce=pending.nonce
        )
        assert (claims["email"], claims["email_verified"]) == ("ada@acme.test", True)

        team = TeamFactory(name="Direct")
        TeamSSO.objects.create(
            team=team,
            slug="direct",
            display_name="Direct ID",
            issuer=direct.issuer,
            client_id=CLIENT_ID,
            secrets={"client_secret": CLIENT_SECRET},
        )
        ada = MembershipFactory(team=team, user=UserFactory(email="ada@acme.test")).user
        MembershipFactory(team=team, user=UserFactory(email="noclaim@acme.test"))
        client = Client()
        assert sign_in(client, "ada@acme.test", slug="direct").status_code == 302
        assert signed_in_user(client) == ada
        refused = Client()
        assert sign_in(refused, "noclaim@acme.test", slug="direct").status_code == 400
        assert signed_in_user(refused) is None


@pytest.mark.django_db
def test_a_wrong_client_secret_is_a_clear_refusal(ada: User, acme: Team) -> None:
    TeamSSO.objects.filter(team=acme).update(secrets={"client_secret": "not-the-secret"})
    connection = TeamSSO.objects.get(team=acme)
    connection.secrets = {"client_secret": "not-the-secret"}
    connection.save()
    client = Client()
    response = sign_in(client, "ada@acme.test")
    assert response.status_code == 502
    assert "did not give a usable answer (invalid_client)" in response.content.decode()
    assert signed_in_user(client) is None


@pytest.mark.django_db
def test_an_unreachable_provider_is_a_clear_message_not_an_error_page(acme: Team, settings) -> None:
    settings.PROVIDER_URL_ALLOWLIST = ["http://127.0.0.1:9"]
    TeamSSO.objects.filter(team=acme).update(issuer="http://127.0.0.1:9")
    response = Client().post(reverse("sso-start", args=["acme"]), {"email": ""})
    assert response.status_code == 502
    assert "could not be reached" in response.content.decode()


# --- two-factor login -------------------------------------------------------------------------------------


def _require_two_factor(team: Team, *, provider_mfa_counts: bool) -> None:
    Team.objects.filter(pk=team.pk).update(require_two_factor=True)
    TeamSSO.objects.filter(team=team).update(provider_mfa_counts=provider_mfa_counts)


def code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def _with_authenticator(user: User) -> None:
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


@pytest.mark.django_db
def test_mfa_asserted_by_the_provider_satisfies_the_teams_requirement_when_the_owner_allows(acme: Team) -> None:
    mia = MembershipFactory(team=acme, user=UserFactory(email="mia@acme.test")).user
    _with_authenticator(mia)
    _require_two_factor(acme, provider_mfa_counts=True)
    client = Client()
    response = sign_in(client, "mia@acme.test")
    assert response["Location"] == reverse("dashboard")
    assert signed_in_user(client) == mia
    assert client.get(reverse("dashboard")).status_code == 200  # no code asked, no set-up page
    assert AuditEvent.objects.get(action="sso.sign_in").data["mfa"] is True


@pytest.mark.django_db
def test_mfa_asserted_but_not_accepted_by_the_owner_still_asks_our_code(acme: Team) -> None:
    mia = MembershipFactory(team=acme, user=UserFactory(email="mia@acme.test")).user
    _with_authenticator(mia)
    _require_two_factor(acme, provider_mfa_counts=False)
    client = Client()
    response = sign_in(client, "mia@acme.test")
    assert response["Location"] == reverse("two-factor-verify")
    assert signed_in_user(client) is None


@pytest.mark.django_db
def test_without_mfa_from_the_provider_our_code_step_follows(ada: User, acme: Team) -> None:
    _with_authenticator(ada)
    _require_two_factor(acme, provider_mfa_counts=True)
    client = Client()
    response = sign_in(client, "ada@acme.test")
    assert response["Location"] == reverse("two-factor-verify")
    assert signed_in_user(client) is None
    assert client.get(reverse("two-factor-verify")).status_code == 200


@pytest.mark.django_db
def test_without_mfa_and_without_an_authenticator_the_member_must_set_one_up(ada: User, acme: Team) -> None:
    _require_two_factor(acme, provider_mfa_counts=True)
    client = Client()
    sign_in(client, "ada@acme.test")
    assert signed_in_user(client) == ada
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("security"))


@pytest.mark.django_db
def test_provider_mfa_counts_only_for_its_own_team(acme: Team) -> None:
    mia = MembershipFactory(team=acme, user=UserFactory(email="mia@acme.test")).user
    other = TeamFactory(name="Other", require_two_factor=True)
    MembershipFactory(team=other, user=mia)
    _require_two_factor(acme, provider_mfa_counts=True)
    client = Client()
    sign_in(client, "mia@acme.test")
    assert client.get(reverse("dashboard")).status_code == 200
    client.post(reverse("team-switch"), {"team": other.pk})
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("security"))


@pytest.mark.django_db
def test_another_team_requiring_two_factor_asks_our_code_then_opens(acme: Team) -> None:
    mia = MembershipFactory(team=acme, user=UserFactory(email="mia@acme.test")).user
    _with_authenticator(mia)
    other = TeamFactory(name="Other", require_two_factor=True)
    MembershipFactory(team=other, user=mia)
    _require_two_factor(acme, provider_mfa_counts=True)
    client = Client()
    sign_in(client, "mia@acme.test")
    client.post(reverse("team-switch"), {"team": other.pk})
    response = client.get(reverse("sms-list"))
    assert response["Location"] == reverse("two-factor-verify")
    device = TOTPDevice.objects.get(user=mia)
    answer = client.post(reverse("two-factor-verify"), {"code": code_for(device)})
    assert answer["Location"] == reverse("sms-list")
    assert client.get(reverse("sms-list")).status_code == 200
    assert signed_in_user(client) == mia


# --- password login turned off ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_password_login_disabled_refuses_the_password_and_points_to_sso(ada: User, acme: Team) -> None:
    TeamSSO.objects.filter(team=acme).update(password_login_disabled=True)
    client = Client()
    response = client.post(reverse("login"), {"username": "ada@acme.test", "password": TEST_PASSWORD})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Acme signs in with Acme ID only" in page
    assert reverse("sso-start", args=["acme"]) in page
    assert signed_in_user(client) is None
    # The provider still lets the member in.
    assert sign_in(client, "ada@acme.test").status_code == 302
    assert signed_in_user(client) == ada


@pytest.mark.django_db
def test_a_wrong_password_says_nothing_about_single_sign_on(ada: User, acme: Team) -> None:
    TeamSSO.objects.filter(team=acme).update(password_login_disabled=True)
    response = Client().post(reverse("login"), {"username": "ada@acme.test", "password": "wrong"})
    assert "Acme ID" not in response.content.decode()


@pytest.mark.django_db
def test_one_team_without_password_login_is_enough_for_a_member_of_several(ada: User, acme: Team) -> None:
    MembershipFactory(team=TeamFactory(name="Open team"), user=ada)
    TeamSSO.objects.filter(team=acme).update(password_login_disabled=True)
    client = Client()
    client.post(reverse("login"), {"username": "ada@acme.test", "password": TEST_PASSWORD})
    assert signed_in_user(client) is None


@pytest.mark.django_db
def test_password_login_still_works_while_single_sign_on_is_off(ada: User, acme: Team) -> None:
    TeamSSO.objects.filter(team=acme).update(password_login_disabled=True, is_active=False)
    client = Client()
    client.post(reverse("login"), {"username": "ada@acme.test", "password": TEST_PASSWORD})
    assert signed_in_user(client) == ada
