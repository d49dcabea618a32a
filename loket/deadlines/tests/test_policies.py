from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client as Browser

from loket.accounts.models import User
from loket.cases.models import Case, Client, Event, Topic
from loket.cases.services import case_register
from loket.deadlines.models import CalendarDay, DeadlinePolicy, WorkingCalendar
from loket.deadlines.rules import CalendarRules, is_working_day
from loket.deadlines.services import case_policy_change
from loket.deadlines.terms import policy_for, proposed_new_term

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


def test_shipped_calendars_and_policies() -> None:
    federal = WorkingCalendar.objects.get(code="be-federal").rules()
    legal = WorkingCalendar.objects.get(code="be-legal").rules()
    assert federal == CalendarRules(
        holiday_set="be-federal",
        closure_days=frozenset({dt.date(2026, 5, 15), dt.date(2026, 7, 20)}),
    )
    assert legal == CalendarRules(holiday_set="be-legal")
    assert not is_working_day(dt.date(2026, 12, 28), federal) and is_working_day(
        dt.date(2026, 12, 28), legal
    )
    policies = {p.code: p for p in DeadlinePolicy.objects.select_related("calendar")}
    assert (policies["standard"].working_days, policies["standard"].calendar.code) == (
        2,
        "be-federal",
    )
    assert policies["standard"].target_percent == 95
    assert (
        policies["competence-conflict"].working_days,
        policies["competence-conflict"].calendar.code,
    ) == (5, "be-legal")
    assert policies["complaint"].working_days == 20


def test_an_administrator_closure_day_moves_terms() -> None:
    calendar = WorkingCalendar.objects.get(code="be-federal")
    CalendarDay.objects.create(calendar=calendar, date=dt.date(2026, 3, 3), reason="staking")
    assert not is_working_day(dt.date(2026, 3, 3), calendar.rules())


def test_policy_follows_kind_then_topic_then_parent_then_default() -> None:
    slow = DeadlinePolicy.objects.create(
        code="slow",
        name="Slow",
        working_days=10,
        calendar=WorkingCalendar.objects.get(code="be-federal"),
    )
    parent = Topic.objects.create(code="funds", name_nl="Fondsen", name_fr="Fonds", policy=slow)
    child = Topic.objects.create(code="gas", name_nl="Gas", name_fr="Gaz", parent=parent)
    other = Topic.objects.create(code="other", name_nl="Ander", name_fr="Autre")
    assert policy_for(kind="question", topic=child) == slow
    assert policy_for(kind="question", topic=other).code == "standard"  # type: ignore[union-attr]
    assert policy_for(kind="question", topic=None).code == "standard"  # type: ignore[union-attr]
    # The legal term of a competence conflict is not the topic's to change.
    assert policy_for(kind="competence-conflict", topic=child).code == "competence-conflict"  # type: ignore[union-attr]
    assert policy_for(kind="complaint", topic=None).code == "complaint"  # type: ignore[union-attr]


def test_a_letter_counts_from_the_day_it_arrived(agent: User, client_record: Client) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 2, 11, tzinfo=BRUSSELS), tick=False):
        letter = case_register(
            actor=agent,
            client=client_record,
            channel="post",
            subject="Brief",
            received_at=dt.datetime(2026, 11, 30, 9, tzinfo=BRUSSELS),
        )
    assert letter.charter_due_at == dt.datetime(2026, 12, 2, 23, 59, 59, tzinfo=BRUSSELS)


def test_an_agent_changes_the_policy_and_it_is_recorded(agent: User, client_record: Client) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 30, 10, tzinfo=BRUSSELS), tick=False):
        case = case_register(actor=agent, client=client_record, channel="email", subject="Conflict")
        conflict = DeadlinePolicy.objects.get(code="competence-conflict")
        case = case_policy_change(
            actor=agent, case=case, policy=conflict, reason="Is een bevoegdheidsconflict"
        )
    assert case.policy == conflict
    assert (
        case.due_at == case.charter_due_at == dt.datetime(2026, 12, 7, 23, 59, 59, tzinfo=BRUSSELS)
    )
    event = Event.objects.get(case=case, kind="case.policy-changed")
    assert event.data["policy"] == "competence-conflict" and event.actor == agent


