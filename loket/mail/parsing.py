"""Inbound e-mail, read into plain values: addresses, subject, text, safe HTML, attachments.

Charter rule 1: nothing that arrives is lost. The raw bytes are stored before this runs, and
this parser never throws a message away: whatever it cannot read cleanly it reads as well as
it can, and says so in ``notes`` (a charset guessed, an attachment cut, a header dropped), so
staff know what they look at. Only input that is no mail message at all (empty, no header
block, binary garbage) raises ``MailParseError``, and the caller quarantines it; any other
failure is caught, noted, and answered with as much of the message as could be read.

The standard library's ``email`` package splits the message into parts, with the
``compat32`` policy: header values are decoded here (headers.py, charsets.py) from the raw
fields rather than by a policy, because raw 8-bit bytes, unknown charsets and half-broken
encoded words need decisions (and notes) that a policy makes silently; ``policy.default``
would parse every header into objects first (the intake's largest cost, for nothing), and
reads an unquoted ``boundary=----=_Part`` as ``----``. Message-IDs are given without their
angle brackets.

Pure: no Django, no database; standard-library ``email`` plus ``nh3`` (via sanitise).
"""

from __future__ import annotations

import binascii
import mimetypes
import quopri
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from email import policy, utils
from email.generator import BytesGenerator
from email.message import EmailMessage, Message
from email.parser import BytesParser
from io import BytesIO
from itertools import islice
from typing import cast

from loket.mail.charsets import (
    B64_ALPHABET,
    b64decode_lenient,
    clean,
    codec_for,
    decode_text,
    decode_words,
    fix_8bit,
    raw_bytes,
)
from loket.mail.headers import (
    MailParseError,
    address_specs,
    addresses,
    check_is_mail,
    first_raw,
    header_value,
    is_auto_reply,
    list_id,
    message_ids,
    raw_values,
    references,
    repair_headers,
    report_type,
    return_path,
    sent_date,
    trim_headers,
)
from loket.mail.sanitise import html_to_text, sanitise_html

__all__ = ["Attachment", "MailParseError", "ParseLimits", "ParsedMail", "parse_mail"]


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """What one message may cost; anything beyond is cut, with a note (the raw is kept)."""

    max_text_chars: int = 200_000
    max_html_chars: int = 500_000
    max_attachment_bytes: int = 25 * 1024 * 1024
    max_total_attachment_bytes: int = 50 * 1024 * 1024
    max_parts: int = 500
    max_depth: int = 5
    max_header_chars: int = 50_000


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file of the mail. ``size`` is ``len(content)``, what is kept; when ``truncated``,
    the original size is in the mail's notes."""

    filename: str
    content_type: str
    content: bytes = field(repr=False)
    size: int
    content_id: str | None
    inline: bool
    truncated: bool


@dataclass(frozen=True, slots=True)
class ParsedMail:
    """One message. Message-IDs are given without their angle brackets."""

    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    from_address: str | None
    from_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    reply_to: tuple[str, ...]
    subject: str
    date: datetime | None
    text: str
    html: str
    attachments: tuple[Attachment, ...]
    nested: tuple[ParsedMail, ...]
    is_auto_reply: bool
    is_bounce: bool
    loop_headers: tuple[str, ...]
    return_path: str | None  # "" for the null path <>, None when absent
    list_id: str | None
    notes: tuple[str, ...]


_MB = 1024 * 1024
_MAX_NOTES = 100


@dataclass
class _Ctx:
    limits: ParseLimits
    parts: list[int]  # shared by a message and its nested messages
    notes: list[str] = field(default_factory=list)
    defects: Counter[str] = field(default_factory=Counter)
    charset_hint: str | None = None
    attachment_bytes: int = 0

    def note(self, text: str) -> None:
        if text in self.notes:
            return
        if len(self.notes) < _MAX_NOTES:
            self.notes.append(text)
        elif len(self.notes) == _MAX_NOTES:
            self.notes.append("further notes left out")

    def child(self) -> _Ctx:
        return _Ctx(self.limits, self.parts)


