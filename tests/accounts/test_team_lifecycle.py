"""A team's lifecycle: the owner hands it to an admin, a member leaves, the owner deletes it with
everything it has (rows, credentials, files) and nothing of any other team; every refusal says
why and changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import SESSION_KEY
from accounts.models import AuditEvent, Membership, ProviderAccount, Team, User
from accounts.roles import Role
from tests.accounts.test_two_factor import code_for, verified_client
from tests.conftest import client_for
from tests.factories import TEST_PASSWORD, MembershipFactory, TeamFactory, UserFactory
from tests.team_data import team_with_data

pytestmark = pytest.mark.django_db


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def roles(team: Team) -> dict[str, str]:
    return dict(team.memberships.values_list("user__email", "role"))


# --- transfer ownership -----------------------------------------------------------------------------


@pytest.fixture
def ada(team_a: Team) -> Membership:
    return MembershipFactory(
        team=team_a, user=UserFactory(email="ada@example.com", full_name="Ada Admin"), role=Role.ADMIN
    )


def test_the_owner_hands_the_team_to_an_admin_and_becomes_an_admin(alice_client: Client, team_a, alice, ada) -> None:
    page = alice_client.get(reverse("team-transfer")).content.decode()
    assert "Ada Admin (ada@example.com)" in page

    response = alice_client.post(reverse("team-transfer"), {"new_owner": ada.pk, "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert roles(team_a) == {"alice@example.com": Role.ADMIN, "ada@example.com": Role.OWNER}
    assert "Ada Admin is now the owner of Team A; you are an admin." in flashed(response)
    event = AuditEvent.objects.get(action="team.transfer_ownership")
    assert event.team == team_a and event.actor == alice
    assert event.data == {"new_owner": "ada@example.com", "old_owner": "alice@example.com"}
    # The former owner is an admin now: the owner's pages are closed to her.
    assert alice_client.get(reverse("team-delete")).status_code == 403


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR])
def test_transferring_to_a_viewer_or_operator_is_refused_and_changes_nothing(
    alice_client: Client, team_a, alice, role
) -> None:
    member = MembershipFactory(team=team_a, user=UserFactory(email="vic@example.com", full_name="Vic"), role=role)
    before = roles(team_a)

    response = alice_client.post(reverse("team-transfer"), {"new_owner": member.pk, "password": TEST_PASSWORD})

    assert response.status_code == 400
    assert f"Only an admin can become the owner: Vic is {role.label}. Make them an admin first." in (
        response.content.decode()
    )
    assert roles(team_a) == before
    assert not AuditEvent.objects.filter(action="team.transfer_ownership").exists()


def test_a_viewer_is_not_even_offered(alice_client: Client, team_a, alice, ada, bob) -> None:
    page = alice_client.get(reverse("team-transfer")).content.decode()
    assert "ada@example.com" in page and "bob@example.com" not in page


def test_transferring_to_someone_of_another_team_is_refused(alice_client: Client, team_a, alice, ada, charlie) -> None:
    outsider = Membership.objects.get(user=charlie)
    outsider.role = Role.ADMIN
    outsider.save()
    before = roles(team_a), roles(outsider.team)

    response = alice_client.post(reverse("team-transfer"), {"new_owner": outsider.pk, "password": TEST_PASSWORD})

    assert response.status_code == 400
    assert "That person is not a member of this team. Nothing was changed." in response.content.decode()
    assert (roles(team_a), roles(outsider.team)) == before


def test_a_wrong_password_transfers_nothing(alice_client: Client, team_a, alice, ada) -> None:
    response = alice_client.post(reverse("team-transfer"), {"new_owner": ada.pk, "password": "not it"})

    assert response.status_code == 400
    assert "Your password is not right. Nothing was changed." in response.content.decode()
    assert roles(team_a) == {"alice@example.com": Role.OWNER, "ada@example.com": Role.ADMIN}


def test_a_team_without_admins_is_told_how_to_get_one(alice_client: Client, alice, bob) -> None:
    page = alice_client.get(reverse("team-transfer")).content.decode()
    assert "Make a member an admin first." in page and 'data-testid="transfer-form"' not in page


# --- leave ------------------------------------------------------------------------------------------


def test_a_member_leaves_and_lands_in_their_other_team(team_a, team_b, alice, bob) -> None:
    MembershipFactory(team=team_b, user=bob, role=Role.OPERATOR)
    client = client_for(bob)
    client.post(reverse("team-switch"), {"team": team_a.pk})

    response = client.post(reverse("team-leave"))

    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert not Membership.objects.filter(team=team_a, user=bob).exists()
    assert "You left Team A." in flashed(response) and "You are now working in Team B." in flashed(response)
    assert client.session[SESSION_KEY] == team_b.pk
    event = AuditEvent.objects.get(action="member.leave")
    assert event.team == team_a and event.actor == bob and event.data == {"email": bob.email, "role": "viewer"}


def test_a_member_of_no_other_team_lands_on_the_page_that_says_so(bob_client: Client, team_a, bob) -> None:
    response = bob_client.post(reverse("team-leave"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("team-create")
    assert "You are not in any team. Start one, or ask a team admin for an invitation." in response.content.decode()
    assert bob_client.get(reverse("dashboard"))["Location"] == reverse("team-create")
    assert bob_client.get(reverse("sms-list")).status_code == 302


LAST_OWNER = "A team needs an owner: transfer ownership to an admin first, or delete the team."


def test_the_last_owner_cannot_leave(alice_client: Client, team_a, alice, bob) -> None:
    assert LAST_OWNER in alice_client.get(reverse("team-leave")).content.decode()

    response = alice_client.post(reverse("team-leave"))

    assert response.status_code == 400
    assert LAST_OWNER in response.content.decode()
    assert roles(team_a)["alice@example.com"] == Role.OWNER
    assert not AuditEvent.objects.filter(action="member.leave").exists()


def test_an_owner_with_a_co_owner_may_leave(alice_client: Client, team_a, alice) -> None:
    MembershipFactory(team=team_a, role=Role.OWNER)
    alice_client.post(reverse("team-leave"))
    assert "alice@example.com" not in roles(team_a)


def test_removing_or_demoting_the_last_owner_says_what_to_do_instead(team_a, alice) -> None:
    from accounts.services import ServiceError, membership_remove, membership_update_role

    owner = Membership.objects.get(user=alice)
    with pytest.raises(ServiceError, match="transfer ownership to an admin first, or delete the team"):
        membership_remove(membership=owner, actor_membership=owner)
    with pytest.raises(ServiceError, match="transfer ownership to an admin first, or delete the team"):
        membership_update_role(membership=owner, role=Role.ADMIN, actor_membership=owner)
    assert roles(team_a) == {"alice@example.com": Role.OWNER}


# --- delete -----------------------------------------------------------------------------------------


def test_the_owner_deletes_the_team_with_all_its_rows_and_files_and_nothing_else(
    storage_backend, alice_client: Client, team_a, team_b, alice, bob, charlie, django_capture_on_commit_callbacks
) -> None:
    mine, theirs = team_with_data(team_a), team_with_data(team_b)
    assert all(mine.row_counts().values()) and len(mine.files_present()) == len(mine.files) >= 6
    theirs_before = theirs.row_counts()
    account_ids = list(team_a.provider_accounts.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("team-delete"), {"confirm_name": "Team A", "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert "Team A was deleted with all its data." in flashed(response)
    assert not Team.objects.filter(pk=mine.team_id).exists()
    assert set(mine.row_counts().values()) == {0}
    assert not ProviderAccount.objects.filter(pk__in=account_ids).exists()  # credentials deleted, not hidden
    assert mine.files_present() == []
    # The other team keeps every row and file; storage itself (the bucket's listing on S3) holds theirs only.
    assert theirs.row_counts() == theirs_before
    assert theirs.files_present() == theirs.files
    assert storage_backend.names() == sorted(theirs.files)
    # The people stay; they only lost the team.
    assert User.objects.filter(pk__in=[alice.pk, bob.pk]).count() == 2
    # The last line is kept outside any team, with the team's name and id.
    final = AuditEvent.objects.get(action="team.delete")
    assert final.team is None and final.actor == alice and final.object_repr == "Team A"
    assert final.data == {"team_id": mine.team_id, "team_name": "Team A", "members": 3, "provider_accounts": 3}


def test_the_deleted_teams_last_line_shows_in_admin_and_in_no_team_log(
    alice_client: Client, team_a, team_b, alice, charlie
) -> None:
    MembershipFactory(team=team_b, user=alice, role=Role.OWNER)
    alice_client.post(reverse("team-switch"), {"team": team_a.pk})
    alice_client.post(reverse("team-delete"), {"confirm_name": "Team A", "password": TEST_PASSWORD})

    assert "Team deleted" not in client_for(charlie).get(reverse("audit")).content.decode()
    admin = UserFactory(is_staff=True, is_superuser=True)
    page = client_for(admin).get(reverse("admin:accounts_auditevent_changelist") + "?team__isnull=True")
    assert page.status_code == 200
    assert "team.delete" in page.content.decode() and "team: Team A" in page.content.decode()


@pytest.mark.parametrize(
    ("typed", "password", "message"),
    [
        ("team a", TEST_PASSWORD, "The name you typed is not the team's name. Nothing was deleted."),
        ("Team A ", TEST_PASSWORD, "The name you typed is not the team's name. Nothing was deleted."),
        ("Team A", "not it", "Your password is not right. Nothing was deleted."),
    ],
)
def test_a_wrong_name_or_password_deletes_nothing(
    alice_client: Client, team_a, alice, typed, password, message, django_capture_on_commit_callbacks
) -> None:
    data = team_with_data(team_a)
    before = data.row_counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("team-delete"), {"confirm_name": typed, "password": password})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page.replace("&#x27;", "'")
    assert f'value="{typed}"' in page  # what was typed stays
    assert data.row_counts() == before and data.files_present() == data.files
    assert not AuditEvent.objects.filter(action="team.delete").exists()


def test_an_owner_with_two_factor_must_give_a_current_code(team_a, alice, django_capture_on_commit_callbacks) -> None:
    device = TOTPDevice.objects.create(user=alice, name="authenticator", confirmed=True)
    client = verified_client(alice, device)
    assert "Two-factor code" in client.get(reverse("team-delete")).content.decode()
    form = {"confirm_name": "Team A", "password": TEST_PASSWORD}

    missing = client.post(reverse("team-delete"), form)
    assert missing.status_code == 400
    assert "Enter the code from your authenticator app. Nothing was deleted." in missing.content.decode()
    wrong = client.post(reverse("team-delete"), {**form, "code": code_for(device, steps_ahead=10)})
    assert wrong.status_code == 400
    assert "The two-factor code is not right (or was used already). Nothing was deleted." in wrong.content.decode()
    assert Team.objects.filter(pk=team_a.pk).exists()

    device.refresh_from_db()
    device.throttle_reset()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("team-delete"), {**form, "code": code_for(device)})
    assert not Team.objects.filter(pk=team_a.pk).exists()


def test_an_owner_without_two_factor_is_not_asked_for_a_code(alice_client: Client) -> None:
    assert "Two-factor code" not in alice_client.get(reverse("team-delete")).content.decode()


def test_after_deleting_the_owner_lands_in_another_team_or_on_the_page_that_says_none(
    alice_client: Client, team_a, team_b, alice
) -> None:
    response = alice_client.post(reverse("team-delete"), {"confirm_name": "Team A", "password": TEST_PASSWORD})
    assert response["Location"] == reverse("team-create")

    MembershipFactory(team=team_b, user=alice, role=Role.VIEWER)
    mine = TeamFactory(name="Izmir")
    MembershipFactory(team=mine, user=alice, role=Role.OWNER)
    alice_client.post(reverse("team-switch"), {"team": mine.pk})
    response = alice_client.post(reverse("team-delete"), {"confirm_name": "Izmir", "password": TEST_PASSWORD})
    assert response["Location"] == reverse("dashboard")
    assert "You are now working in Team B." in flashed(response)


def test_work_queued_for_a_deleted_team_finds_it_gone(team_a, alice, django_capture_on_commit_callbacks) -> None:
    from accounts.tasks import balance_refresh_task, provider_account_check
    from accounts.team_lifecycle import team_delete
    from fax.models import Fax, FaxDraft
    from fax.tasks import fetch_incoming_for_account, render_draft, send_fax, track_fax
    from messaging.models import ContactImport, SmsBatch
    from messaging.tasks import contact_import_task, sms_batch_send_task, sms_scheduled_release_task
    from notifications.models import Notification
    from notifications.tasks import balance_check, notification_email_send
    from telephony.tasks import calls_import_account

    team_with_data(team_a)
    SmsBatch.objects.filter(team=team_a).update(state=SmsBatch.State.SENDING)
    Fax.objects.filter(team=team_a).update(status="queued")
    batch = SmsBatch.objects.get(team=team_a).pk
    fax = Fax.objects.get(team=team_a).pk
    draft = FaxDraft.objects.get(team=team_a).pk
    job = ContactImport.objects.get(team=team_a).pk
    notification = Notification.objects.get(team=team_a).pk
    account = team_a.provider_accounts.get(kind="pasifik").pk
    with django_capture_on_commit_callbacks(execute=True):
        team_delete(owner=Membership.objects.get(user=alice), confirm_name="Team A", password=TEST_PASSWORD)

    assert sms_batch_send_task(batch) == "gone"
    assert send_fax(fax) == "not-queued"
    assert track_fax(fax) == "gone"
    assert render_draft(draft) == "done-already"
    assert contact_import_task(job) == "not queued"
    assert notification_email_send(notification) == "gone"
    assert calls_import_account(account).startswith("skipped")
    assert balance_refresh_task(account).startswith("skipped")
    assert provider_account_check(account) == "gone"
    assert fetch_incoming_for_account(account) == "gone"
    assert balance_check(account) == "gone"
    assert isinstance(sms_scheduled_release_task(), str)  # the sweep of scheduled sends finds nothing of it


def test_the_settings_page_offers_each_member_only_what_they_may_do(team_a, alice, bob) -> None:
    owner_page = client_for(alice).get(reverse("team-settings")).content.decode()
    viewer_page = client_for(bob).get(reverse("team-settings")).content.decode()
    for url in ("team-transfer", "team-delete", "team-leave"):
        assert reverse(url) in owner_page
    assert reverse("team-leave") in viewer_page
    assert reverse("team-transfer") not in viewer_page and reverse("team-delete") not in viewer_page


def test_the_pages_speak_turkish(alice_client: Client, team_a, alice, bob) -> None:
    alice_client.cookies["django_language"] = "tr"
    leave = alice_client.get(reverse("team-leave")).content.decode()
    delete = alice_client.get(reverse("team-delete")).content.decode()
    transfer = alice_client.get(reverse("team-transfer")).content.decode()
    assert "A team needs an owner" not in leave
    assert "Delete the team and all its data" not in delete
    assert "Transfer ownership" not in transfer


def test_an_owner_without_a_password_is_told_how_to_set_one(team_a, alice, ada) -> None:
    alice.set_unusable_password()  # signs in with single sign-on only
    alice.save()
    alice_client = client_for(alice)
    transfer = alice_client.post(reverse("team-transfer"), {"new_owner": ada.pk, "password": "anything"})
    delete = alice_client.post(reverse("team-delete"), {"confirm_name": "Team A", "password": "anything"})
    for response in (transfer, delete):
        assert response.status_code == 400
        assert "Your account has no password (you sign in with single sign-on)." in response.content.decode()
    assert roles(team_a)["alice@example.com"] == Role.OWNER and Team.objects.filter(pk=team_a.pk).exists()


def test_guessing_the_password_is_cut_short(alice_client: Client, team_a, alice, ada) -> None:
    from accounts.team_lifecycle import CONFIRM_LIMIT

    for _ in range(CONFIRM_LIMIT):
        alice_client.post(reverse("team-transfer"), {"new_owner": ada.pk, "password": "guess"})
    response = alice_client.post(reverse("team-transfer"), {"new_owner": ada.pk, "password": TEST_PASSWORD})
    assert "Too many tries. Wait a quarter of an hour and try again. Nothing was changed." in response.content.decode()
    deleting = alice_client.post(reverse("team-delete"), {"confirm_name": "Team A", "password": TEST_PASSWORD})
    assert "Too many tries." in deleting.content.decode()
    assert roles(team_a)["alice@example.com"] == Role.OWNER and Team.objects.filter(pk=team_a.pk).exists()


def test_an_operator_deleting_a_team_in_django_admin_takes_the_same_path(
    team_a, team_b, alice, charlie, django_capture_on_commit_callbacks
) -> None:
    mine, theirs = team_with_data(team_a), team_with_data(team_b)
    operator = client_for(UserFactory(is_staff=True, is_superuser=True, email="ops@example.com"))
    url = reverse("admin:accounts_team_delete", args=[team_a.pk])
    assert operator.get(url).status_code == 200  # no "protected objects" refusal

    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert set(mine.row_counts().values()) == {0} and mine.files_present() == []
    assert theirs.files_present() == theirs.files and all(theirs.row_counts().values())
    final = AuditEvent.objects.get(action="team.delete")
    assert final.team is None and final.actor_email == "ops@example.com" and final.data["team_name"] == "Team A"
