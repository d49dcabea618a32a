"""The header block of inbound mail: reading fields as they came, repairing the block.

Header values are decoded here from the raw fields rather than by the ``email`` policy,
because raw 8-bit bytes, unknown charsets and half-broken encoded words need decisions (and
notes) that the policy makes silently. Split out of ``parsing.py``; pure: standard library.
"""

from __future__ import annotations

import codecs
import re
from datetime import UTC, datetime
from email import policy, utils
from email.message import Message

from loket.mail.charsets import Notes, clean, decode_words, fix_8bit, raw_bytes


class MailParseError(ValueError):
    """The input is no mail message at all (empty, no header block, binary garbage)."""


def raw_values(msg: Message, name: str) -> list[str]:
    wanted = name.lower()
    return [str(v) for k, v in msg.raw_items() if k.lower() == wanted]


def first_raw(msg: Message, name: str) -> str:
    values = raw_values(msg, name)
    return clean(raw_bytes(values[0]).decode("utf-8", errors="replace")) if values else ""


def header_value(msg: Message, name: str, ctx: Notes) -> str | None:
    """A header's first occurrence, unfolded and decoded; None when absent."""
    values = raw_values(msg, name)
    if not values:
        return None
    value = re.sub(r"[\r\n]+", "", values[0])
    value = decode_words(value, ctx, f"{name} header")
    return clean(value).strip()


_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = rf"{_ATOM}(?:\.{_ATOM})*"
_ADDR_SPEC = rf"{_DOT_ATOM}@{_DOT_ATOM}"
_PLAIN = re.compile(rf"\s*(?:({_ATOM}(?:[ \t]+{_ATOM})*)[ \t]*<({_ADDR_SPEC})>|({_ADDR_SPEC}))\s*")


def _plain_address(value: str) -> list[tuple[str, str]] | None:
    """The one address of a header as most mail writes it (``Name <a@b.c>`` or ``a@b.c``,
    plain ASCII atoms), read without the full RFC 5322 parser, which costs more than the rest
    of the message; None for anything else (quotes, comments, groups, encoded words…)."""
    if "=?" in value:
        return None
    match = _PLAIN.fullmatch(value)
    if match is None:
        return None
    display, bracketed, bare = match.groups()
    return [(" ".join((display or "").split()), bracketed or bare)]


def addresses(msg: Message, name: str, ctx: Notes) -> list[tuple[str, str]]:
    """(display name, lower-cased addr-spec or "") for every address in every ``name``."""
    found: list[tuple[str, str]] = []
    for raw in raw_values(msg, name):
        value = fix_8bit(re.sub(r"[\r\n]+", "", raw), ctx, f"{name} header")
        pairs = _plain_address(value)
        if pairs is None:
            try:
                header = policy.default.header_factory(name.lower(), value)
                pairs = [(a.display_name, a.addr_spec) for a in getattr(header, "addresses", ())]
            except Exception:
                pairs = []
        if not pairs and value.strip():  # the strict parser gave up: the forgiving one
            pairs = [p for p in utils.getaddresses([value], strict=False) if any(p)]
        for display, spec in pairs:
            spec = clean(spec).strip().strip("<>").lower()
            local, _, domain = spec.rpartition("@")
            if not local or not re.fullmatch(r"[^@\s]+", domain):
                shown = clean(spec or display)[:100] or "(empty)"
                ctx.note(f"unusable address in {name}: {shown!r}")
                spec = ""
            found.append((clean(decode_words(display, ctx, f"{name} header")).strip(), spec))
    return found


def address_specs(pairs: list[tuple[str, str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(spec for _, spec in pairs if spec))


def message_ids(value: str | None) -> list[str]:
    if not value:
        return []
    ids = re.findall(r"<([^<>\s]+)>", value)
    return ids or [t.strip("<>") for t in value.split() if "@" in t]


def references(msg: Message, ctx: Notes) -> tuple[str, ...]:
    ids = list(dict.fromkeys(message_ids(header_value(msg, "References", ctx))))
    if len(ids) > 100:  # the thread's root and its latest messages are what threading needs
        ctx.note(f"References holds {len(ids)} message-ids; the first and last 99 kept")
        ids = ids[:1] + ids[-99:]
    return tuple(ids)


def sent_date(msg: Message, ctx: Notes) -> datetime | None:
    value = header_value(msg, "Date", ctx)
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


def is_auto_reply(msg: Message, subject: str, ctx: Notes) -> bool:
    """Machine-written mail (out-of-office, read receipts, lists): the caller must not open a
    case for it, nor answer it (two auto-responders answering each other loop forever)."""

    def first(name: str) -> str:
        return (header_value(msg, name, ctx) or "").lower()

    submitted = first("Auto-Submitted")
    suppress = {s.strip() for s in first("X-Auto-Response-Suppress").split(",")}
    return bool(
        (submitted and not submitted.startswith("no"))
        or raw_values(msg, "X-Autoreply")
        or raw_values(msg, "X-Autorespond")
        or first("Precedence") in _PRECEDENCE_AUTO
        or suppress & {"all", "oof"}
        or _OUT_OF_OFFICE.search(subject)
        or "disposition-notification" in msg.get_content_type()
        or report_type(msg) == "disposition-notification"
    )


def report_type(msg: Message) -> str:
    if msg.get_content_type() != "multipart/report":
        return ""
    return str(msg.get_param("report-type", "") or "").strip().lower()


_FIELD_SPLIT = re.compile(rb"\r?\n(?![ \t])")
_NEEDED = re.compile(
    rb"(from|to|cc|reply-to|subject|date|message-id|in-reply-to|references|mime-version"
    rb"|content-[\w-]+|auto-submitted|x-autoreply|x-autorespond|precedence|x-loop"
    rb"|x-loket-loop|x-auto-response-suppress|sender|return-path|list-[\w-]+)\s*:",
    re.I,
)


def trim_headers(data: bytes, limit: int, ctx: Notes) -> bytes:
    """Huge header blocks (spam, loops): keep the fields loket reads, drop the rest."""
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


def repair_headers(data: bytes, ctx: Notes) -> bytes:
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


_FIRST_FIELD = re.compile(rb"[!-9;-~]+[ \t]*:")


def check_is_mail(raw: bytes) -> bytes:
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


def return_path(msg: Message) -> str | None:
    """The envelope sender the delivering server recorded: None when absent, "" for the null
    path ``<>`` that bounces and other automatic mail use (RFC 5321 4.5.5)."""
    values = raw_values(msg, "Return-Path")
    if not values:
        return None
    value = clean(raw_bytes(values[-1]).decode("utf-8", errors="replace")).strip()
    return value.strip("<>").strip().lower()


def list_id(msg: Message) -> str | None:
    """Mail from a mailing list (RFC 2919 List-Id, or the RFC 2369 List-* fields)."""
    for name in ("List-Id", "List-Unsubscribe", "List-Post"):
        values = raw_values(msg, name)
        if values:
            return clean(raw_bytes(values[0]).decode("utf-8", errors="replace")).strip()[:300]
    return None