def _safe[T](ctx: _Ctx, what: str, read: Callable[[], T], default: T) -> T:
    """Charter rule 1: one unreadable field must not cost the rest of the message."""
    try:
        return read()
    except Exception as exc:
        ctx.note(f"{what} could not be read ({type(exc).__name__}: {str(exc)[:200]})")
        return default


def _size(n: int) -> str:
    if n >= _MB:
        return f"{n / _MB:.3g} MB"
    return f"{n / 1024:.3g} kB" if n >= 1024 else f"{n} bytes"


def _raw_payload(part: Message) -> bytes:
    """The body bytes as received. ``get_payload()`` would decode 8-bit text with the
    declared charset, replacing what does not fit; the bytes are needed to do better."""
    payload = getattr(part, "_payload", None)
    if isinstance(payload, str):
        return raw_bytes(payload)
    return payload if isinstance(payload, bytes) else b""


# --- bodies -----------------------------------------------------------------------------

_IDENTITY_CTE = {"", "7bit", "8bit", "binary"}
_UU_CTE = {"xuuencode", "uuencode", "xuue", "uue"}


def _payload(part: Message, ctx: _Ctx) -> bytes:
    """The part's content with its transfer encoding undone, forgivingly."""
    payload = part.get_payload()
    if isinstance(payload, list):  # message/* blocks, e.g. delivery-status
        return b"".join(_serialise(p) for p in payload if isinstance(p, Message))
    raw = _raw_payload(part)
    declared = first_raw(part, "Content-Transfer-Encoding").strip().lower()
    cte = re.sub(r"[^a-z0-9]", "", declared.split(";")[0])
    if cte in _IDENTITY_CTE:
        return raw
    if cte == "quotedprintable":
        return quopri.decodestring(raw)
    if cte == "base64":
        letters = raw.translate(None, b" \t\r\n")
        if len(letters.translate(None, B64_ALPHABET + b"=")) > len(letters) // 20:
            ctx.note("part declared base64 but is not; kept as is")
            return raw
        try:
            return b64decode_lenient(letters)
        except (binascii.Error, ValueError):
            ctx.note("base64 part could not be decoded; kept as is")
            return raw
    if cte in _UU_CTE:
        decoded = part.get_payload(decode=True)
        return decoded if isinstance(decoded, bytes) else raw
    ctx.note(f"unknown Content-Transfer-Encoding {declared[:40]!r}; content kept as is")
    return raw


_UU_BLOCK = re.compile(r"^begin [0-7]{3,4} ([^\n]+)\n((?:[!-`][^\n]*\n)+?)`?\n?end[ \t]*$", re.M)


