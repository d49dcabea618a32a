"""Every state change of a client or a case. One transaction each, each writing its Event.

Views, the API, commands and tasks call these; nothing else writes these models.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.accounts.models import Team, User
from loket.deadlines.models import DeadlinePolicy
from loket.deadlines.terms import internal_term, policy_for, terms_for
from loket.mail.emails import answer_email
from loket.mail.outbox import new_message_id

from .models import Case, Channel, Client, ClientEmail, ClientPhone, Event, Message, Topic
from .phones import InvalidPhoneNumber, normalise_phone
from .references import format_reference
from .rules import answer_channel, can_move

Status = Case.Status


class CaseError(ValidationError):
    """A state change that the rules don't allow; the message is for the person who tried."""


# --- clients ------------------------------------------------------------------------------


def normalise_email(address: str) -> str:
    """Lower-case, trimmed, validated; raises `ValidationError` with a clear message."""
    address = (address or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError as error:
        raise ValidationError(
            _("%(address)s is not an e-mail address.") % {"address": address}
        ) from error
    return address


@dataclass(frozen=True)
class ClientDetails:
    """What ``client_create`` takes, for ``client_create_many``."""

    name: str
    language: str = "nl"
    kind: str = Client.Kind.PERSON
    sector: str = Client.Sector.CITIZEN
    organisation: str = ""
    emails: Sequence[str] = ()
    phones: Sequence[str] = ()
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "BE"


def client_create(
    *,
    actor: User | None,
    name: str,
    language: str = "nl",
    kind: str = Client.Kind.PERSON,
    sector: str = Client.Sector.CITIZEN,
    organisation: str = "",
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    street: str = "",
    postal_code: str = "",
    city: str = "",
    country: str = "BE",
) -> Client:
    """Register a client with their e-mail addresses and phone numbers (E.164)."""
    details = ClientDetails(
        name=name, language=language, kind=kind, sector=sector, organisation=organisation,
        emails=tuple(emails), phones=tuple(phones), street=street, postal_code=postal_code,
        city=city, country=country,
    )  # fmt: skip
    (client,) = _clients_write(actor, [_client_checked(details)])
    return client


def client_create_many(*, actor: User | None, clients: Sequence[ClientDetails]) -> list[Client]:
    """``client_create`` for many clients at once (the mail intake registers its mail in
    batches): every one is checked first, then all are written together, in order."""
    return _clients_write(actor, [_client_checked(details) for details in clients])


def client_addresses_lock(addresses: Iterable[str]) -> None:
    """Hold, until the caller's transaction ends, the right to create a client for each of
    these (normalised) e-mail addresses: two workers registering mail or forms from the same
    new address at once would otherwise each create a client for it (charter rule 8: one
    person's cases together). Call it before looking the addresses up. On PostgreSQL,
    transaction-level advisory locks, taken in one statement and in a fixed order (no
    deadlock); SQLite lets one writer at a time in, so the look-up is already safe there."""
    if connection.vendor != "postgresql":
        return
    keys = sorted({_lock_key(address) for address in addresses})
    if not keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(k)) FROM "
            "(SELECT unnest(%s::bigint[]) AS k ORDER BY k) AS keys",
            [keys],
        )


