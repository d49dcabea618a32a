"""Fixtures for the desk's tests: a case in each state people meet, files kept in a
temporary folder, and the files a client sends (by e-mail, with the portal's form)."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pytest_django.fixtures import Settings

from loket.accounts.models import Team, User
from loket.cases.models import Case, Client, Message
from loket.cases.services import case_forward, case_register
from loket.desk.services import reply_send
from loket.mail.models import InboundMail
from loket.mail.services import inbound_process, inbound_store
from loket.mail.tests.messages import question as mail_question
from loket.portal.models import Attachment as PortalFile

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
SIGNATURE = ("handtekening.png", "image/png", PNG)
HTML = '<p>Hierbij de <b>documenten</b>.</p><img src="cid:handtekening.png" alt="">'


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT  # type: ignore[no-any-return]


def register(client: Client, **values: Any) -> Case:
    values = {
        "channel": "email",
        "subject": "Berekening leefloon",
        "body": "Hoe berekenen we het leefloon voor een samenwonende?",
        "sender": "info@ocmw-gent.example.be",
        **values,
    }
    return case_register(actor=None, client=client, **values)


def lost_mail(subject: str = "Verloren bijlage") -> tuple[InboundMail, bytes]:
    """A mail whose raw bytes were not readable when it was processed (a storage outage)."""
    raw = mail_question(subject=subject, sender="client@example.be")
    inbound, _ = inbound_store(raw=raw, source="imap", process=False)
    default_storage.delete(inbound.raw_name)
    processed = inbound_process(inbound_id=inbound.pk)
    assert processed is not None and processed.state == InboundMail.State.QUARANTINED
    return processed, raw


@pytest.fixture
def question(client_record: Client) -> Case:
    """An e-mail question nobody has taken yet."""
    return register(client_record)


@pytest.fixture
def forwarded(client_record: Client, agent: User, back_office: Team) -> Case:
    """A question the front office forwarded to the expert's team."""
    case = register(client_record, subject="Terugbetaling wet 1965", body="Wie betaalt terug?")
    return case_forward(actor=agent, case=case, team=back_office, note="Graag advies")


@pytest.fixture
def complaint(client_record: Client, coordinator: User) -> Case:
    """A complaint: the coordinator's, hidden from agents who don't own it."""
    return register(client_record, subject="Klacht wachttijd", kind="complaint", owner=coordinator)


def client_mail(case: Case, *, files: list[tuple[str, str, bytes]], html: str = "") -> Message:
    """The client's e-mail about `case` (its registration number in the subject threads it),
    stored and processed as the mailbox would; its message in the case. `files` as (name,
    content type, bytes); an image named with a `cid:` in `html` travels inline."""
    raw = EmailMessage()
    raw["From"] = "OCMW Gent <info@ocmw-gent.example.be>"
    raw["To"] = "vraag@loket.localhost"
    raw["Subject"] = f"Re: {case.reference} {case.subject}"
    raw["Message-ID"] = make_msgid(domain="ocmw-gent.example.be")
    raw.set_content("Hierbij de gevraagde documenten.")
    if html:
        raw.add_alternative(html, subtype="html")
    for name, content_type, content in files:
        main, _, sub = content_type.partition("/")
        if html and f"cid:{name}" in html:
            body = raw.get_body(("html",))
            assert body is not None
            inline = {"cid": f"<{name}>", "filename": name, "disposition": "inline"}
            body.add_related(content, maintype=main, subtype=sub, **inline)  # type: ignore[attr-defined]
        else:
            raw.add_attachment(content, maintype=main, subtype=sub, filename=name)
    stored, _ = inbound_store(raw=raw.as_bytes(), source="imap", process=False)
    processed = inbound_process(inbound_id=stored.pk)
    assert processed is not None and processed.case_id == case.pk, "threaded to the case"
    assert processed.case_message is not None
    return processed.case_message


def portal_file(message: Message, name: str, content: bytes, content_type: str) -> PortalFile:
    """A file the client sent with the portal's question form, linked to the case's message
    (as the portal does once the case is registered), kept through the storage API."""
    return PortalFile.objects.create(
        message=message,
        file=ContentFile(content, name=name),
        name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_at=timezone.now(),
    )


@pytest.fixture
def case_with_files(client_record: Client, agent: User) -> Case:
    """A question sent with the portal's form with a payslip, the client's e-mail after it
    with a certificate and an inline signature, and the agent's answer with a table."""
    case = register(client_record, channel="web", subject="Leefloon student", sender="")
    question = case.messages.get(direction=Message.Direction.INBOUND)
    portal_file(question, "loonfiche.pdf", b"%PDF loonfiche", "application/pdf")
    client_mail(
        case,
        html=HTML,
        files=[("attest.pdf", "application/pdf", b"%PDF attest"), SIGNATURE],
    )
    reply_send(
        actor=agent,
        case=case,
        body="Zie de tabel in bijlage.",
        channel="email",
        files=[SimpleUploadedFile("tabel.csv", b"a;b\n1;2\n", "text/csv")],
    )
    return case
