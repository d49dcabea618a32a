"""The whole channel against real servers on loopback: Dovecot (IMAP) delivers, loket polls,
registers and acknowledges over SMTP (aiosmtpd); the desk's answer goes out threaded; the
client's reply comes back and reopens the case; a bounce says the answer never arrived."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from loket.accounts.models import User
from loket.cases.models import Case
from loket.cases.services import case_answer, case_assign
from loket.mail.imap import mailbox_poll
from loket.mail.models import InboundMail, MailBox, OutboundMail
from loket.mail.services import mailbox_poll_claim

from .conftest import CuttingProxy, Dovecot, SmtpServer
from .messages import bounce, question, reply

pytestmark = pytest.mark.django_db


def mailbox_for(server: Dovecot, **fields: Any) -> MailBox:
    values: dict[str, Any] = {
        "name": "vraag",
        "host": server.host,
        "port": server.port,
        "use_tls": False,
        "username": server.user,
        "password": server.password,
    }
    values.update(fields)
    return MailBox.objects.create(**values)


def parsed(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def test_a_poll_stores_registers_and_moves_every_message(
    dovecot: Dovecot, django_capture_on_commit_callbacks: Any
) -> None:
    dovecot.deliver(*(question(subject=f"Vraag {n}", sender=f"c{n}@example.be") for n in range(3)))
    mailbox = mailbox_for(dovecot)
    with django_capture_on_commit_callbacks(execute=True):
        result = mailbox_poll(mailbox)
    assert (result.fetched, result.stored, result.error) == (3, 3, "")
    assert Case.objects.count() == 3
    assert set(InboundMail.objects.values_list("state", flat=True)) == {"processed"}
    assert set(InboundMail.objects.values_list("source", flat=True)) == {"imap"}
    assert dovecot.messages("INBOX") == []
    assert len(dovecot.messages("loket")) == 3, "moved, never deleted"
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None and mailbox.last_error == ""
    assert mailbox_poll(mailbox).fetched == 0


def test_a_poll_of_more_than_a_batch_stores_and_registers_every_message(
    dovecot: Dovecot, django_capture_on_commit_callbacks: Any
) -> None:
    from loket.cases.references import parse_reference
    from loket.mail.services import BATCH

    count = BATCH + 7
    dovecot.deliver(*(question(subject=f"Vraag {n}", sender=f"c{n}@example.be")
                      for n in range(count)))  # fmt: skip
    mailbox = mailbox_for(dovecot)
    with django_capture_on_commit_callbacks(execute=True):
        result = mailbox_poll(mailbox)
    assert (result.fetched, result.stored, result.duplicates, result.error) == (count, count, 0, "")
    assert set(InboundMail.objects.values_list("state", flat=True)) == {"processed"}
    cases = Case.objects.order_by("pk")
    assert [c.subject for c in cases] == [f"Vraag {n}" for n in range(count)]
    assert [parse_reference(c.reference).sequence for c in cases] == list(range(1, count + 1))
    assert dovecot.messages("INBOX") == []
    assert len(dovecot.messages("loket")) == count


def test_mark_seen_leaves_the_messages_read_in_place(dovecot: Dovecot) -> None:
    dovecot.deliver(question(subject="Gelezen"))
    mailbox = mailbox_for(dovecot, after_store=MailBox.AfterStore.MARK_SEEN)
    assert mailbox_poll(mailbox).stored == 1
    ((_, flags),) = dovecot.messages("INBOX")
    assert "\\Seen" in flags
    assert mailbox_poll(mailbox).fetched == 0


def test_a_dropped_connection_loses_nothing_and_duplicates_nothing(dovecot: Dovecot) -> None:
    big = bytes(range(256)) * 200  # each message ~70 kB: the cut lands inside the second
    raws = [
        question(subject=f"Bijlage {n}", sender=f"c{n}@example.be",
                 attachments=[(f"{n}.bin", "application/octet-stream", big)])
        for n in range(3)
    ]  # fmt: skip
    dovecot.deliver(*raws)
    proxy = CuttingProxy(dovecot.port, budget=len(raws[0]) + 30_000)
    try:
        cut = mailbox_for(dovecot, port=proxy.port)
        result = mailbox_poll(cut)
    finally:
        proxy.close()
    assert proxy.cut.is_set()
    assert result.error and result.stored == 1
    cut.refresh_from_db()
    assert cut.last_error and cut.last_error_at is not None
    assert cut.poll_lease_until is None, "the next poll is not locked out"

    cut.port = dovecot.port
    cut.save()
    again = mailbox_poll(cut)
    assert again.error == ""
    # The first message may still be in the folder (stored, not yet moved): a duplicate.
    assert again.stored == 2 and again.fetched in (2, 3)
    assert InboundMail.objects.count() == 3
    # Exactly the bytes of each message (the IMAP append sent them with CRLF line ends).
    as_sent = sorted(len(raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")) for raw in raws)
    assert sorted(InboundMail.objects.values_list("size", flat=True)) == as_sent
    assert dovecot.messages("INBOX") == []


def test_a_password_file_and_a_refused_login(dovecot: Dovecot, tmp_path: Path) -> None:
    secret = tmp_path / "imap-password"
    secret.write_text(dovecot.password + "\n")
    dovecot.deliver(question())
    by_file = mailbox_for(dovecot, password="", password_file=str(secret))
    assert mailbox_poll(by_file).stored == 1
    wrong = mailbox_for(dovecot, name="wrong", password="not-it")
    result = mailbox_poll(wrong)
    assert result.fetched == 0 and "AUTHENTICATIONFAILED" in result.error.upper()
    wrong.refresh_from_db()
    assert "authentication" in wrong.last_error.lower()


def test_one_poll_at_a_time_per_mailbox(dovecot: Dovecot) -> None:
    mailbox = mailbox_for(dovecot)
    assert mailbox_poll_claim(mailbox=mailbox)
    assert mailbox_poll(mailbox).error == "another worker is polling this mailbox"


def test_poll_acknowledge_answer_reply_and_bounce_end_to_end(
    dovecot: Dovecot,
    smtp_server: SmtpServer,
    agent: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailbox = mailbox_for(dovecot)
    dovecot.deliver(question(message_id="<vraag-1@mail.example.be>"))
    with override_settings(MAILERS=smtp_server.mailers):
        with django_capture_on_commit_callbacks(execute=True):
            mailbox_poll(mailbox)
        case = Case.objects.get()
        # The acknowledgement went out over SMTP at once, with the number and the term.
        (ack,) = smtp_server.received
        sent = parsed(ack.content)
        assert ack.rcpt_tos == ["marie.dubois@example.be"]
        assert case.reference in str(sent["Subject"])
        assert sent["In-Reply-To"] == "<vraag-1@mail.example.be>"
        assert sent["Auto-Submitted"] == "auto-generated"
        assert sent["X-Loket-Loop"] == "loket.localhost"
        assert OutboundMail.objects.get(kind="acknowledgement").status == "sent"

        # The desk answers: recorded as the case's answer, sent threaded over SMTP.
        case_assign(actor=agent, case=case, owner=agent)
        with django_capture_on_commit_callbacks(execute=True):
            answer = case_answer(actor=agent, case=case, body="Voici la réponse.")
        answered = parsed(smtp_server.received[1].content)
        assert str(answered["Message-ID"]).strip() == answer.message_id
        assert answered["In-Reply-To"] == "<vraag-1@mail.example.be>"
        assert "<vraag-1@mail.example.be>" in answered["References"]
        assert case.reference in str(answered["Subject"])
        assert "Voici la réponse." in answered.get_body(("plain",)).get_content()  # type: ignore[union-attr]

        # The client replies to the answer: threaded, the case reopens, a notice goes out.
        dovecot.deliver(reply(in_reply_to=answer.message_id, subject=f"Re: {answered['Subject']}"))
        with django_capture_on_commit_callbacks(execute=True):
            mailbox_poll(mailbox)
        case.refresh_from_db()
        assert case.status == Case.Status.REOPENED
        assert case.messages.filter(direction="in").count() == 2
        notice = parsed(smtp_server.received[2].content)
        assert case.reference in str(notice["Subject"])

        # The answer bounced after all: the outbox says so, the case keeps the report.
        dovecot.deliver(bounce(original=smtp_server.received[1].content,
                               recipient="marie.dubois@example.be"))  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            mailbox_poll(mailbox)
    failed = OutboundMail.objects.get(kind="answer")
    assert failed.status == "sent" and failed.delivery_failed_at is not None
    assert InboundMail.objects.filter(case=case).count() == 3
    assert len(smtp_server.received) == 3, "nothing answers a bounce"


def test_sending_retries_when_the_smtp_server_is_down(
    smtp_server: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    from loket.mail.services import inbound_process, inbound_store

    down = {**smtp_server.mailers}
    down["default"] = {**down["default"], "OPTIONS": {"host": "127.0.0.1", "port": 1}}
    inbound, _ = inbound_store(raw=question(), source="imap", process=False)
    with (
        override_settings(MAILERS=down),
        django_capture_on_commit_callbacks(execute=False) as queued,
    ):
        inbound_process(inbound_id=inbound.pk)
    ack = OutboundMail.objects.get(kind="acknowledgement")
    from loket.mail.tasks import mail_deliver

    with override_settings(MAILERS=down):
        assert mail_deliver.call(ack.pk) == "failed"
    ack.refresh_from_db()
    assert ack.status == "failed" and ack.attempts == 1 and "Connection refused" in ack.last_error
    with override_settings(MAILERS=smtp_server.mailers):
        assert mail_deliver.call(ack.pk) == "sent"
    assert len(smtp_server.received) == 1 and queued


def test_the_periodic_task_polls_every_active_mailbox(
    dovecot: Dovecot, django_capture_on_commit_callbacks: Any
) -> None:
    from django.conf import settings
    from django.utils.module_loading import import_string

    from loket.mail.tasks import mail_poll_task

    path, _every = settings.LOKET_PERIODIC_TASKS["mail-poll"]
    assert import_string(path) is mail_poll_task  # the scheduler enqueues it
    mailbox_for(dovecot)
    mailbox_for(dovecot, name="paused", active=False)
    dovecot.deliver(question(subject="Periodiek"))
    with django_capture_on_commit_callbacks(execute=True):
        report = mail_poll_task.call()
    assert report == {"stored": 1, "requeued": 0, "resent": 0}
    assert Case.objects.get().subject == "Periodiek"
