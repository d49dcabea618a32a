"""The queues: what each holds for whom, their counts, sorting, filters, pages, and a number
of queries that does not grow with the rows."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from loket.accounts.models import Team, User
from loket.cases.models import Case, Client
from loket.cases.services import case_answer, case_assign, case_close, case_forward
from loket.deadlines.services import delay_notice_send
from loket.desk import queues
from loket.desk.queues import (
    Moments,
    Queue,
    QueueFilters,
    Sort,
    queue_cases,
    queue_counts,
    queue_page,
)

from .conftest import register

pytestmark = pytest.mark.django_db
# Monday 7 December 2026, 10:00 in Brussels: an ordinary working day.
MONDAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def subjects(user: User, queue: Queue, **filters: object) -> set[str]:
    found = queue_cases(user, queue, QueueFilters(**filters), Moments.at())  # type: ignore[arg-type]
    return set(found.values_list("subject", flat=True))


@pytest.fixture
def desk(
    client_record: Client,
    agent: User,
    expert: User,
    coordinator: User,
    back_office: Team,
    front_office: Team,
) -> dict[str, Case]:
    """A morning's work: cases in every queue."""
    with time_machine.travel(MONDAY - dt.timedelta(days=7), tick=False):
        late = register(client_record, subject="Late", team=front_office)
    with time_machine.travel(MONDAY - dt.timedelta(days=1), tick=False):
        # Received on Sunday: day 0 is Monday, due two working days later.
        later = register(client_record, subject="Later", owner=agent, team=front_office)
    with time_machine.travel(MONDAY - dt.timedelta(days=4), tick=False):
        # Received Thursday: due Monday (today), end of the day.
        today = register(client_record, subject="Today", owner=agent, team=front_office)
        forwarded = register(client_record, subject="Forwarded", team=front_office)
        case_forward(actor=agent, case=forwarded, team=back_office, note="Advies graag")
        answered = register(client_record, subject="Answered")
    with time_machine.travel(MONDAY - dt.timedelta(hours=1), tick=False):
        case_answer(actor=agent, case=answered, body="Zie onze website.")
        promised = register(client_record, subject="Promised", owner=coordinator)
    with time_machine.travel(MONDAY - dt.timedelta(minutes=30), tick=False):
        complaint = register(
            client_record, subject="Complaint", kind="complaint", owner=coordinator
        )
    return {
        "late": late,
        "later": later,
        "today": today,
        "forwarded": forwarded,
        "answered": answered,
        "promised": promised,
        "complaint": complaint,
    }


