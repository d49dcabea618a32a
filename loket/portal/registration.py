"""The worker's half of a portal form: the case registered from the form kept by the client's
request (services.py), with the number and the term the client was already shown.

Forms are registered in batches, oldest first, as the mail intake registers its mail: their
new clients, cases, questions and acknowledgements each written with one insert, through the
case core's services. A batch that fails is registered again one form at a time, and a form
that still fails is marked as such with its error, for an administrator to look at and
register again (admin, "portal forms"): it is never dropped, and its number stays its own.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Sequence
from email.errors import HeaderParseError
from email.headerregistry import Address

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from loket.accounts.models import Team, User
from loket.cases.models import Case, Channel, Client, Event, Message
from loket.cases.services import (
    CaseDetails,
    ClientDetails,
    case_register_many,
    client_addresses_lock,
    client_create_many,
)
from loket.knowledge.services import suggestion_questions_sent
from loket.mail.emails import acknowledgement_emails
from loket.mail.selectors import clients_by_address

from .models import Attachment, Submission
from .selectors import front_office

logger = logging.getLogger("loket.portal")
State = Submission.State
BATCH = 50
SUBJECT_LENGTH = 120


def subject_from(text: str) -> str:
    """A case's subject from what the client wrote: its first line, cut at a word."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    return Truncator(" ".join(first_line.split())).chars(SUBJECT_LENGTH)


def _sender(name: str, email: str) -> str:
    """``Zoë Dubois <zoe@example.be>``, readable (no RFC 2047 encoding) and parseable."""
    try:
        return str(Address(display_name=name, addr_spec=email))[:300]
    except (HeaderParseError, ValueError, IndexError):
        return email


def portal_submissions_register(*, limit: int = BATCH) -> list[Submission]:
    """Register the cases of up to `limit` forms waiting, oldest first; returns them (each
    registered or failed). Several workers take different forms (rows locked, skipped)."""
    now = timezone.now()
    with transaction.atomic():
        waiting = list(
            Submission.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state=State.RECEIVED)
            .select_related("topic")
            .order_by("pk")[:limit]
        )
        if not waiting:
            return []
        try:
            with transaction.atomic():
                _register(waiting, now=now)
        except Exception:
            logger.exception(
                "a batch of %d portal forms failed; registering them one at a time", len(waiting)
            )
            waiting = [_register_alone(submission.pk, now=now) for submission in waiting]
    return waiting


def _register_alone(pk: int, *, now: dt.datetime) -> Submission:
    submission = Submission.objects.select_related("topic").get(pk=pk)
    try:
        with transaction.atomic():
            _register([submission], now=now)
    except Exception as error:
        submission = Submission.objects.get(pk=pk)  # as it was before the attempt
        _failed(submission, error, now=now)
    return submission


def _failed(submission: Submission, error: Exception, *, now: dt.datetime) -> None:
    message = (
        "; ".join(error.messages)
        if isinstance(error, ValidationError)
        else f"{type(error).__name__}: {error}"
    )
    logger.error("portal form %s (%s) not registered: %s", submission.pk, submission.reference,
                 message, exc_info=error)  # fmt: skip
    submission.state = State.FAILED
    submission.error = f"{message}\n\n{''.join(traceback.format_exception(error))}"[:20000]
    submission.save(update_fields=["state", "error"])
    Event.objects.create(
        kind=Event.Kind.PORTAL_FORM_FAILED,
        at=now,
        data={"submission": submission.pk, "reference": submission.reference,
              "error": message[:500]},
    )  # fmt: skip


def portal_submission_retry(*, actor: User | None, submission: Submission) -> Submission:
    """Register a form that could not be registered, again (after a fix)."""
    now = timezone.now()
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.state != State.FAILED:
            raise ValidationError(_("Only a form that could not be registered can be tried again."))
        submission.state = State.RECEIVED
        submission.save(update_fields=["state"])
        Event.objects.create(
            kind=Event.Kind.PORTAL_FORM_RETRIED,
            at=now,
            actor=actor,
            data={"submission": submission.pk, "reference": submission.reference,
                  "error": submission.error[:500]},
        )  # fmt: skip
        return _register_alone(submission.pk, now=now)


