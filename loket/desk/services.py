"""State changes the desk adds around the case services: a reply with attachments, a
question taken in by phone, post, fax, at the counter or from social media, and a staff
member's default queue. Each is one transaction; the case services inside write the events."""

from __future__ import annotations

import contextlib
import datetime as dt
import mimetypes
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from loket.accounts.models import Team, User
from loket.cases.models import Case, Channel, Client, Message, Topic
from loket.cases.services import case_answer, case_close, case_register, client_create

from .models import Attachment, QueueDefault

MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024
MAX_ATTACHMENTS = 10
# Where an answer given on the spot is recorded: the channel the question came in on.
ON_THE_SPOT = (Channel.PHONE, Channel.COUNTER)


def check_files(files: Sequence[UploadedFile]) -> None:
    """Refuse too many or too large files, with a message that says which."""
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            _("At most %(count)d files can be attached.") % {"count": MAX_ATTACHMENTS}
        )
    for upload in files:
        if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
            raise ValidationError(
                _("%(name)s is larger than %(size)d MB.")
                % {"name": upload.name, "size": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
            )


@contextlib.contextmanager
def _files_kept_only_on_commit(stored: list[Attachment]) -> Iterator[None]:
    """Files are written before the transaction commits; if it rolls back, remove them, so
    storage keeps no file that no message points to."""
    try:
        yield
    except BaseException:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise


def attachments_store(
    *, actor: User | None, message: Message, files: Sequence[UploadedFile], into: list[Attachment]
) -> list[Attachment]:
    """Store files as attachments of `message` through Django's storage API. Call it inside
    the caller's transaction; `into` collects what was written, for clean-up on rollback."""
    check_files(files)
    now = timezone.now()
    for upload in files:
        name = get_valid_filename(upload.name or "attachment") or "attachment"
        content_type = (
            upload.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        )
        attachment = Attachment(
            message=message,
            filename=name[:255],
            content_type=content_type[:100],
            size=upload.size or 0,
            uploaded_by=actor,
            uploaded_at=now,
        )
        attachment.file.save(name, upload, save=False)
        into.append(attachment)
        attachment.save()
    return into


def reply_send(
    *,
    actor: User,
    case: Case,
    body: str,
    channel: str | None = None,
    files: Sequence[UploadedFile] = (),
) -> Message:
    """Answer the client on the channel the question came in (charter rule 3), with files
    attached. The answer, its files and its mail commit together; the mail is sent after
    the commit, so it always carries the files."""
    check_files(files)
    stored: list[Attachment] = []
    with _files_kept_only_on_commit(stored), transaction.atomic():
        message = case_answer(actor=actor, case=case, body=body, channel=channel)
        attachments_store(actor=actor, message=message, files=files, into=stored)
    return message


@dataclass(frozen=True)
class NewClient:
    """A caller who is not known yet."""

    name: str
    language: str
    email: str = ""
    phone: str = ""
    kind: str = Client.Kind.PERSON
    organisation: str = ""


def _front_office_of(user: User) -> Team | None:
    return user.teams.filter(kind=Team.Kind.FRONT_OFFICE).order_by("pk").first()


def desk_case_register(
    *,
    actor: User,
    channel: str,
    subject: str,
    body: str,
    client: Client | None = None,
    new_client: NewClient | None = None,
    topic: Topic | None = None,
    kind: str = Case.Kind.QUESTION,
    received_at: dt.datetime | None = None,
    take: bool = True,
    scan: UploadedFile | None = None,
    answer: str = "",
    sender: str = "",
) -> Case:
    """Register a question taken in at the desk (charter rules 1, 2 and 4): by phone, at the
    counter, from social media, or a letter or fax with its scan and the date it arrived,
    which starts the term. A caller who is not known yet is registered as a client first.

    With `answer`, the question was answered during the call (or at the counter): the
    answer is recorded on that channel and the case closed (charter rule 7: the front
    office answers most questions itself). All of it commits together, or none of it.
    """
    answer = answer.strip()
    if (client is None) == (new_client is None):
        raise ValidationError(_("Choose a known client or enter a new one."))
    if answer and channel not in ON_THE_SPOT:
        raise ValidationError(_("Only a call or a visit at the counter is answered on the spot."))
    if scan is not None:
        check_files([scan])
    stored: list[Attachment] = []
    with _files_kept_only_on_commit(stored), transaction.atomic():
        if new_client is not None:
            client = client_create(
                actor=actor,
                name=new_client.name,
                language=new_client.language,
                kind=new_client.kind,
                organisation=new_client.organisation,
                emails=[new_client.email] if new_client.email else [],
                phones=[new_client.phone] if new_client.phone else [],
            )
        case = case_register(
            actor=actor,
            client=client,  # type: ignore[arg-type]  # one of the two, checked above
            channel=channel,
            subject=subject,
            body=body,
            kind=kind,
            topic=topic,
            received_at=received_at,
            owner=actor if take or answer else None,
            team=_front_office_of(actor),
            sender=sender,
        )
        if scan is not None:
            question = case.messages.filter(direction=Message.Direction.INBOUND).first()
            if question is None:
                raise ValidationError(_("Describe the letter: the scan belongs to its text."))
            attachments_store(actor=actor, message=question, files=[scan], into=stored)
        if answer:
            case_answer(actor=actor, case=case, body=answer, channel=channel)
            case = case_close(actor=actor, case=case, reason=_("Answered during the call."))
    return case


def queue_default_save(*, actor: User, queue: str, filters: dict[str, object]) -> QueueDefault:
    """Remember the queue and filters `actor` sees first when opening the desk. A personal
    preference, not a step of any case: it writes no event."""
    default, _created = QueueDefault.objects.update_or_create(
        user=actor, defaults={"queue": queue, "filters": filters, "saved_at": timezone.now()}
    )
    return default
