"""Delivery reports attach to the case of the mail that bounced and say it was not
delivered; attachments and inline images are kept, content-addressed, with the message;
HTML is shown sanitised."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from loket.accounts.models import Notification, User
from loket.cases.models import Case, Event
from loket.cases.services import case_answer, case_assign
from loket.mail import storage
from loket.mail.models import InboundAttachment, InboundMail, OutboundMail
from loket.mail.selectors import message_attachments, message_html
from loket.mail.services import inbound_process, inbound_store

from .messages import bounce, question

pytestmark = pytest.mark.django_db


def receive(raw: bytes) -> InboundMail:
    inbound, _ = inbound_store(raw=raw, source="imap", process=False)
    processed = inbound_process(inbound_id=inbound.pk)
    assert processed is not None
    return processed


def test_a_bounced_answer_is_marked_undelivered_and_its_owner_told(agent: User) -> None:
    case = receive(question()).case
    assert case is not None
    case_assign(actor=agent, case=case, owner=agent)
    answer = case_answer(actor=agent, case=case, body="Voici la réponse.")
    sent = OutboundMail.objects.get(kind="answer")
    sent_headers = f"Message-ID: {answer.message_id}\r\nTo: marie.dubois@example.be\r\n\r\n"
    report = receive(bounce(original=sent_headers.encode(), recipient="marie.dubois@example.be"))

    assert report.outcome == InboundMail.Outcome.THREADED and report.case == case
    sent.refresh_from_db()
    assert sent.delivery_failed_at is not None
    assert "Status: 5.1.1" in sent.delivery_error
    assert "User unknown" in sent.delivery_error
    event = Event.objects.get(case=case, kind=Event.Kind.CASE_DELIVERY_FAILED)
    assert event.data["outbound"] == sent.pk and event.data["kind"] == "answer"
    (notice,) = Notification.objects.filter(user=agent, kind="case.delivery-failed")
    assert case.reference in notice.text
    case.refresh_from_db()
    assert case.status == Case.Status.ANSWERED, "a bounce does not reopen the case"
    assert OutboundMail.objects.filter(kind__in=["acknowledgement", "reopen-notice"]).count() == 1


def test_a_bounced_acknowledgement_is_found_through_the_returned_headers() -> None:
    first = receive(question())
    ack = first.acknowledgement
    assert ack is not None
    original = f"Message-ID: {ack.message_id}\r\nSubject: {ack.subject}\r\n\r\n".encode()
    report = receive(bounce(original=original, recipient="marie.dubois@example.be"))
    assert report.case == first.case
    ack.refresh_from_db()
    assert ack.delivery_failed_at is not None


def test_a_delay_report_is_kept_but_marks_nothing_failed() -> None:
    first = receive(question())
    ack = first.acknowledgement
    assert ack is not None
    original = f"Message-ID: {ack.message_id}\r\n\r\n".encode()
    report = receive(bounce(original=original, recipient="x@example.be", action="delayed",
                            status="4.4.1"))  # fmt: skip
    assert report.case == first.case
    ack.refresh_from_db()
    assert ack.delivery_failed_at is None
    assert not Event.objects.filter(kind=Event.Kind.CASE_DELIVERY_FAILED).exists()


def test_a_report_about_mail_loket_never_sent_is_registered_unacknowledged() -> None:
    report = receive(bounce(original=b"Message-ID: <elsewhere@example.org>\r\n\r\n",
                            recipient="someone@example.org"))  # fmt: skip
    assert report.outcome == InboundMail.Outcome.NEW_CASE
    assert report.acknowledgement is None and "delivery report" in report.reason


PNG = b"\x89PNG\r\n\x1a\n" + bytes(100)


def test_attachments_are_stored_content_addressed_and_linked_to_the_message() -> None:
    pdf = b"%PDF-1.4 attest gezinssamenstelling"
    inbound = receive(question(attachments=[("attest.pdf", "application/pdf", pdf),
                                            ("Ménage 2026.png", "image/png", PNG)]))  # fmt: skip
    files = message_attachments(inbound.case_message)  # type: ignore[arg-type]
    assert [(f.filename, f.content_type, f.size) for f in files] == [
        ("attest.pdf", "application/pdf", len(pdf)),
        ("Ménage 2026.png", "image/png", len(PNG)),
    ]
    sha256 = hashlib.sha256(pdf).hexdigest()
    assert files[0].sha256 == sha256
    assert files[0].storage_name == f"mail/files/{sha256[:2]}/{sha256[2:4]}/{sha256}"
    assert storage.read(files[0].storage_name) == pdf
    # The same file in another mail is stored once.
    again = receive(question(subject="Encore", attachments=[("copy.pdf", "application/pdf", pdf)]))
    (copy,) = InboundAttachment.objects.filter(inbound=again)
    assert copy.storage_name == files[0].storage_name


def test_html_is_sanitised_and_inline_images_come_from_their_attachment() -> None:
    html = (
        '<p onclick="steal()">Bonjour <b>madame</b></p><script>alert(1)</script>'
        '<img src="cid:logo@example.be" alt="logo"><img src="https://tracker.example/p.gif">'
    )
    raw = question(html=html)
    # Put the logo in as an inline part of the HTML (multipart/related).
    from email import message_from_bytes, policy

    message = message_from_bytes(raw, policy=policy.default)
    html_part = message.get_body(("html",))
    assert html_part is not None
    html_part.add_related(PNG, maintype="image", subtype="png", cid="<logo@example.be>")  # type: ignore[attr-defined]
    inbound = receive(message.as_bytes())
    assert "<script" not in inbound.html and "onclick" not in inbound.html
    assert 'data-blocked-src="https://tracker.example/p.gif"' in inbound.html
    files = message_attachments(inbound.case_message)  # type: ignore[arg-type]
    (logo,) = [f for f in files if f.content_id]
    assert logo.inline and logo.content_id == "logo@example.be"
    shown = message_html(inbound, files)
    assert f'src="{reverse("mail:inline", args=[inbound.pk, "logo@example.be"])}"' in shown
    assert ' src="https://' not in shown, "remote images are not loaded by default"


def test_an_rfc2231_file_name_is_read() -> None:
    raw = (
        b"From: jean@example.be\r\nTo: vraag@loket.localhost\r\nSubject: Bijlage\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
        b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nZie bijlage.\r\n"
        b"--XX\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename*=iso-8859-1''Attest%20r%E9sidence.pdf\r\n"
        b"\r\n%PDF\r\n--XX--\r\n"
    )
    inbound = receive(raw)
    (attachment,) = InboundAttachment.objects.filter(inbound=inbound)
    assert attachment.filename == "Attest résidence.pdf"
