"""Inbound e-mail, read into plain values: addresses, subject, text, safe HTML, attachments.

Charter rule 1: nothing that arrives is lost. The raw bytes are stored before this runs, and
this parser never throws a message away: whatever it cannot read cleanly it reads as well as
it can, and says so in ``notes`` (a charset guessed, an attachment cut, a header dropped), so
staff know what they look at. Only input that is no mail message at all (empty, no header
block, binary garbage) raises ``MailParseError``, and the caller quarantines it; any other
failure is caught, noted, and answered with as much of the message as could be read.

The standard library's ``email`` package parses (``policy.default``; ``compat32`` when that
fails, or for messages of thousands of parts, where ``policy.default`` is ten times slower);
header values are decoded here from the raw fields rather than by the policy, because raw
8-bit bytes, unknown charsets and half-broken encoded words need decisions (and notes) that
the policy makes silently. Message-IDs are given without their angle brackets.

Pure: no Django, no database; standard-library ``email`` plus ``nh3`` (via sanitise).
"""

from __future__ import annotations

import binascii
import codecs
import mimetypes
import quopri
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email import policy, utils
from email.generator import BytesGenerator
from email.message import EmailMessage, Message
from email.parser import BytesParser
from io import BytesIO
from itertools import islice
from typing import cast

from loket.mail.sanitise import html_to_text, sanitise_html


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
    notes: tuple[str, ...]


class MailParseError(ValueError):
    """The input is no mail message at all (empty, no header block, binary garbage)."""


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


# --- characters -------------------------------------------------------------------------

