"""List pages draw their rows from values worked out once per page: the same text as before, less work per row."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from django.utils import dateformat, timezone, translation
from django.utils.formats import date_format

from core import phones
from core.list_formats import _as_strftime, local_datetime_formatter, url_with_pk
from tests.factories import ProviderAccountFactory
from tests.telephony.factories import CallRecordFactory

pytestmark = pytest.mark.django_db

MOMENTS = [
    datetime(2026, 3, 28, 21, 30, tzinfo=UTC),  # after midnight in Istanbul: the next day there
    datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(2026, 1, 5, 7, 4, 3, tzinfo=UTC),
]


@pytest.mark.parametrize("language", ["en", "tr"])
@pytest.mark.parametrize("format_name", ["SHORT_DATETIME_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT"])
def test_the_list_date_formatter_writes_what_date_format_writes(language: str, format_name: str) -> None:
    with translation.override(language), timezone.override(ZoneInfo("Europe/Istanbul")):
        shown = local_datetime_formatter(format_name)
        for moment in MOMENTS:
            assert shown(moment) == date_format(timezone.localtime(moment), format_name)
        assert shown(None) == ""


def test_a_format_with_names_or_am_pm_falls_back_to_djangos_formatter() -> None:
    assert _as_strftime("d.m.Y H:i") == "%d.%m.%Y %H:%M"
    assert _as_strftime("N j, Y, P") is None  # month names and "p.m." are Django's own
    with timezone.override(ZoneInfo("Europe/Istanbul")):
        moment = timezone.localtime(MOMENTS[0])
        assert dateformat.format(moment, "N j, Y, P") == "March 29, 2026, 12:30 a.m."


def test_url_with_pk_is_reverse() -> None:
    from django.urls import reverse

    detail = url_with_pk("calls-detail")
    assert [detail(pk) for pk in (1, 42, 918273645)] == [
        reverse("calls-detail", args=[pk]) for pk in (1, 42, 918273645)
    ]


def test_the_calls_page_formats_each_distinct_number_once(alice_client, team_a, monkeypatch) -> None:
    account = ProviderAccountFactory(team=team_a, label="Main line")
    now = timezone.now()
    for i in range(30):
        CallRecordFactory(account=account, start=now - timedelta(minutes=i), caller=f"+9053200000{i % 3:02d}",
                          callee="101")  # fmt: skip
    formatted: list[str] = []
    real = phonenumbers.format_number
    monkeypatch.setattr(phonenumbers, "format_number", lambda n, style: formatted.append(style) or real(n, style))
    phones._shown.cache_clear()  # formatted numbers are kept per process: start from none

    response = alice_client.get("/calls/?preset=all")

    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("0532 000 00 01") == 10  # every row shows its number, nationally grouped
    assert len(formatted) == 3  # three distinct numbers (the extension is no phone number)
    formatted.clear()
    alice_client.get("/calls/?preset=all")
    assert formatted == []  # and the next page view formats none again


def test_calls_rows_show_the_team_zone_labels_and_lock(alice_client, alice, team_a) -> None:
    account = ProviderAccountFactory(team=team_a, label="Main line")
    start = datetime(2026, 3, 28, 21, 30, tzinfo=UTC)
    call = CallRecordFactory(account=account, start=start, caller="+905321234567", callee="101",
                             disposition="no_answer", has_recording=True, recording_name="a.wav")  # fmt: skip
    membership = alice.memberships.get(team=team_a)
    membership.recording_numbers = ["102"]  # limited: this call's recording is not hers to hear
    membership.save()

    body = alice_client.get("/calls/?preset=all").content.decode()
    row = re.search(r"<tbody>(.*?)</tbody>", body, re.S).group(1)  # type: ignore[union-attr]

    assert f'<a href="/calls/{call.pk}/">' in row
    assert "29.03.2026" in row or "2026-03-29" in row  # 21:30 UTC is the next day in Istanbul
    assert "0532 123 45 67" in row and "Main line" in row
    assert '<span class="badge text-bg-warning">' in row
    assert "bi-lock" in row and "data-play" not in row


def _cells(table_html: str) -> list[str]:
    """The rows of a table's body, each row's attributes and cells, with the templates' whitespace and the
    per-cell template's even/odd row classes left out."""
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", table_html, re.S).group(1)  # type: ignore[union-attr]
    body = re.sub(r'\s*class="(even|odd)"', "", body)
    body = re.sub(r"\s+(?=<)|(?<=>)\s+", "", body)
    return re.sub(r"<(tr|td)\s*([^>]*?)\s*>", lambda m: f"<{m[1]}{' ' + m[2] if m[2] else ''}>", body).split("</tr>")


