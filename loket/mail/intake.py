"""What one inbound mail becomes: a new case, a message of an existing case (which it may
reopen), or the delivery report of a mail loket sent (charter rules 1, 2, 4 and 8).

Called by ``services.inbound_process`` inside its transaction, with the parsed mail; every
case change goes through the case services (``case_register_many``, ``case_reopen``), and
every step writes its ``Event``. Nothing here sends mail directly: acknowledgements and
reopen notices are queued in the outbox, which sends them once the transaction commits.

A batch (``services.inbound_process_many``) hands the mails that open a new case to
``IntakeBatch``, which registers them together: their clients, cases, messages and
acknowledgements each written with one insert. Before a mail whose handling reads what a
waiting one will write (the same sender: its history, its client; a reply to one of them; a
delivery report), the waiting ones are registered first, so every mail is handled exactly
as if it came alone, in the order they arrived.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from loket.accounts.models import User
from loket.accounts.services import notify
from loket.cases.models import Case, Channel, Client, Event, Message
from loket.cases.services import (
    CaseDetails,
    ClientDetails,
    case_register_many,
    case_reopen,
    client_addresses_lock,
    client_create_many,
    normalise_email,
)

from . import storage
from .emails import acknowledgement_emails, reopen_notice_email
from .language import detect_language
from .models import InboundAttachment, InboundMail, OutboundMail, attachment_name
from .outbox import mail_domain, normalise_message_id
from .parsing import ParsedMail
from .selectors import (
    SenderHistory,
    Thread,
    bounced_message_ids,
    client_by_address,
    clients_by_address,
    delivery_report,
    outbound_by_message_ids,
    sender_histories,
    sender_history,
    thread_of,
)

Outcome = InboundMail.Outcome
# Senders that never read what is sent to them: no acknowledgement goes there.
_NO_REPLY = re.compile(
    r"^(no-?reply|do-?not-?reply|donotreply|mailer-daemon|postmaster|bounces?)([+._-].*)?@"
    r"|noreply|no-reply",
    re.I,
)
# Mail older than this (an import of an old mailbox) is registered, not acknowledged: an
# acknowledgement says "we received it just now, here is your number".
ACKNOWLEDGE_WITHIN = dt.timedelta(days=7)


@dataclass(frozen=True)
class Intake:
    outcome: str
    reason: str
    case: Case | None = None
    message: Message | None = None
    acknowledgement: OutboundMail | None = None

    def record(self, inbound: InboundMail, *, now: dt.datetime) -> None:
        """What became of the mail, on its record (the caller saves it)."""
        done = self.outcome in (Outcome.NEW_CASE, Outcome.THREADED)
        inbound.state = InboundMail.State.PROCESSED if done else InboundMail.State.IGNORED
        inbound.outcome = self.outcome
        inbound.reason = self.reason[:500]
        inbound.processed_at = now
        inbound.case = self.case
        inbound.case_message = self.message
        inbound.error = inbound.traceback = ""
        if self.acknowledgement is not None:
            inbound.acknowledgement = self.acknowledgement
            inbound.acknowledged_at = now


def intake(
    *,
    inbound: InboundMail,
    mail: ParsedMail,
    now: dt.datetime,
    acknowledge: bool,
    batch: IntakeBatch | None = None,
) -> Intake | None:
    """Decide and do what `mail` becomes; the caller records the result on `inbound`.
    With `batch`, a mail that opens a new case is handed to it, to be registered with the
    others of its batch: None then, `batch.register()` says what it became."""
    domain = mail_domain().lower()
    if any(loop.lower() == domain for loop in mail.loop_headers):
        # loket's own mail came back (a forward rule pointing at us): answering it would loop.
        return Intake(
            Outcome.LOOP, _("loket's own e-mail came back (X-Loket-Loop); not registered")
        )
    since = now - dt.timedelta(hours=1)
    if batch is not None:
        history = batch.history(inbound, mail, since=since)
    else:
        history = sender_history(inbound, mail, since=since)
    if history.duplicate is not None:
        original = InboundMail.objects.select_related("case").get(pk=history.duplicate)
        return Intake(
            Outcome.DUPLICATE,
            _("the same message as incoming e-mail #%(number)s") % {"number": original.pk},
            case=original.case,
        )
    received_at = _received_at(inbound, mail, now)
    if mail.is_bounce:
        bounced = _delivery_failed(inbound=inbound, mail=mail, received_at=received_at, now=now)
        if bounced is not None:
            return bounced
    thread = thread_of(mail)
    if thread is not None:
        return _continue(thread, inbound=inbound, mail=mail, received_at=received_at, now=now,
                         acknowledge=acknowledge, history=history, batch=batch)  # fmt: skip
    return _register(inbound=inbound, mail=mail, received_at=received_at, now=now,
                     acknowledge=acknowledge, history=history, batch=batch)  # fmt: skip


def _received_at(inbound: InboundMail, mail: ParsedMail, now: dt.datetime) -> dt.datetime:
    """When the mail reached the service: the mailbox's arrival time; for an imported mail
    its Date, when that is earlier (an old mailbox brought over keeps its dates; rule 4)."""
    received_at = min(inbound.received_at, now)
    if inbound.source == InboundMail.Source.IMPORT and mail.date is not None:
        received_at = min(received_at, mail.date)
    return received_at


def _sender(mail: ParsedMail) -> str:
    """The sender as staff read it, ``Name <address>`` (decoded: never RFC 2047 words)."""
    if not mail.from_address:
        return mail.from_name[:300]
    if not mail.from_name:
        return mail.from_address[:300]
    name = mail.from_name
    if re.search(r'[()<>\[\]:;@\\,."]', name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{mail.from_address}>"[:300]


@functools.lru_cache(maxsize=4096)  # (asked several times per mail: sender, client, reply)
def _valid_address(address: str | None) -> str:
    """The sender's address, normalised, or "" when it is none."""
    try:
        return normalise_email(address or "") if address else ""
    except ValidationError:
        return ""


