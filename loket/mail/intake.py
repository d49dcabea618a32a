"""What one inbound mail becomes: a new case, a message of an existing case (which it may
reopen), or the delivery report of a mail loket sent (charter rules 1, 2, 4 and 8).

Called by ``services.inbound_process`` inside its transaction, with the parsed mail; every
case change goes through the case services (``case_register``, ``case_reopen``), and every
step writes its ``Event``. Nothing here sends mail directly: acknowledgements and reopen
notices are queued in the outbox, which sends them once the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from loket.accounts.models import User
from loket.accounts.services import notify
from loket.cases.models import Case, Channel, Client, Event, Message
from loket.cases.services import case_register, case_reopen, client_create, normalise_email

from . import storage
from .emails import acknowledgement_email, reopen_notice_email
from .language import detect_language
from .models import InboundAttachment, InboundMail, OutboundMail, attachment_name
from .outbox import mail_domain, normalise_message_id
from .parsing import ParsedMail
from .selectors import (
    SenderHistory,
    Thread,
    bounced_message_ids,
    client_by_address,
    delivery_report,
    outbound_by_message_ids,
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


def intake(
    *, inbound: InboundMail, mail: ParsedMail, now: dt.datetime, acknowledge: bool
) -> Intake:
    """Decide and do what `mail` becomes; the caller records the result on `inbound`."""
    domain = mail_domain().lower()
    if any(loop.lower() == domain for loop in mail.loop_headers):
        # loket's own mail came back (a forward rule pointing at us): answering it would loop.
        return Intake(
            Outcome.LOOP, _("loket's own e-mail came back (X-Loket-Loop); not registered")
        )
    history = sender_history(inbound, mail, since=now - dt.timedelta(hours=1))
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
                         acknowledge=acknowledge, history=history)  # fmt: skip
    return _register(inbound=inbound, mail=mail, received_at=received_at, now=now,
                     acknowledge=acknowledge, history=history)  # fmt: skip


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


def _valid_address(address: str | None) -> str:
    try:
        return normalise_email(address or "") if address else ""
    except ValidationError:
        return ""


def _client(mail: ParsedMail, language: str | None) -> Client:
    """The client by normalised address (charter rule 8: the same person's cases together),
    created when unknown."""
    address = _valid_address(mail.from_address)
    if address:
        known = client_by_address(address)
        if known is not None:
            return known
    name = mail.from_name or address.partition("@")[0] or _("Unknown sender")
    default = settings.LANGUAGE_CODE[:2]
    return client_create(
        actor=None,
        name=name[:200],
        language=language or (default if default in ("nl", "fr", "de", "en") else "nl"),
        emails=[address] if address else [],
    )


def _register(
    *,
    inbound: InboundMail,
    mail: ParsedMail,
    received_at: dt.datetime,
    now: dt.datetime,
    acknowledge: bool,
    history: SenderHistory,
    related: Case | None = None,
) -> Intake:
    """A new case for a mail that continues none (charter rules 1 and 2)."""
    detected = detect_language(f"{mail.subject}\n{mail.text}")
    client = _client(mail, detected)
    kind = inbound.kind if inbound.kind in Case.Kind.values else Case.Kind.QUESTION
    case = case_register(
        actor=None,
        client=client,
        channel=Channel.EMAIL,
        subject=mail.subject or _("(no subject)"),
        kind=kind,
        language=detected or client.language,
        received_at=received_at,
        related_case=related,
    )
    # The question itself, as the case's first message (what case_register writes from a
    # body, here with the mail's recipients too); it carries the attachments, if any.
    message = _message(case, mail, received_at)
    _attachments(inbound, message, mail)
    if related is not None:
        reason = _("registered as %(reference)s, linked to %(old)s (closed too long ago)") % {
            "reference": case.reference,
            "old": related.reference,
        }
    else:
        reason = _("registered as %(reference)s") % {"reference": case.reference}
    refusal = (
        _refusal(mail, history, received_at=received_at, now=now) if acknowledge else _("not asked")
    )
    acknowledgement = None
    if refusal is None:
        address = _valid_address(mail.from_address)
        acknowledgement = acknowledgement_email(case, to=address, question=message)
        if acknowledgement is None:
            refusal = _("no address to send it to")
    if refusal is not None:
        reason += "; " + _("not acknowledged: %(why)s") % {"why": refusal}
    return Intake(Outcome.NEW_CASE, reason, case, message, acknowledgement)


def _continue(
    thread: Thread,
    *,
    inbound: InboundMail,
    mail: ParsedMail,
    received_at: dt.datetime,
    now: dt.datetime,
    acknowledge: bool,
    history: SenderHistory,
) -> Intake:
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
                         acknowledge=acknowledge, history=history, related=case)  # fmt: skip
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
    refusal = (
        _refusal(mail, history, received_at=received_at, now=now) if acknowledge else _("not asked")
    )
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
    message = Message.objects.create(
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
    if found_by:
        Event.objects.create(
            kind=Event.Kind.CASE_MESSAGE_RECEIVED,
            at=now or received_at,
            case=case,
            client_id=case.client_id,
            data={"message": message.pk, "channel": Channel.EMAIL, "found_by": found_by},
        )
    return message


def _attachments(inbound: InboundMail, message: Message, mail: ParsedMail) -> None:
    """Every file of the mail, stored content-addressed and listed with the message."""
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
    if rows:  # (a failed attempt left none: its transaction was rolled back)
        InboundAttachment.objects.bulk_create(rows)


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
