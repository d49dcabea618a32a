"""What an inbound mail becomes (charter rules 1, 2, 4, 8): a registered case with its
acknowledgement, a message threaded to its case (reopening it when it was answered), or no
acknowledgement at all when a robot wrote it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from loket.accounts.models import Notification, User
from loket.cases.models import Case, Client, Event, Message
from loket.cases.services import case_answer, case_assign, case_close
from loket.mail.models import InboundMail, MailBox, OutboundMail
from loket.mail.services import inbound_process, inbound_store

from .messages import DUTCH, question, reply

BRUSSELS = ZoneInfo("Europe/Brussels")
TUESDAY = dt.datetime(2026, 3, 3, 10, 0, tzinfo=BRUSSELS)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(TUESDAY, tick=False) as traveller:
        yield traveller


def receive(raw: bytes, **store: object) -> InboundMail:
    """A mail arrives over IMAP, is stored, then processed (the task's work)."""
    store.setdefault("source", InboundMail.Source.IMAP)
    inbound, created = inbound_store(raw=raw, process=False, **store)  # type: ignore[arg-type]
    assert created
    processed = inbound_process(inbound_id=inbound.pk)
    assert processed is not None
    return processed


def acknowledgements() -> list[OutboundMail]:
    return list(OutboundMail.objects.filter(kind="acknowledgement").order_by("pk"))


def test_a_question_is_registered_and_acknowledged_in_the_clients_language() -> None:
    inbound = receive(question(message_id="<q1@mail.example.be>"))
    assert inbound.state == InboundMail.State.PROCESSED
    assert inbound.outcome == InboundMail.Outcome.NEW_CASE
    case = inbound.case
    assert case is not None
    assert case.kind == Case.Kind.QUESTION and case.channel == "email"
    assert case.subject == "Question sur le revenu d'intégration"
    assert case.language == "fr"
    assert case.received_at == TUESDAY
    assert case.due_at == dt.datetime(2026, 3, 5, 23, 59, 59, tzinfo=BRUSSELS)  # 2 working days
    client = case.client
    assert client.name == "Marie Dubois" and client.language == "fr"
    assert list(client.emails.values_list("address", flat=True)) == ["marie.dubois@example.be"]
    message = inbound.case_message
    assert message is not None and message.case == case
    assert message.message_id == "<q1@mail.example.be>"
    assert message.sender == "Marie Dubois <marie.dubois@example.be>"
    assert "revenu d'intégration" in message.body

    (ack,) = acknowledgements()
    assert inbound.acknowledgement == ack and inbound.acknowledged_at == TUESDAY
    assert ack.to == ["marie.dubois@example.be"]
    assert ack.language == "fr"
    assert case.reference in ack.subject
    assert f"Votre question est enregistrée sous le numéro {case.reference}" in ack.subject
    assert "Nous avons reçu votre question le" in ack.text  # written in French
    assert case.reference in ack.text and "5 mars 2026" in ack.text
    assert "/fr/" in ack.text  # how to follow the case, in French
    assert ack.headers["In-Reply-To"] == "<q1@mail.example.be>"
    assert ack.headers["Auto-Submitted"] == "auto-generated"
    assert ack.message_id.startswith("<") and ack.message_id.endswith("@loket.localhost>")


def test_a_known_client_is_found_by_the_normalised_address(client_record: Client) -> None:
    inbound = receive(question(sender="OCMW Gent <INFO@ocmw-gent.Example.BE>", body=DUTCH,
                               subject="Vraag over het leefloon"))  # fmt: skip
    assert inbound.case is not None
    assert inbound.case.client == client_record
    assert inbound.case.language == "nl"
    assert Client.objects.count() == 1


def test_a_complaint_mailbox_opens_complaints_with_their_own_term() -> None:
    klacht = MailBox.objects.create(name="klacht", host="imap.example.be", username="klacht",
                                    password="x", receives=MailBox.Receives.COMPLAINTS)  # fmt: skip
    inbound = receive(question(subject="Plainte: personne ne répond"), mailbox=klacht)
    assert inbound.case is not None
    assert inbound.case.kind == Case.Kind.COMPLAINT
    assert inbound.case.policy is not None and inbound.case.policy.code == "complaint"
    (ack,) = acknowledgements()
    assert "plainte" in ack.text.lower() or "complaint" in ack.text.lower()


@pytest.mark.parametrize(
    "subject",
    [
        "Re: {ref}",
        "RE: Re: Antw: vraag [{ref}]",
        "TR: {ref} suite",
        "AW: Fwd: {compact}",
        "Fwd: question {spaced}",
        "antw:{lower}",
    ],
)
def test_a_registration_number_in_the_subject_threads_the_mail(subject: str) -> None:
    first = receive(question())
    case = first.case
    assert case is not None
    reference = case.reference
    text = subject.format(
        ref=reference,
        compact=reference.replace("-", ""),
        spaced=reference.replace("-", " "),
        lower=reference.lower(),
    )
    later = receive(question(subject=text, body="Voici le document demandé."))
    assert later.outcome == InboundMail.Outcome.THREADED
    assert later.case == case
    assert Case.objects.count() == 1
    assert Message.objects.filter(case=case, direction="in").count() == 2
    assert Event.objects.filter(case=case, kind=Event.Kind.CASE_MESSAGE_RECEIVED).count() == 1
    assert len(acknowledgements()) == 1, "a later message of an open case is not acknowledged"


def test_a_mistyped_registration_number_threads_nothing() -> None:
    case = receive(question()).case
    assert case is not None
    wrong = case.reference[:-1] + str((int(case.reference[-1]) + 1) % 10)
    later = receive(question(subject=f"Re: {wrong}"))
    assert later.outcome == InboundMail.Outcome.NEW_CASE
    assert later.case != case


def test_in_reply_to_the_acknowledgement_threads_and_tells_the_owner(agent: User) -> None:
    first = receive(question())
    case = first.case
    assert case is not None and first.acknowledgement is not None
    case_assign(actor=agent, case=case, owner=agent)
    later = receive(reply(in_reply_to=first.acknowledgement.message_id, subject="Re: merci"))
    assert later.case == case and later.outcome == InboundMail.Outcome.THREADED
    assert "In-Reply-To" in later.reason
    assert Notification.objects.filter(user=agent, case=case).count() == 1


def test_references_to_the_answer_thread_and_reopen_the_answered_case(agent: User) -> None:
    first = receive(question())
    case = first.case
    assert case is not None
    answer = case_answer(actor=agent, case=case, body="Voici la réponse.")
    later = receive(reply(references=f"<other@example.be> {answer.message_id}"))
    case.refresh_from_db()
    assert later.case == case
    assert case.status == Case.Status.REOPENED
    notice = OutboundMail.objects.get(kind="reopen-notice")
    assert notice.to == ["marie.dubois@example.be"] and notice.language == "fr"
    assert case.reference in notice.subject
    assert later.acknowledgement == notice
    assert Event.objects.filter(case=case, kind=Event.Kind.CASE_REOPENED).count() == 1


def test_a_reply_to_a_case_closed_long_ago_opens_a_new_linked_case(
    agent: User, frozen: time_machine.Traveller
) -> None:
    first = receive(question())
    case = first.case
    assert case is not None
    case_answer(actor=agent, case=case, body="Voici la réponse.")
    case_close(actor=agent, case=case)
    frozen.shift(dt.timedelta(days=31))  # LOKET_REOPEN_WINDOW_DAYS = 30
    later = receive(question(subject=f"Re: {case.reference}", body="Encore une question."))
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert later.outcome == InboundMail.Outcome.NEW_CASE
    assert later.case is not None and later.case != case
    assert later.case.related_case == case
    assert later.case.client == case.client
    assert len(acknowledgements()) == 2


@override_settings(LOKET_REOPEN_WINDOW_DAYS=5)
def test_the_reopen_window_is_a_setting(agent: User, frozen: time_machine.Traveller) -> None:
    case = receive(question()).case
    assert case is not None
    case_answer(actor=agent, case=case, body="Voici la réponse.")
    case_close(actor=agent, case=case)
    frozen.shift(dt.timedelta(days=4))
    assert receive(question(subject=f"Re: {case.reference}")).case == case
    case.refresh_from_db()
    assert case.status == Case.Status.REOPENED


@pytest.mark.parametrize(
    ("headers", "sender", "why"),
    [
        ({"Auto-Submitted": "auto-replied"}, None, "automatic reply"),
        ({"Precedence": "bulk"}, None, "automatic reply"),
        ({"X-Autoreply": "yes"}, None, "automatic reply"),
        ({"List-Id": "<nieuws.example.be>"}, None, "mailing list"),
        ({"Return-Path": "<>"}, None, "empty return path"),
        ({}, "No Reply <no-reply@example.be>", "no-reply sender"),
        ({}, "noreply@notifications.example.be", "no-reply sender"),
        ({}, "MAILER-DAEMON@mx.example.be", "no-reply sender"),
    ],
)
def test_robots_are_registered_but_never_acknowledged(
    headers: dict[str, str], sender: str | None, why: str
) -> None:
    raw = question(headers=headers, **({"sender": sender} if sender else {}))
    inbound = receive(raw)
    assert inbound.outcome == InboundMail.Outcome.NEW_CASE
    assert acknowledgements() == []
    assert inbound.acknowledgement is None
    assert why in inbound.reason


def test_an_out_of_office_reply_joins_its_case_without_reopening_it(agent: User) -> None:
    first = receive(question())
    case = first.case
    assert case is not None and first.acknowledgement is not None
    case_answer(actor=agent, case=case, body="Voici la réponse.")
    robot = receive(reply(in_reply_to=first.acknowledgement.message_id,
                          subject="Réponse automatique: absent du bureau",
                          headers={"Auto-Submitted": "auto-replied"}))  # fmt: skip
    case.refresh_from_db()
    assert robot.case == case and case.status == Case.Status.ANSWERED
    assert OutboundMail.objects.filter(kind="reopen-notice").count() == 0


def test_acknowledgements_are_limited_per_sender_and_hour(frozen: time_machine.Traveller) -> None:
    for n in range(7):
        receive(question(subject=f"Question {n}"))
    acks = acknowledgements()
    assert len(acks) == 5  # LOKET_ACKNOWLEDGEMENTS_PER_HOUR
    refused = InboundMail.objects.filter(acknowledgement__isnull=True)
    assert refused.count() == 2
    assert all("in an hour" in inbound.reason for inbound in refused)
    assert Case.objects.count() == 7, "every question is registered all the same"
    frozen.shift(dt.timedelta(minutes=61))
    receive(question(subject="Question 8"))
    assert len(acknowledgements()) == 6


def test_lokets_own_mail_coming_back_is_recorded_and_ignored() -> None:
    inbound = receive(question(headers={"X-Loket-Loop": "loket.localhost"}))
    assert inbound.state == InboundMail.State.IGNORED
    assert inbound.outcome == InboundMail.Outcome.LOOP
    assert Case.objects.count() == 0 and OutboundMail.objects.count() == 0


def test_the_same_message_delivered_twice_is_registered_once() -> None:
    raw = question(message_id="<twice@mail.example.be>")
    first = receive(raw)
    again = receive(b"Received: from mx2.example.be by mx.loket.localhost\r\n" + raw)
    assert again.state == InboundMail.State.IGNORED
    assert again.outcome == InboundMail.Outcome.DUPLICATE
    assert again.case == first.case
    assert Case.objects.count() == 1 and len(acknowledgements()) == 1


def test_a_mail_without_sender_or_subject_is_still_registered() -> None:
    raw = b"To: vraag@loket.localhost\r\nDate: Tue, 3 Mar 2026 09:00:00 +0100\r\n\r\nHallo?\r\n"
    inbound = receive(raw)
    assert inbound.outcome == InboundMail.Outcome.NEW_CASE
    assert inbound.case is not None
    assert inbound.case.subject == "(no subject)"
    assert inbound.case.client.name == "Unknown sender"
    assert "no valid sender address" in inbound.reason
    assert "missing From" in inbound.notes and "missing Subject" in inbound.notes


@override_settings(LOKET_ACKNOWLEDGEMENTS_PER_HOUR=1000)
def test_processing_costs_the_same_queries_however_many_files_and_cases(
    django_assert_num_queries: Any,
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    receive(question(subject="The year's first number", sender="first@example.be"))
    one, _ = inbound_store(raw=question(subject="A", sender="a@example.be",
                           attachments=[("a.png", "image/png", png)]), source="imap",
                           process=False)  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        inbound_process(inbound_id=one.pk)
    for n in range(20):
        receive(question(subject=f"Filler {n}", sender=f"client{n}@example.be"))
    files = [(f"{n}.png", "image/png", png + bytes([n])) for n in range(5)]
    five, _ = inbound_store(raw=question(subject="B", sender="b@example.be", attachments=files),
                            source="imap", process=False)  # fmt: skip
    with django_assert_num_queries(len(queries)):
        inbound_process(inbound_id=five.pk)
    assert InboundMail.objects.get(pk=five.pk).attachments.count() == 5
