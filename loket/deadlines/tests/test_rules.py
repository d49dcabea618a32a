"""Tests of loket.deadlines.rules (charter rule 4: deadlines in working days). No database."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loket.deadlines.rules import (
    STANDARD_WEEKLY_HOURS,
    CalendarRules,
    OfficePeriod,
    add_working_days,
    compute_term,
    day_zero,
    days_off_between,
    due_at,
    easter_sunday,
    federal_days_off,
    is_open_at,
    is_working_day,
    legal_holidays,
    next_opening,
    next_working_day,
    rule_days_off,
    working_days_between,
)

BRU = ZoneInfo("Europe/Brussels")
FEDERAL = CalendarRules()
LEGAL = CalendarRules(holiday_set="be-legal")
D = date.fromisoformat


def at(stamp: str) -> datetime:
    """A Brussels wall-clock moment, e.g. at("2026-12-24 15:00")."""
    return datetime.fromisoformat(stamp).replace(tzinfo=BRU)


# --- Holidays 2025-2030, written out by hand -------------------------------------------------

# (Easter Monday, Ascension, Whit Monday) per year.
MOVABLE = {
    2025: ("2025-04-21", "2025-05-29", "2025-06-09"),
    2026: ("2026-04-06", "2026-05-14", "2026-05-25"),
    2027: ("2027-03-29", "2027-05-06", "2027-05-17"),
    2028: ("2028-04-17", "2028-05-25", "2028-06-05"),
    2029: ("2029-04-02", "2029-05-10", "2029-05-21"),
    2030: ("2030-04-22", "2030-05-30", "2030-06-10"),
}
EASTER = {
    2025: "2025-04-20",
    2026: "2026-04-05",
    2027: "2027-03-28",
    2028: "2028-04-16",
    2029: "2029-04-01",
    2030: "2030-04-21",
}
GOOD_FRIDAY = {
    2025: "2025-04-18",
    2026: "2026-04-03",
    2027: "2027-03-26",
    2028: "2028-04-14",
    2029: "2029-03-30",
    2030: "2030-04-19",
}
# Weekdays among 27-31 December.
YEAR_END = {
    2025: ("2025-12-29", "2025-12-30", "2025-12-31"),
    2026: ("2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31"),
    2027: ("2027-12-27", "2027-12-28", "2027-12-29", "2027-12-30", "2027-12-31"),
    2028: ("2028-12-27", "2028-12-28", "2028-12-29"),
    2029: ("2029-12-27", "2029-12-28", "2029-12-31"),
    2030: ("2030-12-27", "2030-12-30", "2030-12-31"),
}
YEARS = sorted(MOVABLE)


def expected_legal(year: int) -> dict[date, str]:
    easter_monday, ascension, whit_monday = MOVABLE[year]
    return {
        date(year, 1, 1): "new-year",
        D(easter_monday): "easter-monday",
        date(year, 5, 1): "labour-day",
        D(ascension): "ascension",
        D(whit_monday): "whit-monday",
        date(year, 7, 21): "national-day",
        date(year, 8, 15): "assumption",
        date(year, 11, 1): "all-saints",
        date(year, 11, 11): "armistice",
        date(year, 12, 25): "christmas",
    }


def expected_federal(year: int) -> dict[date, str]:
    days = expected_legal(year) | {
        date(year, 11, 2): "all-souls",
        date(year, 11, 15): "kings-day",
        date(year, 12, 26): "boxing-day",
    }
    return days | {D(day): "year-end-closure" for day in YEAR_END[year]}


@pytest.mark.parametrize("year", YEARS)
def test_easter_sunday(year: int) -> None:
    assert easter_sunday(year) == D(EASTER[year])


@pytest.mark.parametrize("year", YEARS)
def test_legal_holidays(year: int) -> None:
    assert legal_holidays(year) == expected_legal(year)
    assert rule_days_off(year, "be-legal") == expected_legal(year)


@pytest.mark.parametrize("year", YEARS)
def test_federal_days_off(year: int) -> None:
    assert federal_days_off(year) == expected_federal(year)
    assert rule_days_off(year, "be-federal") == expected_federal(year)


@pytest.mark.parametrize("year", YEARS)
def test_holidays_are_not_working_days_in_either_calendar(year: int) -> None:
    for day in expected_legal(year):
        assert not is_working_day(day, LEGAL)
        assert not is_working_day(day, FEDERAL)
    for day in set(expected_federal(year)) - set(expected_legal(year)):
        assert not is_working_day(day, FEDERAL)
        assert is_working_day(day, LEGAL) == (day.weekday() < 5)


@pytest.mark.parametrize("year", YEARS)
def test_good_friday_is_a_working_day(year: int) -> None:
    good_friday = D(GOOD_FRIDAY[year])
    assert good_friday.weekday() == 4
    assert is_working_day(good_friday, FEDERAL)
    assert is_working_day(good_friday, LEGAL)
    assert good_friday not in federal_days_off(year)


def test_december_closure_federal_only() -> None:
    assert not is_working_day(D("2026-12-28"), FEDERAL)  # Monday
    assert is_working_day(D("2026-12-28"), LEGAL)
    assert [d.day for d in federal_days_off(2026) if d.month == 12] == [25, 26, 28, 29, 30, 31]
    assert is_working_day(D("2026-12-24"), FEDERAL)  # Christmas Eve is a working day


def test_holiday_sets_dispatch() -> None:
    assert rule_days_off(2026, "none") == {}
    with pytest.raises(ValueError, match="unknown holiday set 'be-flemish'"):
        rule_days_off(2026, "be-flemish")
    with pytest.raises(ValueError, match="unknown holiday set"):
        CalendarRules(holiday_set="bank")
    legal_holidays(2026).clear()  # returned dicts are copies of the cache
    assert len(legal_holidays(2026)) == 10


def test_labour_day_and_ascension_clash_keeps_one_key() -> None:
    assert easter_sunday(2008) == D("2008-03-23")
    assert legal_holidays(2008)[D("2008-05-01")] == "labour-day"
    assert len(legal_holidays(2008)) == 9


# --- The counting rule on worked examples ----------------------------------------------------


def test_christmas_eve_example() -> None:
    term = compute_term(at("2026-12-24 15:00"), 2, FEDERAL)
    assert term.day_zero == D("2026-12-24")
    assert term.due_at == datetime(2027, 1, 5, 23, 59, 59, tzinfo=BRU)
    assert term.due_at.isoformat() == "2027-01-05T23:59:59+01:00"
    assert term.received == at("2026-12-24 15:00")
    assert add_working_days(D("2026-12-24"), 1, FEDERAL) == D("2027-01-04")


def test_saturday_receipt_starts_on_monday() -> None:
    assert day_zero(at("2026-03-07 10:00"), FEDERAL) == D("2026-03-09")
    assert due_at(at("2026-03-07 10:00"), 5, FEDERAL).date() == D("2026-03-16")
    assert due_at(at("2026-03-07 10:00"), 0, FEDERAL).date() == D("2026-03-09")


def test_cutoff_is_strict() -> None:
    four = time(16, 0)
    assert day_zero(at("2026-03-11 16:30"), FEDERAL, four) == D("2026-03-12")
    assert due_at(at("2026-03-11 16:30"), 1, FEDERAL, four).date() == D("2026-03-13")
    assert day_zero(at("2026-03-11 16:00"), FEDERAL, four) == D("2026-03-11")
    assert day_zero(at("2026-03-11 16:00:00.000001"), FEDERAL, four) == D("2026-03-12")
    assert day_zero(at("2026-03-11 16:30"), FEDERAL) == D("2026-03-11")  # no cut-off set
    # After the cut-off on a Friday before a holiday Monday: Tuesday.
    assert day_zero(at("2026-04-03 17:00"), FEDERAL, four) == D("2026-04-07")
    with pytest.raises(ValueError, match="naive"):
        day_zero(at("2026-03-11 10:00"), FEDERAL, time(16, tzinfo=UTC))


def test_receipt_date_is_taken_in_brussels_time() -> None:
    # 23:30 UTC on Monday 5 January is 00:30 on Tuesday in Brussels.
    received = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)
    assert day_zero(received, FEDERAL) == D("2026-01-06")


def test_bridge_days_entered_as_closures() -> None:
    bridges = CalendarRules(closure_days=frozenset({D("2026-05-15"), D("2026-07-20")}))
    assert due_at(at("2026-05-13 10:00"), 2, FEDERAL).date() == D("2026-05-18")
    assert due_at(at("2026-05-13 10:00"), 2, bridges).date() == D("2026-05-19")
    assert due_at(at("2026-07-17 10:00"), 1, bridges).date() == D("2026-07-22")
    assert day_zero(at("2026-05-15 09:00"), bridges) == D("2026-05-18")


def test_reopened_day_counts() -> None:
    reopened = CalendarRules(open_days=frozenset({D("2026-12-28")}))
    assert is_working_day(D("2026-12-28"), reopened)
    assert compute_term(at("2026-12-24 15:00"), 1, reopened).due_at.date() == D("2026-12-28")
    assert compute_term(at("2026-12-24 15:00"), 2, reopened).due_at.date() == D("2027-01-04")
    # A weekday without office hours stays closed; a closure beats a re-opening.
    saturday = frozenset({D("2026-12-26")})
    assert not is_working_day(D("2026-12-26"), CalendarRules(open_days=saturday))
    both = frozenset({D("2026-12-28")})
    assert not is_working_day(D("2026-12-28"), CalendarRules(open_days=both, closure_days=both))


def test_dst_boundaries() -> None:
    # Summer time starts Sunday 29 March 2026, ends Sunday 25 October 2026.
    spring = due_at(at("2026-03-26 10:00"), 2, FEDERAL)
    assert spring.isoformat() == "2026-03-30T23:59:59+02:00"
    autumn = due_at(at("2026-10-22 10:00"), 2, FEDERAL)
    assert autumn.isoformat() == "2026-10-26T23:59:59+01:00"
    daily = CalendarRules(weekly_hours={d: (OfficePeriod(time(9), time(17)),) for d in range(7)})
    assert due_at(at("2026-03-29 10:00"), 0, daily).isoformat() == "2026-03-29T23:59:59+02:00"
    assert due_at(at("2026-10-24 10:00"), 1, daily).isoformat() == "2026-10-25T23:59:59+01:00"
    assert due_at(at("2026-03-28 10:00"), 1, daily).utcoffset() == timedelta(hours=2)


def test_zero_working_days_ends_day_zero() -> None:
    assert due_at(at("2026-03-09 10:00"), 0, FEDERAL) == at("2026-03-09 23:59:59")
    assert due_at(at("2026-12-25 10:00"), 0, FEDERAL) == at("2027-01-04 23:59:59")


def test_competence_conflict_on_the_legal_calendar() -> None:
    assert due_at(at("2026-12-24 15:00"), 5, LEGAL).date() == D("2027-01-04")
    assert due_at(at("2026-12-24 15:00"), 5, FEDERAL).date() == D("2027-01-08")
    assert due_at(at("2026-10-30 11:00"), 5, LEGAL).date() == D("2026-11-06")
    assert due_at(at("2026-10-30 11:00"), 5, FEDERAL).date() == D("2026-11-09")


def test_working_day_helpers() -> None:
    assert next_working_day(D("2026-12-24"), FEDERAL) == D("2027-01-04")
    assert next_working_day(D("2026-12-24"), LEGAL) == D("2026-12-28")
    assert working_days_between(D("2026-12-24"), D("2027-01-05"), FEDERAL) == 2
    assert working_days_between(D("2027-01-05"), D("2026-12-24"), FEDERAL) == 0
    assert working_days_between(D("2026-01-01"), D("2026-01-01"), FEDERAL) == 0
    assert add_working_days(D("2026-01-02"), 1000, LEGAL) > D("2029-10-01")
    with pytest.raises(ValueError, match=">= 0"):
        add_working_days(D("2026-01-02"), -1, FEDERAL)


def test_days_off_between() -> None:
    rules = CalendarRules(closure_days=frozenset({D("2026-12-24"), D("2026-12-25")}))
    assert days_off_between(D("2026-12-20"), D("2027-01-04"), rules) == [
        (D("2026-12-24"), "closure"),
        (D("2026-12-25"), "christmas"),
        (D("2026-12-28"), "year-end-closure"),
        (D("2026-12-29"), "year-end-closure"),
        (D("2026-12-30"), "year-end-closure"),
        (D("2026-12-31"), "year-end-closure"),
        (D("2027-01-01"), "new-year"),
    ]
    assert days_off_between(D("2027-12-24"), D("2028-01-02"), LEGAL) == []  # all on weekends
    assert days_off_between(D("2026-02-01"), D("2026-01-01"), FEDERAL) == []


def test_rules_validation_and_hashing() -> None:
    with pytest.raises(ValueError, match="before end"):
        OfficePeriod(time(12), time(9))
    with pytest.raises(ValueError, match="time zone"):
        CalendarRules(timezone="Europe/Atlantis")
    with pytest.raises(ValueError, match="overlapping"):
        CalendarRules(
            weekly_hours={0: (OfficePeriod(time(8), time(12)), OfficePeriod(time(11), time(13)))}
        )
    with pytest.raises(ValueError, match="no office period"):
        CalendarRules(weekly_hours={})
    with pytest.raises(ValueError, match="not datetimes"):
        CalendarRules(closure_days=frozenset({datetime(2026, 5, 15, tzinfo=BRU)}))
    same = CalendarRules(weekly_hours=dict(STANDARD_WEEKLY_HOURS))
    assert same == FEDERAL and hash(same) == hash(FEDERAL)
    assert dataclasses.replace(FEDERAL, holiday_set="be-legal") == LEGAL
    assert FEDERAL.zone == BRU
    bridges = CalendarRules(closure_days=frozenset({D("2026-05-15")}))
    assert is_working_day(D("2026-05-18"), bridges)  # fill the caches before pickling
    copy = pickle.loads(pickle.dumps(bridges))  # noqa: S301 - our own bytes
    assert copy == bridges and hash(copy) == hash(bridges) and "_years" not in vars(copy)
    assert not is_working_day(D("2026-05-15"), copy)
    with pytest.raises(dataclasses.FrozenInstanceError):
        FEDERAL.holiday_set = "none"  # type: ignore[misc]


# --- Office hours ----------------------------------------------------------------------------


def test_is_open_at() -> None:
    assert not is_open_at(at("2026-03-13 16:15"), FEDERAL)  # Friday
    assert is_open_at(at("2026-03-12 16:15"), FEDERAL)  # Thursday
    assert not is_open_at(at("2026-03-12 12:45"), FEDERAL)  # lunch
    assert not is_open_at(at("2026-03-12 12:30"), FEDERAL)  # end exclusive
    assert is_open_at(at("2026-03-12 13:00"), FEDERAL)  # start inclusive
    assert is_open_at(at("2026-03-12 08:30"), FEDERAL)
    assert not is_open_at(at("2026-03-12 08:29:59"), FEDERAL)
    assert not is_open_at(at("2026-05-14 10:00"), FEDERAL)  # Ascension
    assert not is_open_at(at("2026-03-14 10:00"), FEDERAL)  # Saturday
    assert is_open_at(datetime(2026, 3, 12, 9, tzinfo=UTC), FEDERAL)  # 10:00 in Brussels


def test_next_opening() -> None:
    assert next_opening(at("2026-03-13 18:00"), FEDERAL) == at("2026-03-16 08:30")
    # Friday 3 April 2026 (Good Friday, a working day); Monday 6 April is Easter Monday.
    after = next_opening(at("2026-04-03 18:00"), FEDERAL)
    assert after == at("2026-04-07 08:30")
    assert after is not None and after.isoformat() == "2026-04-07T08:30:00+02:00"
    assert next_opening(at("2026-03-12 12:45"), FEDERAL) == at("2026-03-12 13:00")
    assert next_opening(at("2026-03-12 07:00"), FEDERAL) == at("2026-03-12 08:30")
    now = at("2026-03-12 10:00")
    assert next_opening(now, FEDERAL) is now
    closed = frozenset(D("2026-03-13") + timedelta(days=i) for i in range(400))
    assert next_opening(at("2026-03-13 07:00"), CalendarRules(closure_days=closed)) is None


# --- Properties ------------------------------------------------------------------------------

ZONES = st.sampled_from([BRU, UTC, timezone(timedelta(hours=-5)), ZoneInfo("Asia/Tokyo")])
RECEIPTS = st.datetimes(datetime(2020, 1, 1), datetime(2035, 12, 31, 23, 59), timezones=ZONES)
CUTOFFS = st.none() | st.times()


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[datetime, int, CalendarRules, time | None]:
    received = draw(RECEIPTS)
    base = received.astimezone(BRU).date()
    offsets = draw(st.lists(st.integers(-3, 60), max_size=15))
    closures = frozenset(base + timedelta(days=o) for o in offsets)
    holiday_set = draw(st.sampled_from(["be-federal", "be-legal", "none"]))
    rules = CalendarRules(holiday_set=holiday_set, closure_days=closures)
    return received, draw(st.integers(0, 30)), rules, draw(CUTOFFS)


def oracle_working(day: date, rules: CalendarRules) -> bool:
    """A slow, independent reading of the working-day rule."""
    if day in rules.closure_days or day.weekday() >= 5:
        return False
    return day not in rule_days_off(day.year, rules.holiday_set) or day in rules.open_days


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_term_properties(scenario: tuple[datetime, int, CalendarRules, time | None]) -> None:
    received, n, rules, cutoff = scenario
    term = compute_term(received, n, rules, cutoff)
    due = term.due_at
    assert due >= received
    assert due.tzinfo is rules.zone and due.time() == time(23, 59, 59)
    assert oracle_working(term.day_zero, rules)
    assert term.day_zero >= received.astimezone(BRU).date()
    assert working_days_between(term.day_zero, due.date(), rules) == n
    counted = [
        term.day_zero + timedelta(days=i) for i in range(1, (due.date() - term.day_zero).days + 1)
    ]
    assert sum(oracle_working(day, rules) for day in counted) == n
    assert all(not is_working_day(d, rules) for d in counted if d in rules.closure_days)
    if n >= 1:
        assert is_working_day(due.date(), rules) and oracle_working(due.date(), rules)
        assert due.date() not in rules.closure_days
    else:
        assert due.date() == term.day_zero


@settings(max_examples=300, deadline=None)
@given(scenarios(), st.integers(-3, 60))
def test_an_extra_closure_day_never_shortens_a_term(
    scenario: tuple[datetime, int, CalendarRules, time | None], offset: int
) -> None:
    received, n, rules, cutoff = scenario
    extra = received.astimezone(BRU).date() + timedelta(days=offset)
    more = dataclasses.replace(rules, closure_days=rules.closure_days | {extra})
    assert due_at(received, n, more, cutoff) >= due_at(received, n, rules, cutoff)


@settings(max_examples=100, deadline=None)
@given(st.datetimes(datetime(2020, 1, 1), datetime(2035, 12, 31)), st.integers(0, 30))
def test_naive_datetimes_are_rejected(naive: datetime, n: int) -> None:
    for call in (
        lambda: compute_term(naive, n, FEDERAL),
        lambda: due_at(naive, n, FEDERAL),
        lambda: day_zero(naive, FEDERAL),
        lambda: is_open_at(naive, FEDERAL),
        lambda: next_opening(naive, FEDERAL),
    ):
        with pytest.raises(ValueError, match="timezone-aware"):
            call()


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2020, 1, 1), date(2035, 12, 31)), st.integers(0, 40))
def test_add_working_days_matches_a_day_by_day_walk(start: date, n: int) -> None:
    expected, left = start, n
    while left:
        expected += timedelta(days=1)
        left -= oracle_working(expected, FEDERAL)
    assert add_working_days(start, n, FEDERAL) == expected


# --- helpers for the watch ----------------------------------------------------------------


def test_subtract_working_days_skips_the_christmas_closure() -> None:
    from loket.deadlines.rules import subtract_working_days

    rules = CalendarRules()
    # Tue 5 Jan 2027, one working day earlier is Mon 4 Jan; two earlier is Thu 24 Dec 2026.
    assert subtract_working_days(date(2027, 1, 5), 1, rules) == date(2027, 1, 4)
    assert subtract_working_days(date(2027, 1, 5), 2, rules) == date(2026, 12, 24)
    assert subtract_working_days(date(2027, 1, 5), 0, rules) == date(2027, 1, 5)


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(min_value=0, max_value=20),
)
def test_subtract_undoes_add_on_working_days(day: date, n: int) -> None:
    from loket.deadlines.rules import subtract_working_days

    rules = CalendarRules()
    if not is_working_day(day, rules):
        day = next_working_day(day, rules)
    assert subtract_working_days(add_working_days(day, n, rules), n, rules) == day


def test_opening_and_end_of_day_are_local() -> None:
    from loket.deadlines.rules import end_of_day, opening_of

    rules = CalendarRules()
    assert opening_of(date(2026, 7, 1), rules).isoformat() == "2026-07-01T08:30:00+02:00"
    assert end_of_day(date(2026, 1, 5), rules).isoformat() == "2026-01-05T23:59:59+01:00"
