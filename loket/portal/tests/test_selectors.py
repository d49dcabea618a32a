"""The phone hours from the office calendar (charter rule 9) and the status lookup."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager as ContextManager

import pytest
import time_machine
from django.db import connection

from loket.accounts.models import User
from loket.cases.models import Case, Client
from loket.cases.references import parse_reference
from loket.cases.services import case_answer, case_close, case_register
from loket.deadlines.models import CalendarDay, WorkingCalendar
from loket.deadlines.services import delay_notice_send
from loket.portal.selectors import case_status_lookup, office_calendar, phone_hours

from .conftest import at

pytestmark = pytest.mark.django_db


def test_open_in_the_morning_until_the_lunch_break() -> None:
    hours = phone_hours(at("2026-03-02 10:00"))  # a Monday
    assert hours.open_now
    assert hours.closes_at == at("2026-03-02 12:30")
    assert hours.next_opening is None
    assert hours.calendar_code == "be-federal" and hours.term_days == 2


def test_closed_over_lunch_and_open_again_at_one() -> None:
    hours = phone_hours(at("2026-03-02 12:45"))
    assert not hours.open_now and hours.closes_at is None
    assert hours.next_opening == at("2026-03-02 13:00")


def test_friday_closes_at_four_and_opens_again_on_monday() -> None:
    assert phone_hours(at("2026-03-06 15:59")).open_now
    hours = phone_hours(at("2026-03-06 16:00"))
    assert not hours.open_now
    assert hours.next_opening == at("2026-03-09 08:30")


def test_the_weekly_hours_are_the_calendars() -> None:
    hours = phone_hours(at("2026-03-02 10:00"))
    assert [day.name for day in hours.weekly] == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
    ]
    friday = hours.weekly[4].periods
    assert [(p.start, p.end) for p in friday] == [
        (dt.time(8, 30), dt.time(12, 30)),
        (dt.time(13, 0), dt.time(16, 0)),
    ]


def test_holidays_and_closure_days_keep_the_line_closed_and_are_listed() -> None:
    # Ascension (Thursday 14 May 2026) and the bridge day the administrator closed after it.
    hours = phone_hours(at("2026-05-13 17:00"))
    assert hours.next_opening == at("2026-05-18 08:30")
    listed = [(c.day, c.reason) for c in hours.closures]
    assert listed[:3] == [
        (dt.date(2026, 5, 14), "Ascension Day"),
        (dt.date(2026, 5, 15), "brugdag / jour de pont"),
        (dt.date(2026, 5, 25), "Whit Monday"),
    ]
    assert all(dt.date(2026, 5, 13) <= day <= dt.date(2026, 8, 13) for day, _ in listed)
    assert (dt.date(2026, 7, 21), "Belgian National Day") in listed


def test_a_closure_day_an_administrator_adds_shows_at_once() -> None:
    phone_hours(at("2026-03-02 17:00"))  # cached
    calendar = WorkingCalendar.objects.get(code="be-federal")
    CalendarDay.objects.create(calendar=calendar, date=dt.date(2026, 3, 3), reason="Verhuis")
    hours = phone_hours(at("2026-03-02 17:00"))
    assert hours.next_opening == at("2026-03-04 08:30")
    assert hours.closures[0].day == dt.date(2026, 3, 3) and hours.closures[0].reason == "Verhuis"


def test_the_calendar_is_read_once_then_cached(
    django_assert_num_queries: Callable[[int], ContextManager[object]],
) -> None:
    with django_assert_num_queries(3):  # the policy, the periods, the days
        office_calendar()
    with django_assert_num_queries(0):
        for hour in range(8, 18):
            phone_hours(at(f"2026-03-02 {hour:02d}:00"))


# --- status lookup ---------------------------------------------------------------------


@pytest.fixture
def case(client_record: Client) -> Case:
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        return case_register(
            actor=None,
            client=client_record,
            channel="web",
            subject="Leefloon",
            body="Vanaf wanneer?",
        )


def test_the_number_and_the_address_find_the_case(case: Case) -> None:
    found = case_status_lookup(reference=case.reference, email="info@ocmw-gent.example.be")
    assert found is not None
    assert found.reference == case.reference
    assert found.status == Case.Status.REGISTERED
    assert found.received_at == at("2026-03-02 10:00")
    assert found.due_at == at("2026-03-04 23:59:59")
    assert (found.answered_at, found.delay_reason, found.delay_new_due_at) == (None, None, None)


def test_typing_does_not_matter(case: Case) -> None:
    typed = case.reference.lower().replace("-", " ")
    assert case_status_lookup(reference=typed, email="  INFO@OCMW-Gent.example.be ") is not None


def test_wrong_number_mistyped_number_and_wrong_address_all_give_nothing_in_two_queries(
    case: Case, django_assert_num_queries: Callable[[int], ContextManager[object]]
) -> None:
    number = parse_reference(case.reference)
    other = f"{number.prefix}-{number.year}-{number.sequence + 1:06d}-"
    other += f"{parse_reference(case.reference).check:02d}"
    mistyped = case.reference[:-2] + f"{(number.check % 97) + 1:02d}"
    attempts = [
        (other, "info@ocmw-gent.example.be"),  # (not a valid check, or nobody's)
        (str(type(number)(number.prefix, number.year, number.sequence + 1)), "x@example.be"),
        (mistyped, "info@ocmw-gent.example.be"),
        (case.reference, "someone.else@example.be"),
        ("hello", "info@ocmw-gent.example.be"),
    ]
    # The cases, then the forms whose case is about to be registered: every miss alike.
    for reference, email in attempts:
        with django_assert_num_queries(2):
            assert case_status_lookup(reference=reference, email=email) is None


def test_a_delay_notice_shows_its_reason_and_new_term(case: Case, agent: User) -> None:
    with time_machine.travel(at("2026-03-03 11:00"), tick=False):
        delay_notice_send(
            actor=agent,
            case=case,
            reason="We wachten op gegevens van het OCMW.",
            new_due_date=dt.date(2026, 3, 11),
        )
    found = case_status_lookup(reference=case.reference, email="info@ocmw-gent.example.be")
    assert found is not None
    assert found.delay_reason == "We wachten op gegevens van het OCMW."
    assert found.delay_new_due_at == at("2026-03-11 23:59:59")
    assert found.due_at == at("2026-03-11 23:59:59")


def test_answered_and_closed_cases_say_when(case: Case, agent: User) -> None:
    with time_machine.travel(at("2026-03-03 14:00"), tick=False):
        case_answer(actor=agent, case=case, body="Vanaf de eerste van de maand.")
    with time_machine.travel(at("2026-03-04 09:00"), tick=False):
        case_close(actor=agent, case=case)
    found = case_status_lookup(reference=case.reference, email="info@ocmw-gent.example.be")
    assert found is not None
    assert found.status == Case.Status.CLOSED and not found.is_open
    assert found.answered_at == at("2026-03-03 14:00")
    assert found.closed_at == at("2026-03-04 09:00")
    assert found.status_text == "Closed."


def test_the_lookup_takes_one_query_whatever_the_case_has(
    case: Case, agent: User, django_assert_num_queries: Callable[[int], ContextManager[object]]
) -> None:
    with time_machine.travel(at("2026-03-03 11:00"), tick=False):
        for day in (11, 18):
            delay_notice_send(
                actor=agent, case=case, reason=f"Reden {day}", new_due_date=dt.date(2026, 3, day)
            )
    with django_assert_num_queries(1):
        found = case_status_lookup(reference=case.reference, email="info@ocmw-gent.example.be")
    assert found is not None and found.delay_reason == "Reden 18"


@pytest.mark.django_db(transaction=True)
def test_the_lookup_built_once_answers_in_every_thread_of_the_server(
    client_record: Client,
) -> None:
    """Its SQL is built once per process and then run by waitress's threads, each with its
    own database connection."""
    cases = [
        case_register(actor=None, client=client_record, channel="web", subject=f"Vraag {n}")
        for n in range(8)
    ]
    assert case_status_lookup(reference=cases[0].reference, email="info@ocmw-gent.example.be")

    def lookup(case: Case) -> tuple[str | None, bool]:
        try:
            found = case_status_lookup(reference=case.reference, email="info@ocmw-gent.example.be")
            wrong = case_status_lookup(reference=case.reference, email="iemand@example.be")
            return (found.reference if found else None, wrong is None)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lookup, cases))
    assert answers == [(case.reference, True) for case in cases]
    # The received date comes back as a datetime in every thread (the backend's converters).
    found = case_status_lookup(reference=cases[3].reference, email="info@ocmw-gent.example.be")
    assert found is not None and found.received_at == cases[3].received_at
