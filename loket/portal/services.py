"""What the public portal changes: a question or a complaint sent with its forms. Each is one
transaction that registers the case (through the case core's services), keeps the form as
sent and its files, and queues the acknowledgement: a task in the same transaction, so it
exists exactly when the case does, which renders the mail into the outbox in the worker
rather than in the client's request (issue 6: the form's throughput)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from email.errors import HeaderParseError
from email.headerregistry import Address
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from loket.accounts.models import User
from loket.cases.models import Case, Channel, Client, ClientEmail, Message, Topic
from loket.cases.phones import InvalidPhoneNumber, normalise_phone
from loket.cases.references import InvalidReference, parse_reference
from loket.cases.services import case_register, client_create, normalise_email
from loket.knowledge.services import suggestion_question_sent
from loket.mail.emails import acknowledgement_email
from loket.mail.models import OutboundMail

from .models import Attachment, Submission
from .selectors import front_office
from .uploads import check_upload

SUBJECT_LENGTH = 120


def subject_from(text: str) -> str:
    """A case's subject from what the client wrote: its first line, cut at a word."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    return Truncator(" ".join(first_line.split())).chars(SUBJECT_LENGTH)


def display_name(file_name: str) -> str:
    """The client's file name as shown to staff: no folders, no control characters (it is
    never used as a path: the stored file gets a random name)."""
    base = PurePath(file_name.replace("\\", "/")).name
    cleaned = "".join(c for c in base if c.isprintable()).strip()
    return cleaned[-200:] or "file"


def _sender(name: str, email: str) -> str:
    """``Zoë Dubois <zoe@example.be>``, readable (no RFC 2047 encoding) and parseable."""
    try:
        return str(Address(display_name=name, addr_spec=email))[:300]
    except (HeaderParseError, ValueError, IndexError):
        return email


def _client_for(*, actor: User | None, name: str, email: str, phone: str, language: str) -> Client:
    """The client with this e-mail address, or a new one. An existing record is never changed
    from the web form: nobody proves who they are there, and a phone number added to someone
    else's record would make the desk show their history to a stranger who calls."""
    known = ClientEmail.objects.filter(address=email).select_related("client").order_by("pk")
    existing = known.first()
    if existing is not None:
        return existing.client
    return client_create(
        actor=actor, name=name, language=language, emails=[email], phones=[phone] if phone else []
    )


def _store(message: Message, files: Sequence[UploadedFile], stored: list[str]) -> None:
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
            message=message,
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


def _submit(
    *,
    actor: User | None,
    form: str,
    name: str,
    email: str,
    phone: str,
    language: str,
    body: str,
    topic: Topic | None = None,
    earlier_reference: str = "",
    files: Sequence[UploadedFile] = (),
    visit: str = "",
) -> Case:
    name = " ".join(name.split())
    email = normalise_email(email)
    try:
        phone = normalise_phone(phone) if phone.strip() else ""
    except InvalidPhoneNumber as error:
        raise ValidationError(
            _("That is not a phone number: %(error)s") % {"error": error}
        ) from error
    now = timezone.now()
    stored: list[str] = []
    try:
        with transaction.atomic():
            client = _client_for(
                actor=actor, name=name, email=email, phone=phone, language=language
            )
            related = None
            if earlier_reference:
                # Linked only when it is the same client's: a complaint cannot be used to
                # learn whether somebody else's number exists (the answer is the same).
                related = Case.objects.filter(
                    reference=earlier_reference, client__emails__address=email
                ).first()
            case = case_register(
                actor=actor,
                client=client,
                channel=Channel.WEB,
                kind=Case.Kind.COMPLAINT
                if form == Submission.Form.COMPLAINT
                else Case.Kind.QUESTION,
                subject=subject_from(body) or _("Question from the website"),
                body=body,
                topic=topic,
                language=language,
                received_at=now,
                team=front_office(),
                sender=_sender(name, email),
                related_case=related,
            )
            Submission.objects.create(
                case=case,
                form=form,
                name=name,
                email=email,
                phone=phone,
                language=language,
                earlier_reference=earlier_reference,
                submitted_at=now,
            )
            if files:
                message = Message.objects.get(case=case, direction=Message.Direction.INBOUND)
                _store(message, files, stored)
            if visit:
                # The FAQ articles suggested during this visit did not answer the question.
                suggestion_question_sent(visit=visit, case=case)
            _acknowledge_later(case, email)
    except BaseException:
        for path in stored:  # the files of a registration that did not happen
            default_storage.delete(path)
        raise
    return case


def _acknowledge_later(case: Case, email: str) -> None:
    # Enqueued inside the registration's transaction (the task queue is a table of the same
    # database): committed with the case or not at all, never lost between the two.
    from .tasks import portal_acknowledgement_task

    portal_acknowledgement_task.enqueue(case.pk, email)


def portal_acknowledgement_send(*, case: Case, to: str) -> OutboundMail | None:
    """The acknowledgement of a question or complaint sent with a portal form (charter rule
    2): the number, the date received and the term (rule 4), in the case's language, queued
    in the outbox. Once per case: a task that runs twice queues it once."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if OutboundMail.objects.filter(case=case, kind="acknowledgement").exists():
            return None
        return acknowledgement_email(case, to=to)


def portal_question_submit(
    *,
    actor: User | None = None,
    name: str,
    email: str,
    phone: str = "",
    topic: Topic | None,
    question: str,
    language: str,
    attachments: Sequence[UploadedFile] = (),
    visit: str = "",
) -> Case:
    """A question sent with the portal's form (charter rules 1 and 2): registered at once for
    the front office (rule 7) in the page's language, with its files, the form kept as sent,
    and the acknowledgement with the registration number and the term queued (rule 4).
    `visit`: the form's token under which FAQ articles were suggested while the client typed
    (rule 10); the knowledge base then counts that visit as not answered by them."""
    return _submit(
        actor=actor,
        form=Submission.Form.QUESTION,
        name=name,
        email=email,
        phone=phone,
        language=language,
        body=question.strip(),
        topic=topic,
        files=attachments,
        visit=visit,
    )


def portal_complaint_submit(
    *,
    actor: User | None = None,
    name: str,
    email: str,
    phone: str = "",
    complaint: str,
    earlier_reference: str = "",
    language: str,
) -> Case:
    """A complaint sent with the portal's form (charter rule 11): a complaint case under its
    own policy, for the front office's coordinator, nobody's yet. The earlier registration
    number the client gave is linked when it is one of the client's own cases, and is always
    quoted in the text."""
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
        actor=actor,
        form=Submission.Form.COMPLAINT,
        name=name,
        email=email,
        phone=phone,
        language=language,
        body=body,
        earlier_reference=earlier_reference,
    )