def _register(waiting: Sequence[Submission], *, now: dt.datetime) -> None:
    """One insert each for the new clients, the cases (with their reserved numbers), their
    questions and the acknowledgements; then the forms, their files and the FAQ visits are
    linked to their cases."""
    clients = _clients(waiting)
    earlier = _earlier_cases(waiting)
    team = front_office()
    details = [
        _case(s, clients[s.email], team, earlier.get((s.earlier_reference, s.email)))
        for s in waiting
    ]
    cases = case_register_many(actor=None, cases=details)
    questions = Message.objects.bulk_create(
        Message(
            case=case,
            direction=Message.Direction.INBOUND,
            channel=Channel.WEB,
            sender=_sender(s.name, s.email),
            subject=case.subject,
            body=s.text,
            at=s.submitted_at,
        )
        for s, case in zip(waiting, cases, strict=True)
    )
    message_of = {s.pk: m for s, m in zip(waiting, questions, strict=True)}
    files = list(Attachment.objects.filter(submission__in=waiting, message__isnull=True))
    for attachment in files:
        attachment.message = message_of[attachment.submission_id]  # type: ignore[index]
    if files:
        Attachment.objects.bulk_update(files, ["message"])
    for s, case in zip(waiting, cases, strict=True):
        s.case, s.state, s.registered_at, s.error = case, State.REGISTERED, now, ""
    Submission.objects.bulk_update(waiting, ["case", "state", "registered_at", "error"])
    suggestion_questions_sent(
        sent=[(s.visit, case, s.submitted_at) for s, case in zip(waiting, cases, strict=True)]
    )
    acknowledgement_emails(
        [
            (case, s.email, question)
            for s, case, question in zip(waiting, cases, questions, strict=True)
        ]
    )


def _clients(waiting: Sequence[Submission]) -> dict[str, Client]:
    """The client of each address: the one with that address (its record is never changed
    from the web form: nobody proves who they are there, and a phone number added to someone
    else's record would make the desk show their history to a stranger who calls), or a new
    one from the first form with that address."""
    addresses = {s.email for s in waiting}
    client_addresses_lock(addresses)
    found = clients_by_address(addresses)
    new: dict[str, ClientDetails] = {}
    for s in waiting:
        if s.email not in found and s.email not in new:
            new[s.email] = ClientDetails(
                name=s.name,
                language=s.language,
                emails=[s.email],
                phones=[s.phone] if s.phone else [],
            )
    created = client_create_many(actor=None, clients=list(new.values()))
    return {**found, **dict(zip(new, created, strict=True))}


def _earlier_cases(waiting: Sequence[Submission]) -> dict[tuple[str, str], Case]:
    """The earlier cases complaints name, by (number, address), for the batch in one query:
    linked only when it is the same client's, so a complaint cannot be used to learn whether
    somebody else's number exists (the answer is the same)."""
    named = {(s.earlier_reference, s.email) for s in waiting if s.earlier_reference}
    if not named:
        return {}
    found = Case.objects.filter(
        reference__in={reference for reference, _email in named},
        client__emails__address__in={email for _reference, email in named},
    ).annotate(address=F("client__emails__address"))
    return {
        (case.reference, case.address): case
        for case in found
        if (case.reference, case.address) in named
    }


def _case(
    submission: Submission, client: Client, team: Team | None, related: Case | None
) -> CaseDetails:
    complaint = submission.form == Submission.Form.COMPLAINT
    with translation.override(submission.language):
        subject = subject_from(submission.text) or _("Question from the website")
    return CaseDetails(
        client=client,
        channel=Channel.WEB,
        kind=Case.Kind.COMPLAINT if complaint else Case.Kind.QUESTION,
        subject=subject,
        topic=submission.topic,
        language=submission.language,
        received_at=submission.submitted_at,
        team=team,
        related_case=related,
        reference=submission.reference,
    )
