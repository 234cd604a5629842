"""The calls exports (telephony.CallExport) become jobs of kind "calls", with the same ids so the links already
sent (/calls/exports/<id>/, redirected to /exports/<id>/) still lead to them; their notifications name the kind."""

from django.core.management.color import no_style
from django.db import migrations

FIELDS = ("id", "team_id", "requested_by_id", "file_format", "filters", "language", "state", "rows_total",
          "rows_done", "file", "filename", "created_at", "finished_at", "expires_at")  # fmt: skip


def forwards(apps, schema_editor):
    CallExport = apps.get_model("telephony", "CallExport")
    ExportJob = apps.get_model("exportjobs", "ExportJob")
    Notification = apps.get_model("notifications", "Notification")
    jobs = [ExportJob(kind="calls", **{name: getattr(old, name) for name in FIELDS}) for old in CallExport.objects.all()]
    ExportJob.objects.bulk_create(jobs, batch_size=500)
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [ExportJob]):
            cursor.execute(sql)
    for notice in Notification.objects.filter(kind="export_ready"):
        if "export" not in notice.params:
            notice.params = {**notice.params, "export": "calls"}
            notice.save(update_fields=["params"])


class Migration(migrations.Migration):
    dependencies = [
        ("exportjobs", "0001_initial"),
        ("telephony", "0013_team_trigram_indexes"),
        ("notifications", "0006_fax_mailbox_failing_kind"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
