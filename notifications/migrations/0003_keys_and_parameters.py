"""Notifications are stored as their kind and parameters, written out in the reader's language;
some are for one member only (a fax they sent failed).

Rows stored as sentences before are read back into parameters when they match their kind's
sentence in English or Turkish; any other keeps its text as it was.
"""

import re

import django.db.models.deletion
from django.apps.registry import Apps
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.conf import settings
from django.db import migrations, models
from django.utils.translation import gettext, override

# The sentences as they were stored (frozen here: later wording changes must not change this).
SENTENCES = {
    "received_fax": "New fax from %(number)s on %(account)s",
    "batch_finished": (
        "SMS batch #%(id)s from %(sender)s finished: %(delivered)s delivered, %(undelivered)s not delivered."
    ),
    "credentials_failing": "%(account)s stopped working: %(error)s",
    "low_balance": "%(account)s balance is %(balance)s %(currency)s, under the %(threshold)s threshold.",
    "fax_stuck": "Fax %(id)s to %(number)s has been %(status)s since %(since)s.",
}
NUMBERS = {"id", "delivered", "undelivered"}


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(%\(\w+\)s)", template)
    regex = "".join(f"(?P<{p[2:-2]}>.+?)" if p.startswith("%(") else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$", re.S)


def _patterns() -> dict[str, list[re.Pattern[str]]]:
    patterns: dict[str, list[re.Pattern[str]]] = {}
    for language in ("en", "tr"):
        with override(language):
            for kind, sentence in SENTENCES.items():
                patterns.setdefault(kind, []).append(_pattern(gettext(sentence)))
    return patterns


def _params(found: dict[str, str]) -> dict[str, object]:
    return {name: int(value) if name in NUMBERS and value.isdigit() else value for name, value in found.items()}


def sentences_to_parameters(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Notification = apps.get_model("notifications", "Notification")
    patterns = _patterns()
    for row in Notification.objects.filter(params={}).exclude(legacy_message="").iterator(chunk_size=1000):
        for pattern in patterns.get(row.kind, []):
            found = pattern.match(row.legacy_message)
            if found:
                Notification.objects.filter(pk=row.pk).update(params=_params(found.groupdict()))
                break


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_copy_fax_notifications"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField("notification", "message", "legacy_message"),
                migrations.AlterField(
                    model_name="notification",
                    name="legacy_message",
                    field=models.CharField(blank=True, db_column="message", max_length=300, verbose_name="message"),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="parameters"),
        ),
        migrations.AddField(
            model_name="notification",
            name="recipient",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty: the whole team.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recipient",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("received_fax", "Fax received"),
                    ("batch_finished", "SMS batch finished"),
                    ("batch_failures", "SMS batch finished with failures"),
                    ("credentials_failing", "Provider credentials failing"),
                    ("low_balance", "Low balance"),
                    ("fax_stuck", "Fax stuck"),
                    ("fax_failed", "Fax failed"),
                ],
                max_length=24,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(sentences_to_parameters, migrations.RunPython.noop),
    ]
