"""The demo's call history (imported from the sandbox) fills every part of the analytics page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from telephony import services


@pytest.mark.django_db
def test_the_sandboxs_calls_fill_the_analytics_page(sandbox, sandbox_account, team_a, bob_client) -> None:
    account = sandbox_account(team_a, "pasifik")
    summary = services.calls_import(account=account, now=sandbox.clock.now())
    assert not summary.errors
    last = timezone.localtime(sandbox.clock.now(), team_a.tzinfo).date()
    params = {"date_from": (last - timedelta(days=29)).isoformat(), "date_to": last.isoformat()}
    context = bob_client.get(reverse("calls-stats"), params).context
    figures = context["summary"]
    assert figures.total > 400 and 0 < figures.missed < figures.total
    assert figures.average_wait is not None  # PBX calls give the wait before an answer
    busy_weekdays = [row for row in context["heatmap"].rows if sum(cell.count for cell in row.cells)]
    assert len(busy_weekdays) == 7
    assert sum(1 for day in context["days"].rows if day[3]) >= 25
    assert len(context["lines"].rows) >= 8  # the PBX's extensions and the telephone numbers
    callers = list(bob_client.get(reverse("calls-stats-callers"), params).context["callers"].rows)
    assert len(callers) == 10 and callers[0][1] >= 3  # regular callers, as a call centre has
    assert len(context["longest"]) == 10