def _new_client(mail: ParsedMail, language: str | None) -> ClientDetails:
    """The client to create for a sender loket does not know yet."""
    address = _valid_address(mail.from_address)
    name = mail.from_name or address.partition("@")[0] or _("Unknown sender")
    default = settings.LANGUAGE_CODE[:2]
    return ClientDetails(
        name=name[:200],
        language=language or (default if default in ("nl", "fr", "de", "en") else "nl"),
        emails=[address] if address else [],
    )


def _case(
    inbound: InboundMail,
    mail: ParsedMail,
    *,
    client: Client,
    language: str,
    received_at: dt.datetime,
    related: Case | None,
) -> CaseDetails:
    """The case a mail opens (charter rules 1 and 2)."""
    kind = inbound.kind if inbound.kind in Case.Kind.values else Case.Kind.QUESTION
    return CaseDetails(
        client=client,
        channel=Channel.EMAIL,
        subject=mail.subject or _("(no subject)"),
        kind=kind,
        language=language,
        received_at=received_at,
        related_case=related,
    )


def _registered(
    case: Case,
    message: Message,
    *,
    related: Case | None,
    refusal: str | None,
    acknowledgement: OutboundMail | None,
) -> Intake:
    """What a mail that opened a new case became, in words for the record."""
    if related is not None:
        reason = _("registered as %(reference)s, linked to %(old)s (closed too long ago)") % {
            "reference": case.reference,
            "old": related.reference,
        }
    else:
        reason = _("registered as %(reference)s") % {"reference": case.reference}
    if refusal is None and acknowledgement is None:
        refusal = _("no address to send it to")
    if refusal is not None:
        reason += "; " + _("not acknowledged: %(why)s") % {"why": refusal}
    return Intake(Outcome.NEW_CASE, reason, case, message, acknowledgement)


def _register(
    *,
    inbound: InboundMail,
    mail: ParsedMail,
    received_at: dt.datetime,
    now: dt.datetime,
    acknowledge: bool,
    history: SenderHistory,
    batch: IntakeBatch | None,
    related: Case | None = None,
) -> Intake | None:
    """A new case for a mail that continues none (charter rules 1 and 2): registered now,
    or with the others of its batch (None then)."""
    cases = batch or IntakeBatch(now=now, acknowledge=acknowledge)
    cases.add(inbound=inbound, mail=mail, received_at=received_at, history=history,
              related=related)  # fmt: skip
    if batch is not None:
        return None
    ((_, result),) = cases.register()
    return result


