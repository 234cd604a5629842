"""The migration that makes received faxes unique per team keeps the first copy of each duplicate."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("fax", "0002_notification_moved_to_notifications")]
AFTER = [("fax", "0004_received_fax_unique_per_team")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_duplicated_received_faxes_keep_their_first_copy() -> None:
    old = _migrate(BEFORE)
    try:
        # accounts stays migrated: its current models match the tables; only fax goes back
        from accounts.models import ProviderAccount, Team

        Fax = old.get_model("fax", "Fax")
        team = Team.objects.create(name="T")
        first, second = (
            ProviderAccount.objects.create(team=team, kind="verimor", label=label, credentials={}) for label in "ab"
        )

        def fax(account, direction="in", provider_id="u1"):
            status = "received" if direction == "in" else "sent"
            return Fax.objects.create(
                team_id=team.pk, account_id=account.pk, direction=direction, status=status, provider_id=provider_id
            )

        kept = fax(first)
        fax(second)  # the same fax, imported again through the second account
        other = fax(second, provider_id="u2")
        sent = fax(first, direction="out")

        new = _migrate(AFTER)

        Fax = new.get_model("fax", "Fax")
        assert sorted(Fax.objects.values_list("pk", flat=True)) == sorted([kept.pk, other.pk, sent.pk])
        assert set(Fax.objects.filter(direction="in").values_list("provider_kind", flat=True)) == {"verimor"}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.parametrize("direction", ["forwards", "backwards"])
def test_the_cancelled_spelling_migration_renames_stored_statuses_and_keys_both_ways(direction: str) -> None:
    old_spelling, new_spelling = [("fax", "0008_draft_render_error_stored")], [("fax", "0009_cancelled_spelling")]
    start, end = (old_spelling, new_spelling) if direction == "forwards" else (new_spelling, old_spelling)
    written, expected = ("canceled", "cancelled") if direction == "forwards" else ("cancelled", "canceled")
    apps = _migrate(start)
    try:
        from accounts.models import Team

        Fax, FaxEvent = apps.get_model("fax", "Fax"), apps.get_model("fax", "FaxEvent")
        team = Team.objects.create(name="T")
        cancelled = Fax.objects.create(team_id=team.pk, direction="out", status=written)
        sent = Fax.objects.create(team_id=team.pk, direction="out", status="sent")
        FaxEvent.objects.create(fax=cancelled, kind="cancel", status=written, message_key=f"{written}_here")

        apps = _migrate(end)

        Fax, FaxEvent = apps.get_model("fax", "Fax"), apps.get_model("fax", "FaxEvent")
        assert (Fax.objects.get(pk=cancelled.pk).status, Fax.objects.get(pk=sent.pk).status) == (expected, "sent")
        event = FaxEvent.objects.get(fax_id=cancelled.pk)
        assert (event.status, event.message_key) == (expected, f"{expected}_here")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
