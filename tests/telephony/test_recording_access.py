"""Recording access: named permissions with per-team lowest roles, per-member number limits, who listened."""

from __future__ import annotations

import io
import wave

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.formats import date_format

from accounts.context_processors import current_team
from accounts.models import AuditEvent, Membership, Team
from accounts.roles import Role
from telephony.models import CallRecord
from telephony.recording_access import recording_permitted
from tests.conftest import client_for
from tests.factories import ProviderAccountFactory, UserFactory
from tests.telephony.factories import CallRecordFactory

pytestmark = pytest.mark.django_db


def silent_wav(seconds: float = 1.0) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * int(8000 * seconds))
    return buffer.getvalue()


def stored_call(team: Team, *, caller: str = "+905321234567", callee: str = "101") -> CallRecord:
    """A call whose recording is already in storage: serving it never asks a provider."""
    call = CallRecordFactory(
        account=ProviderAccountFactory(team=team), caller=caller, callee=callee,
        recording_name="in-1.wav", has_recording=True,
    )  # fmt: skip
    call.recording.save(f"call-{call.pk}.wav", ContentFile(silent_wav()), save=True)
    return call


def play(client, call, **params):
    return client.get(reverse("calls-recording", args=[call.pk]), params)


def member(team: Team, role: Role, numbers: list[str] | None = None):
    user = Membership.objects.create(team=team, user=UserFactory(), role=role, recording_numbers=numbers or []).user
    return user, client_for(user)


@pytest.mark.parametrize(
    ("role", "plays", "downloads"),
    [(Role.VIEWER, 403, 403), (Role.OPERATOR, 200, 403), (Role.ADMIN, 200, 200), (Role.OWNER, 200, 200)],
)
def test_defaults_operators_listen_admins_download(team_a, role, plays, downloads) -> None:
    call = stored_call(team_a)
    _, client = member(team_a, role)
    assert play(client, call).status_code == plays
    assert play(client, call, download="1").status_code == downloads


def test_the_call_page_shows_the_player_and_download_link_only_to_those_allowed(team_a) -> None:
    call = stored_call(team_a)
    url = reverse("calls-detail", args=[call.pk])
    recording = reverse("calls-recording", args=[call.pk])
    viewer_page = member(team_a, Role.VIEWER)[1].get(url).content.decode()
    operator_page = member(team_a, Role.OPERATOR)[1].get(url).content.decode()
    admin_page = member(team_a, Role.ADMIN)[1].get(url).content.decode()
    assert recording not in viewer_page and 'data-testid="no-listen"' in viewer_page
    assert f'src="{recording}"' in operator_page and f"{recording}?download=1" not in operator_page
    assert f"{recording}?download=1" in admin_page


def test_the_call_list_offers_play_buttons_only_to_listeners(team_a) -> None:
    call = stored_call(team_a)
    recording = reverse("calls-recording", args=[call.pk])
    assert recording not in member(team_a, Role.VIEWER)[1].get(reverse("calls-list")).content.decode()
    assert f'data-play="{recording}"' in member(team_a, Role.OPERATOR)[1].get(reverse("calls-list")).content.decode()


def test_the_owner_moves_the_lowest_roles_and_every_check_follows(team_a, alice_client) -> None:
    call = stored_call(team_a)
    viewer, viewer_client = member(team_a, Role.VIEWER)
    _, operator_client = member(team_a, Role.OPERATOR)
    admin, admin_client = member(team_a, Role.ADMIN)
    response = alice_client.post(
        reverse("team-recording-access"), {"listen_recordings": "viewer", "download_recordings": "owner"}
    )
    assert response.status_code == 302
    # the recording view
    assert play(viewer_client, call).status_code == 200
    assert play(admin_client, call, download="1").status_code == 403
    assert play(alice_client, call, download="1").status_code == 200
    # the pages (player, download link) and the templates' permission context
    page = viewer_client.get(reverse("calls-detail", args=[call.pk])).content.decode()
    assert f'src="{reverse("calls-recording", args=[call.pk])}"' in page
    assert "?download=1" not in admin_client.get(reverse("calls-detail", args=[call.pk])).content.decode()
    request = viewer_client.get(reverse("calls-list")).wsgi_request
    perms = current_team(request)["team_perms"]
    assert perms.listen_recordings and not perms.download_recordings
    # the one function a later API would ask
    assert recording_permitted(Membership.objects.get(user=viewer), call)
    assert not recording_permitted(Membership.objects.get(user=admin), call, "download_recordings")
    # and stricter than the default works too
    alice_client.post(reverse("team-recording-access"), {"listen_recordings": "admin", "download_recordings": "admin"})
    assert play(operator_client, call).status_code == 403
    assert play(admin_client, call, download="1").status_code == 200


