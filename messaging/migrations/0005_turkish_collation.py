"""The ``turkish`` collation contacts are sorted with (ICU's tr-TR), on PostgreSQL only.

SQLite registers a collation of the same name on each connection (messaging/collation.py).
"""

from django.apps.registry import Apps
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db import migrations, models
from django.db.models.functions import Collate

CREATE = """
CREATE COLLATION IF NOT EXISTS turkish (provider = icu, locale = 'tr-TR');
CREATE INDEX IF NOT EXISTS contact_team_name_turkish ON messaging_contact (team_id, name COLLATE turkish, phone);
"""
DROP = """
DROP INDEX IF EXISTS contact_team_name_turkish;
DROP COLLATION IF EXISTS turkish;
"""


def create(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("messaging", "0004_contact_imports")]

    operations = [
        migrations.RunPython(create, drop),
        migrations.AlterModelOptions(
            name="contact",
            options={
                "ordering": [models.OrderBy(Collate("name", "turkish")), "phone"],
                "verbose_name": "contact",
                "verbose_name_plural": "contacts",
            },
        ),
    ]
