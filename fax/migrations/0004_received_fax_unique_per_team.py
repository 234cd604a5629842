from django.db import migrations, models


# Apart from 0003: PostgreSQL cannot index a table with deletions still pending in the same transaction.
class Migration(migrations.Migration):
    dependencies = [
        ("fax", "0003_received_fax_provider_kind"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="fax",
            constraint=models.UniqueConstraint(
                condition=models.Q(("direction", "in"), models.Q(("provider_id", ""), _negated=True)),
                fields=("team", "provider_kind", "provider_id"),
                name="unique_received_fax_per_team",
            ),
        ),
    ]
