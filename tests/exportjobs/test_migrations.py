"""The calls exports made before every list's export became a job are moved into ExportJob with their ids."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("telephony", "0014_call_raw_hash"), ("exportjobs", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def test_a_calls_export_and_its_notice_survive_the_move_with_their_id() -> None:
    old = _migrate(BEFORE)
    try:
        # accounts and notifications stay migrated: their current models match the tables
        from accounts.models import Team
        from notifications.models import Notification

        team = Team.objects.create(name="T")
        CallExport = old.get_model("telephony", "CallExport")
        now = timezone.now()
        kept = CallExport.objects.create(
            team_id=team.pk, file_format="xlsx", filters={"preset": ["all"]}, language="tr", state="done",
            rows_total=30_000, rows_done=30_000, file="exports/1/x/calls.xlsx", filename="calls-20261201-1000",
            finished_at=now, expires_at=now,
        )  # fmt: skip
        notice = Notification.objects.create(
            team_id=team.pk, kind="export_ready", params={"rows": 30_000, "format": "XLSX"}, url="/calls/exports/1/"
        )

        new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

        ExportJob = new.get_model("exportjobs", "ExportJob")
        job = ExportJob.objects.get(pk=kept.pk)
        assert (job.kind, job.team_id, job.file, job.filename, job.filters, job.language, job.rows_done) == (
            "calls", team.pk, kept.file, kept.filename, {"preset": ["all"]}, "tr", 30_000
        )  # fmt: skip
        assert Notification.objects.get(pk=notice.pk).params["export"] == "calls"
        later = ExportJob.objects.create(team_id=team.pk, kind="faxes", file_format="csv", language="en", filename="f")
        assert later.pk > kept.pk  # the id sequence goes on after the moved rows
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