_CHARSET_ALIASES = {
    "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949", "iso-8859-8-i": "iso-8859-8",
    "x-sjis": "shift_jis", "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
    "unicode-1-1-utf-7": "utf-7", "x-mac-roman": "mac-roman", "macintosh": "mac-roman",
    "windows-874": "cp874", "x-user-defined": "cp1252", "ansi_x3.4-1968": "ascii",
    # Windows supersets that mail clients send under the older name.
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "euc-kr": "cp949",
    "euc_kr": "cp949", "big5": "cp950",
}  # fmt: skip
# Text codecs that are not charsets: never let a label pick them.
_NOT_CHARSETS = {"unicode_escape", "raw_unicode_escape", "idna", "punycode", "undefined"}
_SINGLE_BYTE = {"ascii", "latin-1", "iso8859-1", "cp1252", "iso8859-15"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _codec(label: str) -> str | None:
    name = label.strip().strip("\"'").lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        if not name.startswith("x-"):
            return None
        return _codec(name[2:])  # x-mac-cyrillic and friends
    if info.name in _NOT_CHARSETS or not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def _decode(data: bytes, declared: str | None, ctx: _Ctx, what: str) -> str:
    """Bytes to text: declared charset, then utf-8, cp1252 and latin-1, saying which."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    codec = _codec(declared) if declared else None
    if codec:
        if codec in _SINGLE_BYTE and not data.isascii():
            try:  # a single-byte label on valid UTF-8 is a mislabel, not a coincidence
                text = data.decode("utf-8")
                ctx.note(f"{what} declared as {declared!r} but is UTF-8; decoded as utf-8")
                return text
            except UnicodeDecodeError:
                if codec in ("latin-1", "iso8859-1", "ascii") and re.search(b"[\x80-\x9f]", data):
                    # what mail clients mean by latin-1 (and what browsers assume, per WHATWG)
                    ctx.note(f"{what} declared as {declared!r} holds cp1252 characters")
                    codec = "cp1252"
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            reason = f"{what} is not valid {declared!r}"
        seven_bit = codec.startswith(("iso2022", "utf-7", "hz"))
        if codec not in _SINGLE_BYTE and (data.isascii() if seven_bit else not _is_utf8(data)):
            # A multibyte text with a few characters outside its charset (vendor extensions):
            # the declared charset with those replaced beats any single-byte guess.
            text = data.decode(codec, errors="replace")
            if text.count("\ufffd") <= max(2, len(text) // 50):
                ctx.note(f"{reason}, decoded as {codec} with unknown characters replaced")
                return text
    elif declared:
        reason = f"charset {declared!r} of {what} unknown"
    else:
        if data.isascii():
            return data.decode("ascii")
        reason = f"{what} has no charset"
    for fallback in ("utf-8", "cp1252"):
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError:
            if fallback == "utf-8" and (mostly := _mostly_utf8(data)) is not None:
                ctx.note(f"{reason}, decoded as utf-8 with invalid bytes replaced")
                return mostly
            continue
        ctx.note(f"{reason}, decoded as {fallback}")
        return text
    ctx.note(f"{reason}, decoded as latin-1")
    return data.decode("latin-1", errors="replace")


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken bytes (a character cut in two by a length limit) is still
    UTF-8: reading it as cp1252 would garble every other character."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = len(re.findall("[^\x00-\x7f\ufffd]", text))
    return text if good >= 2 and bad * 4 <= good else None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _raw_bytes(value: str) -> bytes:
    """The parser keeps undecodable bytes as surrogates; give the bytes back."""
    return value.encode("utf-8", errors="surrogateescape")


def _raw_payload(part: Message) -> bytes:
    """The body bytes as received. ``get_payload()`` would decode 8-bit text with the
    declared charset, replacing what does not fit; the bytes are needed to do better."""
    payload = getattr(part, "_payload", None)
    if isinstance(payload, str):
        return _raw_bytes(payload)
    return payload if isinstance(payload, bytes) else b""


def _fix_8bit(value: str, ctx: _Ctx, what: str) -> str:
    """Raw 8-bit header bytes (not RFC 2047): UTF-8 (RFC 6532), else the charset of the
    message's text (the sender's client uses one), else cp1252."""
    if not _SURROGATE.search(value):
        return value
    data = _raw_bytes(value)
    if _is_utf8(data):
        return data.decode("utf-8")
    if (mostly := _mostly_utf8(data)) is not None:
        ctx.note(f"raw 8-bit {what} is UTF-8 with invalid bytes; those replaced")
        return mostly
    hint = _codec(ctx.charset_hint) if ctx.charset_hint else None
    if hint and hint not in _SINGLE_BYTE and hint != "utf-8":
        try:
            text = data.decode(hint)
        except UnicodeDecodeError:
            pass
        else:
            ctx.note(f"raw 8-bit {what} is not UTF-8, decoded as {hint} (the text's charset)")
            return text
    ctx.note(f"raw 8-bit {what} is not UTF-8, decoded as cp1252")
    return data.decode("cp1252", errors="replace")


def _clean(value: str) -> str:
    """No lone surrogates or NULs: PostgreSQL and UTF-8 encoders refuse them."""
    value = _SURROGATE.sub("\ufffd", value)
    return _CONTROLS.sub("", value)


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([qQbB])\?([^?\s]*)\?=")


_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_NOT_B64 = bytes(sorted(set(range(256)) - set(_B64_ALPHABET)))


def _b64(data: bytes) -> bytes:
    """Base64 as broken encoders write it: stray characters, missing or extra padding."""
    data = data.translate(None, _NOT_B64)  # bytes.translate: fast on 30 MB, unlike re.sub
    if len(data) % 4 == 1:
        data = data[:-1]
    return binascii.a2b_base64(data + b"=" * (-len(data) % 4))


def _word_bytes(kind: str, payload: str) -> bytes:
    data = _raw_bytes(payload)
    if kind.upper() == "Q":
        return quopri.decodestring(data.replace(b"_", b" "))
    return _b64(data)


def _decode_words(value: str, ctx: _Ctx, what: str) -> str:
    """RFC 2047, leniently: encoded words glued to text, and multibyte characters split
    over neighbouring words, as broken clients send them, still decode."""
    if "=?" not in value:
        return _fix_8bit(value, ctx, what)
    out: list[str] = []
    charset: str | None = None  # of the words being gathered in ``data``
    data = bytearray()
    after_word = False
    pos = 0
    for match in _ENCODED_WORD.finditer(value):
        between, pos = value[pos : match.start()], match.end()
        label = match.group(1).split("*")[0].lower()
        try:
            chunk: bytes | None = _word_bytes(match.group(2), match.group(3))
        except (binascii.Error, ValueError):
            ctx.note(f"undecodable encoded word in {what} kept as is")
            chunk = None
        if charset is not None and (between.strip() or chunk is None or label != charset):
            out.append(_decode(bytes(data), charset, ctx, what))
            charset, data = None, bytearray()
        if between.strip() or not after_word:  # blanks between encoded words are no text
            out.append(_fix_8bit(between, ctx, what))
        if chunk is None:
            out.append(_fix_8bit(match.group(0), ctx, what))
        else:
            charset = charset or label
            data.extend(chunk)
        after_word = chunk is not None
    if charset is not None:
        out.append(_decode(bytes(data), charset, ctx, what))
    out.append(_fix_8bit(value[pos:], ctx, what))
    return "".join(out)


# --- headers ----------------------------------------------------------------------------


def _raw_values(msg: Message, name: str) -> list[str]:
    wanted = name.lower()
    return [str(v) for k, v in msg.raw_items() if k.lower() == wanted]


def _first_raw(msg: Message, name: str) -> str:
    values = _raw_values(msg, name)
    return _clean(_raw_bytes(values[0]).decode("utf-8", errors="replace")) if values else ""


def _header(msg: Message, name: str, ctx: _Ctx) -> str | None:
    """A header's first occurrence, unfolded and decoded; None when absent."""
    values = _raw_values(msg, name)
    if not values:
        return None
    value = re.sub(r"[\r\n]+", "", values[0])
    value = _decode_words(value, ctx, f"{name} header")
    return _clean(value).strip()


