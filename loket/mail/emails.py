"""One function per kind of outgoing mail (STYLE.md). Each renders its template trio in the
recipient's language and queues it in the outbox, threaded to its case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from loket.accounts.models import User
from loket.cases.models import Case, Message
from loket.i18n import when

from .models import OutboundMail
from .outbox import mail_queue


def case_url(case: Case, language: str) -> str:
    with translation.override(language):
        try:
            path = reverse("desk:case", args=[case.reference])
        except NoReverseMatch:  # the case page comes with the desk; until then, its home
            path = reverse("desk:home")
    return f"{settings.SITE_URL}{path}"


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
