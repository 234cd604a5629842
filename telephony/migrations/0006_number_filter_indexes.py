"""Indexes for the number filter: pattern_ops btrees for "starts with", trigram GIN indexes for "contains".

The trigram indexes need PostgreSQL's pg_trgm extension and GIN, which SQLite has not: they are created
here with raw SQL on PostgreSQL only (on SQLite the step does nothing), and are not part of the model state.
"""

from __future__ import annotations

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TRIGRAM_COLUMNS = ("caller", "callee")


def create_trigram_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS call_{column}_trgm ON telephony_callrecord USING gin ({column} gin_trgm_ops)"
        )


def drop_trigram_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS call_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("telephony", "0005_direction_labels"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="callrecord",
            index=models.Index(
                fields=["team", "caller"], name="call_team_caller_like", opclasses=["int8_ops", "varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="callrecord",
            index=models.Index(
                fields=["team", "callee"], name="call_team_callee_like", opclasses=["int8_ops", "varchar_pattern_ops"]
            ),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