def _continue(
    thread: Thread,
    *,
    inbound: InboundMail,
    mail: ParsedMail,
    received_at: dt.datetime,
    now: dt.datetime,
    acknowledge: bool,
    history: SenderHistory,
    batch: IntakeBatch | None,
) -> Intake | None:
    """A later message of a case: added to it; a client's reply to an answered or closed case
    reopens it within the reopen window, else opens a new case linked to it."""
    case = thread.case
    automatic = mail.is_auto_reply or mail.is_bounce
    how = {"in-reply-to": "In-Reply-To", "references": "References"}.get(thread.found_by)
    how = how or _("the registration number in the subject")
    reason = _("added to %(reference)s (found by %(how)s)") % {"reference": case.reference,
                                                              "how": how}  # fmt: skip
    if case.is_open or automatic:
        message = _message(case, mail, received_at, now=now, found_by=thread.found_by)
        _attachments(inbound, message, mail)
        if not automatic:
            notify(
                users=[_owner(case)],
                kind="case.message-received",
                message=gettext_noop("The client wrote again about %(reference)s."),
                params={"reference": case.reference},
                case=case,
            )
        return Intake(Outcome.THREADED, reason, case, message)
    since = case.closed_at or case.answered_at
    window = dt.timedelta(days=settings.LOKET_REOPEN_WINDOW_DAYS)
    if since is not None and now - since > window:
        return _register(inbound=inbound, mail=mail, received_at=received_at, now=now,
                         acknowledge=acknowledge, history=history, batch=batch,
                         related=case)  # fmt: skip
    case = case_reopen(actor=None, case=case, reason=_("the client replied by e-mail"))
    message = _message(case, mail, received_at, now=now, found_by=thread.found_by)
    _attachments(inbound, message, mail)
    notify(
        users=[_owner(case)],
        kind="case.reopened",
        message=gettext_noop("The client's reply reopened %(reference)s."),
        params={"reference": case.reference},
        case=case,
    )
    reason += "; " + _("reopened")
    refusal = _refusal_if(acknowledge, mail, history, received_at=received_at, now=now)
    notice = None
    if refusal is None and (address := _valid_address(mail.from_address)):
        notice = reopen_notice_email(case, to=address)
    elif refusal is not None:
        reason += "; " + _("no reopen notice: %(why)s") % {"why": refusal}
    return Intake(Outcome.THREADED, reason, case, message, notice)


def _owner(case: Case) -> User | None:
    return case.owner if case.owner_id else None


def _delivery_failed(
    *, inbound: InboundMail, mail: ParsedMail, received_at: dt.datetime, now: dt.datetime
) -> Intake | None:
    """A delivery report about a mail loket sent: that mail is marked undelivered, the
    report joins its case and the case's owner (and the answer's author) hear of it.
    None when the report is about no mail loket sent."""
    outbound = outbound_by_message_ids(bounced_message_ids(mail))
    if outbound is None:
        return None
    failed, why = delivery_report(mail)
    if failed and outbound.delivery_failed_at is None:
        outbound.delivery_failed_at = now
        outbound.delivery_error = why
        outbound.save(update_fields=["delivery_failed_at", "delivery_error"])
    reason = _("delivery report for outgoing e-mail #%(number)s (%(kind)s)") % {
        "number": outbound.pk,
        "kind": outbound.kind,
    }
    case = None
    if outbound.case_id is not None:
        case = Case.objects.filter(pk=outbound.case_id).select_related("owner").first()
    if case is None:
        return Intake(Outcome.THREADED, reason)
    message = _message(case, mail, received_at, now=now, found_by="delivery-report")
    _attachments(inbound, message, mail)
    if failed:
        Event.objects.create(
            kind=Event.Kind.CASE_DELIVERY_FAILED,
            at=now,
            case=case,
            client_id=case.client_id,
            data={"outbound": outbound.pk, "kind": outbound.kind, "to": outbound.to,
                  "report": why[:500], "message": message.pk},
        )  # fmt: skip
        author = outbound.case_message.author if outbound.case_message is not None else None
        notify(
            users=[_owner(case), author],
            kind="case.delivery-failed",
            message=gettext_noop("An e-mail to %(address)s about %(reference)s was not delivered."),
            params={"address": ", ".join(outbound.to)[:200], "reference": case.reference},
            case=case,
        )
    return Intake(Outcome.THREADED, reason, case, message)


def _message(
    case: Case,
    mail: ParsedMail,
    received_at: dt.datetime,
    *,
    now: dt.datetime | None = None,
    found_by: str = "",
) -> Message:
    """The mail as a message of the case, with its step in the history (charter rule 8)."""
    message = _message_of(case, mail, received_at)
    message.save(force_insert=True)
    if found_by:
        Event.objects.create(
            kind=Event.Kind.CASE_MESSAGE_RECEIVED,
            at=now or received_at,
            case=case,
            client_id=case.client_id,
            data={"message": message.pk, "channel": Channel.EMAIL, "found_by": found_by},
        )
    return message


