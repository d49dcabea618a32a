"""Forms sent before a portal form was stored first were registered at once: they get their
case's number, term and topic, the state "registered", and their files their form. Its own
migration: PostgreSQL alters no table with updates pending in the same transaction."""

from django.db import migrations


def numbered_from_their_cases(apps, schema_editor):
    Submission = apps.get_model("portal", "Submission")
    Attachment = apps.get_model("portal", "Attachment")
    for submission in Submission.objects.select_related("case").iterator():
        case = submission.case
        submission.reference = case.reference
        submission.state = "registered"
        submission.registered_at = case.registered_at
        submission.due_at = case.charter_due_at
        submission.topic_id = case.topic_id
        submission.save(
            update_fields=["reference", "state", "registered_at", "due_at", "topic"]
        )
    for attachment in Attachment.objects.select_related("message__case").iterator():
        submission = Submission.objects.filter(case_id=attachment.message.case_id).first()
        if submission is not None:
            attachment.submission = submission
            attachment.save(update_fields=["submission"])


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_submission_stored_first")]

    operations = [migrations.RunPython(numbered_from_their_cases, migrations.RunPython.noop)]
