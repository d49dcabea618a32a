"""What the public portal changes: a question or a complaint sent with its forms.

The client's request keeps the form as sent, with its files, a registration number reserved
for it and the term computed from the moment it arrived: one short transaction, so the
confirmation page shows both at once (charter rules 1, 2 and 4) and the form does hundreds
of questions a second (issue 6). The worker registers the case and queues the
acknowledgement a second or two later (registration.py), as the mail intake registers stored
mail: one task for the forms of each second, queued in the transaction of its first form,
and a periodic pass for a form left without one. Nothing is registered twice or lost.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import PurePath

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loket.cases.models import Case, Topic
from loket.cases.phones import InvalidPhoneNumber, normalise_phone
from loket.cases.references import InvalidReference, parse_reference
from loket.cases.services import normalise_email, reference_reserve
from loket.deadlines.terms import policy_for, terms_for
from loket.mail.emails import acknowledgement_email
from loket.mail.models import OutboundMail

from .models import Attachment, Submission
from .uploads import check_upload


def display_name(file_name: str) -> str:
    """The client's file name as shown to staff: no folders, no control characters (it is
    never used as a path: the stored file gets a random name)."""
    base = PurePath(file_name.replace("\\", "/")).name
    cleaned = "".join(c for c in base if c.isprintable()).strip()
    return cleaned[-200:] or "file"


def _store(submission: Submission, files: Sequence[UploadedFile], stored: list[str]) -> None:
    now = timezone.now()
    attachments = []
    for upload in files:
        name = str(upload.name or "file")
        kind = check_upload(name, int(upload.size or 0), upload)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        attachment = Attachment(
            submission=submission,
            name=display_name(name),
            content_type=kind.content_type,
            size=int(upload.size or 0),
            sha256=digest.hexdigest(),
            uploaded_at=now,
        )
        attachment.file.save(name, upload, save=False)
        stored.append(str(attachment.file.name))
        attachments.append(attachment)
    Attachment.objects.bulk_create(attachments)


def promised_term(
    *, kind: str, topic: Topic | None, received_at: dt.datetime
) -> dt.datetime | None:
    """The date by which the answer will come (charter rule 4), as the case will have it: the
    same policy and calendar, from the moment the form arrived. Cached policies and calendars:
    no query."""
    policy = policy_for(kind=kind, topic=topic)
    if policy is None:
        return None
    calendar = policy.calendar.rules()
    return terms_for(
        received_at=received_at, policy=policy, calendar=calendar, now=received_at
    ).charter_due_at


def _submit(
    *,
    form: str,
    name: str,
    email: str,
    phone: str,
    language: str,
    text: str,
    topic: Topic | None = None,
    earlier_reference: str = "",
    files: Sequence[UploadedFile] = (),
    visit: str = "",
) -> Submission:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("A client needs a name."))
    email = normalise_email(email)
    try:
        phone = normalise_phone(phone) if phone.strip() else ""
    except InvalidPhoneNumber as error:
        raise ValidationError(
            _("That is not a phone number: %(error)s") % {"error": error}
        ) from error
    now = timezone.now()
    kind = Case.Kind.COMPLAINT if form == Submission.Form.COMPLAINT else Case.Kind.QUESTION
    stored: list[str] = []
    try:
        with transaction.atomic():
            (reference,) = reference_reserve(year=timezone.localtime(now).year)
            submission = Submission.objects.create(
                form=form,
                reference=reference,
                name=name,
                email=email,
                phone=phone,
                language=language,
                topic=topic,
                text=text,
                earlier_reference=earlier_reference,
                visit=visit.strip()[:64],
                submitted_at=now,
                due_at=promised_term(kind=kind, topic=topic, received_at=now),
            )
            if files:
                _store(submission, files, stored)
            _register_later(submission)
    except BaseException:
        for path in stored:  # the files of a form that was not kept
            default_storage.delete(path)
        raise
    return submission


# The forms sent within this window share one registration task, run just after it: the
# worker registers them in batches (a task per form would cost the worker more than the
# registration itself). The key lives in the cache, shared by all web processes with Redis.
GATHER = dt.timedelta(seconds=1)
GATHER_MARGIN = dt.timedelta(milliseconds=500)
GATHER_KEY = "loket:portal:registration-queued:v1"


def _register_later(submission: Submission) -> None:
    """Queue the registration of this form, unless a task queued in the last `GATHER` will
    register it anyway: that task runs after the window closes and registers every form
    waiting by then. Enqueued inside the form's transaction (the queue is a table of the
    same database), so it commits with the form or not at all; a form left without a task
    (its window's first form rolled back, a worker crashed) is registered by the periodic
    pass. A backend that cannot defer a task (the tests' immediate one) runs one per form."""
    from .tasks import portal_registration_task

    if not portal_registration_task.get_backend().supports_defer:
        portal_registration_task.enqueue(submission.pk)
        return
    if not cache.add(GATHER_KEY, submission.pk, timeout=GATHER.total_seconds()):
        return  # the window's task is queued
    run_after = submission.submitted_at + GATHER + GATHER_MARGIN
    try:
        portal_registration_task.using(run_after=run_after).enqueue(submission.pk)
    except BaseException:
        cache.delete(GATHER_KEY)  # the next form queues the task instead
        raise


def portal_acknowledgement_send(*, case: Case, to: str) -> OutboundMail | None:
    """The acknowledgement of a question or complaint sent with a portal form (charter rule
    2), queued in the outbox, once per case. The registration queues it with the case (see
    registration.py); this is for the acknowledgement tasks queued before that."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if OutboundMail.objects.filter(case=case, kind="acknowledgement").exists():
            return None
        return acknowledgement_email(case, to=to)


def portal_question_submit(
    *,
    name: str,
    email: str,
    phone: str = "",
    topic: Topic | None,
    question: str,
    language: str,
    attachments: Sequence[UploadedFile] = (),
    visit: str = "",
) -> Submission:
    """A question sent with the portal's form (charter rules 1 and 2): kept as sent with its
    files, its registration number and its term (rule 4), to show the client at once; the
    worker registers it a moment later for the front office (rule 7) in the page's language
    and queues the acknowledgement (`registration.portal_submissions_register`).
    `visit`: the form's token under which FAQ articles were suggested while the client typed
    (rule 10); the knowledge base then counts that visit as not answered by them."""
    return _submit(
        form=Submission.Form.QUESTION,
        name=name,
        email=email,
        phone=phone,
        language=language,
        text=question.strip(),
        topic=topic,
        files=attachments,
        visit=visit,
    )


def portal_complaint_submit(
    *,
    name: str,
    email: str,
    phone: str = "",
    complaint: str,
    earlier_reference: str = "",
    language: str,
) -> Submission:
    """A complaint sent with the portal's form (charter rule 11), kept as a question is: its
    case is a complaint under its own policy, for the front office's coordinator, nobody's
    yet. The earlier registration number the client gave is linked when it is one of the
    client's own cases, and is always quoted in the text."""
    body = complaint.strip()
    if earlier_reference.strip():
        try:
            earlier_reference = str(parse_reference(earlier_reference))
        except InvalidReference as error:
            raise ValidationError(
                _("%(reference)s is not a registration number.") % {"reference": earlier_reference}
            ) from error
        with translation.override(language):
            quoted = _("Registration number of the earlier question: %(reference)s") % {
                "reference": earlier_reference
            }
        body = f"{body}\n\n{quoted}"
    return _submit(
        form=Submission.Form.COMPLAINT,
        name=name,
        email=email,
        phone=phone,
        language=language,
        text=body,
        earlier_reference=earlier_reference,
    )
