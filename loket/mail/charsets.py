"""Text out of mail bytes: charsets, RFC 2047 encoded words and raw 8-bit headers.

Mail declares charsets it does not use, uses charsets nobody registered, and puts raw 8-bit
bytes where RFC 5322 allows only ASCII. Each function here decides as a careful reader would
(the declared charset when the bytes fit it, UTF-8 when they are UTF-8 whatever the label,
the Windows superset of a Latin-1 label, cp1252 as the last resort) and says what it decided
through ``ctx.note``, so staff know when they read a guess. Split out of ``parsing.py``; pure:
standard library only.
"""

from __future__ import annotations

import binascii
import codecs
import quopri
import re
from typing import Protocol


class Notes(Protocol):
    """Where the decisions are written down (the parser's per-message context)."""

    charset_hint: str | None

    def note(self, text: str) -> None: ...


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


def codec_for(label: str) -> str | None:
    name = label.strip().strip("\"'").lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        if not name.startswith("x-"):
            return None
        return codec_for(name[2:])  # x-mac-cyrillic and friends
    # Python names some codecs with hyphens ("unicode-escape") and looks them up either way.
    canonical = info.name.replace("-", "_")
    if canonical in _NOT_CHARSETS or not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def decode_text(data: bytes, declared: str | None, ctx: Notes, what: str) -> str:
    """Bytes to text: declared charset, then utf-8, cp1252 and latin-1, saying which."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    codec = codec_for(declared) if declared else None
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
        if codec not in _SINGLE_BYTE and (data.isascii() if seven_bit else not is_utf8(data)):
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


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def raw_bytes(value: str) -> bytes:
    """The parser keeps undecodable bytes as surrogates; give the bytes back."""
    return value.encode("utf-8", errors="surrogateescape")


def fix_8bit(value: str, ctx: Notes, what: str) -> str:
    """Raw 8-bit header bytes (not RFC 2047): UTF-8 (RFC 6532), else the charset of the
    message's text (the sender's client uses one), else cp1252."""
    if not _SURROGATE.search(value):
        return value
    data = raw_bytes(value)
    if is_utf8(data):
        return data.decode("utf-8")
    if (mostly := _mostly_utf8(data)) is not None:
        ctx.note(f"raw 8-bit {what} is UTF-8 with invalid bytes; those replaced")
        return mostly
    hint = codec_for(ctx.charset_hint) if ctx.charset_hint else None
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


def clean(value: str) -> str:
    """No lone surrogates or NULs: PostgreSQL and UTF-8 encoders refuse them."""
    value = _SURROGATE.sub("\ufffd", value)
    return _CONTROLS.sub("", value)


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([qQbB])\?([^?\s]*)\?=")


B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_NOT_B64 = bytes(sorted(set(range(256)) - set(B64_ALPHABET)))


def b64decode_lenient(data: bytes) -> bytes:
    """Base64 as broken encoders write it: stray characters, missing or extra padding."""
    data = data.translate(None, _NOT_B64)  # bytes.translate: fast on 30 MB, unlike re.sub
    if len(data) % 4 == 1:
        data = data[:-1]
    return binascii.a2b_base64(data + b"=" * (-len(data) % 4))


def _word_bytes(kind: str, payload: str) -> bytes:
    data = raw_bytes(payload)
    if kind.upper() == "Q":
        return quopri.decodestring(data.replace(b"_", b" "))
    return b64decode_lenient(data)


def decode_words(value: str, ctx: Notes, what: str) -> str:
    """RFC 2047, leniently: encoded words glued to text, and multibyte characters split
    over neighbouring words, as broken clients send them, still decode."""
    if "=?" not in value:
        return fix_8bit(value, ctx, what)
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
            out.append(decode_text(bytes(data), charset, ctx, what))
            charset, data = None, bytearray()
        if between.strip() or not after_word:  # blanks between encoded words are no text
            out.append(fix_8bit(between, ctx, what))
        if chunk is None:
            out.append(fix_8bit(match.group(0), ctx, what))
        else:
            charset = charset or label
            data.extend(chunk)
        after_word = chunk is not None
    if charset is not None:
        out.append(decode_text(bytes(data), charset, ctx, what))
    out.append(fix_8bit(value[pos:], ctx, what))
    return "".join(out)
