"""Every portal form has its own registration number; the worker's queue is indexed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_submissions_numbered_from_their_cases")]

    operations = [
        migrations.AlterField(
            model_name="submission",
            name="reference",
            field=models.CharField(max_length=24, unique=True, verbose_name="registration number"),
        ),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(
                condition=models.Q(("state", "received")),
                fields=["id"],
                name="portal_submission_waiting",
            ),
        ),
    ]
