"""parse_mail on every message of the shared real-world corpus (charter rule 1: nothing that
arrives is lost, so not one of them may crash the parser or come out empty).

The corpus (~280 messages other mail projects wrote for their own parser tests) lives in
``shared/mail-corpus`` beside the repository and is read from there, never copied in. Its
absence fails the suite: a silently skipped corpus would prove nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loket.mail.parsing import MailParseError, ParsedMail, ParseLimits, parse_mail

CORPUS = Path(__file__).parents[3].parent / "shared" / "mail-corpus"
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file()) if CORPUS.is_dir() else []
# Files of the corpus that are no message: the caller quarantines these.
NOT_MAIL = {"SOURCES.md"}
LIMITS = ParseLimits()


def _name(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix() if CORPUS in path.parents else path.name


def _parse(name: str) -> ParsedMail:
    return parse_mail((CORPUS / name).read_bytes())


def test_the_corpus_is_there() -> None:
    assert CORPUS.is_dir(), (
        f"the mail corpus is missing: expected it at {CORPUS} (shared/mail-corpus beside the "
        "repository); the corpus tests cannot prove anything without it"
    )
    assert len(FILES) >= 270, f"only {len(FILES)} files in {CORPUS}: the corpus is incomplete"


def _has_body(raw: bytes) -> bool:
    parts = re.split(rb"\r?\n[ \t]*\r?\n", raw.lstrip(), maxsplit=1)
    return len(parts) == 2 and bool(parts[1].strip())


@pytest.mark.parametrize("path", FILES or [CORPUS / "MISSING"], ids=_name)
def test_every_corpus_file_parses_or_is_refused(path: Path) -> None:
    assert path.is_file(), f"the mail corpus is missing: expected it at {CORPUS}"
    raw = path.read_bytes()
    if path.name in NOT_MAIL:
        with pytest.raises(MailParseError):
            parse_mail(raw)
        return
    mail = parse_mail(raw)  # anything but a ParsedMail fails the test, MailParseError included
    assert isinstance(mail, ParsedMail)
    if _has_body(raw):
        assert mail.text.strip() or mail.html.strip() or mail.attachments, "the body got lost"
    assert isinstance(mail.subject, str) and "\n" not in mail.subject
    assert all(isinstance(note, str) and note for note in mail.notes)
    for attachment in mail.attachments:
        assert attachment.size == len(attachment.content)
        assert attachment.size <= LIMITS.max_attachment_bytes
        assert attachment.filename and "/" not in attachment.filename
    assert sum(a.size for a in mail.attachments) <= LIMITS.max_total_attachment_bytes
    for text in (mail.subject, mail.text, mail.html, mail.from_name, *mail.notes):
        text.encode("utf-8")  # no lone surrogates, storable as is
        assert "\x00" not in text
    if mail.date is not None:
        assert mail.date.tzinfo is not None


def test_delivery_reports_and_plain_text_bounces_are_bounces() -> None:
    report = _parse("flanker/bounce/mailbox-full.eml")
    assert report.is_bounce
    assert [a.filename for a in report.attachments] == [
        "delivery-status.txt",
        "original-headers.txt",
    ]
    assert "problem with its\ndelivery" in report.text
    assert _parse("flanker/bounce/gmail-invalid-address.eml").is_bounce  # text/plain, Gmail
    assert _parse("flanker/bounce/broken-mime.eml").is_bounce  # postmaster, no report
    assert not _parse("flanker/text-only.eml").is_bounce
    assert not _parse("flanker/disposition-notification.eml").is_bounce


def test_a_disposition_notification_is_automatic_and_keeps_the_original() -> None:
    mail = _parse("flanker/disposition-notification.eml")
    assert mail.is_auto_reply
    assert "has been dis" in mail.text
    names = [a.filename for a in mail.attachments]
    assert names == ["disposition-notification.txt", "Hi.eml"]
    (original,) = mail.nested
    assert original.subject == "Hi" and original.text == "Hello"


def test_rfc2231_file_names() -> None:
    mail = _parse("zbateson-mail-mime-parser/m3004.txt")  # filename*=iso-8859-1''...%F6...
    assert [a.filename for a in mail.attachments] == ["HasenundFrösche.txt"]
    assert mail.attachments[0].content.startswith(b"Die Hasen und die Fr\xf6sche")
    long_name = _parse("ruby-mail/multi_charset/japanese_attachment_long_name.eml")
    assert long_name.attachments[0].filename == "かきくけこ" * 5 + ".txt"  # continuations
    mislabelled = _parse("ruby-mail/attachment_emails/attachment_with_encoded_name.eml")
    assert mislabelled.attachments[0].filename == "01 Quien Te DijŠat. Pitbull.mp3"
    assert "file name is not valid 'iso-2022-jp', decoded as cp1252" in mislabelled.notes


def test_mislabelled_and_unknown_charsets() -> None:
    utf8_as_latin1 = _parse("ruby-mail/attachment_emails/attachment_pdf_non_ascii.eml")
    assert "text/plain declared as 'iso-8859-1' but is UTF-8; decoded as utf-8" in (
        utf8_as_latin1.notes
    )
    assert "Ã" not in utf8_as_latin1.text
    unknown = _parse("zbateson-mail-mime-parser/invalid-charset.txt")
    assert "charset 'invalid-charset' of text/plain unknown, decoded as utf-8" in unknown.notes
    assert "The Hare and the Tortoise" in unknown.text
    korean = _parse("ruby-mail/multi_charset/ks_c_5601-1987.eml")
    assert korean.text == "스티해" and korean.notes == ()
    japanese = _parse("ruby-mail/multi_charset/japanese_shift_jis.eml")
    assert japanese.text.startswith("あいうえお")
    # iso-2022-jp with vendor characters (Cyrillic, NEC): the declared charset, a few replaced.
    subject = _parse("php-mime-mail-parser/issue116").subject
    assert subject.startswith("ЖД") and subject.endswith("от 28.09.2016")


def test_missing_final_boundary_still_gives_the_text() -> None:
    mail = _parse("flanker/missing-final-boundary.eml")
    assert mail.text == "Some body"
    assert "1 MIME defects: close boundary not found" in mail.notes


def test_broken_boundaries_are_repaired() -> None:
    mail = _parse("ruby-mail/mime_emails/raw_email_with_illegal_boundary.eml")
    # boundary=----=_NextPart_… unquoted: read whole (a strict reader stops at the "="), so
    # both alternatives are found without any repair.
    assert mail.text.startswith("Hello\nThis is an outlook test")
    assert "This is an outlook" in mail.html


def test_nested_messages_uuencode_and_many_attachments() -> None:
    enclosed = _parse("flanker/enclosed.eml")
    (inner,) = enclosed.nested
    assert inner.subject == "Thanks!" and "чтобы я без вас делал" in inner.text
    uu = _parse("zbateson-mail-mime-parser/m0018.txt")
    assert [a.filename for a in uu.attachments] == ["blueball.png", "greenball.png", "redball.png"]
    assert all(a.content.startswith(b"\x89PNG") for a in uu.attachments)
    assert "begin 666" not in uu.text
    many = _parse("php-mime-mail-parser/issue408.eml")
    assert len(many.attachments) > 300


def test_headers_of_every_kind_of_mess() -> None:
    obsolete = _parse("ruby-mail/rfc2822/example13.eml")  # "From  : ...", comments in Date
    assert obsolete.from_address == "jdoe@machine.example"
    assert obsolete.subject == "Saying Hello" and obsolete.date is not None
    lost_indent = _parse("php-mime-mail-parser/issue84")  # folded lines without indent
    assert lost_indent.from_address == "tyra3l@gmail.com"
    assert lost_indent.subject.startswith("Re: [PHP-DEV]")
    utf8 = _parse("ruby-mail/rfc6532/utf8_headers.eml")
    assert (utf8.from_name, utf8.from_address, utf8.subject) == (
        "Jöhn Doe",
        "jdöe@mächine.example",
        "Säying Hello",
    )
    long = _parse("flanker/long-header.eml")  # a 200 kB Subject
    assert long.subject.startswith("Die heiße Zypernsonne quälte Max und Victoria")
    assert len(long.subject) < LIMITS.max_header_chars
    assert any(note.startswith("header block of 209869 characters") for note in long.notes)


def test_thousands_of_parts_stay_fast_and_bounded() -> None:
    mail = _parse("flanker/enclosed-endless.eml")
    assert mail.text == "Hello" and len(mail.nested) == 1
