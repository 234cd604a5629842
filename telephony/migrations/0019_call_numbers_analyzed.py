"""The caller's and callee's statistics gathered again after 0018 altered their collation.

Altering a column's collation rewrites it and drops its statistics, and a rewrite counts as no change for
autovacuum's analyze: until enough records changed, the planner knew nothing of the numbers. The calls export
then computed each row's callee again instead of once per distinct callee (it memoizes it on the callee only
when the statistics say callees repeat), and the number filters' estimates were guesses.
"""

from django.db import migrations


def analyze(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE telephony_callrecord (caller, callee)")


class Migration(migrations.Migration):

    dependencies = [
        ('telephony', '0018_call_numbers_byte_order'),
    ]

    operations = [
        migrations.RunPython(analyze, migrations.RunPython.noop, elidable=True),
    ]
