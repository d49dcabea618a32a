"""Every state change of the e-mail intake: storing a message that arrived, processing it,
quarantining what cannot be processed, processing it again after a fix (charter rule 1).

Raw first: ``inbound_store`` writes the bytes to the storage and records them in a
transaction of their own, before anything parses them; ``inbound_process`` (a task) reads them
back and does the case work in another. A process killed at any point loses nothing: the
bytes are either not recorded (and the source still holds them: the mailbox is only told
after the commit, a re-run of an import stores them again) or recorded and not yet processed
(``inbound_sweep`` and re-runs pick those up).

Mail that arrives together (a mailbox poll, an import) is stored and processed in batches:
``inbound_store_many`` records up to ``BATCH`` messages in one transaction and queues one
``inbound_process_many`` for them, which registers them in one transaction, one message
after the other; one message that fails sends the batch back to the one-by-one path, so it
alone is quarantined.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.accounts.models import User
from loket.cases.models import Case, Event

from . import storage
from .intake import Intake, IntakeBatch, intake
from .models import InboundMail, MailBox, OutboundMail, raw_mail_name
from .outbox import normalise_message_id
from .parsing import MailParseError, ParsedMail, parse_mail

logger = logging.getLogger("loket.mail")
State = InboundMail.State
STALE_AFTER = dt.timedelta(minutes=10)
POLL_LEASE = dt.timedelta(minutes=10)
# Messages stored and processed in one transaction: the commits are what a mail costs most,
# and a batch keeps the database's write lock (SQLite's is the whole file) for well under a
# second.
BATCH = 50


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
    # Bytes first, row second; the row's unique hash recognises a message stored before
    # (no query to ask first: the insert says so, and writing the same file again is a no-op).
    raw, sha256 = _keep_bytes(raw)
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


def _keep_bytes(raw: bytes) -> tuple[bytes, str]:
    """The bytes written to the storage under their SHA-256; returns them and the hash."""
    if not isinstance(raw, bytes | bytearray):
        raise ValidationError(_("A mail message is bytes."))
    raw = bytes(raw)
    sha256 = storage.sha256_of(raw)
    storage.put(raw_mail_name(sha256), raw, sha256)
    return raw, sha256


def inbound_store_many(
    *,
    messages: Sequence[tuple[bytes, dt.datetime | None]],
    source: str,
    mailbox: MailBox | None = None,
    kind: str | None = None,
    process: bool = True,
) -> list[tuple[InboundMail, bool]]:
    """``inbound_store`` for messages that arrived together, as (bytes, arrival time): every
    file first, then every row in one transaction, and one task that processes them all
    (``inbound_process_many``) once that is committed. Returns (record, created) for each
    message, in order; a message stored before, or earlier in the same batch, is not
    created again. When another process stores one of them at the same moment, each is
    stored on its own instead (``inbound_store`` recognises it)."""
    if not messages:
        return []
    kept = [(*_keep_bytes(raw), received_at) for raw, received_at in messages]
    now = timezone.now()
    if kind is None:
        kind = mailbox.receives if mailbox is not None else Case.Kind.QUESTION
    try:
        with transaction.atomic():
            hashes = {sha256 for _raw, sha256, _received_at in kept}
            known = {m.sha256: m for m in InboundMail.objects.filter(sha256__in=hashes)}
            new: dict[str, InboundMail] = {}
            for raw, sha256, received_at in kept:
                if sha256 not in known and sha256 not in new:
                    new[sha256] = InboundMail(
                        sha256=sha256,
                        size=len(raw),
                        source=source,
                        mailbox=mailbox,
                        kind=kind,
                        received_at=min(received_at or now, now),
                        stored_at=now,
                    )
            InboundMail.objects.bulk_create(new.values())
            if process and new:
                ids = [inbound.pk for inbound in new.values()]
                transaction.on_commit(lambda: _enqueue_many(ids))
    except IntegrityError:  # one of them stored by another process a moment ago
        return [
            inbound_store(raw=raw, source=source, mailbox=mailbox, kind=kind,
                          received_at=received_at, process=process)
            for raw, _sha256, received_at in kept
        ]  # fmt: skip
    stored: list[tuple[InboundMail, bool]] = []
    seen: set[str] = set()
    for _raw, sha256, _received_at in kept:
        if sha256 in new and sha256 not in seen:
            stored.append((new[sha256], True))
        else:
            stored.append((known.get(sha256) or new[sha256], False))
        seen.add(sha256)
    return stored


def _enqueue(inbound_id: int) -> None:
    from .tasks import inbound_process_task

    inbound_process_task.enqueue(inbound_id)


def _enqueue_many(inbound_ids: list[int]) -> None:
    from .tasks import inbound_process_many_task

    for start in range(0, len(inbound_ids), BATCH):
        inbound_process_many_task.enqueue(inbound_ids[start : start + BATCH])


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
            mail = parse_mail(storage.read(inbound.raw_name))
            parsed.append(mail)
            _process(inbound, mail, now=now, acknowledge=acknowledge)
        return inbound
    except OperationalError:
        raise
    except Exception as error:  # charter rule 1: whatever it was, the message is kept
        return _quarantine(inbound_id, error, now, parsed[0] if parsed else None)


def inbound_process_many(
    *, inbound_ids: Sequence[int], acknowledge: bool = True
) -> list[InboundMail | None]:
    """``inbound_process`` for messages stored together, in one transaction: each message
    in turn, in order, so a later one finds what an earlier one registered (its client, the
    case it replies to, the acknowledgements counted for its sender). They are read and
    parsed before the transaction starts, so the database waits on none of that; one that
    cannot be read or parsed is quarantined within the batch. When anything else fails,
    the whole batch rolls back (numbers handed out in it are handed out again: no gaps)
    and each message is processed again on its own, so only the one at fault is
    quarantined. Returns the records, in the order of `inbound_ids` (None: no such row)."""
    ids = list(dict.fromkeys(inbound_ids))
    now = timezone.now()
    parsed: dict[int, ParsedMail | Exception] = {}
    waiting = InboundMail.objects.filter(pk__in=ids, state=State.RECEIVED)
    for pk, sha256 in waiting.values_list("pk", "sha256"):
        parsed[pk] = _parsed(raw_mail_name(sha256))
    try:
        with transaction.atomic():
            rows = InboundMail.objects.select_for_update().filter(pk__in=ids).order_by("pk")
            locked: dict[int, InboundMail | None] = {inbound.pk: inbound for inbound in rows}
            mails = [
                (inbound, mail)
                for pk, inbound in locked.items()
                if inbound is not None
                and inbound.state == State.RECEIVED
                and isinstance(mail := parsed.get(pk), ParsedMail)
            ]
            batch = IntakeBatch(now=now, acknowledge=acknowledge, mails=mails)
            for pk in ids:
                inbound = locked.get(pk)
                if inbound is None or inbound.state != State.RECEIVED:
                    continue
                mail = parsed[pk] if pk in parsed else _parsed(inbound.raw_name)  # (again)
                if isinstance(mail, Exception):
                    _quarantine_record(inbound, mail, now, None)
                    continue
                if batch.waits_for(mail):
                    _record(batch.register(), now=now)
                _process(inbound, mail, now=now, acknowledge=acknowledge, batch=batch)
            _record(batch.register(), now=now)
    except OperationalError:
        raise
    except Exception as error:
        # Each mail again on its own: only the one at fault is quarantined. Logged with its
        # traceback, since a bug in the batch code itself would otherwise pass unseen.
        logger.warning("a batch of incoming mail goes one by one: %s", error, exc_info=True)
        locked = {pk: inbound_process(inbound_id=pk, acknowledge=acknowledge) for pk in ids}
    return [locked.get(pk) for pk in inbound_ids]


def _parsed(raw_name: str) -> ParsedMail | Exception:
    try:
        return parse_mail(storage.read(raw_name))
    except Exception as error:  # kept, and quarantined (charter rule 1)
        return error


def _process(
    inbound: InboundMail,
    mail: ParsedMail,
    *,
    now: dt.datetime,
    acknowledge: bool,
    batch: IntakeBatch | None = None,
) -> None:
    """The case work for one parsed message whose row the caller holds locked, and what
    became of it on the record; inside the caller's transaction. With `batch`, a
    message that opens a new case waits there, and is recorded when they are registered."""
    inbound.attempts += 1
    _describe(inbound, mail)
    result = intake(inbound=inbound, mail=mail, now=now, acknowledge=acknowledge, batch=batch)
    if result is not None:
        _record([(inbound, result)], now=now)


def _record(results: list[tuple[InboundMail, Intake]], *, now: dt.datetime) -> None:
    for inbound, result in results:
        result.record(inbound, now=now)
    if len(results) == 1:
        results[0][0].save(update_fields=_PROCESSED_FIELDS)
    elif results:
        _save_processed([inbound for inbound, _result in results])


def _save_processed(inbounds: list[InboundMail]) -> None:
    """What processing wrote on many records, saved with one statement run for each row.
    Written out: Django's ``bulk_update`` composes a CASE per field and row, and costs
    several times what saving the rows one by one does (bench/mail.py)."""
    fields = [f for f in InboundMail._meta.concrete_fields if f.name in _PROCESSED_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in fields)
    rows = [
        [field.get_db_prep_save(getattr(inbound, field.attname), connection) for field in fields]
        + [inbound.pk]
        for inbound in inbounds
    ]
    table, key = quote(InboundMail._meta.db_table), quote(str(InboundMail._meta.pk.column))
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {key} = %s", rows)  # noqa: S608


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
    with transaction.atomic():
        inbound = InboundMail.objects.select_for_update().filter(pk=inbound_id).first()
        if inbound is None or inbound.state != State.RECEIVED:
            return inbound  # another worker got it through meanwhile
        _quarantine_record(inbound, error, now, mail)
    return inbound


def _quarantine_record(
    inbound: InboundMail, error: Exception, now: dt.datetime, mail: ParsedMail | None
) -> None:
    """The message set aside with its error, on its locked row, with its event."""
    if isinstance(error, MailParseError):
        message = _("Not an e-mail message: %(error)s") % {"error": error}
    else:
        message = f"{type(error).__name__}: {error}"
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
    _enqueue_many(stale)
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