def _addresses(msg: Message, name: str, ctx: _Ctx) -> list[tuple[str, str]]:
    """(display name, lower-cased addr-spec or "") for every address in every ``name``."""
    found: list[tuple[str, str]] = []
    for raw in _raw_values(msg, name):
        value = _fix_8bit(re.sub(r"[\r\n]+", "", raw), ctx, f"{name} header")
        try:
            header = policy.default.header_factory(name.lower(), value)
            pairs = [(a.display_name, a.addr_spec) for a in getattr(header, "addresses", ())]
        except Exception:
            pairs = []
        if not pairs and value.strip():  # the strict parser gave up: the forgiving one
            pairs = [p for p in utils.getaddresses([value], strict=False) if any(p)]
        for display, spec in pairs:
            spec = _clean(spec).strip().strip("<>").lower()
            local, _, domain = spec.rpartition("@")
            if not local or not re.fullmatch(r"[^@\s]+", domain):
                shown = _clean(spec or display)[:100] or "(empty)"
                ctx.note(f"unusable address in {name}: {shown!r}")
                spec = ""
            found.append((_clean(_decode_words(display, ctx, f"{name} header")).strip(), spec))
    return found


def _specs(pairs: list[tuple[str, str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(spec for _, spec in pairs if spec))


def _message_ids(value: str | None) -> list[str]:
    if not value:
        return []
    ids = re.findall(r"<([^<>\s]+)>", value)
    return ids or [t.strip("<>") for t in value.split() if "@" in t]


def _references(msg: Message, ctx: _Ctx) -> tuple[str, ...]:
    ids = list(dict.fromkeys(_message_ids(_header(msg, "References", ctx))))
    if len(ids) > 100:  # the thread's root and its latest messages are what threading needs
        ctx.note(f"References holds {len(ids)} message-ids; the first and last 99 kept")
        ids = ids[:1] + ids[-99:]
    return tuple(ids)


def _date(msg: Message, ctx: _Ctx) -> datetime | None:
    value = _header(msg, "Date", ctx)
    if not value:
        return None
    try:
        bare = re.sub(r"\s*:\s*", ":", re.sub(r"\([^()]*\)", " ", value))  # comments, "09 : 55"
        when = utils.parsedate_to_datetime(bare)
    except (TypeError, ValueError, OverflowError, IndexError):
        ctx.note(f"Date header {value[:80]!r} could not be read")
        return None
    if when.tzinfo is None:
        ctx.note("Date header has no time zone; read as UTC")
        when = when.replace(tzinfo=UTC)
    return when


# Subjects that out-of-office replies use, and that clients' own questions do not: a bare
# "Absence" only at the start ("Absence de revenus" is a question about income).
_OUT_OF_OFFICE = re.compile(
    r"afwezigheidsmelding|automatisch antwoord|automatische antwoord"
    r"|r[ée]ponse automatique|message d.absence|absente? du bureau|^\s*absence\s*(?::|$|du )"
    r"|abwesenheitsnotiz|automatische antwort|out of office|auto(matic)?[- ]?reply"
    r"|autoresponse|vacation reply",
    re.I,
)
_PRECEDENCE_AUTO = {"auto_reply", "bulk", "junk", "list"}


def _is_auto_reply(msg: Message, subject: str, ctx: _Ctx) -> bool:
    """Machine-written mail (out-of-office, read receipts, lists): the caller must not open a
    case for it, nor answer it (two auto-responders answering each other loop forever)."""

    def first(name: str) -> str:
        return (_header(msg, name, ctx) or "").lower()

    submitted = first("Auto-Submitted")
    suppress = {s.strip() for s in first("X-Auto-Response-Suppress").split(",")}
    return bool(
        (submitted and not submitted.startswith("no"))
        or _raw_values(msg, "X-Autoreply")
        or _raw_values(msg, "X-Autorespond")
        or first("Precedence") in _PRECEDENCE_AUTO
        or suppress & {"all", "oof"}
        or _OUT_OF_OFFICE.search(subject)
        or "disposition-notification" in msg.get_content_type()
        or _report_type(msg) == "disposition-notification"
    )


def _report_type(msg: Message) -> str:
    if msg.get_content_type() != "multipart/report":
        return ""
    return str(msg.get_param("report-type", "") or "").strip().lower()


# --- bodies -----------------------------------------------------------------------------

_IDENTITY_CTE = {"", "7bit", "8bit", "binary"}
_UU_CTE = {"xuuencode", "uuencode", "xuue", "uue"}


def _payload(part: Message, ctx: _Ctx) -> bytes:
    """The part's content with its transfer encoding undone, forgivingly."""
    payload = part.get_payload()
    if isinstance(payload, list):  # message/* blocks, e.g. delivery-status
        return b"".join(_serialise(p) for p in payload if isinstance(p, Message))
    raw = _raw_payload(part)
    declared = _first_raw(part, "Content-Transfer-Encoding").strip().lower()
    cte = re.sub(r"[^a-z0-9]", "", declared.split(";")[0])
    if cte in _IDENTITY_CTE:
        return raw
    if cte == "quotedprintable":
        return quopri.decodestring(raw)
    if cte == "base64":
        letters = raw.translate(None, b" \t\r\n")
        if len(letters.translate(None, _B64_ALPHABET + b"=")) > len(letters) // 20:
            ctx.note("part declared base64 but is not; kept as is")
            return raw
        try:
            return _b64(letters)
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
        return _raw_bytes(msg.as_string(policy=policy.compat32))
    return out.getvalue()


_GENERATOR_POLICY = policy.default.clone(refold_source="none", linesep="\n")


def _filename(part: Message, ctx: _Ctx) -> str | None:
    value: object = None
    for header, param in (("Content-Disposition", "filename"), ("Content-Type", "name")):
        values = _raw_values(part, header)
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
        name = _decode(bytes(str(text), "raw-unicode-escape"), charset, ctx, "file name")
    else:
        name = _fix_8bit(utils.unquote(str(value)), ctx, "file name")
    name = _clean(_decode_words(name, ctx, "file name")).replace("\t", " ")
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
    cid = _first_raw(part, "Content-ID").strip().strip("<>").strip() or None
    disposition = part.get_content_disposition()
    inline = disposition == "inline" or (disposition is None and cid is not None)
    body.attachments.append(
        Attachment(name, ctype, kept, len(kept), cid and _clean(cid), inline, len(kept) < len(data))
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
        text = _decode(data, charset, ctx, ctype).replace("\r\n", "\n").replace("\r", "\n")
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
    encoding = _first_raw(part, "Content-Transfer-Encoding").strip().lower()
    if isinstance(first, Message) and encoding not in ("base64", "quoted-printable"):
        inner = first
        data = _serialise(inner)
    else:
        data = _payload(_rewrap(first, encoding) if isinstance(first, Message) else part, ctx)
        inner = _parse_bytes(data, ctx)
    subject = _header(inner, "Subject", ctx) or ""
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

_FIELD_SPLIT = re.compile(rb"\r?\n(?![ \t])")
_NEEDED = re.compile(
    rb"(from|to|cc|reply-to|subject|date|message-id|in-reply-to|references|mime-version"
    rb"|content-[\w-]+|auto-submitted|x-autoreply|x-autorespond|precedence|x-loop"
    rb"|x-loket-loop|x-auto-response-suppress|sender|return-path)\s*:",
    re.I,
)


def _trim_headers(data: bytes, ctx: _Ctx) -> bytes:
    """Huge header blocks (spam, loops): keep the fields loket reads, drop the rest."""
    limit = ctx.limits.max_header_chars
    split = re.search(rb"\r?\n\r?\n", data)
    end = split.start() if split else len(data)
    if end <= limit:
        return data
    fields = _FIELD_SPLIT.split(data[:end])
    kept = [f for f in fields if _NEEDED.match(f)]
    cap = max(limit // max(len(kept), 1), 200)
    cut = [f[:cap] for f in kept]
    ctx.note(
        f"header block of {end} characters over {limit}: {len(fields) - len(kept)} "
        f"fields dropped, {sum(len(a) != len(b) for a, b in zip(kept, cut, strict=True))} cut"
    )
    return b"\n".join(cut) + (data[end:] if split else b"\n\n")


_FIELD_LINE = re.compile(rb"[!-9;-~]+:")
_OBSOLETE_FIELD = re.compile(rb"([!-9;-~]+)[ \t]+:")


def _repair_headers(data: bytes, ctx: _Ctx) -> bytes:
    """Obsolete ``Name :`` syntax, and header lines that lost their folding indent: left
    alone, the parser would take every header after them for body text."""
    split = re.search(rb"\r?\n\r?\n", data)
    end = split.start() if split else len(data)
    lines = data[:end].split(b"\n")
    start = 1 if lines[0].startswith(b"From ") and not _OBSOLETE_FIELD.match(lines[0]) else 0
    fields = [
        i for i, line in enumerate(lines) if _OBSOLETE_FIELD.match(line) or _FIELD_LINE.match(line)
    ]
    last_field = fields[-1] if fields else -1
    joined = obsolete = 0
    for i in range(start, len(lines)):
        line = lines[i]
        if _FIELD_LINE.match(line) or line[:1] in (b" ", b"\t"):
            continue
        if match := _OBSOLETE_FIELD.match(line):
            lines[i] = match.group(1) + b":" + line[match.end() :]
            obsolete += 1
        elif i < last_field and i > start:
            lines[i] = b" " + line
            joined += 1
    if obsolete:
        ctx.note(f"{obsolete} header fields in obsolete 'Name :' syntax repaired")
    if joined:
        ctx.note(f"{joined} header lines without a field name joined to the field before")
    return b"\n".join(lines) + data[end:] if obsolete or joined else data


def _parse_bytes(data: bytes, ctx: _Ctx) -> Message:
    if data.count(b"\n--") > 2 * ctx.limits.max_parts:
        # policy.default parses every header of every part into objects: ten times slower,
        # which a message of thousands of parts turns into seconds of work per delivery.
        ctx.note("thousands of MIME parts: read with the faster compat32 policy")
        return BytesParser(policy=policy.compat32).parsebytes(data)
    try:
        return BytesParser(policy=policy.default).parsebytes(data)
    except Exception as exc:
        ctx.note(f"strict parse failed ({type(exc).__name__}); read with the compat32 policy")
        return BytesParser(policy=policy.compat32).parsebytes(data)


def _empty(ctx: _Ctx) -> ParsedMail:
    return ParsedMail(None, None, (), None, "", (), (), (), "", None, "", "", (), (), False,
                      False, (), tuple(ctx.notes))  # fmt: skip


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
    if _report_type(msg) == "delivery-status" or msg.get_content_type() == (
        "message/delivery-status"
    ):
        return True
    if _raw_values(msg, "X-Failed-Recipients"):
        return True
    if not _BOUNCE_SENDER.search(sender):
        return False
    null_path = any(
        v.strip() == "<>" for n in ("Return-Path", "X-Envelope-From") for v in _raw_values(msg, n)
    )
    return bool(
        "message/delivery-status" in body.types or null_path or _BOUNCE_SUBJECT.search(subject)
    )


def _charset_hint(msg: Message) -> str | None:
    for part in islice(msg.walk(), 20):
        codec = _codec(part.get_content_charset() or "")
        if codec and codec not in ("ascii", "utf-8"):
            return codec
    return None


def _build(msg: Message, ctx: _Ctx, depth: int) -> ParsedMail:
    """One (possibly nested) message; each field read on its own, so one bad header costs
    only itself."""
    ctx.charset_hint = _safe(ctx, "charset", lambda: _charset_hint(msg), None)
    senders: list[tuple[str, str]] = _safe(ctx, "From", lambda: _addresses(msg, "From", ctx), [])
    if not _raw_values(msg, "From"):
        ctx.note("missing From")
    elif len(senders) > 1:
        ctx.note(f"From holds {len(senders)} addresses; the first is used")
    from_name, from_address = senders[0] if senders else ("", "")
    if senders and not from_address and not from_name:
        from_name = _header(msg, "From", ctx) or ""
    subject = _safe(ctx, "Subject", lambda: _header(msg, "Subject", ctx), None)
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

    sender = f"{from_address} {_header(msg, 'From', ctx) or ''}"
    is_bounce = _safe(ctx, "bounce", lambda: _is_bounce(msg, body, sender, subject), False)
    loops = [
        _clean(_fix_8bit(re.sub(r"[\r\n]+", "", raw), ctx, name)).strip()
        for name in ("X-Loop", "X-Loket-Loop")
        for raw in _raw_values(msg, name)
    ]
    return ParsedMail(
        message_id=next(iter(_message_ids(_header(msg, "Message-ID", ctx))), None),
        in_reply_to=next(iter(_message_ids(_header(msg, "In-Reply-To", ctx))), None),
        references=_references(msg, ctx),
        from_address=from_address or None,
        from_name=from_name,
        to=_specs(_safe(ctx, "To", lambda: _addresses(msg, "To", ctx), [])),
        cc=_specs(_safe(ctx, "Cc", lambda: _addresses(msg, "Cc", ctx), [])),
        reply_to=_specs(_safe(ctx, "Reply-To", lambda: _addresses(msg, "Reply-To", ctx), [])),
        subject=subject,
        date=_safe(ctx, "Date", lambda: _date(msg, ctx), None),
        text=_cut(_clean(text), ctx.limits.max_text_chars, "text", ctx),
        html=_clean(html),
        attachments=tuple(body.attachments),
        nested=tuple(body.nested),
        is_auto_reply=_safe(ctx, "auto-reply", lambda: _is_auto_reply(msg, subject, ctx), False),
        is_bounce=is_bounce,
        loop_headers=tuple(loop for loop in loops if loop),
        notes=tuple(ctx.notes),
    )  # fmt: skip


_FIRST_FIELD = re.compile(rb"[!-9;-~]+[ \t]*:")


def _check_is_mail(raw: bytes) -> bytes:
    """Refuse what is no message at all, so the caller quarantines it (charter rule 1)."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise MailParseError(f"expected bytes, got {type(raw).__name__}")
    data = bytes(raw).removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")
    if not data:
        raise MailParseError("empty message")
    first, _, rest = data.partition(b"\n")
    if first.startswith(b"From "):  # an mbox separator line
        first = rest.partition(b"\n")[0]
    if not _FIRST_FIELD.match(first):
        raise MailParseError("no header block: the first line is no header field")
    split = re.search(rb"\r?\n\r?\n", data)
    head = data[: split.start() if split else len(data)][:65536]
    controls = len(re.findall(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", head))
    if head.count(b"\x00") > 4 or controls > max(4, len(head) // 50):  # a stray one is no binary
        raise MailParseError("binary data in the header block")
    high = len(re.findall(rb"[\x80-\xff]", head))
    if high > len(head) // 3:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            raise MailParseError("binary data in the header block") from None
    return data


def parse_mail(raw: bytes, *, limits: ParseLimits = ParseLimits()) -> ParsedMail:
    """Read one raw message; raises only ``MailParseError`` (see the module docstring)."""
    data = _check_is_mail(raw)
    ctx = _Ctx(limits, [0])
    try:
        data = _repair_headers(_trim_headers(data, ctx), ctx)
        return _build(_parse_bytes(data, ctx), ctx, depth=0)
    except Exception as exc:
        # Charter rule 1: an unforeseen failure still yields the message, as plain text.
        ctx.note(f"message could not be parsed ({type(exc).__name__}); body kept as raw text")
        parts = re.split(rb"\r?\n\r?\n", data, maxsplit=1)
        text = _clean(_decode(parts[-1], None, ctx, "raw body"))
        text = _cut(text, limits.max_text_chars, "text", ctx)
        return replace(_empty(ctx), text=text, notes=tuple(ctx.notes))