def _message_of(case: Case, mail: ParsedMail, received_at: dt.datetime) -> Message:
    return Message(
        case=case,
        direction=Message.Direction.INBOUND,
        channel=Channel.EMAIL,
        sender=_sender(mail),
        recipient=", ".join(mail.to)[:300],
        subject=mail.subject[:300],
        body=mail.text,
        at=received_at,
        message_id=normalise_message_id(mail.message_id),
    )


def _attachments(inbound: InboundMail, message: Message, mail: ParsedMail) -> None:
    """Every file of the mail, stored content-addressed and listed with the message."""
    rows = _attachment_rows(inbound, message, mail)
    if rows:  # (a failed attempt left none: its transaction was rolled back)
        InboundAttachment.objects.bulk_create(rows)


def _attachment_rows(
    inbound: InboundMail, message: Message, mail: ParsedMail
) -> list[InboundAttachment]:
    rows = []
    for position, attachment in enumerate(mail.attachments):
        sha256 = storage.sha256_of(attachment.content)
        storage.put(attachment_name(sha256), attachment.content, sha256)
        rows.append(
            InboundAttachment(
                inbound=inbound,
                case_message=message,
                position=position,
                filename=attachment.filename[:255],
                content_type=attachment.content_type[:150],
                size=attachment.size,
                sha256=sha256,
                content_id=(attachment.content_id or "")[:300],
                inline=attachment.inline,
                truncated=attachment.truncated,
            )
        )
    return rows


def _refusal_if(
    acknowledge: bool,
    mail: ParsedMail,
    history: SenderHistory,
    *,
    received_at: dt.datetime,
    now: dt.datetime,
) -> str | None:
    if not acknowledge:
        return _("not asked")
    return _refusal(mail, history, received_at=received_at, now=now)


def _refusal(
    mail: ParsedMail, history: SenderHistory, *, received_at: dt.datetime, now: dt.datetime
) -> str | None:
    """Why no acknowledgement goes back, or None: never to robots (auto-replies, delivery
    reports, lists, no-reply senders, the null return path), so that two auto-responders
    never answer each other forever; and at most LOKET_ACKNOWLEDGEMENTS_PER_HOUR per sender,
    counted in the database so that every worker process sees the same count."""
    address = _valid_address(mail.from_address)
    checks = (
        (mail.is_bounce, _("a delivery report")),
        (mail.is_auto_reply, _("an automatic reply")),
        (mail.list_id is not None, _("mail from a mailing list")),
        (mail.return_path == "", _("an empty return path")),
        (not address, _("no valid sender address")),
        (bool(address and _NO_REPLY.search(address)), _("a no-reply sender")),
        (now - received_at > ACKNOWLEDGE_WITHIN, _("received too long ago")),
    )
    for applies, why in checks:
        if applies:
            return why
    limit = settings.LOKET_ACKNOWLEDGEMENTS_PER_HOUR
    if history.recent_acknowledgements >= limit:
        return _("more than %(limit)s acknowledgements to this sender in an hour") % {
            "limit": limit
        }
    return None


@dataclass
class _Waiting:
    """A mail that opens a new case, waiting to be registered with the others."""

    inbound: InboundMail
    mail: ParsedMail
    received_at: dt.datetime
    related: Case | None  # the case closed too long ago that it replies to
    language: str | None  # detected in its text
    client: Client | None  # None: a new client, `new_client`
    new_client: ClientDetails | None
    refusal: str | None  # why it is not acknowledged, None: it is


