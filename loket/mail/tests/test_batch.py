"""Mail that arrives together (a mailbox poll, an import) is stored and registered in batches:
each mail becomes exactly what it would have become alone, in the order it arrived, with
consecutive registration numbers; one mail at fault is quarantined alone; and a batch costs
the same few statements however many mails and files it holds."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from loket.accounts.models import User
from loket.cases.models import Case, Client, Event, Message, ReferenceSequence
from loket.cases.references import parse_reference
from loket.cases.services import case_answer, case_assign
from loket.mail.models import InboundMail, OutboundMail, attachment_name
from loket.mail.services import (
    BATCH,
    inbound_process,
    inbound_process_many,
    inbound_store,
    inbound_store_many,
)

from .messages import DUTCH, question, reply

BRUSSELS = ZoneInfo("Europe/Brussels")
TUESDAY = dt.datetime(2026, 3, 3, 10, 0, tzinfo=BRUSSELS)
Outcome = InboundMail.Outcome
State = InboundMail.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
Process = Callable[[list[bytes]], list[InboundMail]]


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(TUESDAY, tick=False) as traveller:
        yield traveller


def one_by_one(raws: list[bytes]) -> list[InboundMail]:
    """Each mail stored, then processed, on its own (a task per mail)."""
    processed = []
    for raw in raws:
        inbound, _ = inbound_store(raw=raw, source=InboundMail.Source.IMAP, process=False)
        processed.append(inbound_process(inbound_id=inbound.pk))
    return [inbound for inbound in processed if inbound is not None]


def together(raws: list[bytes]) -> list[InboundMail]:
    """The mails stored as one batch, then processed as one (a poll's path)."""
    stored = inbound_store_many(
        messages=[(raw, None) for raw in raws], source=InboundMail.Source.IMAP, process=False
    )
    ids = [inbound.pk for inbound, created in stored if created]
    return [inbound for inbound in inbound_process_many(inbound_ids=ids) if inbound is not None]


def numbers(cases: list[Case]) -> list[int]:
    return [parse_reference(case.reference).sequence for case in cases]


@pytest.mark.parametrize("process", [one_by_one, together], ids=["one by one", "together"])
def test_a_batch_makes_of_each_mail_what_it_would_be_alone(
    process: Process, client_record: Client, agent: User
) -> None:
    # A case answered earlier: the client's reply in the batch reopens it.
    (earlier,) = one_by_one([question(subject="Earlier", sender="anna@example.be")])
    assert earlier.case is not None
    case_assign(actor=agent, case=earlier.case, owner=agent)
    answer = case_answer(actor=agent, case=earlier.case, body="The answer.")
    pdf = ("attest.pdf", "application/pdf", b"%PDF-1.4 " + bytes(range(256)))
    raws = [
        question(message_id="<m0@mail.example.be>", attachments=[pdf]),
        question(sender="OCMW Gent <INFO@ocmw-gent.example.be>", subject="Leefloon", body=DUTCH),
        reply(in_reply_to="<m0@mail.example.be>", subject="Re: the first"),  # in this batch
        question(message_id="<m3@mail.example.be>", subject="A second question"),
        b"Received: from mx2.example.be\r\n" + question(message_id="<m3@mail.example.be>",
                                                        subject="A second question"),
        question(sender="Robot <robot@example.be>", headers={"Auto-Submitted": "auto-replied"}),
        question(headers={"X-Loket-Loop": "loket.localhost"}),
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        question(sender="noreply@example.be", subject="Automatic notice"),
        reply(in_reply_to=answer.message_id, sender="anna@example.be", subject="Re: Earlier"),
    ]  # fmt: skip
    processed = process(raws)

    assert [(m.state, m.outcome) for m in processed] == [
        (State.PROCESSED, Outcome.NEW_CASE),
        (State.PROCESSED, Outcome.NEW_CASE),
        (State.PROCESSED, Outcome.THREADED),
        (State.PROCESSED, Outcome.NEW_CASE),
        (State.IGNORED, Outcome.DUPLICATE),
        (State.PROCESSED, Outcome.NEW_CASE),
        (State.IGNORED, Outcome.LOOP),
        (State.QUARANTINED, ""),
        (State.PROCESSED, Outcome.NEW_CASE),
        (State.PROCESSED, Outcome.THREADED),
    ]
    first, known, in_reply, second, copy, robot, _loop, garbage, no_reply, reopening = processed
    cases = [m.case for m in (first, known, second, robot, no_reply)]
    assert all(case is not None for case in cases)
    # Consecutive numbers, in the order the mails arrived, after the earlier case's.
    assert numbers([earlier.case, *cases]) == list(range(1, 7))  # type: ignore[list-item]
    assert ReferenceSequence.objects.get().last == 6
    # One client per sender: the known one found, the new one created once for two cases.
    assert known.case.client == client_record  # type: ignore[union-attr]
    assert first.case.client == second.case.client  # type: ignore[union-attr]
    assert Client.objects.filter(emails__address="marie.dubois@example.be").count() == 1
    assert in_reply.case == first.case and copy.case == second.case
    assert in_reply.case_message is not None and in_reply.case_message.case == first.case
    assert first.case_message is not None
    assert [a.filename for a in first.attachments.all()] == ["attest.pdf"]
    assert first.case_message.mail_attachments.count() == 1
    # Acknowledged: the people, not the robots; the reopened case's client told so.
    assert {m.pk for m in processed if m.acknowledgement is not None} == {
        first.pk, known.pk, second.pk, reopening.pk
    }  # fmt: skip
    assert reopening.acknowledgement is not None
    assert reopening.acknowledgement.kind == "reopen-notice"
    assert "an automatic reply" in robot.reason and "a no-reply sender" in no_reply.reason
    assert OutboundMail.objects.filter(kind="acknowledgement").count() == 4  # with the earlier
    assert garbage.error.startswith("Not an e-mail message")
    # The answered case reopened, and the client told so.
    assert reopening.case == earlier.case
    reopened = Case.objects.get(pk=earlier.case.pk)
    assert reopened.status == Case.Status.REOPENED
    assert OutboundMail.objects.filter(kind="reopen-notice", case=reopened).count() == 1
    # Every step in the history, once.
    assert Event.objects.filter(kind=Event.Kind.CASE_REGISTERED).count() == 6
    assert Event.objects.filter(kind=Event.Kind.CLIENT_CREATED).count() == 5  # + the fixture's
    assert Event.objects.filter(kind=Event.Kind.MAIL_QUARANTINED).count() == 1
    assert Event.objects.filter(kind=Event.Kind.CASE_REOPENED).count() == 1
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == 8


def test_the_hourly_acknowledgement_limit_counts_within_a_batch() -> None:
    processed = together([question(subject=f"Question {n}") for n in range(7)])
    assert [m.acknowledgement is not None for m in processed] == [True] * 5 + [False] * 2
    assert all("in an hour" in m.reason for m in processed[5:])
    assert Case.objects.count() == 7 and Client.objects.count() == 1


def test_the_hourly_acknowledgement_limit_counts_what_came_before_the_batch() -> None:
    one_by_one([question(subject=f"Before {n}") for n in range(5)])
    processed = together([question(sender="other@example.be"), question(subject="Question")])
    assert [m.acknowledgement is not None for m in processed] == [True, False]
    assert "in an hour" in processed[1].reason
    assert OutboundMail.objects.filter(kind="acknowledgement").count() == 6


def test_a_copy_of_a_message_registered_before_the_batch_is_a_duplicate() -> None:
    raw = question(message_id="<twice@mail.example.be>")
    (first,) = one_by_one([raw])
    copy, other = together([b"Received: from mx2.example.be\r\n" + raw,
                            question(sender="someone@example.be")])  # fmt: skip
    assert (copy.state, copy.outcome, copy.case) == (State.IGNORED, Outcome.DUPLICATE, first.case)
    assert other.outcome == Outcome.NEW_CASE
    assert Case.objects.count() == 2


def test_a_copy_of_the_same_bytes_in_a_batch_is_stored_once() -> None:
    raw = question()
    stored = inbound_store_many(messages=[(raw, None), (raw, None)], source="imap", process=False)
    (first, created), (again, created_again) = stored
    assert created and not created_again and again.pk == first.pk
    assert inbound_store_many(messages=[(raw, None)], source="imap", process=False) == [
        (first, False)
    ]
    assert InboundMail.objects.count() == 1


def test_storing_a_batch_queues_one_task_that_processes_it(
    django_capture_on_commit_callbacks: Any,
) -> None:
    raws = [question(subject=f"Vraag {n}", sender=f"c{n}@example.be") for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        inbound_store_many(messages=[(raw, None) for raw in raws], source="imap")
    assert set(InboundMail.objects.values_list("state", flat=True)) == {State.PROCESSED}
    assert numbers(list(Case.objects.order_by("reference"))) == [1, 2, 3]


@pytest.fixture
def blocked_file() -> Iterator[tuple[bytes, Path]]:
    """An attachment whose place in the storage is taken by a folder: writing it fails, as
    a full or broken disk would make it fail."""
    content = b"%PDF-1.4 blocked " + bytes(range(256))
    path = Path(default_storage.path(attachment_name(hashlib.sha256(content).hexdigest())))
    if path.is_file():
        path.unlink()
    path.mkdir(parents=True, exist_ok=True)
    yield content, path
    shutil.rmtree(path)


def test_one_mail_failing_in_a_batch_is_quarantined_alone_and_no_number_is_lost(
    blocked_file: tuple[bytes, Path],
) -> None:
    content, _ = blocked_file
    raws = [question(subject=f"Vraag {n}", sender=f"c{n}@example.be") for n in range(5)]
    raws[2] = question(subject="With the blocked file", sender="c2@example.be",
                       attachments=[("blocked.pdf", "application/pdf", content)])  # fmt: skip
    processed = together(raws)
    assert [m.state for m in processed] == [State.PROCESSED] * 2 + [State.QUARANTINED] + [
        State.PROCESSED
    ] * 2
    assert "IsADirectoryError" in processed[2].error
    assert processed[2].case is None and processed[2].attempts == 1
    cases = list(Case.objects.order_by("pk"))
    assert [c.subject for c in cases] == ["Vraag 0", "Vraag 1", "Vraag 3", "Vraag 4"]
    assert numbers(cases) == [1, 2, 3, 4], "the numbers of the rolled-back batch handed out again"
    assert OutboundMail.objects.count() == 4


def test_a_batch_costs_the_same_statements_however_many_mails_and_files() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)

    def batch(size: int, offset: int) -> list[bytes]:
        return [
            question(subject=f"Vraag {n}", sender=f"client{n}@example.be",
                     attachments=[(f"{n}.png", "image/png", png + bytes([n % 256]))] * (n % 3))
            for n in range(offset, offset + size)
        ]  # fmt: skip

    together(batch(2, 0))  # the year's sequence exists, the policies are cached
    counts = []
    for size, offset in ((10, 100), (BATCH, 200)):
        raws = batch(size, offset)
        stored = inbound_store_many(
            messages=[(raw, None) for raw in raws], source="imap", process=False
        )
        with (
            override_settings(LOKET_ACKNOWLEDGEMENTS_PER_HOUR=1000),
            CaptureQueriesContext(connection) as queries,
        ):
            inbound_process_many(inbound_ids=[inbound.pk for inbound, _ in stored])
        counts.append(len(queries))
    # Read the records, their senders' clients and histories; write the clients, their
    # addresses and events, the numbers, the cases and their events, the messages, files,
    # acknowledgements and records: one statement each, however many mails (and a savepoint).
    assert counts[0] == counts[1] <= 17, [q["sql"][:80] for q in queries]
    assert InboundMail.objects.filter(state=State.PROCESSED).count() == 2 + 10 + BATCH


def test_a_mail_alone_costs_a_bounded_number_of_statements() -> None:
    inbound_process(inbound_id=inbound_store(raw=question(), source="imap", process=False)[0].pk)
    inbound, _ = inbound_store(raw=question(sender="new@example.be"), source="imap", process=False)
    with CaptureQueriesContext(connection) as queries:
        inbound_process(inbound_id=inbound.pk)
    # Lock and read the record, sender's history and client, the client, its address and its
    # event, the number, the case and its event, the message, the acknowledgement, the record.
    assert len(queries) <= 16, [q["sql"][:80] for q in queries]
