"""Team-inclusive trigram indexes for "contains", fuller statistics for number prefixes (PostgreSQL only).

- The trigram GIN indexes of 0006 held no team: a search read the posting lists of every team's numbers and
  filtered the team out afterwards. ``btree_gin`` lets one GIN index hold ``team_id`` beside the trigrams,
  so the team is part of the index search; at 1,000,000 records "contains" went from 24-36 ms to 15-27 ms
  (docs/performance.md). The new indexes replace the old ones (each index is written on every import).
- With the default statistics (100 histogram buckets), ``caller LIKE '+90532791%'`` was estimated at 1 % of
  the rows when 30 of 900,000 match, so the planner walked ``call_team_start`` backwards filtering every row
  of the team (2.7 s) instead of reading the prefix indexes (3 ms). 1000 buckets for the two number columns
  let it see how rare a long prefix is.

Raw SQL in a RunPython step that does nothing on SQLite; not part of the model state (as 0006).
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

COLUMNS = ("caller", "callee")
NUMBER_STATISTICS = 1000


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS call_team_{column}_trgm ON telephony_callrecord "
            f"USING gin (team_id, {column} gin_trgm_ops)"
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS call_{column}_trgm")
        schema_editor.execute(
            f"ALTER TABLE telephony_callrecord ALTER COLUMN {column} SET STATISTICS {NUMBER_STATISTICS}"
        )


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS call_{column}_trgm ON telephony_callrecord USING gin ({column} gin_trgm_ops)"
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS call_team_{column}_trgm")
        schema_editor.execute(f"ALTER TABLE telephony_callrecord ALTER COLUMN {column} SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [
        ("telephony", "0012_legal_hold_db_defaults"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