def test_the_proposed_new_term_counts_working_days_from_the_current_term(
    agent: User, client_record: Client
) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 22, 10, tzinfo=BRUSSELS), tick=False):
        case = case_register(actor=agent, client=client_record, channel="email", subject="Vraag")
        # Due Thu 24 Dec; two working days later, past the closure, is Tue 5 Jan 2027.
        assert proposed_new_term(case, now=dt.datetime.now(tz=BRUSSELS)) == dt.date(2027, 1, 5)


def test_deadline_command_text_json_and_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    out = StringIO()
    call_command("deadline", received=["2026-12-24T15:00"], policy="standard", stdout=out)
    assert out.getvalue().strip() == (
        "received 2026-12-24T15:00:00+01:00  day 0 2026-12-24  due 2027-01-05T23:59:59+01:00"
        "  (standard, be-federal)"
    )
    out = StringIO()
    monkeypatch.setattr("sys.stdin", StringIO("2026-07-17T09:00\n\n2026-05-14T10:00+02:00\n"))
    call_command("deadline", received=["-"], policy="competence-conflict", json=True, stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0] == {
        "received": "2026-07-17T09:00:00+02:00",
        "day_zero": "2026-07-17",
        "due_at": "2026-07-27T23:59:59+02:00",
        "policy": "competence-conflict",
        "calendar": "be-legal",
    }
    # Ascension: day 0 moves to the next working day (15 May is worked under the legal calendar).
    assert lines[1]["day_zero"] == "2026-05-15"


def test_deadline_command_says_what_is_wrong() -> None:
    err = StringIO()
    with pytest.raises(CommandError, match="1 moment"):
        call_command(
            "deadline",
            "--received",
            "yesterday",
            "--received",
            "2026-01-05T10:00",
            stdout=StringIO(),
            stderr=err,
        )
    assert "not an ISO 8601" in err.getvalue()
    with pytest.raises(CommandError, match="unknown policy 'fast'"):
        call_command("deadline", received=["2026-01-05T10:00"], policy="fast", stdout=StringIO())


def test_calendar_export_as_icalendar(client: Browser) -> None:
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=BRUSSELS), tick=False):
        response = client.get("/calendars/be-federal.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith(
        "END:VCALENDAR\r\n"
    )
    assert "DTSTART;VALUE=DATE:20260515\r\n" in body  # the bridge day
    assert "DTSTART;VALUE=DATE:20261228\r\n" in body  # the year-end closure
    assert "DTSTART;VALUE=DATE:20260403\r\n" not in body  # Good Friday is worked
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert client.get("/calendars/nope.ics").status_code == 404


def test_case_open_statuses_cover_the_watch() -> None:
    assert set(Case.OPEN_STATUSES) == {"registered", "in-progress", "forwarded", "reopened"}


def test_calendar_and_policy_cache_is_cleared_by_an_edit(
    agent: User, client_record: Client
) -> None:
    calendar = WorkingCalendar.objects.get(code="be-federal")
    assert is_working_day(dt.date(2026, 3, 3), calendar.rules())
    CalendarDay.objects.create(calendar=calendar, date=dt.date(2026, 3, 3), reason="staking")
    assert not is_working_day(
        dt.date(2026, 3, 3), WorkingCalendar.objects.get(code="be-federal").rules()
    )
    topic = Topic.objects.create(code="x", name_nl="X", name_fr="X")
    assert policy_for(kind="question", topic=topic).code == "standard"  # type: ignore[union-attr]
    topic.policy = DeadlinePolicy.objects.get(code="complaint")
    topic.save()
    assert policy_for(kind="question", topic=topic).code == "complaint"  # type: ignore[union-attr]


def test_registration_reads_no_calendar_once_cached(
    agent: User, client_record: Client, django_assert_max_num_queries: object
) -> None:
    case_register(actor=agent, client=client_record, channel="email", subject="Warm")
    # Lock and bump the sequence, insert case, message and event, and the outer savepoint pair.
    with django_assert_max_num_queries(7):  # type: ignore[operator]
        case_register(
            actor=agent, client=client_record, channel="email", subject="Vraag", body="Tekst"
        )
