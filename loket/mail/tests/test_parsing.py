"""parse_mail on small hand-written messages: each one a kind of mess that real mail brings.

Charter rule 1: nothing that arrives is lost. So every test here checks that the message still
yields its text, its files and a note saying what was repaired, and that only input which is
no message at all raises MailParseError.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loket.mail.parsing import MailParseError, ParsedMail, ParseLimits, parse_mail

DUTCH_QP_LATIN1 = (
    b"From: Els Peeters <Els.Peeters@Example.be>\r\n"
    b"To: vraag@loket.example\r\n"
    b"Subject: =?iso-8859-1?Q?Vraag_over_het_leefloon_=28samenwonende=29?=\r\n"
    b"Date: Tue, 3 Mar 2026 10:15:00 +0100\r\n"
    b"Message-ID: <abc.123@mail.example.be>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n"
    b"\r\n"
    b"Goedendag,\r\n"
    b"\r\n"
    b"Hoe berekenen we het leefloon voor een samenwonende? Mijn dochter woont sinds =\r\n"
    b"januari bij mij, in Li=E8ge, en ik twijfel over het attest (co=F6peratie).\r\n"
    b"\r\n"
    b"Met vriendelijke groeten,\r\n"
    b"Els\r\n"
)


def test_dutch_question_in_quoted_printable_latin1() -> None:
    mail = parse_mail(DUTCH_QP_LATIN1)
    assert mail.from_address == "els.peeters@example.be"
    assert mail.from_name == "Els Peeters"
    assert mail.to == ("vraag@loket.example",)
    assert mail.subject == "Vraag over het leefloon (samenwonende)"
    assert mail.message_id == "abc.123@mail.example.be"
    assert mail.date == datetime(2026, 3, 3, 9, 15, tzinfo=UTC)
    assert "Mijn dochter woont sinds januari bij mij, in Liège" in mail.text
    assert "coöperatie" in mail.text
    assert "\r" not in mail.text
    assert mail.html == ""
    assert mail.attachments == ()
    assert not mail.is_auto_reply and not mail.is_bounce
    assert mail.notes == ()


def test_raw_8bit_utf8_subject_header_is_read_as_utf8() -> None:
    raw = (
        "From: jean@example.be\nSubject: Réponse à ma question — €\nTo: a@b.be\n\nMerci\n"
    ).encode()
    mail = parse_mail(raw)
    assert mail.subject == "Réponse à ma question — €"
    assert mail.notes == ()  # RFC 6532 allows UTF-8 headers: nothing to note


def test_raw_8bit_cp1252_subject_is_decoded_with_a_note() -> None:
    raw = "From: a@b.be\nSubject: Caf\xe9 \x80 5\n\nbody\n".encode("latin-1")
    mail = parse_mail(raw)
    assert mail.subject == "Café € 5"
    assert any("raw 8-bit Subject" in note and "cp1252" in note for note in mail.notes)


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
HTML_ONLY = (
    b"From: Client <client@example.org>\n"
    b"Subject: Formulier\n"
    b"MIME-Version: 1.0\n"
    b'Content-Type: multipart/related; boundary="rel"\n'
    b"\n"
    b"--rel\n"
    b"Content-Type: text/html; charset=utf-8\n"
    b"\n"
    b"<html><head><title>Hidden title</title><style>p{color:red}</style></head><body>"
    b'<p onclick="steal()">Zie <b>bijlage</b> en <a href="https://example.org/info" '
    b'onmouseover="x()">de uitleg</a>.</p>'
    b"<script>alert('x')</script>"
    b'<img src="https://tracker.example.com/pixel.gif?id=42" alt="logo">'
    b'<img src="cid:photo1@example.org" alt="foto">'
    b'<a href="javascript:alert(1)">klik</a>'
    b'<form action="https://evil.example/"><input name="password"></form>'
    b'<iframe src="https://evil.example/"></iframe>'
    b"</body></html>\n"
    b"--rel\n"
    b"Content-Type: image/png\n"
    b"Content-Transfer-Encoding: base64\n"
    b"Content-ID: <photo1@example.org>\n"
    b"\n" + base64.encodebytes(PNG) + b"--rel--\n"
)


def test_html_only_mail_is_sanitised_and_gives_text() -> None:
    mail = parse_mail(HTML_ONLY)
    html = mail.html
    for banned in ("<script", "alert", "onclick", "onmouseover", "<style", "<form", "<input",
                   "<iframe", "javascript:", "Hidden title"):  # fmt: skip
        assert banned not in html
    assert ' src="https://tracker' not in html
    assert 'data-blocked-src="https://tracker.example.com/pixel.gif?id=42"' in html
    assert 'src="cid:photo1@example.org"' in html
    assert 'href="https://example.org/info"' in html
    assert 'rel="noopener noreferrer"' in html
    assert "<b>bijlage</b>" in html
    # No plain part: the text comes from the HTML.
    assert "Zie bijlage en de uitleg" in mail.text
    assert "alert" not in mail.text and "Hidden title" not in mail.text
    (image,) = mail.attachments
    assert image.content == PNG and image.size == len(PNG)
    assert image.content_type == "image/png"
    assert image.content_id == "photo1@example.org"
    assert image.inline is True
    assert image.filename == "part-1.png"


def test_out_of_office_in_french_is_an_auto_reply() -> None:
    raw = (
        "From: Marie Dubois <marie.dubois@example.fr>\n"
        "To: vraag@loket.example\n"
        "Subject: Réponse automatique : Votre dossier MI-2026-004217-63\n"
        "\n"
        "Je suis absente du bureau jusqu'au 12 mars.\n"
    ).encode()
    mail = parse_mail(raw)
    assert mail.is_auto_reply
    assert not mail.is_bounce


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Auto-Submitted: auto-replied", True),
        ("Auto-Submitted: no", False),
        ("X-Autoreply: yes", True),
        ("X-Autorespond: vacation", True),
        ("Precedence: bulk", True),
        ("Precedence: first-class", False),
        ("X-Auto-Response-Suppress: DR, OOF", True),
        ("X-Auto-Response-Suppress: DR", False),
        ("Subject: Afwezigheidsmelding", True),
        ("Subject: Automatisch antwoord: uw vraag", True),
        ("Subject: Abwesenheitsnotiz", True),
        ("Subject: Automatische Antwort: Ihre Frage", True),
        ("Subject: Out of Office: your question", True),
        ("Subject: Absence du bureau", True),
        ("Subject: Absence de revenus depuis mars", False),  # a real question, not an OOF
    ],
)
def test_auto_reply_signals(header: str, expected: bool) -> None:
    raw = f"From: a@b.be\n{header}\n\nbody\n".encode()
    assert parse_mail(raw).is_auto_reply is expected


def test_message_without_from_and_subject_is_kept_with_notes() -> None:
    raw = b"To: vraag@loket.example\nDate: nonsense\n\nIk heb een vraag over mijn dossier.\n"
    mail = parse_mail(raw)
    assert mail.from_address is None and mail.from_name == ""
    assert mail.subject == ""
    assert mail.date is None
    assert mail.text == "Ik heb een vraag over mijn dossier."
    assert "missing From" in mail.notes
    assert "missing Subject" in mail.notes
    assert any("Date header 'nonsense'" in note for note in mail.notes)


def _wrap(inner: bytes, level: int) -> bytes:
    return (
        (
            f"From: level{level}@example.be\nSubject: Level {level}\nMIME-Version: 1.0\n"
            f'Content-Type: multipart/mixed; boundary="b{level}"\n\n'
            f"--b{level}\nContent-Type: text/plain\n\nText of level {level}\n"
            f"--b{level}\nContent-Type: message/rfc822\n\n"
        ).encode()
        + inner
        + f"\n--b{level}--\n".encode()
    )


def test_three_levels_of_nested_messages() -> None:
    innermost = b"From: level3@example.be\nSubject: Level 3\n\nText of level 3\n"
    raw = _wrap(_wrap(innermost, 2), 1)
    mail = parse_mail(raw)
    assert mail.text == "Text of level 1"
    (level2,) = mail.nested
    assert level2.from_address == "level2@example.be"
    assert level2.text == "Text of level 2"
    (level3,) = level2.nested
    assert level3.subject == "Level 3" and level3.text == "Text of level 3"
    # Each nested message is kept whole as an .eml attachment too (charter rule 1).
    (eml,) = mail.attachments
    assert eml.filename == "Level 2.eml" and eml.content_type == "message/rfc822"
    assert b"Text of level 3" in eml.content
    assert parse_mail(eml.content).nested[0].text == "Text of level 3"


def test_a_nested_message_sent_base64_encoded_is_still_read() -> None:
    inner = b"From: inner@example.be\nSubject: Inner one\n\nInner text\n"
    raw = (
        b'From: a@b.be\nSubject: fwd\nContent-Type: multipart/mixed; boundary="q"\n\n'
        b"--q\nContent-Type: text/plain\n\nouter\n--q\nContent-Type: message/rfc822\n"
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(inner) + b"--q--\n"
    )
    mail = parse_mail(raw)
    (nested,) = mail.nested
    assert (nested.subject, nested.text) == ("Inner one", "Inner text")
    assert mail.attachments[0].content == inner


def test_nesting_deeper_than_the_limit_is_kept_but_not_read() -> None:
    raw = _wrap(_wrap(b"From: x@y.be\nSubject: Level 3\n\nDeep\n", 2), 1)
    mail = parse_mail(raw, limits=ParseLimits(max_depth=1))
    (level2,) = mail.nested
    assert level2.nested == ()
    assert len(level2.attachments) == 1  # the level-3 message, as an .eml
    assert any("too deep" in note for note in level2.notes)


ATTACHMENTS = (
    b"From: a@b.be\nSubject: Files\nMIME-Version: 1.0\n"
    b'Content-Type: multipart/mixed; boundary="XX"\n\n'
    b"--XX\nContent-Type: text/plain; charset=utf-8\n\nSee the files.\n"
    b"--XX\nContent-Type: application/pdf\nContent-Disposition: attachment; "
    b"filename*=UTF-8''attest%20gezinssamenstelling%20%E2%82%AC.pdf\n"
    b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(b"%PDF-" + b"x" * 95) + b"--XX\n"
    b'Content-Type: application/octet-stream; name="=?utf-8?B?w6lsw6h2ZS5kb2N4?="\n'
    b"Content-Disposition: attachment\n\n" + b"y" * 50 + b"\n"
    b"--XX\nContent-Type: image/jpeg\n"
    b'Content-Disposition: attachment; filename="..\\\\..\\\\evil\\\\photo.jpg"\n\n'
    + b"z" * 30
    + b"\n--XX--\n"
)


def test_attachment_names_rfc2231_rfc2047_and_paths() -> None:
    mail = parse_mail(ATTACHMENTS)
    names = [a.filename for a in mail.attachments]
    assert names == ["attest gezinssamenstelling €.pdf", "élève.docx", "photo.jpg"]
    assert [a.size for a in mail.attachments] == [100, 50, 30]
    assert mail.text == "See the files."


def test_attachment_over_the_size_limit_is_cut_with_a_note() -> None:
    limits = ParseLimits(max_attachment_bytes=60, max_total_attachment_bytes=100)
    mail = parse_mail(ATTACHMENTS, limits=limits)
    pdf, docx, jpeg = mail.attachments
    assert (pdf.size, pdf.truncated, len(pdf.content)) == (60, True, 60)
    assert (docx.size, docx.truncated) == (40, True)  # what the total leaves
    assert (jpeg.size, jpeg.truncated, jpeg.content) == (0, True, b"")
    assert "attachment 'attest gezinssamenstelling €.pdf' cut at 60 bytes (was 100 bytes)" in (
        mail.notes
    )
    assert any("'photo.jpg'" in note and "in total" in note for note in mail.notes)
    assert sum(a.size for a in mail.attachments) <= limits.max_total_attachment_bytes


def test_text_and_html_limits_cut_with_notes() -> None:
    raw = b"From: a@b.be\nSubject: long\n\n" + b"word " * 100
    mail = parse_mail(raw, limits=ParseLimits(max_text_chars=50))
    assert len(mail.text) == 50
    assert any(note.startswith("text cut at 50 characters") for note in mail.notes)


def test_sanitised_html_stays_within_its_limit() -> None:
    # Unclosed tags: sanitising closes them all, so the output outgrows the cut input.
    raw = b"From: a@b.be\nContent-Type: text/html\n\n" + b"<div><p>hallo <b>x" * 200
    mail = parse_mail(raw, limits=ParseLimits(max_html_chars=1000))
    assert 0 < len(mail.html) <= 1000
    assert mail.html.endswith("</div>")
    assert any("sanitised, it grew over 1000" in note for note in mail.notes)


def test_pathological_headers_cost_only_that_header() -> None:
    raw = b"From: " + b"(" * 5000 + b"a@b.be\nSubject: still read\n\nbody\n"
    mail = parse_mail(raw)
    assert mail.subject == "still read" and mail.text == "body"
    assert mail.from_address is None
    assert any(note.startswith("From could not be read") for note in mail.notes)


def test_huge_header_block_keeps_the_fields_loket_reads() -> None:
    noise = b"".join(b"X-Spam-Noise-%d: %s\n" % (i, b"n" * 80) for i in range(100))
    raw = b"From: a@b.be\n" + noise + b"Subject: still here\n\nbody\n"
    mail = parse_mail(raw, limits=ParseLimits(max_header_chars=2000))
    assert mail.subject == "still here" and mail.from_address == "a@b.be"
    assert mail.text == "body"
    assert any("100 fields dropped" in note for note in mail.notes)


def test_too_many_parts_stops_reading_with_a_note() -> None:
    parts = b"".join(b"--p\nContent-Type: text/plain\n\npart %d\n" % i for i in range(20))
    raw = b'From: a@b.be\nContent-Type: multipart/mixed; boundary="p"\n\n' + parts + b"--p--\n"
    mail = parse_mail(raw, limits=ParseLimits(max_parts=5))
    assert mail.text.count("part") == 4  # the multipart itself is the first of the five
    assert any("more than 5 MIME parts" in note for note in mail.notes)


def test_unknown_and_mislabelled_charsets_fall_back_with_notes() -> None:
    unknown = b"From: a@b.be\nContent-Type: text/plain; charset=x-unknown\n\nJ\xe9r\xf4me\n"
    mail = parse_mail(unknown)
    assert mail.text == "Jérôme"
    assert "charset 'x-unknown' of text/plain unknown, decoded as cp1252" in mail.notes
    mislabelled = "From: a@b.be\nContent-Type: text/plain; charset=iso-8859-1\n\nJérôme\n"
    mail = parse_mail(mislabelled.encode())
    assert mail.text == "Jérôme"
    assert any("declared as 'iso-8859-1' but is UTF-8" in note for note in mail.notes)


@pytest.mark.parametrize("label", ["unicode_escape", "Unicode-Escape", "raw-unicode-escape"])
def test_a_codec_that_is_no_charset_never_rewrites_the_text(label: str) -> None:
    """Decoding with Python's escape codecs would turn a client's backslashes into other
    characters (a path C:\\new into a line break): such a label is treated as unknown."""
    raw = f"From: a@b.be\nContent-Type: text/plain; charset={label}\n\nMap C:\\new\\x41\n"
    mail = parse_mail(raw.encode())
    assert mail.text == "Map C:\\new\\x41"
    assert any(f"charset {label.lower()!r} of text/plain unknown" in note for note in mail.notes)


def test_missing_final_boundary_still_gives_the_text() -> None:
    raw = (
        b'From: a@b.be\nContent-Type: multipart/alternative; boundary="zz"\n\n'
        b"--zz\nContent-Type: text/plain\n\nThe text survives.\n"
    )
    mail = parse_mail(raw)
    assert mail.text == "The text survives."
    assert any("close boundary not found" in note for note in mail.notes)


def test_bounce_and_loop_headers() -> None:
    raw = (
        b"From: Mail Delivery Subsystem <mailer-daemon@example.com>\n"
        b"Return-Path: <>\nX-Loop: loket@example.be\nX-Loket-Loop: 7f3a\n"
        b"Subject: Undelivered Mail Returned to Sender\n\nThe mail could not be delivered.\n"
    )
    mail = parse_mail(raw)
    assert mail.is_bounce
    assert mail.loop_headers == ("loket@example.be", "7f3a")


def test_threading_headers_and_address_lists() -> None:
    raw = (
        b'From: "=?utf-8?Q?Peeters=2C_Els?=" <els@example.be>\n'
        b"To: A <a@example.be>, b@example.be, A <A@EXAMPLE.BE>\n"
        b"Cc: undisclosed-recipients:;\n"
        b"Reply-To: Team <team@example.be>\n"
        b"In-Reply-To: <reply.1@loket.example> (sent by loket)\n"
        b"References: <root@loket.example>\n <reply.1@loket.example>\n"
        b"Date: Wed, 20 Sep 1995 00:19:00 (EDT) -0400\n\nok\n"
    )
    mail = parse_mail(raw)
    assert mail.from_name == "Peeters, Els" and mail.from_address == "els@example.be"
    assert mail.to == ("a@example.be", "b@example.be")
    assert mail.cc == ()
    assert mail.reply_to == ("team@example.be",)
    assert mail.in_reply_to == "reply.1@loket.example"
    assert mail.references == ("root@loket.example", "reply.1@loket.example")
    assert mail.date is not None and mail.date.utcoffset() == timedelta(hours=-4)


def test_uuencoded_file_in_the_text_becomes_an_attachment() -> None:
    encoded = b"begin 644 hello.txt\n&:&5L;&\\*\n`\nend\n"
    raw = b"From: a@b.be\nSubject: uu\n\nSee the file:\n" + encoded + b"Bye\n"
    mail = parse_mail(raw)
    (file,) = mail.attachments
    assert (file.filename, file.content) == ("hello.txt", b"hello\n")
    assert "begin 644" not in mail.text and "Bye" in mail.text


def test_broken_transfer_encodings_keep_the_content() -> None:
    raw = (
        b'From: a@b.be\nContent-Type: multipart/mixed; boundary="q"\n\n'
        b"--q\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n"
        b"This is plain text, not base64 at all!\n"
        b"--q\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bits\n\nSecond part\n"
        b"--q--\n"
    )
    mail = parse_mail(raw)
    assert "This is plain text, not base64 at all!" in mail.text
    assert "Second part" in mail.text
    assert "part declared base64 but is not; kept as is" in mail.notes
    assert any("unknown Content-Transfer-Encoding '8bits'" in note for note in mail.notes)


def test_header_repairs_obsolete_syntax_and_lost_indent() -> None:
    raw = (
        b"Received: from a by b\n"
        b"with SMTP; Wed, 19 Nov 2014 08:46:08 -0000\n"
        b"From  : Jan <jan@example.be>\n"
        b"Subject: after the broken line\n\nbody\n"
    )
    mail = parse_mail(raw)
    assert mail.from_address == "jan@example.be"
    assert mail.subject == "after the broken line"
    assert mail.text == "body"


def test_nul_and_control_characters_never_reach_the_database() -> None:
    raw = b"From: a@b.be\nSubject: a\x00b\n\ntext\x00with\x07nul\n"
    mail = parse_mail(raw)
    assert "\x00" not in mail.subject and "\x00" not in mail.text
    assert mail.text == "textwithnul"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \r\n\r\n  ",
        b"\x00\x01\x02\x03binary\xff\xfe\x00",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"Hello, this is just a sentence, not a mail.\n",
        b"X-Header: value\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\n\nbody",
    ],
)
def test_what_is_no_mail_raises_mail_parse_error(raw: bytes) -> None:
    with pytest.raises(MailParseError):
        parse_mail(raw)


def test_a_str_is_refused_with_mail_parse_error_too() -> None:
    with pytest.raises(MailParseError):
        parse_mail("From: a@b.be\n\nbody")  # type: ignore[arg-type]


def _check(raw: bytes) -> None:
    try:
        mail = parse_mail(raw, limits=ParseLimits(max_parts=50, max_attachment_bytes=5000))
    except MailParseError:
        return
    assert isinstance(mail, ParsedMail)
    for text in (mail.subject, mail.text, mail.html, mail.from_name, *mail.notes):
        assert isinstance(text, str)
        text.encode("utf-8")  # no lone surrogates
        assert "\x00" not in text
    for attachment in mail.attachments:
        assert attachment.size == len(attachment.content)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_raise_nothing_but_mail_parse_error(raw: bytes) -> None:
    _check(raw)


_HEADER_LINES = st.sampled_from(
    [
        b"From: a@b.be",
        b"From: =?utf-8?B?w6k=?= <x@y>",
        b"From: MAILER-DAEMON",
        b"Subject: =?iso-2022-jp?B?GyRCJygnJS1iGyhC?=",
        b"Subject: =?x-bogus?Q?a=FF?=",
        b"Date: Mon, 32 Foo 99999 25:61:61 +9999",
        b"Content-Type: multipart/mixed; boundary=b",
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=b",
        b"Content-Type: message/rfc822",
        b"Content-Type: text/html; charset=utf-16",
        b"Content-Type: text/plain; charset=unicode_escape",
        b"Content-Transfer-Encoding: base64",
        b"Content-Transfer-Encoding: quoted-printable",
        b"Content-Transfer-Encoding: x-uuencode",
        b"Content-Disposition: attachment; filename*=bogus''%FF%FE",
        b"--b",
        b"--b--",
        b"begin 644 f.bin",
        b"",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_HEADER_LINES, st.binary(max_size=40)), min_size=1, max_size=40))
def test_mail_shaped_fuzz_raises_nothing_but_mail_parse_error(lines: list[bytes]) -> None:
    _check(b"From: fuzz@example.be\n" + b"\n".join(lines))