def test_the_change_is_audited_with_its_roles(team_a, alice, alice_client) -> None:
    alice_client.post(
        reverse("team-recording-access"), {"listen_recordings": "viewer", "download_recordings": "operator"}
    )
    event = AuditEvent.objects.get(action="team.recording_access")
    assert event.actor == alice and event.team == team_a
    assert event.data == {"listen_role": "viewer", "download_role": "operator"}


def test_download_below_listen_is_refused_and_the_choice_kept(team_a, alice_client) -> None:
    response = alice_client.post(
        reverse("team-recording-access"), {"listen_recordings": "admin", "download_recordings": "operator"}
    )
    assert response.status_code == 200
    assert "Downloading cannot be allowed to a lower role than listening." in response.content.decode()
    assert response.context["form"].data["listen_recordings"] == "admin"
    team_a.refresh_from_db()
    assert team_a.permission_overrides == {}


def test_one_teams_choice_does_not_touch_another_team(team_a, team_b, alice_client) -> None:
    everyone = {"listen_recordings": "viewer", "download_recordings": "viewer"}
    alice_client.post(reverse("team-recording-access"), everyone)
    theirs = stored_call(team_b)
    _, their_viewer = member(team_b, Role.VIEWER)
    assert play(their_viewer, theirs).status_code == 403


def test_only_the_owner_changes_recording_access(team_a) -> None:
    _, admin_client = member(team_a, Role.ADMIN)
    assert admin_client.get(reverse("team-recording-access")).status_code == 403
    payload = {"listen_recordings": "viewer", "download_recordings": "viewer"}
    assert admin_client.post(reverse("team-recording-access"), payload).status_code == 403


def test_another_teams_recording_is_not_found_even_for_its_owner(team_a, team_b, alice_client) -> None:
    theirs = stored_call(team_b)
    assert play(alice_client, theirs).status_code == 404
    assert play(alice_client, theirs, download="1").status_code == 404


# --- per-member limits ------------------------------------------------------------


def test_a_member_limited_to_numbers_hears_only_those_calls(team_a) -> None:
    mine = stored_call(team_a, caller="+905321234567", callee="101")
    other_extension = stored_call(team_a, caller="+905321234567", callee="102")
    by_number = stored_call(team_a, caller="+902125550123", callee="300")
    # as people type them: an extension, a number in national form
    _, client = member(team_a, Role.ADMIN, numbers=["101", "0212 555 01 23"])
    assert play(client, mine).status_code == 200
    assert play(client, by_number).status_code == 200
    assert play(client, other_extension).status_code == 404
    assert play(client, other_extension, download="1").status_code == 404
    page = client.get(reverse("calls-detail", args=[other_extension.pk])).content.decode()
    assert reverse("calls-recording", args=[other_extension.pk]) not in page
    assert 'data-testid="no-listen"' in page
    listing = client.get(reverse("calls-list")).content.decode()
    assert f'data-play="{reverse("calls-recording", args=[mine.pk])}"' in listing
    assert f'data-play="{reverse("calls-recording", args=[other_extension.pk])}"' not in listing


def test_an_empty_list_means_every_call(team_a) -> None:
    call = stored_call(team_a, callee="555")
    _, client = member(team_a, Role.OPERATOR, numbers=[])
    assert play(client, call).status_code == 200


