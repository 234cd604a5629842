"""One fragment per dashboard panel, each a team page of its own (permission "view")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.access import TeamView
from accounts.models import ProviderAccount
from telephony.charts import day_chart

from . import reads, selectors


class PanelView(TeamView, TemplateView):
    permission = "view"
    panel = ""

    def get_template_names(self) -> list[str]:
        return [f"dashboard/_{self.panel}.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        context.update(self.panel_context(context["today"], timezone.get_current_timezone()))
        return context

    def panel_context(self, today: date, zone: tzinfo) -> dict[str, Any]:
        return {}


# Sent with a panel that saw a provider fail: the health panel then reads again, so the page never
# says "OK" in one place and "slow or down" in another.
HEALTH_CHANGED = "provider-health"


class ProviderPanelView(PanelView):
    """A panel that asks providers: a failure it saw tells the health panel to refresh."""

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        if context.get("any_failure"):
            response["HX-Trigger"] = HEALTH_CHANGED
        return response


class BalancePanel(ProviderPanelView):
    panel = "balance"

    def panel_context(self, today: date, zone: tzinfo) -> dict[str, Any]:
        accounts = list(selectors.pasifik_accounts(self.team))
        balances = [(account, reads.balance(account)) for account in accounts]
        return {
            "balances": balances,
            "any_failure": any(reading.failure for _, reading in balances),
            "any_pending": any(reading.pending for _, reading in balances),  # the panel asks again shortly
        }


class SmsPanel(PanelView):
    panel = "sms"

    def panel_context(self, today: date, zone: tzinfo) -> dict[str, Any]:
        return {
            "sms_today": selectors.sms_today(self.team, today, zone),
            "chart": day_chart(selectors.sms_per_day(self.team, today, zone)),
        }


class CallsPanel(PanelView):
    panel = "calls"

    def panel_context(self, today: date, zone: tzinfo) -> dict[str, Any]:
        return {
            "calls_today": selectors.calls_today(self.team, today, zone),
            "chart": day_chart(selectors.calls_days(self.team, today, zone)),
        }


class LivePanel(ProviderPanelView):
    panel = "live"

    def panel_context(self, today: date, zone: tzinfo) -> dict[str, Any]:
        accounts = list(selectors.pasifik_accounts(self.team))
        readings = [(account, reads.live_calls(account)) for account in accounts]
        known = all(reading.failure is None for _, reading in readings)
        context: dict[str, Any] = {"live": readings, "any_failure": not known}
        # A count with an account missing would be a wrong number: say it is unknown instead.
        context["live_total"] = sum(reading.count for _, reading in readings) if known else None
        if not known:
            last = [reads.last_good_live(account) for account in accounts]
            if all(last):
                context["last_good_total"] = sum(good.count for good in last if good)
                context["last_good_at"] = min(good.fetched_at for good in last if good)
        return context


class FaxPanel(PanelView):
    panel = "faxes"

    def panel_context(self, today: date, zone: tzinfo) -> dict[str, Any]:
        incoming, outgoing = selectors.recent_faxes_in_and_out(self.team)
        return {"incoming": incoming, "outgoing": outgoing}


@dataclass(frozen=True)
class Health:
    """One account's health as the panel shows it: the newest of its periodic check and the dashboard's readings."""

    account: ProviderAccount
    state: str  # "ok", "failing", "slow_or_down", "not_checked"
    at: datetime | None
    message: str


def account_health(account: ProviderAccount) -> Health:
    seen = reads.latest_observation(account)
    if seen is not None and (account.last_checked_at is None or seen.at >= account.last_checked_at):
        if seen.failure is None:
            return Health(account, "ok", seen.at, "")
        state = "slow_or_down" if seen.failure.slow_or_down else "failing"
        return Health(account, state, seen.at, seen.failure.message)
    if account.is_healthy is None:
        return Health(account, "not_checked", account.last_checked_at, "")
    state = "ok" if account.is_healthy else "failing"
    return Health(account, state, account.last_checked_at, account.last_error_text)


class HealthPanel(PanelView):
    panel = "health"

    def panel_context(self, today: date, zone: tzinfo) -> dict[str, Any]:
        accounts = list(selectors.provider_accounts(self.team))
        return {"provider_accounts": accounts, "health": [account_health(account) for account in accounts]}


# --- the page ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    name: str
    title: str
    icon: str
    width: str = "col-lg-6"
    trigger: str = "load"
    inline: str = ""  # a fragment cheap enough (database only) to render with the page, then refreshed

    @property
    def url(self) -> str:
        return reverse(f"dashboard-{self.name}")


class DashboardView(TeamView, TemplateView):
    """The page frame; each panel fetches its own fragment (below)."""

    template_name = "dashboard/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["panels"] = [
            Panel("balance", _("Balance"), "bi-wallet2"),
            Panel("live", _("Live calls"), "bi-telephone-inbound", trigger="load, every 30s"),
            Panel("sms", _("SMS today"), "bi-chat-text"),
            Panel("calls", _("Calls today"), "bi-telephone"),
            Panel("faxes", _("Recent faxes"), "bi-printer"),
            Panel(
                "health",
                _("Provider health"),
                "bi-heart-pulse",
                inline="dashboard/_health.html",
                trigger=f"every 60s, {HEALTH_CHANGED} from:body",
            ),
        ]
        context["provider_accounts"] = self.team.provider_accounts.filter(is_active=True).order_by("kind", "label")
        context["health"] = [account_health(account) for account in context["provider_accounts"]]
        context["recent_events"] = self.team.audit_events.select_related(None)[:8] if self.can("view_audit") else []
        return context
