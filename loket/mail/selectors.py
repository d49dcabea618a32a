"""Reads of the e-mail channel: which case a mail belongs to, what a bounce is about, the
HTML of an inbound message with its inline images, the quarantine."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse

from loket.cases.models import Case, Client, ClientEmail, Message
from loket.cases.references import find_references

from .models import InboundAttachment, InboundMail, OutboundMail
from .outbox import normalise_message_id
from .parsing import ParsedMail


@dataclass(frozen=True)
class Thread:
    """The case a mail belongs to, and how that was found (said in the case's history)."""

    case: Case
    found_by: str  # "in-reply-to", "references" or "subject"


def thread_of(mail: ParsedMail) -> Thread | None:
    """The case a mail continues (charter rule 2: the registration number threads every
    later message): `In-Reply-To`, then `References`, pointing at a message of a case (one
    loket sent, or an earlier one of the client); else a registration number in the subject,
    whatever its `Re:`/`Antw:`/`TR:`/`AW:`/`Fwd:` prefix, whose check digits are valid.
    At most two queries, none when the mail carries no reference at all."""
    replied = normalise_message_id(mail.in_reply_to)
    ids = list(
        dict.fromkeys(
            i for i in [replied, *map(normalise_message_id, reversed(mail.references))] if i
        )
    )
    if ids:
        case_of = _cases_of_messages(ids)
        for message_id in ids:
            if message_id in case_of:
                case = Case.objects.filter(pk=case_of[message_id]).first()
                if case is not None:
                    found = "in-reply-to" if message_id == replied else "references"
                    return Thread(case, found)
    references = [str(r) for r in find_references(mail.subject)]
    if references:
        by_reference = {c.reference: c for c in Case.objects.filter(reference__in=references)}
        for reference in references:
            if reference in by_reference:
                return Thread(by_reference[reference], "subject")
    return None


def _cases_of_messages(ids: list[str]) -> dict[str, int]:
    """The case of each of these Message-IDs that is a message of a case or a mail loket
    sent about one (the outbox's, when both; of several messages, the latest). Written out
    as one statement, as `sender_history` is: every reply asks."""
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT message_id, case_id, 0 AS outbox, at AS moment, id"  # noqa: S608
            f" FROM {quote(Message._meta.db_table)} WHERE message_id IN ({marks})"
            f" UNION ALL SELECT message_id, case_id, 1, created_at, id"
            f" FROM {quote(OutboundMail._meta.db_table)}"
            f" WHERE message_id IN ({marks}) AND case_id IS NOT NULL"
            f" ORDER BY outbox, moment, id",
            [*ids, *ids],
        )
        return {message_id: case_id for message_id, case_id, *_ in cursor.fetchall()}


_MESSAGE_ID_LINE = re.compile(r"^message-id:\s*(<[^>\s]+>)", re.I | re.M)
_REPORT_FIELD = re.compile(
    r"^(action|status|diagnostic-code|final-recipient|remote-mta)\s*:\s*(.+(?:\n[ \t].+)*)",
    re.I | re.M,
)
_REPORT_TYPES = ("message/delivery-status", "text/rfc822-headers", "message/rfc822", "text/plain")


def bounced_message_ids(mail: ParsedMail) -> list[str]:
    """The Message-IDs a delivery report may be about: of the returned message (nested, or
    its headers as an attachment, or quoted in the text), then In-Reply-To and References."""
    found = [normalise_message_id(nested.message_id) for nested in mail.nested]
    texts = [mail.text[:200_000]]
    texts += [
        a.content[:200_000].decode("utf-8", errors="replace")
        for a in mail.attachments
        if a.content_type in _REPORT_TYPES
    ]
    for text in texts:
        found += [normalise_message_id(m) for m in _MESSAGE_ID_LINE.findall(text)]
    found += [normalise_message_id(mail.in_reply_to)]
    found += [normalise_message_id(r) for r in reversed(mail.references)]
    return [i for i in dict.fromkeys(found) if i]