class IntakeBatch:
    """The mails of a batch (a mail alone is a batch of one). Those that open a new case
    are registered together: one insert for their clients, one for the cases and their
    numbers, one for the messages, one for the acknowledgements. What every mail needs to
    know is read for all of them at once: their senders' clients (the clients the batch
    creates are added as it goes) and histories (read again for a sender who wrote earlier
    in the batch, once what that mail changed is written)."""

    def __init__(
        self,
        *,
        now: dt.datetime,
        acknowledge: bool,
        mails: Collection[tuple[InboundMail, ParsedMail]] = (),
    ) -> None:
        self.now = now
        self.acknowledge = acknowledge
        self._waiting: list[_Waiting] = []
        self._senders: set[str] = set()
        self._message_ids: set[str] = set()
        addresses = {_valid_address(mail.from_address) for _, mail in mails} - {""}
        client_addresses_lock(addresses)  # two workers never both create a sender's client
        known = clients_by_address(addresses) if addresses else {}
        # By normalised address: the client, or None when there is none (yet).
        self._clients: dict[str, Client | None] = {a: known.get(a) for a in addresses}
        self._since = now - dt.timedelta(hours=1)
        self._histories = sender_histories(mails, since=self._since) if mails else {}
        self._seen: set[str] = set()  # senders whose history this batch changed

    def history(
        self, inbound: InboundMail, mail: ParsedMail, *, since: dt.datetime
    ) -> SenderHistory:
        """`sender_history`, as read for the whole batch while the batch has not changed it."""
        sender = mail.from_address or ""
        known = self._histories.get(inbound.pk)
        fresh = known is not None and sender not in self._seen and since == self._since
        self._seen.add(sender)
        return known if fresh and known is not None else sender_history(inbound, mail, since=since)

    def add(
        self,
        *,
        inbound: InboundMail,
        mail: ParsedMail,
        received_at: dt.datetime,
        history: SenderHistory,
        related: Case | None = None,
    ) -> None:
        """Decided by `intake`: this mail opens a new case. What it depends on is read now
        (its client, its sender's history); `waits_for` saw to it that no waiting mail
        changes that."""
        detected = detect_language(f"{mail.subject}\n{mail.text}")
        client = self._client(mail)
        refusal = _refusal_if(self.acknowledge, mail, history, received_at=received_at,
                              now=self.now)  # fmt: skip
        new_client = _new_client(mail, detected) if client is None else None
        self._waiting.append(
            _Waiting(inbound, mail, received_at, related, detected, client, new_client, refusal)
        )
        self._senders.update(_sender_keys(mail))
        if message_id := normalise_message_id(mail.message_id):
            self._message_ids.add(message_id)

    def waits_for(self, mail: ParsedMail) -> bool:
        """Whether handling `mail` reads what a waiting mail is still to write: its sender's
        history and client, the message it replies to, the mail a delivery report is about.
        The waiting mails are then registered first."""
        if not self._waiting:
            return False
        if mail.is_bounce or not self._senders.isdisjoint(_sender_keys(mail)):
            return True
        replied = [normalise_message_id(i) for i in (mail.in_reply_to, *mail.references)]
        return not self._message_ids.isdisjoint(replied)

    def register(self) -> list[tuple[InboundMail, Intake]]:
        """Register every waiting mail, in the order they came; what each became."""
        waiting, self._waiting = self._waiting, []
        self._senders.clear()
        self._message_ids.clear()
        if not waiting:
            return []
        asking = [(w, w.new_client) for w in waiting if w.new_client is not None]
        created = client_create_many(actor=None, clients=[details for _w, details in asking])
        for (w, _details), client in zip(asking, created, strict=True):
            w.client = client
            if address := _valid_address(w.mail.from_address):
                self._clients[address] = client  # the sender's next mail finds it
        cases = case_register_many(actor=None, cases=[self._case(w) for w in waiting])
        # The question itself, as the case's first message (what case_register writes from a
        # body, here with the mail's recipients too); it carries the attachments, if any.
        messages = Message.objects.bulk_create(
            _message_of(case, w.mail, w.received_at) for case, w in zip(cases, waiting, strict=True)
        )
        InboundAttachment.objects.bulk_create(
            row
            for w, message in zip(waiting, messages, strict=True)
            for row in _attachment_rows(w.inbound, message, w.mail)
        )
        acknowledged = [
            (case, _valid_address(w.mail.from_address), message)
            for case, w, message in zip(cases, waiting, messages, strict=True)
            if w.refusal is None
        ]
        acknowledgements = iter(acknowledgement_emails(acknowledged))
        results = []
        for case, w, message in zip(cases, waiting, messages, strict=True):
            acknowledgement = next(acknowledgements) if w.refusal is None else None
            results.append((w.inbound, _registered(case, message, related=w.related,
                            refusal=w.refusal, acknowledgement=acknowledgement)))  # fmt: skip
        return results

    def _client(self, mail: ParsedMail) -> Client | None:
        """The client by normalised address (charter rule 8: the same person's cases
        together); None when the sender is new."""
        address = _valid_address(mail.from_address)
        if not address:
            return None
        if address not in self._clients:
            client_addresses_lock([address])
            self._clients[address] = client_by_address(address)
        return self._clients[address]

    @staticmethod
    def _case(waiting: _Waiting) -> CaseDetails:
        client = waiting.client
        assert client is not None  # noqa: S101 - created by `register` before the cases
        return _case(waiting.inbound, waiting.mail, client=client,
                     language=waiting.language or client.language,
                     received_at=waiting.received_at, related=waiting.related)  # fmt: skip


def _sender_keys(mail: ParsedMail) -> set[str]:
    """How the sender's history (the address as written) and client (normalised) are found."""
    return {key for key in (mail.from_address or "", _valid_address(mail.from_address)) if key}
