"""Raw mail for the tests, as mail programs and mail servers write it."""

from __future__ import annotations

import datetime as dt
import itertools
from email.message import EmailMessage
from email.utils import format_datetime

from django.utils import timezone

_numbers = itertools.count(1)

FRENCH = (
    "Bonjour, j'ai une question concernant le revenu d'intégration. Le CPAS de notre commune "
    "demande une composition de ménage. Pouvez-vous me dire quels documents je dois envoyer ? "
    "Merci d'avance pour votre réponse."
)
DUTCH = (
    "Goedendag, ik heb een vraag over het leefloon. Hoe berekenen we het leefloon voor een "
    "samenwonende? Kunt u mij zeggen welke documenten ik moet bezorgen? Alvast bedankt."
)


def question(
    *,
    sender: str = "Marie Dubois <Marie.Dubois@Example.be>",
    to: str = "vraag@loket.localhost",
    subject: str = "Question sur le revenu d'intégration",
    body: str = FRENCH,
    message_id: str | None = None,
    date: dt.datetime | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
    html: str | None = None,
) -> bytes:
    """A client's mail: text (and HTML), attachments as (name, content type, bytes)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(date or timezone.now())
    message["Message-ID"] = message_id or f"<question.{next(_numbers)}@mail.example.be>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for filename, content_type, content in attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def reply(
    *,
    in_reply_to: str = "",
    references: str = "",
    subject: str = "Re: Question",
    body: str = "Merci, mais j'ai encore une question sur ma demande au CPAS de Liège.",
    sender: str = "Marie Dubois <marie.dubois@example.be>",
    headers: dict[str, str] | None = None,
) -> bytes:
    extra = dict(headers or {})
    if in_reply_to:
        extra["In-Reply-To"] = in_reply_to
    if references:
        extra["References"] = references
    return question(sender=sender, subject=subject, body=body, headers=extra)


def bounce(
    *, original: bytes, recipient: str, action: str = "failed", status: str = "5.1.1"
) -> bytes:
    """An RFC 3464 delivery report, as Postfix writes one, returning the original's headers."""
    head = original.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("ascii", "replace")
    number = next(_numbers)
    return f"""Return-Path: <>
From: MAILER-DAEMON@mx.example.be (Mail Delivery System)
To: vraag@loket.localhost
Subject: Undelivered Mail Returned to Sender
Date: {format_datetime(timezone.now())}
Message-ID: <bounce.{number}@mx.example.be>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B{number}"

--B{number}
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.be.

I'm sorry to have to inform you that your message could not be delivered.

--B{number}
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.be

Final-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 {status} <{recipient}>: Recipient address rejected: User unknown

--B{number}
Content-Type: text/rfc822-headers

{head}

--B{number}--
""".replace("\n", "\r\n").encode()
