"""Notifications used to live in the fax app: carry them over before fax drops its table."""

from django.apps.registry import Apps
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db import migrations

KINDS = {"received": "received_fax", "stuck": "fax_stuck"}


def copy_from_fax(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Old = apps.get_model("fax", "Notification")
    New = apps.get_model("notifications", "Notification")
    rows = [
        New(
            team_id=old.team_id,
            kind=KINDS.get(old.kind, "received_fax"),
            message=old.message,
            url=f"/fax/{old.fax_id}/" if old.fax_id else "",
            created_at=old.created_at,
            read_at=old.read_at,
        )
        for old in Old.objects.all().iterator(chunk_size=1000)
    ]
    New.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("fax", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy_from_fax, migrations.RunPython.noop)]
