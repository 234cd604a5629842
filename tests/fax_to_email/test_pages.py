"""The routing rules pages (admin+, audited, team-scoped), a member's own choice, Telphin's own setting."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import AuditEvent, Membership
from accounts.roles import Role
from fax_to_email.models import Delivery, OptOut, ProviderMailto, RoutingRule
from sandbox.telphin import DEMO_EXTENSION_ID
from tests.conftest import client_for
from tests.factories import MembershipFactory
from tests.fax_to_email.factories import delivery_in, rule_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(team_a) -> Client:
    return client_for(MembershipFactory(team=team_a, role=Role.ADMIN).user)


def test_an_admin_adds_a_rule_by_the_number_as_people_write_it_and_it_is_audited(
    team_a, alice, bob, admin_client
) -> None:
    bob_membership = Membership.objects.get(team=team_a, user=bob)
    response = admin_client.post(
        "/fax/email/rules/new/",
        {
            "our_number": "0212 963 01 99",
            "members": [bob_membership.pk],
            "emails": "desk@client.example\nDESK@client.example, night@client.example",
            "attach_document": "on",
            "language": "tr",
        },
    )

    assert response.status_code == 302
    rule = RoutingRule.objects.get(team=team_a)
    assert rule.our_number == "902129630199"
    assert list(rule.members.all()) == [bob_membership]
    assert rule.emails == ["desk@client.example", "night@client.example"]
    assert (rule.attach_document, rule.language) == (True, "tr")
    event = AuditEvent.objects.get(action="fax_mail.rule_create")
    assert event.team == team_a and event.object_id == str(rule.pk)
    assert event.data["our_number"] == "902129630199" and event.data["members"] == ["bob@example.com"]
    assert "+90 212 963 01 99" in admin_client.get("/fax/email/rules/").content.decode()


def test_a_wrong_number_or_address_is_refused_and_what_was_typed_stays(team_a, admin_client) -> None:
    response = admin_client.post(
        "/fax/email/rules/new/", {"our_number": "12ab", "emails": "not-an-address", "language": "en"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "is not a fax number" in html and "is not an email address" in html
    assert 'value="12ab"' in html and "not-an-address" in html
    assert not RoutingRule.objects.exists()


def test_one_rule_per_number_and_one_catch_all(team_a, admin_client) -> None:
    rule_in(team_a, our_number="902129630199")
    rule_in(team_a, our_number="")
    for typed in ("+90 212 963 01 99", ""):
        response = admin_client.post(
            "/fax/email/rules/new/", {"our_number": typed, "emails": "x@client.example", "language": "en"}
        )
        assert response.status_code == 400 and "already a rule" in response.content.decode()


def test_a_rule_is_changed_and_deleted_with_audit_events(team_a, admin_client) -> None:
    rule = rule_in(team_a)
    response = admin_client.post(
        f"/fax/email/rules/{rule.pk}/", {"our_number": "902129630199", "emails": "new@client.example", "language": "en"}
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.emails == ["new@client.example"] and rule.attach_document is False
    assert admin_client.post(f"/fax/email/rules/{rule.pk}/delete/").status_code == 302
    assert not RoutingRule.objects.exists()
    assert {e.action for e in AuditEvent.objects.filter(team=team_a)} == {
        "fax_mail.rule_update",
        "fax_mail.rule_delete",
    }


def test_operators_and_viewers_may_not_see_the_rules(team_a, bob_client) -> None:
    operator = client_for(MembershipFactory(team=team_a, role=Role.OPERATOR).user)
    rule = rule_in(team_a)
    for client in (operator, bob_client):
        assert client.get("/fax/email/rules/").status_code == 403
        assert client.post(f"/fax/email/rules/{rule.pk}/delete/").status_code == 403
    assert RoutingRule.objects.filter(pk=rule.pk).exists()


def test_another_teams_rule_and_mail_are_not_found(team_a, team_b, charlie) -> None:
    rule, delivery = rule_in(team_a), delivery_in(team_a)
    outsider = client_for(charlie)

    assert outsider.get(f"/fax/email/rules/{rule.pk}/").status_code == 404
    assert outsider.post(f"/fax/email/rules/{rule.pk}/delete/").status_code == 404
    assert outsider.post(f"/fax/email/deliveries/{delivery.pk}/resend/").status_code == 404
    assert outsider.get(f"/fax/{delivery.fax_id}/").status_code == 404
    assert RoutingRule.objects.filter(pk=rule.pk).exists()
    assert Delivery.objects.get(pk=delivery.pk).state == "failed"


def test_a_failed_mail_shows_on_the_fax_page_with_its_reason_and_an_admin_may_send_it_again(
    team_a, alice, bob_client, django_capture_on_commit_callbacks, smtp_server
) -> None:
    delivery = delivery_in(team_a, error_key="unreachable", error_detail="ConnectionRefusedError", attempts=9)

    viewer_page = bob_client.get(f"/fax/{delivery.fax_id}/").content.decode()
    assert "The mail server could not be reached. (ConnectionRefusedError)" in viewer_page
    assert "Send again" not in viewer_page  # a viewer sees the mail, an admin acts on it
    admin = client_for(alice)
    assert "Send again" in admin.get(f"/fax/{delivery.fax_id}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/fax/email/deliveries/{delivery.pk}/resend/")
    assert Delivery.objects.get(pk=delivery.pk).state == "sent"
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["desk@example.com"] and mail.attachments()[0][1] == "application/pdf"
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/fax/email/deliveries/{delivery.pk}/resend/")  # a sent mail is not sent again
    assert len(smtp_server.messages) == 1


def test_a_member_turns_fax_mail_off_and_on_for_themselves(team_a, bob, bob_client) -> None:
    assert bob_client.post("/fax/email/mine/").status_code == 302
    assert OptOut.objects.filter(team=team_a, user=bob).exists()
    assert "You have turned off" in bob_client.get("/fax/email/mine/").content.decode()
    bob_client.post("/fax/email/mine/", {"receive": "1"})
    assert not OptOut.objects.filter(team=team_a, user=bob).exists()
    assert [e.action for e in AuditEvent.objects.order_by("pk")] == ["fax_mail.opt_out", "fax_mail.opt_in"]


def test_the_rules_page_reads_in_turkish(team_a, admin_client) -> None:
    rule_in(team_a, our_number="")
    html = admin_client.get("/fax/email/rules/", HTTP_ACCEPT_LANGUAGE="tr").content.decode()
    assert "E-postayla gelen fakslar" in html and "diğer tüm numaralar" in html


# --- Telphin's own fax-to-email setting, on its provider account page ---------------------------


def test_the_telphin_account_page_sets_the_providers_fax_to_email_addresses(
    team_a, alice, sandbox_account, sandbox
) -> None:
    account = sandbox_account(team_a, "telphin")
    admin = client_for(alice)
    assert 'data-testid="provider-mailto"' in admin.get(f"/team/providers/{account.pk}/").content.decode()

    response = admin.post(f"/fax/email/provider/{account.pk}/", {"addresses": "a@client.example\nb@client.example"})

    assert response.status_code == 302
    assert sandbox.by_name["telphin"].extensions[DEMO_EXTENSION_ID]["fax_mailto"] == "a@client.example,b@client.example"
    assert ProviderMailto.objects.get(account=account).addresses == ["a@client.example", "b@client.example"]
    event = AuditEvent.objects.get(action="provider.fax_mailto", object_id=str(account.pk))
    assert event.data["addresses"] == ["a@client.example", "b@client.example"]
    page = admin.get(f"/team/providers/{account.pk}/").content.decode()
    assert "a@client.example\nb@client.example" in page and "Last set from the portal" in page


def test_a_provider_failure_is_a_clear_message_and_the_addresses_typed_stay(
    team_a, alice, sandbox_account, sandbox
) -> None:
    account = sandbox_account(team_a, "telphin")
    sandbox.inject("503", provider="telphin", path="/fax/", method="PUT", times=10)

    response = client_for(alice).post(f"/fax/email/provider/{account.pk}/", {"addresses": "a@client.example"})

    html = response.content.decode()
    assert response.status_code == 502
    assert f"{account.label} did not take the addresses:" in html
    assert "a@client.example" in html
    assert not ProviderMailto.objects.exists()
    assert sandbox.by_name["telphin"].extensions[DEMO_EXTENSION_ID]["fax_mailto"] == ""


def test_other_providers_pages_have_no_such_setting(team_a, alice, sandbox_account) -> None:
    account = sandbox_account(team_a, "pasifik")
    admin = client_for(alice)
    assert 'data-testid="provider-mailto"' not in admin.get(f"/team/providers/{account.pk}/").content.decode()
    response = admin.post(f"/fax/email/provider/{account.pk}/", {"addresses": "a@client.example"}, follow=True)
    assert "Only Telphin accounts" in response.content.decode()
    assert not ProviderMailto.objects.exists()
