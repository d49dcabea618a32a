"""One function per kind of outgoing mail (STYLE.md). Each renders its template trio in the
recipient's language and queues it in the outbox, threaded to its case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from loket.accounts.models import User
from loket.cases.models import Case, Message
from loket.i18n import when

from .models import OutboundMail
from .outbox import mail_queue, mail_queue_many, mail_rendered


def case_url(case: Case, language: str) -> str:
    with translation.override(language):
        try:
            path = reverse("desk:case", args=[case.reference])
        except NoReverseMatch:  # the case page comes with the desk; until then, its home
            path = reverse("desk:home")
    return f"{settings.SITE_URL}{path}"


def follow_url(case: Case, language: str) -> str:
    """The portal's page where the client follows the case, with the number filled in."""
    with translation.override(language):
        try:
            path = reverse("portal:follow")
        except NoReverseMatch:  # a site without the portal: its address at least
            return settings.SITE_URL
    return f"{settings.SITE_URL}{path}?{urlencode({'reference': case.reference})}"


def acknowledgement_email(
    case: Case, *, to: str | None = None, question: Message | None = None
) -> OutboundMail | None:
    """The acknowledgement of receipt (charter rule 2): the registration number at once, the
    date received, the date by which the answer will come (rule 4) and how to follow the
    case, in the client's language. It goes to `to`, else to the sender of the question,
    else to the client's first address; None when there is no address to send it to.
    `question`, the case's only message when the caller has it at hand (the mail intake),
    threads the acknowledgement to it without reading the case's messages again."""
    address = to
    if not address:
        first = case.messages.filter(direction=Message.Direction.INBOUND).order_by("at", "pk")
        sender = first.values_list("sender", flat=True).first() or ""
        address = parseaddr(sender)[1] if "@" in sender else ""
    if not address:
        address = case.client.emails.order_by("pk").values_list("address", flat=True).first()
    if not address:
        return None
    return mail_queue(**_acknowledgement(case, address, question))


def acknowledgement_emails(
    acknowledgements: Sequence[tuple[Case, str, Message]],
) -> list[OutboundMail]:
    """`acknowledgement_email` for many new cases at once, each (case, address, question):
    the mail intake acknowledges a batch together, with one insert."""
    rendered = [mail_rendered(**_acknowledgement(*each)) for each in acknowledgements]
    return mail_queue_many(rendered)


def _acknowledgement(case: Case, address: str, question: Message | None) -> dict[str, Any]:
    language = case.language
    return {
        "kind": "acknowledgement",
        "name": "acknowledgement",
        "to": [address],
        "language": language,
        "context": {
            "case": case,
            "received": when(case.received_at, language),
            "due_date": when(case.due_at, language, with_time=False) if case.due_at else "",
            "follow_url": follow_url(case, language),
        },
        "case": case,
        "automatic": True,
        "thread": None if question is None else [question],
    }


def answer_email(message: Message) -> OutboundMail:
    """The answer to the client, by e-mail, in the case's language (charter rule 3)."""
    case = message.case
    return mail_queue(
        kind="answer",
        name="answer",
        to=[message.recipient],
        language=case.language,
        context={"case": case, "message": message},
        case=case,
        message=message,
        message_id=message.message_id,
    )


def delay_notice_email(
    *, case: Case, message: Message, reason: str, new_due_at: dt.datetime
) -> OutboundMail:
    """The delay notice: the reason and the new term, in the client's language (rule 5)."""
    return mail_queue(
        kind="delay-notice",
        name="delay_notice",
        to=[message.recipient],
        language=case.language,
        context={
            "case": case,
            "notice": {"reason": reason},
            "new_due_date": when(new_due_at, case.language, with_time=False),
        },
        case=case,
        message=message,
        message_id=message.message_id,
    )


def reminder_email(*, user: User, case: Case) -> OutboundMail | None:
    """To the owner, before the term ends (charter rule 6)."""
    if not user.email or case.due_at is None:
        return None
    return mail_queue(
        kind="deadline-reminder",
        name="deadline_reminder",
        to=[user.email],
        language=user.language,
        context={
            "case": case,
            "due": when(case.due_at, user.language),
            "case_url": case_url(case, user.language),
        },
        automatic=True,
    )


def overdue_email(*, to: Sequence[str], language: str, case: Case) -> OutboundMail | None:
    """The charter's "reactie": the term ran out without an answer (charter rule 6)."""
    recipients = [address for address in to if address]
    if not recipients or case.due_at is None:
        return None
    return mail_queue(
        kind="deadline-overdue",
        name="deadline_overdue",
        to=recipients,
        language=language,
        context={
            "case": case,
            "due": when(case.due_at, language),
            "case_url": case_url(case, language),
        },
        automatic=True,
    )


def reopen_notice_email(case: Case, *, to: str) -> OutboundMail:
    """The client's reply reopened an answered or closed case: it is open again and has a new
    term (charter rules 2 and 4), said in the client's language."""
    language = case.language
    return mail_queue(
        kind="reopen-notice",
        name="reopen_notice",
        to=[to],
        language=language,
        context={
            "case": case,
            "due_date": when(case.due_at, language, with_time=False) if case.due_at else "",
            "follow_url": follow_url(case, language),
        },
        case=case,
        automatic=True,
    )
