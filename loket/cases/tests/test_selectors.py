from __future__ import annotations

from typing import Any

import pytest

from loket.accounts.models import Team, User
from loket.cases.models import Case, Channel, Client
from loket.cases.references import InvalidReference, Reference
from loket.cases.selectors import case_by_reference, case_timeline, client_history, queue_counts
from loket.cases.services import case_answer, case_forward, case_note_add, case_register

pytestmark = pytest.mark.django_db


def busy_case(client: Client, agent: User, team: Team, channel: str = Channel.EMAIL) -> Case:
    case = case_register(actor=agent, client=client, channel=channel, subject="Vraag", body="Tekst")
    case_note_add(actor=agent, case=case, body="Nota")
    case_forward(actor=agent, case=case, team=team, note="Doorsturen")
    case_answer(actor=agent, case=case, body="Antwoord")
    return case


def test_timeline_has_messages_and_events_in_time_order(
    client_record: Client, agent: User, back_office: Team
) -> None:
    case = busy_case(client_record, agent, back_office)
    entries = case_timeline(case)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert (
        entries[0].kind == "event"
        and entries[0].event
        and entries[0].event.kind == "case.registered"
    )
    described = [
        (e.kind, e.message.direction if e.message else e.event.kind if e.event else "")
        for e in entries
    ]
    assert ("message", "in") in described and ("message", "out") in described
    assert ("event", "case.forwarded") in described


def test_client_history_takes_the_same_queries_for_one_case_or_many(
    client_record: Client, agent: User, back_office: Team, django_assert_num_queries: Any
) -> None:
    busy_case(client_record, agent, back_office)
    with django_assert_num_queries(3):
        one = client_history(client_record)
    for channel in (Channel.PHONE, Channel.POST, Channel.WEB, Channel.FAX):
        busy_case(client_record, agent, back_office, channel)
    with django_assert_num_queries(3):
        many = client_history(client_record)
    assert len(one.cases) == 1 and len(many.cases) == 5
    assert {c.case.channel for c in many.cases} == {"email", "phone", "post", "web", "fax"}
    assert all(len(c.timeline) >= 7 for c in many.cases)


def test_client_history_can_leave_out_the_case_on_screen(
    client_record: Client, agent: User, back_office: Team
) -> None:
    first = busy_case(client_record, agent, back_office)
    second = busy_case(client_record, agent, back_office)
    assert [c.case for c in client_history(client_record, exclude=second).cases] == [first]


def test_case_by_reference_finds_it_and_a_typo_is_rejected(client_record: Client) -> None:
    case = case_register(actor=None, client=client_record, channel=Channel.EMAIL, subject="Vraag")
    assert case_by_reference(case.reference.lower().replace("-", " ")) == case
    digits = case.reference.replace("-", "")
    typo = digits[:-3] + str((int(digits[-3]) + 1) % 10) + digits[-2:]
    with pytest.raises(InvalidReference):
        case_by_reference(typo)
    other = Reference("MI", 2001, 1)
    assert case_by_reference(str(other)) is None


def test_queue_counts(
    client_record: Client, agent: User, front_office: Team, back_office: Team
) -> None:
    mine = case_register(
        actor=agent,
        client=client_record,
        channel="email",
        subject="a",
        owner=agent,
        team=front_office,
    )
    case_register(actor=agent, client=client_record, channel="email", subject="b")
    case_forward(actor=agent, case=mine, team=back_office, note="Doorsturen")
    counts = queue_counts(agent)
    assert (counts.mine, counts.unassigned, counts.forwarded, counts.team) == (0, 2, 1, 0)
