"""One fragment per dashboard panel, each a team page of its own (permission "view")."""

from __future__ import annotations

from datetime import date, tzinfo
from typing import Any

from django.utils import timezone
from django.views.generic import TemplateView

from accounts.access import TeamView
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


class BalancePanel(PanelView):
    panel = "balance"

    def panel_context(self, today: date, zone: tzinfo) -> dict[str, Any]:
        accounts = list(selectors.pasifik_accounts(self.team))
        return {"balances": [(account, reads.balance(account)) for account in accounts]}


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


class LivePanel(PanelView):
    panel = "live"

    def panel_context(self, today: date, zone: tzinfo) -> dict[str, Any]:
        accounts = list(selectors.pasifik_accounts(self.team))
        readings = [(account, reads.live_calls(account)) for account in accounts]
        return {"live": readings, "live_total": sum(r.count for _, r in readings)}


class FaxPanel(PanelView):
    panel = "faxes"

    def panel_context(self, today: date, zone: tzinfo) -> dict[str, Any]:
        incoming, outgoing = selectors.recent_faxes_in_and_out(self.team)
        return {"incoming": incoming, "outgoing": outgoing}


class HealthPanel(PanelView):
    panel = "health"

    def panel_context(self, today: date, zone: tzinfo) -> dict[str, Any]:
        return {"provider_accounts": list(selectors.provider_accounts(self.team))}
