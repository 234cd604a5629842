"""Scheduled reports: the hand-counted week of tests/telephony/stats_data.py, plus SMS and fax, emailed once."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Membership
from messaging.models import SmsBatch
from reports import services
from reports.models import Frequency, ReportSubscription
from reports.periods import last_complete_period
from telephony.models import CallRecord
from tests.fax.factories import FaxFactory
from tests.messaging.factories import SmsBatchFactory, SmsChunkFactory, SmsRecipientFactory
from tests.telephony.stats_data import ISTANBUL, make_week

# Monday 9 March 2026, 00:30 in Istanbul: still Sunday in UTC, but the week of 2-8 March is over.
MONDAY_NIGHT = datetime(2026, 3, 9, 0, 30, tzinfo=ISTANBUL)


@pytest.fixture(autouse=True)
def _locmem_email(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def week(team_a, team_b):
    accounts = make_week(team_a, team_b)
    CallRecord.objects.filter(account=accounts["tel"]).update(cost=Decimal("1.25"))
    # SMS: one batch of 2 parts in the week (3 recipients: delivered, undelivered, refused), one the week before.
    batch = SmsBatchFactory(team=team_a, parts=2, currency="TRY")
    chunk = SmsChunkFactory(batch=batch, size=3)
    for state, cost in (("delivered", "0.30"), ("undelivered", "0.30"), ("failed", "0")):
        SmsRecipientFactory(chunk=chunk, state=state, cost=Decimal(cost))
    SmsBatch.objects.filter(pk=batch.pk).update(created_at=datetime(2026, 3, 4, 9, 0, tzinfo=ISTANBUL))
    old = SmsRecipientFactory(chunk__batch=SmsBatchFactory(team=team_a), state="delivered", cost=Decimal("9"))
    SmsBatch.objects.filter(pk=old.batch.pk).update(created_at=datetime(2026, 3, 1, 23, 0, tzinfo=ISTANBUL))
    # Fax: sent (3 pages), failed, received (5 pages) in the week; another team's fax never counts.
    FaxFactory(team=team_a, pages=3, created_at=datetime(2026, 3, 5, 10, 0, tzinfo=ISTANBUL))
    FaxFactory(team=team_a, status="failed", pages=4, created_at=datetime(2026, 3, 5, 11, 0, tzinfo=ISTANBUL))
    FaxFactory(team=team_a, direction="in", status="received", pages=5,
               created_at=datetime(2026, 3, 8, 23, 0, tzinfo=ISTANBUL))  # fmt: skip
    FaxFactory(team=team_b, pages=50, created_at=datetime(2026, 3, 5, 10, 0, tzinfo=ISTANBUL))
    return accounts


def subscribe(user, team, frequency: str = Frequency.WEEKLY) -> ReportSubscription:
    membership = Membership.objects.get(user=user, team=team)
    return ReportSubscription.objects.create(membership=membership, frequency=frequency)


def test_the_periods_are_the_last_whole_week_and_month() -> None:
    assert last_complete_period("weekly", date(2026, 3, 9)).first == date(2026, 3, 2)
    assert last_complete_period("weekly", date(2026, 3, 15)).last == date(2026, 3, 8)
    monthly = last_complete_period("monthly", date(2026, 3, 1))
    assert (monthly.first, monthly.last) == (date(2026, 2, 1), date(2026, 2, 28))


def test_a_turkish_member_gets_the_week_in_turkish_with_the_right_figures(bob, team_a, week) -> None:
    bob.language = "tr"
    bob.save(update_fields=["language"])
    subscribe(bob, team_a)
    assert services.reports_send_due(now=MONDAY_NIGHT) == {"sent": 1}
    (email,) = mail.outbox
    assert email.to == [bob.email]
    assert email.subject == "Team A: çağrılar, SMS ve faks, 02.03.2026 – 08.03.2026"
    html = email.alternatives[0][0]
    assert "Cevaplanma oranı (ASR)" in html and "66,7 %" in html
    assert "Gönderilen faks" in email.body
    name, content, mimetype = email.attachments[0]
    assert mimetype.endswith("spreadsheetml.sheet")
    assert name == "report-20260302-20260308.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert values["Dönem"][:2] == (datetime(2026, 3, 2), datetime(2026, 3, 8))
    assert values["Çağrılar"][0] == 6
    assert values["Cevaplandı"][0] == 4
    assert values["Kaçırılan"][0] == 2
    assert values["Cevaplanma oranı (ASR, %)"][0] == 66.7
    assert values["Medyan konuşma süresi (sn)"][0] == 80
    assert values["Ortalama bekleme (sn, santral çağrıları)"][0] == 15
    assert values["Çağrı harcaması (telefon geçmişi)"][0] == 1.25
    assert values["Gönderilen SMS (parça)"][0] == 4  # 2 recipients the provider took × 2 parts
    assert values["İletildi"][0] == 1
    assert values["SMS harcaması (teslim raporları)"][:2] == (0.6, "TRY")
    assert values["Gönderilen faks"][0] == 1
    assert values["Gönderilen sayfa"][0] == 3
    assert values["Başarısız faks"][0] == 1
    assert values["Alınan faks"][0] == 1
    assert values["Alınan sayfa"][0] == 5


def test_an_english_member_gets_it_in_english(alice, team_a, week) -> None:
    subscribe(alice, team_a)
    services.reports_send_due(now=MONDAY_NIGHT)
    (email,) = mail.outbox
    assert email.subject.startswith("Team A: calls, SMS and fax")
    assert "Faxes sent" in email.body


def test_a_report_is_sent_once_per_period_even_if_beat_runs_twice(bob, team_a, week) -> None:
    subscription = subscribe(bob, team_a)
    assert services.reports_send_due(now=MONDAY_NIGHT) == {"sent": 1}
    assert services.reports_send_due(now=MONDAY_NIGHT) == {"already sent": 1}
    assert services.report_send(subscription=subscription, now=MONDAY_NIGHT) == "already sent"  # a stale copy
    assert len(mail.outbox) == 1
    subscription.refresh_from_db()
    assert subscription.last_period_start == date(2026, 3, 2)
    # The next week is due a week later.
    assert services.reports_send_due(now=datetime(2026, 3, 16, 8, 0, tzinfo=ISTANBUL)) == {"sent": 1}
    assert len(mail.outbox) == 2


def test_a_failed_send_is_tried_again_at_the_next_run(bob, team_a, week, monkeypatch) -> None:
    subscribe(bob, team_a)

    def refuse(self, fail_silently=False):
        raise OSError("SMTP server refused")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    assert services.reports_send_due(now=MONDAY_NIGHT) == {"failed": 1}
    monkeypatch.undo()
    assert services.reports_send_due(now=MONDAY_NIGHT) == {"sent": 1}
    assert len(mail.outbox) == 1


def test_members_who_chose_no_email_get_none(bob, team_a, week) -> None:
    subscribe(bob, team_a, Frequency.OFF)
    assert services.reports_send_due(now=MONDAY_NIGHT) == {}
    assert mail.outbox == []


def test_a_monthly_report_covers_the_last_month(bob, team_a, week) -> None:
    subscribe(bob, team_a, Frequency.MONTHLY)
    services.reports_send_due(now=datetime(2026, 4, 1, 0, 5, tzinfo=ISTANBUL))
    (email,) = mail.outbox
    assert "01.03.2026 – 31.03.2026" in email.subject


def test_a_member_subscribes_on_the_reports_page_and_gets_no_report_for_the_past(bob, bob_client, team_a) -> None:
    url = reverse("report-subscription")
    assert bob_client.get(url).status_code == 200
    response = bob_client.post(url, {"frequency": "weekly"})
    assert response.status_code == 302
    subscription = ReportSubscription.objects.get(membership__user=bob)
    assert subscription.frequency == "weekly"
    assert services.reports_send_due() == {"already sent": 1}  # the first report is the coming week's
    assert mail.outbox == []
    assert 'data-testid="next-report"' in bob_client.get(url).content.decode()


def test_a_bad_choice_is_refused(bob_client) -> None:
    response = bob_client.post(reverse("report-subscription"), {"frequency": "daily"})
    assert response.status_code == 200
    assert response.context["form"].errors["frequency"]
    assert not ReportSubscription.objects.exists()


def test_the_analytics_page_links_to_the_reports(bob_client) -> None:
    assert reverse("report-subscription") in bob_client.get(reverse("calls-stats")).content.decode()


def test_the_beat_schedule_runs_the_task(settings) -> None:
    from reports.tasks import reports_send

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert reports_send.name == "reports.send_reports" and reports_send.name in tasks
