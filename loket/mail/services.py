"""Every state change of the e-mail intake: storing a message that arrived, processing it,
quarantining what cannot be processed, processing it again after a fix (charter rule 1).

Raw first: ``inbound_store`` writes the bytes to the storage and records them in a
transaction of their own, before anything parses them; ``inbound_process`` (a task) reads them
back and does the case work in another. A process killed at any point loses nothing: the
bytes are either not recorded (and the source still holds them: the mailbox is only told
after the commit, a re-run of an import stores them again) or recorded and not yet processed
(``inbound_sweep`` and re-runs pick those up).
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.accounts.models import User
from loket.cases.models import Case, Event

from . import storage
from .intake import intake
from .models import InboundMail, MailBox, OutboundMail, raw_mail_name
from .outbox import normalise_message_id
from .parsing import MailParseError, ParsedMail, parse_mail

logger = logging.getLogger("loket.mail")
State = InboundMail.State
STALE_AFTER = dt.timedelta(minutes=10)
POLL_LEASE = dt.timedelta(minutes=10)


def inbound_store(
    *,
    raw: bytes,
    source: str,
    mailbox: MailBox | None = None,
    kind: str | None = None,
    received_at: dt.datetime | None = None,
    process: bool = True,
) -> tuple[InboundMail, bool]:
    """Keep a message that arrived, before anything reads it (charter rule 1): the bytes go
    to the storage under their SHA-256, then a row records them, in its own transaction. The
    same bytes stored twice are recognised (``created`` is False) and not registered again.
    Processing is queued as a task once the row is committed (``process=False``: the caller
    processes it itself, as ``import-mail`` does)."""
    if not isinstance(raw, bytes | bytearray):
        raise ValidationError(_("A mail message is bytes."))
    raw = bytes(raw)
    sha256 = storage.sha256_of(raw)
    # Bytes first, row second; the row's unique hash recognises a message stored before
    # (no query to ask first: the insert says so, and writing the same file again is a no-op).
    storage.put(raw_mail_name(sha256), raw, sha256)
    now = timezone.now()
    if kind is None:
        kind = mailbox.receives if mailbox is not None else Case.Kind.QUESTION
    try:
        with transaction.atomic():
            inbound = InboundMail.objects.create(
                sha256=sha256,
                size=len(raw),
                source=source,
                mailbox=mailbox,
                kind=kind,
                received_at=min(received_at or now, now),
                stored_at=now,
            )
            if process:
                transaction.on_commit(lambda: _enqueue(inbound.pk))
    except IntegrityError:  # stored before (or by another process a moment ago)
        return InboundMail.objects.get(sha256=sha256), False
    return inbound, True


def _enqueue(inbound_id: int) -> None:
    from .tasks import inbound_process_task

    inbound_process_task.enqueue(inbound_id)


def inbound_process(*, inbound_id: int, acknowledge: bool = True) -> InboundMail | None:
    """Read a stored message and do what it asks: register it, thread it to its case, or
    record the delivery report it is (intake.py), in one transaction. Safe to run twice: a
    message that is no longer waiting is left alone. Whatever fails rolls back entirely (so
    nothing is half-registered) and the message is quarantined with the error, in a
    transaction of its own (charter rule 1: kept, shown, processed again after a fix).
    A database that is momentarily unavailable is no reason for quarantine: that error
    propagates, the message stays waiting, and ``inbound_sweep`` queues it again."""
    now = timezone.now()
    parsed: list[ParsedMail] = []  # what parsing found, for the quarantine's record
    try:
        with transaction.atomic():
            try:
                inbound = InboundMail.objects.select_for_update().get(pk=inbound_id)
            except InboundMail.DoesNotExist:
                return None
            if inbound.state != State.RECEIVED:
                return inbound
            inbound.attempts += 1
            mail = parse_mail(storage.read(inbound.raw_name))
            parsed.append(mail)
            _describe(inbound, mail)
            result = intake(inbound=inbound, mail=mail, now=now, acknowledge=acknowledge)
            done = result.outcome in (InboundMail.Outcome.NEW_CASE, InboundMail.Outcome.THREADED)
            inbound.state = State.PROCESSED if done else State.IGNORED
            inbound.outcome = result.outcome
            inbound.reason = result.reason[:500]
            inbound.processed_at = now
            inbound.case = result.case
            inbound.case_message = result.message
            inbound.error = inbound.traceback = ""
            if result.acknowledgement is not None:
                inbound.acknowledgement = result.acknowledgement
                inbound.acknowledged_at = now
            inbound.save(update_fields=_PROCESSED_FIELDS)
        return inbound
    except OperationalError:
        raise
    except Exception as error:  # charter rule 1: whatever it was, the message is kept
        return _quarantine(inbound_id, error, now, parsed[0] if parsed else None)


# What processing writes on the record (`_describe`, then the outcome).
_PROCESSED_FIELDS = [
    "attempts", "message_id", "sender", "subject", "html", "notes", "state", "outcome",
    "reason", "processed_at", "case", "case_message", "error", "traceback", "acknowledgement",
    "acknowledged_at",
]  # fmt: skip


def _describe(inbound: InboundMail, mail: ParsedMail) -> None:
    """What parsing found, on the record: the admin lists and threading read it."""
    inbound.message_id = normalise_message_id(mail.message_id)
    inbound.sender = (mail.from_address or "")[:300]
    inbound.subject = mail.subject[:300]
    inbound.html = mail.html
    inbound.notes = list(mail.notes)


def _quarantine(
    inbound_id: int, error: Exception, now: dt.datetime, mail: ParsedMail | None
) -> InboundMail | None:
    if isinstance(error, MailParseError):
        message = _("Not an e-mail message: %(error)s") % {"error": error}
    else:
        message = f"{type(error).__name__}: {error}"
    with transaction.atomic():
        inbound = InboundMail.objects.select_for_update().filter(pk=inbound_id).first()
        if inbound is None or inbound.state != State.RECEIVED:
            return inbound  # another worker got it through meanwhile
        logger.warning("incoming mail %s quarantined: %s", inbound.pk, message)
        if mail is not None:
            _describe(inbound, mail)
        inbound.attempts += 1
        inbound.state = State.QUARANTINED
        inbound.outcome = ""
        inbound.error = message[:5000]
        inbound.traceback = "".join(traceback.format_exception(error))[-20000:]
        inbound.reason = _("could not be processed")
        inbound.processed_at = now
        inbound.save(update_fields=_PROCESSED_FIELDS)
        Event.objects.create(
            kind=Event.Kind.MAIL_QUARANTINED,
            at=now,
            data={"inbound": inbound.pk, "error": message[:500], "sha256": inbound.sha256},
        )
    return inbound


def inbound_reprocess(*, actor: User | None, inbound: InboundMail) -> InboundMail:
    """Process a quarantined (or ignored) message again, after a fix."""
    now = timezone.now()
    with transaction.atomic():
        inbound = InboundMail.objects.select_for_update().get(pk=inbound.pk)
        if inbound.state not in (State.QUARANTINED, State.IGNORED):
            raise ValidationError(_("Only a quarantined or ignored e-mail can be processed again."))
        previous = inbound.state
        inbound.state = State.RECEIVED
        inbound.save(update_fields=["state"])
        Event.objects.create(
            kind=Event.Kind.MAIL_REPROCESSED,
            at=now,
            actor=actor,
            data={"inbound": inbound.pk, "previous_state": previous, "error": inbound.error[:500]},
        )
    return inbound_process(inbound_id=inbound.pk) or inbound


def inbound_sweep(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Queue again what was stored but never processed (its task was lost with a crashed
    worker); returns how many. Processing twice is harmless, so an early sweep is too."""
    now = now or timezone.now()
    stale = list(
        InboundMail.objects.filter(state=State.RECEIVED, stored_at__lt=now - STALE_AFTER)
        .order_by("stored_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in stale:
        _enqueue(pk)
    return len(stale)


def outbox_sweep(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Queue again the sending of mail that has waited too long (the task that was to send
    it was lost with a crashed worker); sending is idempotent, so nothing goes twice."""
    from .tasks import mail_deliver

    now = now or timezone.now()
    stale = list(
        OutboundMail.objects.filter(
            status=OutboundMail.Status.QUEUED, created_at__lt=now - STALE_AFTER
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in stale:
        mail_deliver.enqueue(pk)
    return len(stale)


def mailbox_poll_claim(*, mailbox: MailBox, now: dt.datetime | None = None) -> bool:
    """Take the mailbox for one poll; False when another worker is polling it right now."""
    now = now or timezone.now()
    free = Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lt=now)
    claimed = MailBox.objects.filter(free, pk=mailbox.pk).update(poll_lease_until=now + POLL_LEASE)
    return claimed == 1


def mailbox_poll_finish(*, mailbox: MailBox, error: str = "") -> None:
    """Record how the poll went (shown in the admin) and free the mailbox."""
    now = timezone.now()
    fields: dict[str, object] = {"poll_lease_until": None, "last_polled_at": now}
    if error:
        fields.update(last_error=error[:5000], last_error_at=now)
    else:
        fields["last_error"] = ""
    MailBox.objects.filter(pk=mailbox.pk).update(**fields)
