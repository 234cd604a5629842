"""The migration that makes received faxes unique per team keeps the first copy of each duplicate."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("fax", "0002_notification_moved_to_notifications")]
AFTER = [("fax", "0004_received_fax_unique_per_team")]


def _migrate(targets):  # type: ignore[no-untyped-def]
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

        def fax(account, direction="in", provider_id="u1"):  # type: ignore[no-untyped-def]
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
