"""The fax address book in Turkish alphabetical order (core/collation.py), as the SMS contacts are.

On PostgreSQL the ``turkish`` ICU collation is created here too when missing (messaging's 0005 made it first);
its index serves the list's order per team. SQLite registers a collation of the same name on each connection.
"""

import django.db.models.functions.comparison
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

CREATE = """
CREATE COLLATION IF NOT EXISTS turkish (provider = icu, locale = 'tr-TR');
CREATE INDEX IF NOT EXISTS fax_contact_team_name_turkish ON fax_faxcontact (team_id, name COLLATE turkish, fax_number);
"""
DROP = "DROP INDEX IF EXISTS fax_contact_team_name_turkish;"  # the collation stays: messaging's contacts use it


def create(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("fax", "0013_cover_pages_and_address_book"),
    ]

    operations = [
        migrations.RunPython(create, drop),
        migrations.AlterModelOptions(
            name="faxcontact",
            options={
                "ordering": [models.OrderBy(django.db.models.functions.comparison.Collate("name", "turkish")), "fax_number"],
                "verbose_name": "fax contact",
                "verbose_name_plural": "fax contacts",
            },
        ),
        migrations.AlterModelOptions(
            name="faxcontactgroup",
            options={
                "ordering": [models.OrderBy(django.db.models.functions.comparison.Collate("name", "turkish"))],
                "verbose_name": "fax contact group",
                "verbose_name_plural": "fax contact groups",
            },
        ),
    ]