def delivery_report(mail: ParsedMail) -> tuple[bool, str]:
    """Whether the report says delivery failed (a "delayed" report does not), and the lines
    that say why (Status, Diagnostic-Code…), else the start of the report's text."""
    fields: list[tuple[str, str]] = []
    for attachment in mail.attachments:
        if attachment.content_type == "message/delivery-status":
            text = attachment.content[:50_000].decode("utf-8", errors="replace")
            fields += [(n, " ".join(v.split())) for n, v in _REPORT_FIELD.findall(text)]
    actions = {value.lower() for name, value in fields if name.lower() == "action"}
    failed = not actions or bool(actions - {"delayed", "relayed", "delivered", "expanded"})
    if fields:
        why = "\n".join(f"{name}: {value}" for name, value in fields if name.lower() != "action")
    else:
        why = "\n".join(line for line in mail.text.splitlines()[:15] if line.strip())
    return failed, why[:2000]


def outbound_by_message_ids(ids: list[str]) -> OutboundMail | None:
    """The first of `ids` (in their order) that loket sent."""
    if not ids:
        return None
    sent = {m.message_id: m for m in OutboundMail.objects.filter(message_id__in=ids)}
    return next((sent[i] for i in ids if i in sent), None)


@dataclass(frozen=True)
class SenderHistory:
    """What the intake needs to know of a sender's earlier mail, read in one query."""

    duplicate: int | None  # an earlier copy of this very message, processed
    recent_acknowledgements: int  # acknowledgements sent to this sender since `since`


