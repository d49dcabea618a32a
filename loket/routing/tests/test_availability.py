"""Availability over part-time patterns, holidays and absences (charter rule 7). No database:
property tests with hypothesis against a slow, obvious oracle, and examples written out."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loket.deadlines.rules import CalendarRules, is_working_day, working_days_between
from loket.routing.availability import (
    Agenda,
    Shift,
    days_between,
    earliest_present_day,
    merge,
    planned_periods,
    present_days,
    working_time,
)

BRU = ZoneInfo("Europe/Brussels")
ZONES = [BRU, ZoneInfo("UTC"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]
FEDERAL = CalendarRules()
QUARTER = dt.timedelta(minutes=15)
# Around the spring and autumn clock changes, Easter, Ascension and All Saints of 2026.
FIRST_DAY = dt.date(2026, 3, 20)
LAST_DAY = dt.date(2026, 11, 20)


def at(text: str, zone: ZoneInfo = BRU) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


# --- strategies -----------------------------------------------------------------------------

quarter_times = st.integers(min_value=7 * 4, max_value=19 * 4).map(
    lambda q: dt.time(q // 4, q % 4 * 15)
)


@st.composite
def day_periods(draw: st.DrawFn) -> list[tuple[dt.time, dt.time]]:
    """Zero to two non-overlapping periods on one day, on quarter hours."""
    points = sorted(set(draw(st.lists(quarter_times, min_size=0, max_size=4))))
    if len(points) % 2:
        points = points[:-1]
    return [(points[i], points[i + 1]) for i in range(0, len(points), 2)]


@st.composite
def patterns(draw: st.DrawFn) -> tuple[Shift, ...]:
    """A part-time or full-time weekly pattern, sometimes valid only from some date on."""
    if draw(st.booleans()):
        return ()  # no pattern: the office hours
    valid_from = draw(st.none() | st.dates(FIRST_DAY, LAST_DAY))
    shifts = []
    for weekday in range(5):
        for start, end in draw(day_periods()):
            shifts.append(Shift(weekday, start, end, valid_from=valid_from))
    return tuple(shifts)


@st.composite
def moments(draw: st.DrawFn, first: dt.date = FIRST_DAY, last: dt.date = LAST_DAY) -> dt.datetime:
    """An aware moment on a quarter hour, in one of several time zones."""
    day = draw(st.dates(first, last))
    quarter = draw(st.integers(0, 95))
    zone = draw(st.sampled_from(ZONES))
    naive = dt.datetime.combine(day, dt.time(quarter // 4, quarter % 4 * 15))
    return naive.replace(tzinfo=zone).astimezone(dt.UTC).astimezone(zone)


@st.composite
def absences(draw: st.DrawFn) -> list[tuple[dt.datetime, dt.datetime]]:
    found = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(moments())
        length = QUARTER * draw(st.integers(1, 4 * 24 * 6))  # up to six days
        found.append((start, start + length))
    return found


calendars = st.builds(
    CalendarRules,
    holiday_set=st.sampled_from(["be-federal", "be-legal", "none"]),
    closure_days=st.frozensets(st.dates(FIRST_DAY, LAST_DAY), max_size=4),
)


@st.composite
def windows(draw: st.DrawFn) -> tuple[dt.datetime, dt.datetime]:
    start = draw(moments())
    return start, start + QUARTER * draw(st.integers(0, 4 * 24 * 9))


def oracle_working_time(
    agenda: Agenda, start: dt.datetime, end: dt.datetime, rules: CalendarRules
) -> dt.timedelta:
    """Quarter hour by quarter hour: on a working day, inside the person's planned hours,
    and in no absence. Slow and obvious; every moment in the tests is on a quarter hour."""
    total = dt.timedelta(0)
    slot = start.astimezone(dt.UTC)
    end = end.astimezone(dt.UTC)
    while slot < end:
        local = slot.astimezone(rules.zone)
        day = local.date()
        if is_working_day(day, rules):
            valid = [s for s in agenda.shifts if s.valid_on(day)]
            if valid:
                hours = [(s.start, s.end) for s in valid if s.weekday == day.weekday()]
            else:
                hours = [(p.start, p.end) for p in rules.weekly_hours.get(day.weekday(), ())]
            planned = any(a <= local.time() < b for a, b in hours)
            absent = any(s <= slot < e for s, e in agenda.absences)
            if planned and not absent:
                total += QUARTER
        slot += QUARTER
    return total


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(shifts=patterns(), away=absences(), rules=calendars, window=windows())
def test_working_time_is_the_planned_time_that_no_absence_takes(
    shifts: tuple[Shift, ...],
    away: list[tuple[dt.datetime, dt.datetime]],
    rules: CalendarRules,
    window: tuple[dt.datetime, dt.datetime],
) -> None:
    agenda = Agenda(shifts, tuple(away))
    start, end = window
    assert working_time(agenda, start, end, rules) == oracle_working_time(agenda, start, end, rules)


@settings(max_examples=150, deadline=None)
@given(shifts=patterns(), away=absences(), rules=calendars, window=windows())
def test_absences_only_ever_take_time_and_days_away(
    shifts: tuple[Shift, ...],
    away: list[tuple[dt.datetime, dt.datetime]],
    rules: CalendarRules,
    window: tuple[dt.datetime, dt.datetime],
) -> None:
    start, end = window
    free = Agenda(shifts)
    busy = Agenda(shifts, tuple(away))
    assert working_time(busy, start, end, rules) <= working_time(free, start, end, rules)
    assert set(present_days(busy, start, end, rules)) <= set(present_days(free, start, end, rules))


@settings(max_examples=150, deadline=None)
@given(shifts=patterns(), away=absences(), rules=calendars, window=windows())
def test_present_days_are_working_days_with_planned_hours(
    shifts: tuple[Shift, ...],
    away: list[tuple[dt.datetime, dt.datetime]],
    rules: CalendarRules,
    window: tuple[dt.datetime, dt.datetime],
) -> None:
    agenda = Agenda(shifts, tuple(away))
    for day in present_days(agenda, *window, rules):
        assert is_working_day(day, rules)  # never a weekend, holiday or closure day
        assert planned_periods(day, agenda, rules)  # never a part-time day off
        valid = [s for s in shifts if s.valid_on(day)]
        if valid:
            assert day.weekday() in {s.weekday for s in valid}


@settings(max_examples=100, deadline=None)
@given(
    shifts=patterns(),
    away=absences(),
    rules=calendars,
    window=windows(),
    cut=st.integers(0, 4 * 24 * 9),
)
def test_working_time_adds_up_when_the_window_is_split(
    shifts: tuple[Shift, ...],
    away: list[tuple[dt.datetime, dt.datetime]],
    rules: CalendarRules,
    window: tuple[dt.datetime, dt.datetime],
    cut: int,
) -> None:
    agenda = Agenda(shifts, tuple(away))
    start, end = window
    middle = min(end, start + cut * QUARTER)
    whole = working_time(agenda, start, end, rules)
    assert whole == working_time(agenda, start, middle, rules) + working_time(
        agenda, middle, end, rules
    )


@settings(max_examples=100, deadline=None)
@given(away=absences(), order=st.randoms())
def test_the_order_and_repetition_of_absences_do_not_matter(
    away: list[tuple[dt.datetime, dt.datetime]], order: object
) -> None:
    shuffled = list(away) * 2
    order.shuffle(shuffled)  # type: ignore[attr-defined]
    assert merge(shuffled) == merge(away)
    merged = merge(away)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(merged))


@settings(max_examples=100, deadline=None)
@given(rules=calendars, first=st.dates(FIRST_DAY, LAST_DAY), length=st.integers(0, 40))
def test_without_pattern_or_absence_every_working_day_counts(
    rules: CalendarRules, first: dt.date, length: int
) -> None:
    last = first + dt.timedelta(days=length)
    start = dt.datetime.combine(first, dt.time(0), tzinfo=rules.zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=rules.zone)
    days = present_days(Agenda(), start, end, rules)
    assert len(days) == working_days_between(first - dt.timedelta(days=1), last, rules)


@settings(max_examples=100, deadline=None)
@given(shifts=patterns(), away=absences(), rules=calendars, after=moments())
def test_the_earliest_present_day_is_present_and_no_day_before_it_is(
    shifts: tuple[Shift, ...],
    away: list[tuple[dt.datetime, dt.datetime]],
    rules: CalendarRules,
    after: dt.datetime,
) -> None:
    agenda = Agenda(shifts, tuple(away))
    found = earliest_present_day(agenda, after, rules, horizon_days=60)
    if found is None:
        horizon = after + dt.timedelta(days=61)
        assert present_days(agenda, after, horizon, rules) == []
        return
    end_of_day = dt.datetime.combine(found + dt.timedelta(days=1), dt.time(0), tzinfo=rules.zone)
    assert present_days(agenda, after, end_of_day, rules) == [found]


@settings(max_examples=60, deadline=None)
@given(shifts=patterns(), start=moments(), rules=calendars)
def test_an_absence_over_the_whole_window_leaves_nothing(
    shifts: tuple[Shift, ...], start: dt.datetime, rules: CalendarRules
) -> None:
    end = start + dt.timedelta(days=10)
    agenda = Agenda(shifts, ((start - dt.timedelta(hours=1), end + dt.timedelta(hours=1)),))
    assert working_time(agenda, start, end, rules) == dt.timedelta(0)
    assert present_days(agenda, start, end, rules) == []
    assert agenda.absence_at(start + dt.timedelta(days=3)) is not None


# --- examples -----------------------------------------------------------------------------

FOUR_FIFTHS = tuple(
    Shift(weekday, start, end)
    for weekday in (0, 1, 3, 4)  # no Wednesdays
    for start, end in ((dt.time(8, 30), dt.time(12, 30)), (dt.time(13, 0), dt.time(16, 30)))
)


def test_a_four_fifths_pattern_has_wednesdays_off() -> None:
    # Monday 4 to Friday 8 May 2026: Wednesday is the part-time day off.
    days = present_days(
        Agenda(FOUR_FIFTHS), at("2026-05-04 00:00"), at("2026-05-09 00:00"), FEDERAL
    )
    assert days == [dt.date(2026, 5, d) for d in (4, 5, 7, 8)]
    assert working_time(
        Agenda(FOUR_FIFTHS), at("2026-05-06 00:00"), at("2026-05-07 00:00"), FEDERAL
    ) == dt.timedelta(0)


def test_holidays_and_closure_days_are_nobody_s_working_days() -> None:
    # Ascension (14 May 2026) and the shipped closure day after it (15 May).
    rules = CalendarRules(closure_days=frozenset({dt.date(2026, 5, 15)}))
    days = present_days(Agenda(), at("2026-05-13 00:00"), at("2026-05-19 00:00"), rules)
    assert days == [dt.date(2026, 5, 13), dt.date(2026, 5, 18)]


def test_half_a_day_away_still_counts_a_meeting_hour_does_not_cost_the_day() -> None:
    morning_off = Agenda(absences=((at("2026-05-04 08:30"), at("2026-05-04 12:30")),))
    meeting = Agenda(absences=((at("2026-05-05 10:00"), at("2026-05-05 11:00")),))
    most_of_the_day = Agenda(absences=((at("2026-05-04 08:30"), at("2026-05-04 15:00")),))
    window = (at("2026-05-04 00:00"), at("2026-05-06 00:00"))
    assert present_days(morning_off, *window, FEDERAL) == [dt.date(2026, 5, 4), dt.date(2026, 5, 5)]
    assert present_days(meeting, *window, FEDERAL) == [dt.date(2026, 5, 4), dt.date(2026, 5, 5)]
    assert present_days(most_of_the_day, *window, FEDERAL) == [dt.date(2026, 5, 5)]
    # Monday's office hours are 7.5 hours; the meeting takes one.
    assert working_time(meeting, at("2026-05-05 00:00"), at("2026-05-06 00:00"), FEDERAL) == (
        dt.timedelta(hours=6, minutes=30)
    )


def test_late_in_the_afternoon_the_rest_of_today_is_no_present_day() -> None:
    days = days_between(Agenda(), at("2026-05-04 15:00"), at("2026-05-05 23:59"), FEDERAL)
    assert [(d.date, d.counts()) for d in days] == [
        (dt.date(2026, 5, 4), False),
        (dt.date(2026, 5, 5), True),
    ]


def test_an_absence_in_new_york_time_is_measured_in_brussels_hours() -> None:
    # 9 March 2026: New York already on summer time (UTC-4), Brussels not yet (UTC+1).
    new_york = ZoneInfo("America/New_York")
    agenda = Agenda(
        absences=((at("2026-03-09 09:00", new_york), at("2026-03-09 17:00", new_york)),)
    )
    # 09:00-17:00 in New York is 14:00-22:00 in Brussels: only 14:00-16:30 of the office day.
    assert working_time(agenda, at("2026-03-09 00:00"), at("2026-03-10 00:00"), FEDERAL) == (
        dt.timedelta(hours=5)
    )
    assert agenda.absence_at(at("2026-03-09 15:00")) is not None
    assert agenda.absence_at(at("2026-03-09 13:59")) is None


def test_a_new_pattern_from_a_date_replaces_the_office_hours_from_then_on() -> None:
    part_time = tuple(
        Shift(weekday, dt.time(9), dt.time(13), valid_from=dt.date(2026, 6, 1))
        for weekday in (0, 1)
    )
    days = present_days(Agenda(part_time), at("2026-05-25 00:00"), at("2026-06-06 00:00"), FEDERAL)
    # Whit Monday 25 May is a holiday; then full time until Friday 29 May; then Mon and Tue.
    assert days == [dt.date(2026, 5, d) for d in (26, 27, 28, 29)] + [
        dt.date(2026, 6, 1),
        dt.date(2026, 6, 2),
    ]


def test_the_earliest_day_skips_leave_the_weekend_and_a_holiday() -> None:
    # Leave until Friday 1 May (Labour Day anyway); the weekend; back on Monday 4 May.
    agenda = Agenda(absences=((at("2026-04-27 00:00"), at("2026-05-02 00:00")),))
    assert earliest_present_day(agenda, at("2026-04-28 10:00"), FEDERAL) == dt.date(2026, 5, 4)


def test_naive_moments_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        working_time(Agenda(), dt.datetime(2026, 5, 4), at("2026-05-05 00:00"), FEDERAL)
    with pytest.raises(ValueError, match="end after it starts"):
        Shift(0, dt.time(12), dt.time(9))
