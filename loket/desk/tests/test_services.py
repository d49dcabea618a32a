"""The desk's services: a reply with attachments that reach the client's mailbox, a question
taken in at the desk, the default queue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from loket.accounts.models import Team, User
from loket.cases.models import Case, Channel, Client, Event, Message
from loket.desk import services
from loket.desk.models import Attachment, QueueDefault
from loket.desk.services import NewClient, desk_case_register, queue_default_save, reply_send
from loket.mail.models import OutboundMail

pytestmark = pytest.mark.django_db


def files_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def test_a_reply_carries_its_files_to_the_client(
    question: Case, agent: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    pdf = SimpleUploadedFile("Tabel leefloon 2026.pdf", b"%PDF-1.4 tabel", "application/pdf")
    csv = SimpleUploadedFile("bedragen.csv", b"categorie;bedrag\n1;1000\n", "text/csv")

    with django_capture_on_commit_callbacks(execute=True):
        message = reply_send(
            actor=agent, case=question, body="Zie de tabel in bijlage.", files=[pdf, csv]
        )

    stored = list(message.attachments.order_by("pk"))
    assert [(a.filename, a.content_type, a.size) for a in stored] == [
        ("Tabel_leefloon_2026.pdf", "application/pdf", 14),
        ("bedragen.csv", "text/csv", 24),
    ]
    assert all(a.uploaded_by == agent for a in stored)
    assert stored[0].file.read() == b"%PDF-1.4 tabel"
    assert len(files_in(media)) == 2
    (sent,) = mail.outbox
    assert sent.to == ["info@ocmw-gent.example.be"]
    assert sent.body.startswith("Zie de tabel in bijlage.")
    assert [(name, content, kind) for name, content, kind in sent.attachments] == [
        ("Tabel_leefloon_2026.pdf", b"%PDF-1.4 tabel", "application/pdf"),
        ("bedragen.csv", "categorie;bedrag\n1;1000\n", "text/csv"),
    ]
    outbound = OutboundMail.objects.get(case_message=message)
    assert outbound.status == OutboundMail.Status.SENT
    question.refresh_from_db()
    assert question.status == Case.Status.ANSWERED
    assert Event.objects.filter(case=question, kind=Event.Kind.CASE_ANSWERED).count() == 1


def test_a_refused_reply_keeps_no_file_and_sends_nothing(
    question: Case, agent: User, media: Path
) -> None:
    Case.objects.filter(pk=question.pk).update(status=Case.Status.CLOSED)
    upload = SimpleUploadedFile("brief.pdf", b"%PDF", "application/pdf")
    with pytest.raises(ValidationError):
        reply_send(actor=agent, case=question, body="Antwoord", files=[upload])
    assert not Attachment.objects.exists()
    assert files_in(media) == []
    assert mail.outbox == []


def test_too_many_or_too_large_files_are_refused_before_anything_happens(
    question: Case, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 10)
    big = SimpleUploadedFile("groot.pdf", b"x" * 11, "application/pdf")
    with pytest.raises(ValidationError, match=r"groot\.pdf is larger than"):
        reply_send(actor=agent, case=question, body="Antwoord", files=[big])
    many = [SimpleUploadedFile(f"{n}.txt", b"x", "text/plain") for n in range(11)]
    with pytest.raises(ValidationError, match="At most 10 files"):
        reply_send(actor=agent, case=question, body="Antwoord", files=many)
    question.refresh_from_db()
    assert question.status == Case.Status.REGISTERED
    assert not Message.objects.filter(case=question, direction="out").exists()


def test_a_mail_whose_file_is_gone_fails_and_says_why(
    question: Case, agent: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from loket.mail.tasks import mail_deliver

    upload = SimpleUploadedFile("brief.pdf", b"%PDF", "application/pdf")
    message = reply_send(actor=agent, case=question, body="Antwoord", files=[upload])
    outbound = OutboundMail.objects.get(case_message=message)
    for path in files_in(media):
        path.unlink()
    with django_capture_on_commit_callbacks(execute=False):  # the retry is not run here
        assert mail_deliver.call(outbound.pk) == "failed"
    outbound.refresh_from_db()
    assert outbound.status == OutboundMail.Status.FAILED
    assert "FileNotFoundError" in outbound.last_error
    assert mail.outbox == []


def test_a_phone_question_answered_during_the_call(
    agent: User, front_office: Team, client_record: Client
) -> None:
    case = desk_case_register(
        actor=agent,
        channel=Channel.PHONE,
        client=client_record,
        subject="Bedrag leefloon alleenstaande",
        body="Wat is het bedrag voor een alleenstaande?",
        answer="Het bedrag staat op onze website; uitgelegd aan de telefoon.",
    )
    assert (case.status, case.owner, case.team) == (Case.Status.CLOSED, agent, front_office)
    assert case.answered_by_front_office is True
    messages = list(case.messages.order_by("pk").values_list("direction", "channel"))
    assert messages == [("in", "phone"), ("out", "phone")]
    kinds = list(case.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["case.registered", "case.answered", "case.closed"]
    assert mail.outbox == []  # nothing to send: the client heard it


def test_a_letter_with_its_scan_counts_from_the_day_it_arrived(
    agent: User, client_record: Client, media: Path
) -> None:
    arrived = timezone.now() - dt.timedelta(days=3)
    scan = SimpleUploadedFile("brief.pdf", b"%PDF scan", "application/pdf")
    case = desk_case_register(
        actor=agent,
        channel=Channel.POST,
        client=client_record,
        subject="Brief over terugbetaling",
        body="Het OCMW vraagt de terugbetaling van de kosten van maart.",
        received_at=arrived,
        take=False,
        scan=scan,
    )
    assert case.received_at == arrived
    assert case.owner is None and case.status == Case.Status.REGISTERED
    assert case.due_at is not None and case.due_at < timezone.now() + dt.timedelta(days=2)
    question = case.messages.get()
    assert question.attachments.get().file.read() == b"%PDF scan"


def test_a_new_caller_becomes_a_client(agent: User) -> None:
    case = desk_case_register(
        actor=agent,
        channel=Channel.PHONE,
        new_client=NewClient(
            name="Sarah Janssens", language="nl", phone="0470 12 34 56", email="Sarah@Example.be"
        ),
        subject="Recht op leefloon",
        body="Heb ik recht op een leefloon als student?",
    )
    client = case.client
    assert (client.name, client.language) == ("Sarah Janssens", "nl")
    assert list(client.phones.values_list("number", flat=True)) == ["+32470123456"]
    assert list(client.emails.values_list("address", flat=True)) == ["sarah@example.be"]
    assert Event.objects.filter(client=client, kind=Event.Kind.CLIENT_CREATED).exists()


def test_registration_refusals_leave_nothing_behind(
    agent: User, client_record: Client, media: Path
) -> None:
    with pytest.raises(ValidationError, match="known client or enter a new one"):
        desk_case_register(actor=agent, channel="phone", subject="Vraag", body="Vraag")
    with pytest.raises(ValidationError, match="answered on the spot"):
        desk_case_register(
            actor=agent,
            channel="post",
            client=client_record,
            subject="Brief",
            body="Brief",
            answer="Antwoord",
        )
    scan = SimpleUploadedFile("brief.pdf", b"%PDF", "application/pdf")
    with pytest.raises(ValidationError):  # a bad phone number for the new client
        desk_case_register(
            actor=agent,
            channel="fax",
            new_client=NewClient(name="Jan", language="nl", phone="12"),
            subject="Fax",
            body="Fax",
            scan=scan,
        )
    assert not Case.objects.exists()
    assert Client.objects.filter(name="Jan").count() == 0
    assert files_in(media) == []


def test_the_default_queue_is_remembered_and_replaced(agent: User) -> None:
    queue_default_save(actor=agent, queue="team", filters={"channel": "phone"})
    queue_default_save(actor=agent, queue="overdue", filters={"sort": "-due"})
    saved = QueueDefault.objects.get(user=agent)
    assert (saved.queue, saved.filters) == ("overdue", {"sort": "-due"})