def test_an_admin_sets_a_members_limits_on_the_members_page(team_a, alice) -> None:
    operator, _ = member(team_a, Role.OPERATOR)
    admin, admin_client = member(team_a, Role.ADMIN)
    target = Membership.objects.get(user=operator)
    url = reverse("member-recordings", args=[target.pk])
    assert url in admin_client.get(reverse("members")).content.decode()
    response = admin_client.post(url, {"numbers": "101, 102\n+90 532 123 45 67"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.recording_numbers == ["101", "102", "+90 532 123 45 67"]
    event = AuditEvent.objects.get(action="member.recording_numbers")
    assert event.actor == admin and event.data["numbers"] == ["101", "102", "+90 532 123 45 67"]
    admin_client.post(url, {"numbers": ""})
    target.refresh_from_db()
    assert target.recording_numbers == []


def test_a_wrong_entry_is_explained_and_what_was_typed_kept(team_a) -> None:
    operator, _ = member(team_a, Role.OPERATOR)
    _, admin_client = member(team_a, Role.ADMIN)
    target = Membership.objects.get(user=operator)
    response = admin_client.post(reverse("member-recordings", args=[target.pk]), {"numbers": "101, sales desk"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Not an extension or a phone number: sales desk" in content and "101, sales desk" in content
    target.refresh_from_db()
    assert target.recording_numbers == []


def test_an_admin_cannot_limit_the_owner(team_a, alice) -> None:
    _, admin_client = member(team_a, Role.ADMIN)
    owner = Membership.objects.get(user=alice)
    admin_client.post(reverse("member-recordings", args=[owner.pk]), {"numbers": "101"})
    owner.refresh_from_db()
    assert owner.recording_numbers == []


def test_an_operator_cannot_set_limits(team_a) -> None:
    _, operator_client = member(team_a, Role.OPERATOR)
    other = Membership.objects.get(user=member(team_a, Role.VIEWER)[0])
    assert operator_client.post(reverse("member-recordings", args=[other.pk]), {"numbers": "1"}).status_code == 403


# --- who listened -------------------------------------------------------------------


def test_who_listened_lists_plays_and_downloads_for_admins(team_a, alice, alice_client, settings) -> None:
    team_a.time_zone = "Europe/Istanbul"
    team_a.save()
    call = stored_call(team_a)
    operator, operator_client = member(team_a, Role.OPERATOR)
    operator.full_name = "Olcay Operatör"
    operator.save()
    b"".join(play(operator_client, call).streaming_content)
    b"".join(play(alice_client, call, download="1").streaming_content)
    played = AuditEvent.objects.get(action="calls.recording_play")
    response = alice_client.get(reverse("calls-detail", args=[call.pk]))
    listeners = list(response.context["listeners"])
    assert [(e.actor, e.action) for e in listeners] == [
        (alice, "calls.recording_download"),
        (operator, "calls.recording_play"),
    ]
    content = response.content.decode()
    section = content[content.index('data-testid="listeners"') :]
    assert "Olcay Operatör" in section and "Played" in section and "Downloaded" in section
    # the time as the team's clock shows it
    local = played.created_at.astimezone(team_a.tzinfo)
    assert date_format(local, "SHORT_DATETIME_FORMAT") in section


def test_who_listened_is_not_shown_to_operators_and_counts_only_this_call(team_a, alice_client) -> None:
    call, other = stored_call(team_a), stored_call(team_a)
    b"".join(play(alice_client, other).streaming_content)
    _, operator_client = member(team_a, Role.OPERATOR)
    operator_page = operator_client.get(reverse("calls-detail", args=[call.pk])).content.decode()
    assert 'data-testid="listeners"' not in operator_page
    response = alice_client.get(reverse("calls-detail", args=[call.pk]))
    assert list(response.context["listeners"]) == []
    assert "Nobody has listened to this recording yet." in response.content.decode()


def test_checking_a_fixed_permission_does_not_load_the_team(team_a, django_assert_num_queries) -> None:
    admin = Membership.objects.get(user=member(team_a, Role.ADMIN)[0])
    with django_assert_num_queries(0):
        assert admin.can("view_audit") and not admin.can("delete_team")
    with django_assert_num_queries(1):  # the team's overrides, once
        assert admin.can("download_recordings") and admin.can("listen_recordings")
