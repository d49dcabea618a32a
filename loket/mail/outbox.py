"""Rendering and queueing outgoing mail: one template trio per kind of mail
(`mail/<name>.subject.txt`, `.txt`, `.html`), rendered in the recipient's language."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from loket.cases.models import Case, Message

from .models import OutboundMail


def mail_domain() -> str:
    return str(settings.DEFAULT_FROM_EMAIL).rpartition("@")[2] or "loket.localhost"


def normalise_message_id(value: str | None) -> str:
    """The one form loket stores and compares Message-IDs in: ``<local@domain>``, trimmed.

    The parser gives them bare, the outbox writes them bracketed; threading compares the two,
    so both go through here (RFC 5322 3.6.4: the brackets are part of the syntax, not the id).
    """
    bare = (value or "").strip().strip("<>").strip()
    return f"<{bare}>"[:300] if bare else ""


def new_message_id(case: Case | None = None) -> str:
    local = uuid.uuid4().hex + (f".{case.reference}" if case else "")
    return f"<{local}@{mail_domain()}>"


def render_mail(name: str, context: dict[str, Any], language: str) -> tuple[str, str, str]:
    """Subject, text and HTML of mail `name` in `language`."""
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL, "language": language}
        subject = " ".join(render_to_string(f"mail/{name}.subject.txt", context).split())
        text = render_to_string(f"mail/{name}.txt", context).strip() + "\n"
        html = render_to_string(f"mail/{name}.html", context)
    return subject, text, html


def thread_headers(case: Case, messages: Sequence[Message] | None = None) -> dict[str, str]:
    """In-Reply-To the client's last message, References every message of the case, so the
    client's mail program threads the answer and a reply finds its case again (rule 2).
    `messages`: the case's messages, when the caller already holds all of them."""
    if messages is None:
        ids = list(
            Message.objects.filter(case=case)
            .exclude(message_id="")
            .order_by("at", "pk")
            .values_list("direction", "message_id")
        )
    else:
        ids = [(m.direction, m.message_id) for m in messages if m.message_id]
    headers: dict[str, str] = {}
    inbound = [m for d, m in ids if d == Message.Direction.INBOUND]
    if inbound:
        headers["In-Reply-To"] = inbound[-1]
    if ids:
        headers["References"] = " ".join(m for _, m in ids[-20:])
    return headers


def mail_queue(
    *,
    kind: str,
    name: str,
    to: Sequence[str],
    language: str,
    context: dict[str, Any],
    case: Case | None = None,
    message: Message | None = None,
    automatic: bool = False,
    message_id: str | None = None,
    thread: Sequence[Message] | None = None,
) -> OutboundMail:
    """Render and queue one mail; it is sent by a task once the transaction commits.
    `thread`: every message of the case so far, when the caller holds them (no query)."""
    outbound = mail_rendered(kind=kind, name=name, to=to, language=language, context=context,
                             case=case, message=message, automatic=automatic,
                             message_id=message_id, thread=thread)  # fmt: skip
    outbound.save(force_insert=True)
    _send_on_commit(outbound)
    return outbound


def mail_queue_many(outbounds: Sequence[OutboundMail]) -> list[OutboundMail]:
    """Queue mails rendered by `mail_rendered` together (the mail intake's acknowledgements
    of a batch): one insert, each sent by its own task once the transaction commits."""
    queued = OutboundMail.objects.bulk_create(outbounds)
    for outbound in queued:
        _send_on_commit(outbound)
    return queued


def mail_rendered(
    *,
    kind: str,
    name: str,
    to: Sequence[str],
    language: str,
    context: dict[str, Any],
    case: Case | None = None,
    message: Message | None = None,
    automatic: bool = False,
    message_id: str | None = None,
    thread: Sequence[Message] | None = None,
) -> OutboundMail:
    """One mail rendered, with its headers, not yet queued (`mail_queue` takes the same)."""
    subject, text, html = render_mail(name, context, language)
    headers = thread_headers(case, thread) if case else {}
    if automatic:
        # RFC 3834: auto-generated; other robots must not answer it (no mail loops).
        headers["Auto-Submitted"] = "auto-generated"
    headers["X-Loket-Loop"] = mail_domain()
    return OutboundMail(
        kind=kind,
        case=case,
        case_message=message,
        to=list(to),
        from_address=settings.DEFAULT_FROM_EMAIL,
        subject=subject,
        text=text,
        html=html,
        language=language,
        message_id=message_id or new_message_id(case),
        headers=headers,
        created_at=timezone.now(),
    )


def _send_on_commit(outbound: OutboundMail) -> None:
    from .tasks import mail_deliver

    transaction.on_commit(lambda: mail_deliver.enqueue(outbound.pk))