def _drawn_both_ways(table_class: type, queryset: object, language: str) -> tuple[list[str], list[str]]:
    from django.test import RequestFactory

    from core.lists import paginate_table

    request = RequestFactory().get("/")
    with translation.override(language), timezone.override(ZoneInfo("Europe/Istanbul")):
        lean = paginate_table(request, table_class(queryset), per_page=50)
        per_cell = paginate_table(request, table_class(queryset, template_name="tables/table.html"), per_page=50)
        per_cell_html = per_cell.as_html(request)
        assert 'class="even"' in per_cell_html  # django-tables2's own row, cell by cell
        return _cells(lean.as_html(request)), _cells(per_cell_html)


@pytest.mark.parametrize("language", ["en", "tr"])
def test_the_recipients_rows_are_the_cells_django_tables2_drew(team_a, language: str) -> None:
    from decimal import Decimal

    from messaging.models import SmsChunk, SmsRecipient
    from messaging.tables import RecipientTable
    from tests.messaging.factories import SmsChunkFactory, SmsRecipientFactory

    failed = SmsChunkFactory(batch__team=team_a, state=SmsChunk.State.FAILED, error="Provider said <no> & left")
    batch = failed.batch
    ok = SmsChunkFactory(batch=batch)
    SmsRecipientFactory(chunk=failed, state=SmsRecipient.State.FAILED, name="<b>Ayşe & Işık</b>", source_row=1234)
    SmsRecipientFactory(chunk=failed, state=SmsRecipient.State.PENDING, status_text="", cost=Decimal("1.5"))
    SmsRecipientFactory(chunk=ok, state=SmsRecipient.State.DELIVERED, status_text="DELIVRD", cost=Decimal(2),
                        last_update=datetime(2026, 3, 28, 21, 30, tzinfo=UTC), source_row=7)  # fmt: skip
    SmsRecipientFactory(chunk=ok, phone="1001", state=SmsRecipient.State.UNDELIVERED, cost=Decimal("0.0000"))

    lean, per_cell = _drawn_both_ways(RecipientTable, batch.recipients.select_related("chunk"), language)

    assert len(lean) == 5 and lean == per_cell
    assert 'data-state="failed"' in lean[0] and "&lt;b&gt;Ayşe &amp; Işık&lt;/b&gt;" in lean[0]


@pytest.mark.parametrize("language", ["en", "tr"])
def test_the_contacts_rows_are_the_cells_django_tables2_drew(team_a, language: str) -> None:
    from messaging.tables import ContactTable
    from tests.messaging.factories import ContactFactory, ContactGroupFactory

    groups = [ContactGroupFactory(team=team_a, name=name) for name in ("Şube <İzmir>", "Bayiler")]
    ContactFactory(team=team_a, name="<i>Gülşen</i> & Çağrı").groups.set(groups)
    ContactFactory(team=team_a, name="").groups.set(groups[:1])  # no name: no link, a dash
    ContactFactory(team=team_a, name="Zeynep", phone="1002")

    lean, per_cell = _drawn_both_ways(ContactTable, team_a.contacts.prefetch_related("groups"), language)

    assert len(lean) == 4 and lean == per_cell
    assert "&lt;i&gt;Gülşen&lt;/i&gt; &amp; Çağrı" in "".join(lean) and "Bayiler, Şube &lt;İzmir&gt;" in "".join(lean)