def sender_history(inbound: InboundMail, mail: ParsedMail, *, since: dt.datetime) -> SenderHistory:
    """An earlier copy of the same message (the same Message-ID, sender and subject: the
    message delivered twice, or to two of the service's mailboxes), and how many
    acknowledgements went to the sender lately (a count in the database, so every worker
    process sees the same one: the rate limit that keeps two robots from looping).

    One statement, written out: every mail runs it, and the ORM spends ten times longer
    composing this aggregate than the database spends answering it (bench/mail.py)."""
    sender = mail.from_address or ""
    if not sender:
        return SenderHistory(None, 0)
    table = connection.ops.quote_name(InboundMail._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MIN(CASE WHEN message_id = %s AND subject = %s AND state = %s"  # noqa: S608
            f" THEN id END), COUNT(CASE WHEN acknowledged_at >= %s THEN 1 END)"
            f" FROM {table} WHERE sender = %s AND id <> %s",
            [normalise_message_id(mail.message_id) or None, mail.subject[:300],
             InboundMail.State.PROCESSED, connection.ops.adapt_datetimefield_value(since),
             sender, inbound.pk],
        )  # fmt: skip
        duplicate, acknowledged = cursor.fetchone()
    return SenderHistory(duplicate, acknowledged or 0)


def sender_histories(
    mails: Collection[tuple[InboundMail, ParsedMail]], *, since: dt.datetime
) -> dict[int, SenderHistory]:
    """`sender_history` for the mails of a batch, by record, with one query: the rows that
    can count for any of them (the senders' acknowledgements since `since`, their earlier
    processed messages with the same Message-IDs), sorted out here."""
    senders = {mail.from_address for _, mail in mails if mail.from_address}
    message_ids = {normalise_message_id(mail.message_id) for _, mail in mails} - {""}
    rows = (
        InboundMail.objects.filter(sender__in=senders)
        .filter(
            Q(acknowledged_at__gte=since)
            | Q(message_id__in=message_ids, state=InboundMail.State.PROCESSED)
        )
        .values_list("sender", "pk", "message_id", "subject", "state", "acknowledged_at")
    )
    by_sender: dict[str, list[tuple[int, str, str, str, dt.datetime | None]]] = {}
    for sender, *row in rows:
        by_sender.setdefault(sender, []).append(tuple(row))  # type: ignore[arg-type]
    histories: dict[int, SenderHistory] = {}
    for inbound, mail in mails:
        message_id = normalise_message_id(mail.message_id)
        theirs = [row for row in by_sender.get(mail.from_address or "", []) if row[0] != inbound.pk]
        copies = [
            pk
            for pk, other_id, subject, state, _ in theirs
            if message_id and other_id == message_id and subject == mail.subject[:300]
            and state == InboundMail.State.PROCESSED
        ]  # fmt: skip
        acknowledged = sum(1 for *_, at in theirs if at is not None and at >= since)
        histories[inbound.pk] = SenderHistory(min(copies, default=None), acknowledged)
    return histories


def client_by_address(address: str) -> Client | None:
    """The client who has this (normalised) address; the first registered when several do.
    Written out for the same reason as `sender_history`: every mail asks."""
    client = connection.ops.quote_name(Client._meta.db_table)
    email = connection.ops.quote_name(ClientEmail._meta.db_table)
    found = Client.objects.raw(
        f"SELECT c.* FROM {client} c JOIN {email} e ON e.client_id = c.id"  # noqa: S608
        " WHERE e.address = %s ORDER BY e.id LIMIT 1",
        [address],
    )
    return next(iter(found), None)


def clients_by_address(addresses: Collection[str]) -> dict[str, Client]:
    """`client_by_address` for many (normalised) addresses at once: one query for a batch."""
    found: dict[str, Client] = {}
    emails = ClientEmail.objects.filter(address__in=addresses).select_related("client")
    for email in emails.order_by("pk"):
        found.setdefault(email.address, email.client)
    return found


def quarantine() -> QuerySet[InboundMail]:
    """What could not be processed, newest first, for administrators to look at and retry."""
    return InboundMail.objects.filter(state=InboundMail.State.QUARANTINED).select_related("mailbox")


@dataclass
class MailParts:
    """What the desk shows under a message that came by e-mail: a link to its HTML, its
    files (inline images aside: the HTML shows them), the .eml, what parsing repaired."""

    inbound_id: int
    has_html: bool
    notes: list[str]
    files: list[InboundAttachment]


def mail_parts(message_ids: Iterable[int]) -> dict[int, MailParts]:
    """The e-mail parts of these messages, by message: two queries however many there are
    (the desk's case page calls it once for the whole timeline)."""
    ids = list(message_ids)
    rows = (
        InboundMail.objects.filter(case_message_id__in=ids)
        .annotate(has_html=~Q(html=""))
        .values_list("case_message_id", "pk", "has_html", "notes")
    )
    parts = {
        message: MailParts(inbound, bool(has_html), list(notes or []), [])
        for message, inbound, has_html, notes in rows
        if message is not None
    }
    for attachment in InboundAttachment.objects.filter(case_message_id__in=list(parts)):
        if attachment.case_message_id is not None and not (
            attachment.inline and attachment.content_id
        ):
            parts[attachment.case_message_id].files.append(attachment)
    return parts


def message_attachments(message: Message) -> list[InboundAttachment]:
    return list(InboundAttachment.objects.filter(case_message=message).order_by("position"))


_CID_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")cid:([^"]+)(")', re.I)


def message_html(inbound: InboundMail, attachments: list[InboundAttachment]) -> str:
    """The mail's sanitised HTML, its `cid:` images pointing at their attachments (served by
    `mail:inline`); remote images stay blocked (sanitise.py)."""
    known = {a.content_id.strip("<>").lower() for a in attachments if a.content_id}

    def to_view(match: re.Match[str]) -> str:
        content_id = match.group(2).strip().strip("<>")
        if content_id.lower() not in known:
            return match.group(1) + match.group(3)  # no such attachment: an empty image
        url = reverse("mail:inline", args=[inbound.pk, content_id])
        return f"{match.group(1)}{url}{match.group(3)}"

    return _CID_SRC.sub(to_view, inbound.html)