def _lock_key(address: str) -> int:
    digest = hashlib.blake2b(f"loket:client-address:{address}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


_CheckedClient = tuple[Client, list[str], list[str]]  # unsaved, e-mail addresses, phones


def _client_checked(details: ClientDetails) -> _CheckedClient:
    name = details.name.strip()
    if not name:
        raise ValidationError(_("A client needs a name."))
    addresses = list(dict.fromkeys(normalise_email(e) for e in details.emails if e.strip()))
    try:
        numbers = list(dict.fromkeys(normalise_phone(p) for p in details.phones if p.strip()))
    except InvalidPhoneNumber as error:
        raise ValidationError(
            _("That is not a phone number: %(error)s") % {"error": error}
        ) from error
    client = Client(
        name=name,
        language=details.language,
        kind=details.kind,
        sector=details.sector,
        organisation=details.organisation,
        street=details.street,
        postal_code=details.postal_code,
        city=details.city,
        country=details.country,
    )
    return client, addresses, numbers


def _clients_write(actor: User | None, checked: list[_CheckedClient]) -> list[Client]:
    now = timezone.now()
    clients = [client for client, _addresses, _numbers in checked]
    # No savepoint when a caller's transaction is open (the mail intake registers many): what
    # fails in here is a database error, and it rolls the caller's transaction back anyway.
    with transaction.atomic(savepoint=False):
        Client.objects.bulk_create(clients)
        ClientEmail.objects.bulk_create(
            ClientEmail(client=client, address=a)
            for client, addresses, _numbers in checked
            for a in addresses
        )
        ClientPhone.objects.bulk_create(
            ClientPhone(client=client, number=n)
            for client, _addresses, numbers in checked
            for n in numbers
        )
        Event.objects.bulk_create(
            Event(
                kind=Event.Kind.CLIENT_CREATED,
                at=now,
                actor=actor,
                client=client,
                data={"name": client.name},
            )
            for client in clients
        )
    return clients


# --- registration numbers -------------------------------------------------------------------


def reference_reserve(*, year: int, count: int = 1, prefix: str | None = None) -> list[str]:
    """Hand out `count` consecutive registration numbers for `year` (charter rule 2).

    One ``UPDATE … RETURNING`` inside the caller's transaction: the row stays locked until it
    commits, so numbers are never handed out twice, however many workers register at once
    (never ``max() + 1``). One statement, not a locked read and a write: the portal reserves
    a number in the client's request (issue 6: the form's throughput).
    """
    from .models import ReferenceSequence

    prefix = (prefix or settings.LOKET_REFERENCE_PREFIX).upper()
    with transaction.atomic(savepoint=False):
        last = _sequence_advance(prefix, year, count)
        if last is None:
            try:
                with transaction.atomic():
                    ReferenceSequence.objects.create(prefix=prefix, year=year)
            except IntegrityError:
                pass  # another worker created the row first; its lock is taken below
            last = _sequence_advance(prefix, year, count)
        if last is None:  # the row exists by now; a database that lost it is broken
            raise RuntimeError(f"no reference sequence for {prefix}-{year}")
    first = last - count + 1
    return [format_reference(prefix, year, n) for n in range(first, last + 1)]


def _sequence_advance(prefix: str, year: int, count: int) -> int | None:
    """The sequence's new last number after adding `count`, None when it has no row yet."""
    from .models import ReferenceSequence

    quote = connection.ops.quote_name
    table = quote(ReferenceSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {quote('last')} = {quote('last')} + %s "  # noqa: S608 - names quoted, values bound
            f"WHERE {quote('prefix')} = %s AND {quote('year')} = %s RETURNING {quote('last')}",
            [count, prefix, year],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


# --- cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseDetails:
    """What ``case_register`` takes, for ``case_register_many``."""

    client: Client
    channel: str
    subject: str
    body: str = ""
    kind: str = Case.Kind.QUESTION
    topic: Topic | None = None
    language: str | None = None
    received_at: dt.datetime | None = None
    owner: User | None = None
    team: Team | None = None
    sender: str = ""
    message_id: str = ""
    related_case: Case | None = None
    policy: DeadlinePolicy | None = None
    # A number reserved beforehand with `reference_reserve` (the portal shows it to the
    # client before the worker registers the case); empty: one is handed out now.
    reference: str = ""


def case_register(
    *,
    actor: User | None,
    client: Client,
    channel: str,
    subject: str,
    body: str = "",
    kind: str = Case.Kind.QUESTION,
    topic: Topic | None = None,
    language: str | None = None,
    received_at: dt.datetime | None = None,
    owner: User | None = None,
    team: Team | None = None,
    sender: str = "",
    message_id: str = "",
    related_case: Case | None = None,
    policy: DeadlinePolicy | None = None,
) -> Case:
    """Register an incoming question, complaint or competence conflict (charter rules 1, 2).

    The client, the date and time of receipt and the subject are recorded, a registration
    number is handed out, and the question itself is kept as the first inbound message.
    `received_at` is when it reached the service (a letter's arrival, not today): the term
    counts from it, in working days under the case's deadline policy (rule 4).
    """
    details = CaseDetails(
        client=client, channel=channel, subject=subject, body=body, kind=kind, topic=topic,
        language=language, received_at=received_at, owner=owner, team=team, sender=sender,
        message_id=message_id, related_case=related_case, policy=policy,
    )  # fmt: skip
    (case,) = case_register_many(actor=actor, cases=[details])
    return case


def case_register_many(*, actor: User | None, cases: Sequence[CaseDetails]) -> list[Case]:
    """``case_register`` for many cases at once (the mail intake and the portal register in
    batches): every one is checked first, then all are written together, their numbers
    handed out in order from one reservation (consecutive, no gaps: charter rule 2), except
    those reserved beforehand (`CaseDetails.reference`)."""
    now = timezone.now()
    checked = [(_case_checked(details, now=now), details) for details in cases]
    if not checked:
        return []
    year = timezone.localtime(now).year
    with transaction.atomic(savepoint=False):  # (as in _clients_write)
        numbered = [case for case, details in checked if not details.reference]
        if numbered:
            references = reference_reserve(year=year, count=len(numbered))
            for case, reference in zip(numbered, references, strict=True):
                case.reference = reference
        for case, details in checked:
            if details.reference:
                case.reference = details.reference
        registered = [case for case, _details in checked]
        Case.objects.bulk_create(registered)
        Message.objects.bulk_create(
            Message(
                case=case,
                direction=Message.Direction.INBOUND,
                channel=case.channel,
                sender=details.sender,
                subject=case.subject,
                body=details.body,
                at=case.received_at,
                message_id=details.message_id,
            )
            for case, details in checked
            if details.body
        )
        Event.objects.bulk_create(
            Event(
                kind=Event.Kind.CASE_REGISTERED,
                at=now,
                actor=actor,
                case=case,
                client=case.client,
                data={
                    "reference": case.reference,
                    "channel": case.channel,
                    "kind": case.kind,
                    "received_at": case.received_at.isoformat(),
                    "owner": case.owner_id,
                    "team": case.team_id,
                    "policy": case.policy.code if case.policy else None,
                    "due_at": case.charter_due_at.isoformat() if case.charter_due_at else None,
                },
            )
            for case in registered
        )
    return registered


def _case_checked(details: CaseDetails, *, now: dt.datetime) -> Case:
    """The case as it will be registered (no number yet), or a `ValidationError`."""
    received_at = details.received_at or now
    if timezone.is_naive(received_at):
        raise ValidationError(_("The date received needs a time zone."))
    if received_at > now + dt.timedelta(minutes=5):
        raise ValidationError(_("The date received cannot be in the future."))
    subject = " ".join(details.subject.split())[:300]
    if not subject:
        raise ValidationError(_("A case needs a subject."))
    channel, kind = details.channel, details.kind
    if channel not in Channel.values:
        raise ValidationError(_("Unknown channel: %(channel)s") % {"channel": channel})
    if kind not in Case.Kind.values:
        raise ValidationError(_("Unknown kind of case: %(kind)s") % {"kind": kind})
    policy = details.policy or policy_for(kind=kind, topic=details.topic)
    terms = None
    if policy is not None:
        calendar = policy.calendar.rules()
        terms = terms_for(received_at=received_at, policy=policy, calendar=calendar, now=now)
    return Case(
        kind=kind,
        channel=channel,
        client=details.client,
        subject=subject,
        topic=details.topic,
        language=details.language or details.client.language,
        received_at=received_at,
        registered_at=now,
        owner=details.owner,
        team=details.team,
        related_case=details.related_case,
        status=Status.IN_PROGRESS if details.owner else Status.REGISTERED,
        policy=policy,
        charter_due_at=terms.charter_due_at if terms else None,
        due_at=terms.charter_due_at if terms else None,
        remind_at=terms.remind_at if terms else None,
    )


def _locked(case: Case) -> Case:
    """The case re-read under a row lock: every change starts from the current state."""
    return Case.objects.select_for_update().get(pk=case.pk)


def _move(case: Case, new_status: str) -> None:
    if not can_move(case.status, new_status):
        raise CaseError(
            _("A case that is %(current)s cannot become %(new)s.")
            % {"current": case.get_status_display(), "new": Status(new_status).label}
        )
    case.status = new_status


def case_assign(*, actor: User, case: Case, owner: User | None, team: Team | None = None) -> Case:
    """Give the case an owner (and team); a newly owned case is in progress."""
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        if not case.is_open:
            raise CaseError(_("Only an open case can be assigned."))
        previous = case.owner_id
        case.owner = owner
        if team is not None:
            case.team = team
        if owner and case.status in (Status.REGISTERED, Status.REOPENED):
            case.status = Status.IN_PROGRESS
        case.save(update_fields=["owner", "team", "status"])
        Event.objects.create(
            kind=Event.Kind.CASE_ASSIGNED,
            at=now,
            actor=actor,
            case=case,
            client_id=case.client_id,
            data={
                "owner": owner.pk if owner else None,
                "previous_owner": previous,
                "team": case.team_id,
            },
        )
    return case


def case_forward(
    *, actor: User, case: Case, note: str, team: Team | None = None, owner: User | None = None
) -> Case:
    """Forward to the back office, to a team or a person, with a note (charter rule 7).
    The back office gets an internal term before the client's (by default one working day)."""
    if team is None and owner is None:
        raise CaseError(_("Forward to a team or a person."))
    note = note.strip()
    if not note:
        raise CaseError(_("Say in a note what the back office should do."))
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        _move(case, Status.FORWARDED)
        case.team = team or case.team
        case.owner = owner
        case.forwarded_at = case.forwarded_at or now
        if case.due_at and case.policy:
            case.internal_due_at = internal_term(
                due_at=case.due_at,
                policy=case.policy,
                calendar=case.policy.calendar.rules(),
                now=now,
            )
        case.save(update_fields=["status", "team", "owner", "forwarded_at", "internal_due_at"])
        Message.objects.create(
            case=case,
            direction=Message.Direction.NOTE,
            channel=case.channel,
            author=actor,
            body=note,
            at=now,
        )
        Event.objects.create(
            kind=Event.Kind.CASE_FORWARDED,
            at=now,
            actor=actor,
            case=case,
            client_id=case.client_id,
            data={
                "team": case.team_id,
                "owner": owner.pk if owner else None,
                "internal_due_at": case.internal_due_at.isoformat()
                if case.internal_due_at
                else None,
            },
        )
    return case


def case_answer(*, actor: User, case: Case, body: str, channel: str | None = None) -> Message:
    """Answer the client, on the channel the question came in (rule 3); an e-mail answer is
    queued in the outbox, threaded to the question.

    The first answer sets `answered_at`, and whether the front office answered it without
    forwarding (rule 7's 80%). Later answers keep both.
    """
    body = body.strip()
    if not body:
        raise CaseError(_("An answer cannot be empty."))
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        _move(case, Status.ANSWERED)
        client_emails: Sequence[str] = list(case.client.emails.values_list("address", flat=True))
        channel = channel or answer_channel(case.channel, client_has_email=bool(client_emails))
        recipient = client_emails[0] if channel == Channel.EMAIL and client_emails else ""
        if channel == Channel.EMAIL and not recipient:
            raise CaseError(_("The client has no e-mail address to answer to."))
        first = case.answered_at is None
        if first:
            case.answered_at = now
            case.answered_by_front_office = case.forwarded_at is None
        if case.owner_id is None:
            case.owner = actor
        case.save(update_fields=["status", "answered_at", "answered_by_front_office", "owner"])
        message = Message.objects.create(
            case=case,
            direction=Message.Direction.OUTBOUND,
            channel=channel,
            author=actor,
            recipient=recipient,
            subject=case.subject,
            body=body,
            at=now,
            message_id=new_message_id(case) if channel == Channel.EMAIL else "",
        )
        if channel == Channel.EMAIL:
            answer_email(message)
        Event.objects.create(
            kind=Event.Kind.CASE_ANSWERED,
            at=now,
            actor=actor,
            case=case,
            client_id=case.client_id,
            data={"channel": channel, "message": message.pk, "first": first},
        )
    return message


def case_close(*, actor: User, case: Case, reason: str = "") -> Case:
    """Close the case; whoever handled it closes it, the back office too (charter rule 7)."""
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        _move(case, Status.CLOSED)
        case.closed_at = now
        case.remind_at = None
        case.save(update_fields=["status", "closed_at", "remind_at"])
        Event.objects.create(
            kind=Event.Kind.CASE_CLOSED,
            at=now,
            actor=actor,
            case=case,
            client_id=case.client_id,
            data={"reason": reason.strip()},
        )
    return case


def case_reopen(*, actor: User | None, case: Case, reason: str) -> Case:
    """Reopen an answered or closed case, for instance when the client replies. The client's
    new message gets a new term, counted from now under the case's policy (rule 4)."""
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        _move(case, Status.REOPENED)
        case.closed_at = None
        if case.policy is not None:
            terms = terms_for(
                received_at=now, policy=case.policy, calendar=case.policy.calendar.rules(), now=now
            )
            case.due_at, case.remind_at = terms.charter_due_at, terms.remind_at
            case.overdue_since = None
        case.save(update_fields=["status", "closed_at", "due_at", "remind_at", "overdue_since"])
        Event.objects.create(
            kind=Event.Kind.CASE_REOPENED,
            at=now,
            actor=actor,
            case=case,
            client_id=case.client_id,
            data={"reason": reason.strip()},
        )
    return case


def case_note_add(*, actor: User, case: Case, body: str) -> Message:
    """An internal note: staff see it in the timeline, the client never does."""
    body = body.strip()
    if not body:
        raise CaseError(_("A note cannot be empty."))
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            case=case,
            direction=Message.Direction.NOTE,
            channel=case.channel,
            author=actor,
            body=body,
            at=now,
        )
        Event.objects.create(
            kind=Event.Kind.CASE_NOTE_ADDED,
            at=now,
            actor=actor,
            case=case,
            client_id=case.client_id,
            data={"message": message.pk},
        )
    return message


def case_topic_change(*, actor: User, case: Case, topic: Topic | None) -> Case:
    """Put the case under another topic (it drives routing and reporting). The term stays:
    a changed topic does not change what was promised; change the policy for that."""
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        previous = case.topic_id
        if previous == (topic.pk if topic else None):
            return case
        case.topic = topic
        case.save(update_fields=["topic"])
        Event.objects.create(
            kind=Event.Kind.CASE_TOPIC_CHANGED,
            at=now,
            actor=actor,
            case=case,
            client_id=case.client_id,
            data={"topic": topic.code if topic else None, "previous_topic": previous},
        )
    return case
