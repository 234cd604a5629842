"""The fax address book: contacts and groups kept by operators (audited, the team's own), searched, exported
formula-safe, imported from CSV in any usual encoding with every left-out row reported in the reader's language,
and picked as recipients on New fax (contacts and whole groups)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from fax.models import FaxContact, FaxContactGroup, FaxDraft
from tests.conftest import client_for
from tests.fax.factories import cover_template_for, fax_contact_for, two_page_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(team_a, member_of):
    return member_of(team_a, "operator")


@pytest.fixture
def operator_client(operator):
    return client_for(operator)


def actions(team) -> list[str]:
    return list(AuditEvent.objects.filter(team=team).order_by("pk").values_list("action", flat=True))


def test_an_operator_adds_changes_and_deletes_contacts_and_groups_each_audited(operator_client, team_a) -> None:
    operator_client.post(reverse("fax-group-new"), {"name": "Tedarikçiler"})
    group = FaxContactGroup.objects.get(team=team_a)
    response = operator_client.post(
        reverse("fax-contact-new"),
        {"name": "Ayşe Yılmaz", "company": "Örnek A.Ş.", "fax_number": "0212 555 01 23", "groups": [group.pk]},
    )
    assert response.status_code == 302
    contact = FaxContact.objects.get(team=team_a)
    assert (contact.fax_number, list(contact.groups.all())) == ("902125550123", [group])

    operator_client.post(
        reverse("fax-contact-edit", args=[contact.pk]),
        {"name": "Ayşe Yılmaz", "fax_number": "+90 212 555 01 24", "notes": "Muhasebe"},
    )
    contact.refresh_from_db()
    assert (contact.fax_number, contact.notes, contact.groups.count()) == ("902125550124", "Muhasebe", 0)
    operator_client.post(reverse("fax-group-edit", args=[group.pk]), {"delete": "1"})
    operator_client.post(reverse("fax-contact-edit", args=[contact.pk]), {"delete": "1"})
    assert not FaxContact.objects.filter(team=team_a).exists()
    assert actions(team_a) == [
        "fax.group_create",
        "fax.contact_create",
        "fax.contact_update",
        "fax.group_delete",
        "fax.contact_delete",
    ]


def test_a_bad_fax_number_is_refused_with_what_was_typed_kept(operator_client, team_a) -> None:
    response = operator_client.post(
        reverse("fax-contact-new"), {"name": "Mehmet", "company": "Kaya Ltd", "fax_number": "12ab", "notes": "x"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Not a valid fax number: 12ab" in page
    assert 'value="Kaya Ltd"' in page and 'value="12ab"' in page
    assert not FaxContact.objects.exists()


def test_the_search_finds_by_name_company_and_number_in_any_form(operator_client, team_a) -> None:
    fax_contact_for(team_a, name="Şule Öztürk", company="Deniz Lojistik", fax_number="903125550100")
    fax_contact_for(team_a, name="Can Ak", company="Kuzey", fax_number="902165550111")
    for query in ("Şule", "lojistik", "0312 555", "+90 312 555 01 00"):
        page = operator_client.get(reverse("fax-contacts"), {"q": query}).content.decode()
        assert "Şule Öztürk" in page and "Can Ak" not in page, query


def test_another_teams_contacts_and_groups_are_not_found_and_viewers_cannot_open_the_book(
    operator_client, team_b, bob_client
) -> None:
    theirs = fax_contact_for(team_b)
    group = FaxContactGroup.objects.create(team=team_b, name="B")
    assert operator_client.get(reverse("fax-contact-edit", args=[theirs.pk])).status_code == 404
    assert operator_client.post(reverse("fax-contact-edit", args=[theirs.pk]), {"delete": "1"}).status_code == 404
    assert operator_client.get(reverse("fax-group-edit", args=[group.pk])).status_code == 404
    assert theirs.name not in operator_client.get(reverse("fax-contacts")).content.decode()
    assert FaxContact.objects.filter(pk=theirs.pk).exists()
    assert bob_client.get(reverse("fax-contacts")).status_code == 403


def test_the_export_escapes_formulas_and_imports_back_unchanged(operator_client, team_a) -> None:
    group = FaxContactGroup.objects.create(team=team_a, name="Bankalar")
    contact = fax_contact_for(team_a, name='=HYPERLINK("http://x")', company="@SUM(1)", fax_number="902125550123")
    contact.groups.add(group)
    response = operator_client.get(reverse("fax-contacts"), {"export": "csv"})
    content = b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["Name", "Company", "Fax number", "Notes", "Groups"]
    assert rows[1] == ['\'=HYPERLINK("http://x")', "'@SUM(1)", "+902125550123", "", "Bankalar"]
    assert "fax.contacts_export" in actions(team_a)

    contact.name, contact.company = "Ayşe", "Örnek"
    contact.save()
    export = b"".join(operator_client.get(reverse("fax-contacts"), {"export": "csv"}).streaming_content)
    report = operator_client.post(
        reverse("fax-contacts-import"), {"file": SimpleUploadedFile("book.csv", export, content_type="text/csv")}
    )
    assert report.status_code == 200
    assert FaxContact.objects.filter(team=team_a).count() == 1
    assert "0 contacts added, 1 already in the address book" in report.content.decode()


def test_a_windows_1254_file_is_imported_with_a_turkish_report_of_left_out_rows(operator, team_a) -> None:
    data = (
        "Ad;Şirket;Faks numarası;Notlar;Gruplar\r\n"
        "Gülşen Işık;Çağrı A.Ş.;0212 555 01 23;İade;Müşteriler, Bayiler\r\n"
        ";;0212 555 01 24;;\r\n"
        "Hatalı;;12ab;;\r\n"
        "Boş numara;;;;\r\n"
        "Gülşen Işık;Çağrı A.Ş.;+90 212 555 01 23;;\r\n"
    ).encode("cp1254")
    client = client_for(operator)
    operator.language = "tr"
    operator.save()
    response = client.post(
        reverse("fax-contacts-import"),
        {"file": SimpleUploadedFile("rehber.csv", data, content_type="text/csv")},
        HTTP_ACCEPT_LANGUAGE="tr",
    )
    page = response.content.decode()
    contact = FaxContact.objects.get(team=team_a)
    assert (contact.name, contact.company, contact.fax_number, contact.notes) == (
        "Gülşen Işık",
        "Çağrı A.Ş.",
        "902125550123",
        "İade",
    )
    assert sorted(g.name for g in contact.groups.all()) == ["Bayiler", "Müşteriler"]
    assert "Satır 3: ad veya şirket yok" in page
    assert "Satır 4: “12ab” geçerli bir faks numarası değil" in page
    assert "Satır 5: faks numarası yok" in page
    assert "Satır 6: 2. satırla aynı ad ve faks numarası" in page
    event = AuditEvent.objects.get(team=team_a, action="fax.contacts_import")
    assert event.data == {"created": 1, "updated": 0, "left_out": 4}


def test_a_file_without_a_fax_number_column_is_refused_whole(operator_client, team_a) -> None:
    response = operator_client.post(
        reverse("fax-contacts-import"),
        {"file": SimpleUploadedFile("x.csv", b"who,where\nA,B\n", content_type="text/csv")},
    )
    assert response.status_code == 400 and "names no fax number column" in response.content.decode()
    binary = operator_client.post(
        reverse("fax-contacts-import"), {"file": SimpleUploadedFile("x.csv", b"\x00\x01\x02" * 50)}
    )
    assert binary.status_code == 400 and "neither text (CSV) nor an Excel workbook" in binary.content.decode()
    assert not FaxContact.objects.exists()


def test_new_fax_takes_recipients_from_contacts_and_whole_groups_and_keeps_the_choice_on_errors(
    team_a, operator_client, sandbox_account, sandbox
) -> None:
    account = sandbox_account(team_a, "pasifik")
    template = cover_template_for(team_a)
    group = FaxContactGroup.objects.create(team=team_a, name="Bayiler")
    ayse = fax_contact_for(team_a, name="Ayşe", fax_number="902125550123")
    for name, number in (("Bayi 1", "902125550131"), ("Bayi 2", "902125550132")):
        fax_contact_for(team_a, name=name, fax_number=number).groups.add(group)
    form = {
        "account": account.pk,
        "our_number": account.options["fax_numbers"][0],
        "recipients": "+90 212 555 01 40",
        "contacts": [ayse.pk],
        "recipient_groups": [group.pk],
        "quality": "fine",
        "cover_subject": "Fiyat listesi",
    }
    without_file = operator_client.post(reverse("fax-new"), form)
    page = without_file.content.decode()
    assert without_file.status_code == 200 and "Choose at least one document." in page
    assert f'<option value="{ayse.pk}" selected>' in page
    assert re.search(rf'name="recipient_groups" value="{group.pk}" [^>]*checked', page)
    assert "+90 212 555 01 40" in page and 'value="Fiyat listesi"' in page

    pdf = SimpleUploadedFile("a.pdf", two_page_pdf(), content_type="application/pdf")
    operator_client.post(reverse("fax-new"), {**form, "files": pdf, "cover": template.pk})
    draft = FaxDraft.objects.get(team=team_a)
    assert draft.recipients == ["902125550140", "902125550123", "902125550131", "902125550132"]
    assert draft.cover["template"] == template.pk and draft.cover["subject"] == "Fiyat listesi"
    assert draft.cover["to_names"] == {"902125550123": "Ayşe", "902125550131": "Bayi 1", "902125550132": "Bayi 2"}


def test_new_fax_needs_a_number_or_a_contact(team_a, operator_client, sandbox_account, sandbox) -> None:
    account = sandbox_account(team_a, "pasifik")
    response = operator_client.post(
        reverse("fax-new"),
        {"account": account.pk, "our_number": account.options["fax_numbers"][0], "quality": "fine"},
    )
    assert "Enter at least one fax number, or choose from the address book." in response.content.decode()


TURKISH_ORDER = ["Cem", "Çağla", "Gül", "Ğ Harfi", "Hakan", "ılık", "Irmak", "İpek", "iz", "Oya", "Ömer", "Sema",
                 "Şule", "Umut", "Ülkü", "Zeynep"]  # fmt: skip


def test_the_book_lists_contacts_and_groups_in_turkish_alphabetical_order(operator_client, team_a) -> None:
    names = TURKISH_ORDER[::-1]  # stored in the reverse of the order they must be shown in
    for index, name in enumerate(names):
        fax_contact_for(team_a, name=name, fax_number=f"90212555{index:04d}")
        FaxContactGroup.objects.create(team=team_a, name=name)

    page = operator_client.get(reverse("fax-contacts"))
    assert [contact.name for contact in page.context["contacts"]] == TURKISH_ORDER
    assert [group.name for group in page.context["groups"]] == TURKISH_ORDER
    exported = operator_client.get(reverse("fax-contacts") + "?format=csv")
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == TURKISH_ORDER
