from django.apps.registry import Apps
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db import migrations, models
from django.db.models import Count, Min


def fill_kinds_and_drop_duplicates(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Names each received fax by its provider kind; a fax imported twice (two accounts, same inbox) keeps its first copy."""
    Fax = apps.get_model("fax", "Fax")
    received = Fax.objects.filter(direction="in").exclude(provider_id="")
    for kind in received.exclude(account=None).values_list("account__kind", flat=True).distinct():
        received.filter(account__kind=kind, provider_kind="").update(provider_kind=kind)
    duplicated = (
        received.values("team_id", "provider_kind", "provider_id")
        .annotate(copies=Count("pk"), first=Min("pk"))
        .filter(copies__gt=1)
    )
    for group in duplicated:
        received.filter(
            team_id=group["team_id"], provider_kind=group["provider_kind"], provider_id=group["provider_id"]
        ).exclude(pk=group["first"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("fax", "0002_notification_moved_to_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="fax",
            name="provider_kind",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="fax",
            name="raw",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(fill_kinds_and_drop_duplicates, migrations.RunPython.noop),
    ]
