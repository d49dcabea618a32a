"""A portal form is stored with its registration number and term when it is sent; the worker
registers the case from it (issue 6). The forms sent before are filled in by 0003."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_case_policy_and_message_id"),
        ("portal", "0001_submissions_and_attachments"),
    ]

    operations = [
        migrations.AlterField(
            model_name="submission",
            name="case",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="portal_submission",
                to="cases.case",
                verbose_name="case",
            ),
        ),
        migrations.AddField(
            model_name="submission",
            name="reference",
            field=models.CharField(default="", max_length=24, verbose_name="registration number"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="submission",
            name="state",
            field=models.CharField(
                choices=[
                    ("received", "received, to be registered"),
                    ("registered", "registered"),
                    ("failed", "could not be registered"),
                ],
                default="received",
                max_length=10,
                verbose_name="state",
            ),
        ),
        migrations.AddField(
            model_name="submission",
            name="topic",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="cases.topic",
                verbose_name="topic",
            ),
        ),
        migrations.AddField(
            model_name="submission",
            name="text",
            field=models.TextField(blank=True, verbose_name="text"),
        ),
        migrations.AddField(
            model_name="submission",
            name="visit",
            field=models.CharField(blank=True, max_length=64, verbose_name="visit"),
        ),
        migrations.AddField(
            model_name="submission",
            name="due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="answer due by"),
        ),
        migrations.AddField(
            model_name="submission",
            name="registered_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="registered"),
        ),
        migrations.AddField(
            model_name="submission",
            name="error",
            field=models.TextField(blank=True, verbose_name="why it could not be registered"),
        ),
        migrations.AddField(
            model_name="attachment",
            name="submission",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="attachments",
                to="portal.submission",
                verbose_name="portal form",
            ),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="message",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="portal_attachments",
                to="cases.message",
                verbose_name="message",
            ),
        ),
    ]