def _uudecode(text: str, ctx: _Ctx, found: list[tuple[str, bytes]]) -> str:
    """Old clients put uuencoded files in the text itself; lift them out as attachments."""
    if "begin " not in text or len(text) > 5 * _MB:
        return text

    def lift(match: re.Match[str]) -> str:
        data = bytearray()
        for line in match.group(2).splitlines():
            try:
                data.extend(binascii.a2b_uu(line))
            except binascii.Error:  # a common encoder bug: extra padding characters
                data.extend(binascii.a2b_uu(line[: ((ord(line[0]) - 32) & 63) * 4 // 3 + 1]))
        name = match.group(1).strip()
        found.append((name, bytes(data)))
        ctx.note(f"uuencoded file {name!r} taken out of the text as an attachment")
        return ""

    try:
        return _UU_BLOCK.sub(lift, text)
    except (binascii.Error, ValueError, IndexError):
        ctx.note("uuencoded block in the text could not be decoded; left in the text")
        return text


def _serialise(msg: Message) -> bytes:
    """A parsed (nested) message back to bytes, headers exactly as they came."""
    out = BytesIO()
    try:
        generator = BytesGenerator(out, mangle_from_=False, policy=_GENERATOR_POLICY)
        generator.flatten(cast("EmailMessage", msg))  # any Message flattens
    except Exception:
        return raw_bytes(msg.as_string(policy=policy.compat32))
    return out.getvalue()


_GENERATOR_POLICY = policy.default.clone(refold_source="none", linesep="\n")


def _filename(part: Message, ctx: _Ctx) -> str | None:
    value: object = None
    for header, param in (("Content-Disposition", "filename"), ("Content-Type", "name")):
        values = raw_values(part, header)
        if values:
            # A compat32 Message keeps RFC 2231 values as (charset, language, bytes-as-text),
            # where policy.default has already decoded them, replacing what did not fit.
            holder = Message()
            holder[header] = re.sub(r"[\r\n]+", "", values[0])
            value = holder.get_param(param, None, header)
        if value:
            break
    if not value:
        return None
    if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded text)
        charset, _, text = value
        name = decode_text(bytes(str(text), "raw-unicode-escape"), charset, ctx, "file name")
    else:
        name = fix_8bit(utils.unquote(str(value)), ctx, "file name")
    name = clean(decode_words(name, ctx, "file name")).replace("\t", " ")
    name = re.split(r"[\\/]", name)[-1].strip().lstrip(".")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = stem[:190] + dot + ext[-9:] if dot and len(ext) < 10 else name[:200]
    return name or None


@dataclass
class _Body:
    text: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    nested: list[ParsedMail] = field(default_factory=list)
    types: set[str] = field(default_factory=set)


def _attach(ctx: _Ctx, body: _Body, name: str, ctype: str, data: bytes, part: Message) -> None:
    limits = ctx.limits
    room = min(
        limits.max_attachment_bytes, limits.max_total_attachment_bytes - ctx.attachment_bytes
    )
    room = max(room, 0)
    if len(data) > room:
        if room < limits.max_attachment_bytes:
            ctx.note(
                f"attachment {name!r} ({_size(len(data))}) cut at {_size(room)}: "
                f"attachments over {_size(limits.max_total_attachment_bytes)} in total"
            )
        else:
            ctx.note(f"attachment {name!r} cut at {_size(room)} (was {_size(len(data))})")
    kept = data[:room]
    ctx.attachment_bytes += len(kept)
    cid = first_raw(part, "Content-ID").strip().strip("<>").strip() or None
    disposition = part.get_content_disposition()
    inline = disposition == "inline" or (disposition is None and cid is not None)
    body.attachments.append(
        Attachment(name, ctype, kept, len(kept), cid and clean(cid), inline, len(kept) < len(data))
    )


def _fallback_name(ctype: str, index: int) -> str:
    if named := _REPORT_NAMES.get(ctype):
        return named
    ext = ".eml" if ctype == "message/rfc822" else ".txt" if ctype.startswith("text/") else None
    return f"part-{index}{ext or mimetypes.guess_extension(ctype) or '.bin'}"


_REPORT_NAMES = {
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "message/feedback-report": "feedback-report.txt",
    "text/rfc822-headers": "original-headers.txt",
}


def _leaf(part: Message, ctx: _Ctx, body: _Body, depth: int) -> None:
    """A part with content: body text when it is unnamed inline text, else an attachment."""
    ctype = part.get_content_type()
    body.types.add(ctype)
    if ctype.startswith("multipart/"):  # one that could not be split into parts
        ctype = "text/plain"
    name = _filename(part, ctx)
    if ctype in ("message/rfc822", "message/global"):
        _nested(part, ctx, body, depth, name)
        return
    data = _payload(part, ctx)
    if (
        ctype in ("text/plain", "text/html")
        and not name
        and (part.get_content_disposition() != "attachment")
    ):
        charset = part.get_content_charset()
        if ctype == "text/html" and not charset:
            meta = re.search(rb"<meta[^>]{0,200}charset=[\"']?([\w.:-]+)", data[:4096], re.I)
            charset = meta.group(1).decode("ascii") if meta else None
        text = decode_text(data, charset, ctx, ctype).replace("\r\n", "\n").replace("\r", "\n")
        if ctype == "text/html":
            body.html.append(text)
            return
        uu: list[tuple[str, bytes]] = []
        body.text.append(_uudecode(text, ctx, uu))
        for uu_name, uu_data in uu:
            guessed = mimetypes.guess_type(uu_name)[0] or "application/octet-stream"
            _attach(ctx, body, uu_name, guessed, uu_data, part)
        return
    if not data and not name:
        return
    if not name:
        name = _fallback_name(ctype, len(body.attachments) + 1)
    _attach(ctx, body, name, ctype, data, part)


def _nested(part: Message, ctx: _Ctx, body: _Body, depth: int, name: str | None) -> None:
    """message/rfc822: kept as an .eml attachment (charter rule 1) and parsed if not too deep."""
    payload = part.get_payload()
    first = payload[0] if isinstance(payload, list) and payload else None
    encoding = first_raw(part, "Content-Transfer-Encoding").strip().lower()
    if isinstance(first, Message) and encoding not in ("base64", "quoted-printable"):
        inner = first
        data = _serialise(inner)
    else:
        data = _payload(_rewrap(first, encoding) if isinstance(first, Message) else part, ctx)
        inner = _parse_bytes(data, ctx)
    subject = header_value(inner, "Subject", ctx) or ""
    safe_subject = re.sub(r"[^\w .,()-]+", "_", subject)[:80].strip(" ._")
    _attach(ctx, body, name or f"{safe_subject or 'message'}.eml", "message/rfc822", data, part)
    if depth + 1 > ctx.limits.max_depth:
        ctx.note(f"nested message {subject[:80]!r} kept as attachment, not read: too deep")
        return
    child = ctx.child()
    try:
        body.nested.append(_build(inner, child, depth + 1))
    except Exception as exc:
        child.note(f"nested message could not be read ({type(exc).__name__})")
        body.nested.append(_empty(child))


def _rewrap(inner: Message, encoding: str) -> Message:
    """A nested message sent base64- or QP-encoded was mis-parsed as headers: undo that."""
    holder = Message()
    holder["Content-Transfer-Encoding"] = encoding
    holder.set_payload(_serialise(inner).decode("ascii", errors="surrogateescape"))
    return holder


_BOUNDARY_LINE = re.compile(rb"^--([^\s]{1,70}?)[ \t]*\r?$", re.M)


def _unsplit_multipart(part: Message, ctx: _Ctx) -> Message | None:
    """A multipart whose boundary never occurs: try the boundary its lines actually use."""
    raw = _raw_payload(part)
    match = _BOUNDARY_LINE.search(raw)
    if not match or match.group(1) == str(part.get_boundary() or "").encode():
        return None
    boundary = match.group(1).decode("ascii", errors="replace")
    header = f'Content-Type: {part.get_content_type()}; boundary="{boundary}"\n\n'
    try:
        repaired = _parse_bytes(header.encode() + raw, ctx)
    except Exception:
        return None
    if not repaired.is_multipart():
        return None
    ctx.note(f"multipart boundary {part.get_boundary()!r} not found; split on {boundary!r}")
    return repaired


def _walk(msg: Message, ctx: _Ctx, depth: int) -> _Body:
    """Every part in order, without recursion (a hostile message may nest thousands deep):
    inline text/plain and text/html are the body, everything else is an attachment."""
    body = _Body()
    stack: list[Message] = [msg]
    while stack:
        part = stack.pop()
        ctx.parts[0] += 1
        if ctx.parts[0] > ctx.limits.max_parts:
            ctx.note(f"more than {ctx.limits.max_parts} MIME parts; the rest not read")
            break
        ctx.defects.update(type(d).__name__ for d in part.defects)
        if part.get_content_maintype() == "multipart":
            repaired = part if part.is_multipart() else _unsplit_multipart(part, ctx)
            if repaired is not None:
                body.types.add(repaired.get_content_type())
                payload = repaired.get_payload()
                stack.extend(reversed([p for p in payload if isinstance(p, Message)]))
                continue
            ctx.note("multipart without any parts; its body read as text")
        try:
            _leaf(part, ctx, body, depth)
        except Exception as exc:  # charter rule 1: keep the bytes even if they made no sense
            ctx.note(
                f"a {part.get_content_type()} part could not be read ({type(exc).__name__});"
                " kept as a raw attachment"
            )
            raw = _raw_payload(part)
            _attach(ctx, body, _fallback_name("", len(body.attachments) + 1),
                    "application/octet-stream", raw, part)  # fmt: skip
    return body


# --- the message ------------------------------------------------------------------------


def _parse_bytes(data: bytes, ctx: _Ctx) -> Message:
    return BytesParser(policy=policy.compat32).parsebytes(data)


def _empty(ctx: _Ctx) -> ParsedMail:
    return ParsedMail(None, None, (), None, "", (), (), (), "", None, "", "", (), (), False,
                      False, (), None, None, tuple(ctx.notes))  # fmt: skip


def _html(pieces: list[str], ctx: _Ctx) -> str:
    """Sanitised HTML within the limit: sanitising closes open tags, so the result can outgrow
    the cut input; cut again, shorter, until it fits (never cut sanitised HTML itself)."""
    raw = "\n".join(pieces)
    if not raw:
        return ""
    limit = ctx.limits.max_html_chars
    html = sanitise_html(_cut(raw, limit, "HTML", ctx))
    while len(html) > limit:
        raw = raw[: min(len(raw), limit) * limit // len(html) * 9 // 10]
        ctx.note(f"HTML cut at {len(raw)} characters: sanitised, it grew over {limit}")
        html = sanitise_html(raw)
    return html


def _cut(text: str, limit: int, what: str, ctx: _Ctx) -> str:
    if len(text) <= limit:
        return text
    ctx.note(f"{what} cut at {limit} characters (was {len(text)})")
    return text[:limit]


_BOUNCE_SENDER = re.compile(r"mailer-daemon|postmaster|mail delivery (subsystem|system)", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery status notification|delivery (has )?failed|failure notice"
    r"|returned mail|mail delivery fail|non remis|onbestelbaar|unzustellbar"
    r"|niet (afgeleverd|bezorgd)|unable to deliver",
    re.I,
)


def _is_bounce(msg: Message, body: _Body, sender: str, subject: str) -> bool:
    """Delivery reports (RFC 3464), and the plain-text bounces of Gmail, Exim and qmail."""
    if report_type(msg) == "delivery-status" or msg.get_content_type() == (
        "message/delivery-status"
    ):
        return True
    if raw_values(msg, "X-Failed-Recipients"):
        return True
    if not _BOUNCE_SENDER.search(sender):
        return False
    null_path = any(
        v.strip() == "<>" for n in ("Return-Path", "X-Envelope-From") for v in raw_values(msg, n)
    )
    return bool(
        "message/delivery-status" in body.types or null_path or _BOUNCE_SUBJECT.search(subject)
    )


def _charset_hint(msg: Message) -> str | None:
    for part in islice(msg.walk(), 20):
        codec = codec_for(part.get_content_charset() or "")
        if codec and codec not in ("ascii", "utf-8"):
            return codec
    return None


def _build(msg: Message, ctx: _Ctx, depth: int) -> ParsedMail:
    """One (possibly nested) message; each field read on its own, so one bad header costs
    only itself."""
    ctx.charset_hint = _safe(ctx, "charset", lambda: _charset_hint(msg), None)
    senders: list[tuple[str, str]] = _safe(ctx, "From", lambda: addresses(msg, "From", ctx), [])
    if not raw_values(msg, "From"):
        ctx.note("missing From")
    elif len(senders) > 1:
        ctx.note(f"From holds {len(senders)} addresses; the first is used")
    from_name, from_address = senders[0] if senders else ("", "")
    if senders and not from_address and not from_name:
        from_name = header_value(msg, "From", ctx) or ""
    subject = _safe(ctx, "Subject", lambda: header_value(msg, "Subject", ctx), None)
    if subject is None:
        ctx.note("missing Subject")
    subject = " ".join((subject or "").split())

    body = _walk(msg, ctx, depth)
    html = _safe(ctx, "HTML", lambda: _html(body.html, ctx), "")
    text = "\n\n".join(t.strip("\n") for t in body.text if t.strip())
    if not text.strip() and html:
        text = _safe(ctx, "text of the HTML", lambda: html_to_text(html, sanitised=True), "")
    if ctx.defects:
        listed = ", ".join(
            re.sub(r"(?<!^)(?=[A-Z])", " ", n.removesuffix("Defect")).lower()
            + (f" ({c} times)" if c > 1 else "")
            for n, c in ctx.defects.most_common()
        )
        ctx.note(f"{sum(ctx.defects.values())} MIME defects: {listed}")

    sender = f"{from_address} {header_value(msg, 'From', ctx) or ''}"
    is_bounce = _safe(ctx, "bounce", lambda: _is_bounce(msg, body, sender, subject), False)
    loops = [
        clean(fix_8bit(re.sub(r"[\r\n]+", "", raw), ctx, name)).strip()
        for name in ("X-Loop", "X-Loket-Loop")
        for raw in raw_values(msg, name)
    ]
    return ParsedMail(
        message_id=next(iter(message_ids(header_value(msg, "Message-ID", ctx))), None),
        in_reply_to=next(iter(message_ids(header_value(msg, "In-Reply-To", ctx))), None),
        references=references(msg, ctx),
        from_address=from_address or None,
        from_name=from_name,
        to=address_specs(_safe(ctx, "To", lambda: addresses(msg, "To", ctx), [])),
        cc=address_specs(_safe(ctx, "Cc", lambda: addresses(msg, "Cc", ctx), [])),
        reply_to=address_specs(_safe(ctx, "Reply-To", lambda: addresses(msg, "Reply-To", ctx), [])),
        subject=subject,
        date=_safe(ctx, "Date", lambda: sent_date(msg, ctx), None),
        text=_cut(clean(text), ctx.limits.max_text_chars, "text", ctx),
        html=clean(html),
        attachments=tuple(body.attachments),
        nested=tuple(body.nested),
        is_auto_reply=_safe(ctx, "auto-reply", lambda: is_auto_reply(msg, subject, ctx), False),
        is_bounce=is_bounce,
        loop_headers=tuple(loop for loop in loops if loop),
        return_path=_safe(ctx, "Return-Path", lambda: return_path(msg), None),
        list_id=_safe(ctx, "List-Id", lambda: list_id(msg), None),
        notes=tuple(ctx.notes),
    )  # fmt: skip


def parse_mail(raw: bytes, *, limits: ParseLimits = ParseLimits()) -> ParsedMail:
    """Read one raw message; raises only ``MailParseError`` (see the module docstring)."""
    data = check_is_mail(raw)
    ctx = _Ctx(limits, [0])
    try:
        data = repair_headers(trim_headers(data, ctx.limits.max_header_chars, ctx), ctx)
        return _build(_parse_bytes(data, ctx), ctx, depth=0)
    except Exception as exc:
        # Charter rule 1: an unforeseen failure still yields the message, as plain text.
        ctx.note(f"message could not be parsed ({type(exc).__name__}); body kept as raw text")
        parts = re.split(rb"\r?\n\r?\n", data, maxsplit=1)
        text = clean(decode_text(parts[-1], None, ctx, "raw body"))
        text = _cut(text, limits.max_text_chars, "text", ctx)
        return replace(_empty(ctx), text=text, notes=tuple(ctx.notes))