def test_each_queue_holds_what_its_name_says(
    desk: dict[str, Case], agent: User, expert: User, coordinator: User
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        assert subjects(agent, Queue.MINE) == {"Later", "Today"}
        assert subjects(agent, Queue.TEAM) == {"Late", "Later", "Today"}
        assert subjects(agent, Queue.UNASSIGNED) == {"Late", "Forwarded"}
        assert subjects(agent, Queue.DUE_TODAY) == {"Today", "Forwarded"}
        assert subjects(agent, Queue.OVERDUE) == {"Late"}
        assert subjects(agent, Queue.FORWARDED) == {"Forwarded"}
        assert subjects(agent, Queue.DELAY_NOTICE) == {"Late", "Today", "Forwarded"}
        assert subjects(agent, Queue.ANSWERED) == {"Answered"}
        # The expert sees what was forwarded to the team, the coordinator everything.
        assert subjects(expert, Queue.TEAM) == {"Forwarded"}
        assert subjects(expert, Queue.UNASSIGNED) == {"Forwarded"}
        assert subjects(expert, Queue.OVERDUE) == set()
        assert "Complaint" in subjects(coordinator, Queue.MINE)
        assert all("Complaint" not in subjects(agent, queue) for queue in Queue)


def test_a_delay_notice_takes_the_case_out_of_its_queue(
    desk: dict[str, Case], coordinator: User
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        assert "Today" in subjects(coordinator, Queue.DELAY_NOTICE)
        delay_notice_send(
            actor=coordinator,
            case=desk["today"],
            reason="We wachten op het advies van de BackOffice.",
            new_due_date=dt.date(2026, 12, 10),
        )
        assert "Today" not in subjects(coordinator, Queue.DELAY_NOTICE)
        assert "Today" not in subjects(coordinator, Queue.DUE_TODAY)


def test_closed_and_answered_cases_leave_the_working_queues(
    desk: dict[str, Case], agent: User
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        case_close(actor=agent, case=desk["late"])
        assert subjects(agent, Queue.OVERDUE) == set()
        assert "Late" not in subjects(agent, Queue.TEAM)


def test_counts_match_the_queues_and_stop_at_the_cap(
    desk: dict[str, Case], agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        counts = queue_counts(agent, Moments.at())
        assert counts == {queue: len(subjects(agent, queue)) for queue in Queue}
        monkeypatch.setattr(queues, "COUNT_CAP", 2)
        capped = queue_counts(agent, Moments.at())
    assert capped[Queue.TEAM] == 3  # "more than 2": the page shows "2+"
    assert capped[Queue.MINE] == 2
    assert capped[Queue.OVERDUE] == 1


def test_sorted_by_due_date_across_statuses_with_termless_cases_last(
    client_record: Client, coordinator: User, agent: User, front_office: Team
) -> None:
    now = timezone.now()
    made = {}
    for age, (name, due_in_days) in enumerate((("d3", 3), ("d1", 1), ("none", None), ("d2", 2))):
        case = register(
            client_record,
            subject=name,
            team=front_office,
            received_at=now - dt.timedelta(hours=10 - age),
        )
        due = now + dt.timedelta(days=due_in_days) if due_in_days else None
        Case.objects.filter(pk=case.pk).update(due_at=due)
        made[name] = case
    case_assign(actor=agent, case=made["d2"], owner=agent)  # in progress, the rest registered
    moments = Moments.at()

    def order(sort: Sort) -> list[str]:
        page = queue_page(coordinator, Queue.TEAM, QueueFilters(sort=sort), moments)
        return [row.case.subject for row in page.rows]

    assert order(Sort.DUE) == ["d1", "d2", "d3", "none"]
    assert order(Sort.DUE_LAST) == ["d3", "d2", "d1", "none"]
    assert order(Sort.NEWEST) == ["d2", "none", "d1", "d3"]
    assert order(Sort.OLDEST) == ["d3", "d1", "none", "d2"]


def test_filters_narrow_the_queue(
    client_record: Client, coordinator: User, front_office: Team
) -> None:
    register(client_record, subject="Per telefoon", channel="phone", team=front_office)
    register(client_record, subject="Per mail", team=front_office, language="fr")
    assert subjects(coordinator, Queue.TEAM, channel="phone") == {"Per telefoon"}
    assert subjects(coordinator, Queue.TEAM, language="fr") == {"Per mail"}
    assert subjects(coordinator, Queue.TEAM, status="registered") == {"Per telefoon", "Per mail"}
    assert subjects(coordinator, Queue.TEAM, status="closed") == set()
    assert subjects(coordinator, Queue.TEAM, kind="complaint") == set()


def test_pages(
    client_record: Client,
    coordinator: User,
    front_office: Team,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(queues, "PAGE_SIZE", 2)
    for n in range(5):
        with time_machine.travel(timezone.now() - dt.timedelta(days=10 - n), tick=False):
            register(client_record, subject=f"q{n}", team=front_office)
    moments = Moments.at()
    pages = [
        queue_page(coordinator, Queue.TEAM, QueueFilters(), moments, number=n) for n in (1, 2, 3)
    ]
    assert [[row.case.subject for row in page.rows] for page in pages] == [
        ["q0", "q1"],
        ["q2", "q3"],
        ["q4"],
    ]
    assert [(page.has_previous, page.has_next) for page in pages] == [
        (False, True),
        (True, True),
        (True, False),
    ]
    assert (pages[1].first, pages[1].last, pages[1].total) == (3, 4, 5)


@pytest.mark.parametrize("queue", list(Queue))
def test_the_number_of_queries_does_not_grow_with_the_rows(
    queue: Queue, client_record: Client, agent: User, front_office: Team, back_office: Team
) -> None:
    def make(count: int) -> None:
        for n in range(count):
            case = register(
                client_record,
                subject=f"Vraag {n}",
                team=front_office,
                owner=agent,
                received_at=timezone.now() - dt.timedelta(days=2 * (n % 6)),
            )
            if n % 3 == 0:
                case_forward(actor=agent, case=case, team=back_office, note="Advies")
            elif n % 3 == 1:
                case_answer(actor=agent, case=case, body="Antwoord")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            queue_counts(agent, Moments.at())
            page = queue_page(agent, queue, QueueFilters(), Moments.at())
            assert page.rows  # every queue has rows: an empty page skips a query
            [(row.url, row.client, row.topic, row.owner, row.team) for row in page.rows]
        return len(captured)

    with time_machine.travel(MONDAY, tick=False):
        make(4)
        few = queries()
        make(30)
        assert queries() == few


def test_a_team_queue_over_several_teams_is_one_list_by_due_date(
    client_record: Client, coordinator: User, front_office: Team, back_office: Team
) -> None:
    back_office.members.add(coordinator)
    now = timezone.now()
    for name, team, days in (
        ("b2", back_office, 2),
        ("f1", front_office, 1),
        ("f3", front_office, 3),
    ):
        case = register(client_record, subject=name, team=team)
        Case.objects.filter(pk=case.pk).update(due_at=now + dt.timedelta(days=days))
    page = queue_page(coordinator, Queue.TEAM, QueueFilters(), Moments.at())
    assert [row.case.subject for row in page.rows] == ["f1", "b2", "f3"]
