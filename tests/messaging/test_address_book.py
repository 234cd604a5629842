"""Every write a person makes to the address book goes through a service that leaves an audit event."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, Team
from messaging.models import Contact, ContactGroup, OptOut, SmsTemplate

pytestmark = pytest.mark.django_db


def actions(team: Team) -> list[str]:
    return list(AuditEvent.objects.filter(team=team).order_by("pk").values_list("action", flat=True))


def test_contact_writes_are_audited(alice_client: Client, team_a: Team) -> None:
    group = ContactGroup.objects.create(team=team_a, name="VIP")
    alice_client.post(
        reverse("sms-contacts"), {"form": "contact", "name": "Ece", "phone": "0532 111 11 11", "groups": [group.pk]}
    )
    contact = Contact.objects.get(team=team_a)
    assert list(contact.groups.all()) == [group]
    alice_client.post(reverse("sms-contact-edit", args=[contact.pk]), {"name": "Ece K.", "phone": "05321111111"})
    contact.refresh_from_db()
    assert contact.name == "Ece K." and not contact.groups.exists()
    alice_client.post(reverse("sms-contact-edit", args=[contact.pk]), {"delete": "1"})

    assert actions(team_a) == ["sms.contact_create", "sms.contact_update", "sms.contact_delete"]
    deleted = AuditEvent.objects.get(action="sms.contact_delete")
    assert deleted.object_id == str(contact.pk) and "Ece K." in deleted.object_repr
    assert deleted.actor is not None and deleted.ip_address


def test_group_template_and_opt_out_writes_are_audited(alice_client: Client, team_a: Team) -> None:
    alice_client.post(reverse("sms-contacts"), {"form": "group", "name": "VIP"})
    group = team_a.contact_groups.get()
    alice_client.post(reverse("sms-group-edit", args=[group.pk]), {"name": "Çok önemli"})
    alice_client.post(reverse("sms-group-delete", args=[group.pk]))
    alice_client.post(reverse("sms-templates"), {"name": "Kargo", "text": "Kargonuz yolda {name}"})
    alice_client.post(reverse("sms-template-delete", args=[SmsTemplate.objects.get().pk]))
    alice_client.post(reverse("sms-opt-outs"), {"phone": "0532 111 11 11", "reason": "asked by phone"})
    alice_client.post(reverse("sms-opt-out-delete", args=[OptOut.objects.get().pk]))

    assert actions(team_a) == [
        "sms.group_create",
        "sms.group_update",
        "sms.group_delete",
        "sms.template_create",
        "sms.template_delete",
        "sms.opt_out",
        "sms.opt_out_remove",
    ]
    assert not (ContactGroup.objects.exists() or SmsTemplate.objects.exists() or OptOut.objects.exists())


def test_the_audit_log_names_them_in_turkish(alice_client: Client, team_a: Team) -> None:
    alice_client.post(reverse("sms-contacts"), {"form": "contact", "name": "Ece", "phone": "0532 111 11 11"})
    alice_client.post(reverse("sms-templates"), {"name": "Kargo", "text": "Kargonuz yolda"})
    alice_client.cookies["django_language"] = "tr"
    page = alice_client.get(reverse("audit")).content.decode()
    assert "Kişi eklendi" in page and "SMS şablonu kaydedildi" in page
    assert "sms.contact_create" not in page.replace('value="sms.contact_create"', "")


def test_the_views_and_the_contact_import_write_the_address_book_only_through_services() -> None:
    from pathlib import Path

    import messaging

    root = Path(messaging.__file__).parent
    for path in (root / "views.py", root / "forms.py"):
        source = path.read_text(encoding="utf-8")
        assert ".save()" not in source and ".delete()" not in source, path
