"""Who is there to do the work: a person's working time and present working days between two
moments (charter rule 7: forward "by availability in the agenda: absences, part-time days").

Pure Python, no database. A person's `Agenda` is their weekly working pattern and their
absences; the service's `CalendarRules` (loket.deadlines.rules) says which days are working
days at all. The rules, in order:

1. Only the service's working days count: nobody is expected on a weekend, a public holiday,
   a federal day off or a closure day, whatever their pattern says.
2. On a working day a person works the periods of their pattern for that weekday. A weekday
   without a period in a pattern that is valid that day is a part-time day off. A person
   without any pattern valid that day works the office hours of the calendar (full time).
3. Absences (leave, training, illness, meetings, in any time zone) are taken off that time.
4. A working day counts as *present* when the person is there for at least `share` (by
   default two fifths) of what they would work that whole day, within the window asked
   about: a one-hour meeting does not cost the day, a morning or an afternoon off (Friday's
   short one too) leaves a present day, and at 15:00 the rest of today no longer is one.

All arithmetic is done in UTC, so daylight-saving changes and absences from other time zones
are measured exactly; wall-clock pattern times are read in the calendar's time zone.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from loket.deadlines.rules import CalendarRules, is_working_day

Interval = tuple[dt.datetime, dt.datetime]  # [start, end), aware, in UTC
DEFAULT_SHARE = 0.4
_ONE_DAY = dt.timedelta(days=1)
_NOTHING = dt.timedelta(0)


@dataclass(frozen=True, slots=True)
class Shift:
    """One working period of a weekday in a person's pattern, in local wall-clock time,
    valid from `valid_from` until `valid_until` (both inclusive; None: no limit)."""

    weekday: int
    start: dt.time
    end: dt.time
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    def __post_init__(self) -> None:
        if self.weekday not in range(7):
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday!r}")
        if not self.start < self.end:
            raise ValueError(f"a shift must end after it starts: {self.start}-{self.end}")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("a shift's validity must end after it begins")

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


def _utc(moment: dt.datetime, name: str) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got the naive datetime {moment!r}")
    return moment.astimezone(dt.UTC)


def merge(intervals: Iterable[tuple[dt.datetime, dt.datetime]]) -> tuple[Interval, ...]:
    """The intervals in UTC, sorted, with overlapping and touching ones joined; empty ones
    dropped. The order and duplicates of the input do not matter."""
    ordered = sorted(
        (_utc(start, "an absence's start"), _utc(end, "an absence's end"))
        for start, end in intervals
    )
    merged: list[list[dt.datetime]] = []
    for start, end in ordered:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


@dataclass(frozen=True)
class Agenda:
    """A person's working pattern and absences; absences are kept merged, in UTC."""

    shifts: tuple[Shift, ...] = ()
    absences: tuple[Interval, ...] = ()
    _starts: tuple[dt.datetime, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "shifts", tuple(self.shifts))
        object.__setattr__(self, "absences", merge(self.absences))
        object.__setattr__(self, "_starts", tuple(start for start, _ in self.absences))

    def absence_at(self, moment: dt.datetime) -> Interval | None:
        """The (merged) absence that `moment` falls in, or None."""
        moment = _utc(moment, "moment")
        index = bisect_left(self._starts, moment)
        for candidate in self.absences[max(0, index - 1) : index + 1]:
            if candidate[0] <= moment < candidate[1]:
                return candidate
        return None

    def absences_between(self, start: dt.datetime, end: dt.datetime) -> list[Interval]:
        """The (merged) absences that overlap [start, end)."""
        start, end = _utc(start, "start"), _utc(end, "end")
        index = max(0, bisect_left(self._starts, start) - 1)
        found = []
        for absence in self.absences[index:]:
            if absence[0] >= end:
                break
            if absence[1] > start:
                found.append(absence)
        return found


def planned_periods(day: dt.date, agenda: Agenda, rules: CalendarRules) -> list[Interval]:
    """When the person would work on `day` were they not absent (rules 1 and 2), in UTC."""
    if not is_working_day(day, rules):
        return []
    valid = [shift for shift in agenda.shifts if shift.valid_on(day)]
    if valid:
        times = sorted((s.start, s.end) for s in valid if s.weekday == day.weekday())
    else:
        times = [(p.start, p.end) for p in rules.weekly_hours.get(day.weekday(), ())]
    zone = rules.zone
    return [
        (
            dt.datetime.combine(day, start, tzinfo=zone).astimezone(dt.UTC),
            dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC),
        )
        for start, end in times
    ]


def _overlap(a: Interval, b: Interval) -> dt.timedelta:
    return max(_NOTHING, min(a[1], b[1]) - max(a[0], b[0]))


def _clip(periods: Sequence[Interval], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    return [(max(s, start), min(e, end)) for s, e in periods if min(e, end) > max(s, start)]


def _present_time(periods: Sequence[Interval], agenda: Agenda) -> dt.timedelta:
    """The time of `periods` that no absence takes (rule 3)."""
    total = _NOTHING
    for period in periods:
        total += period[1] - period[0]
        for absence in agenda.absences_between(*period):
            total -= _overlap(period, absence)
    return total


@dataclass(frozen=True, slots=True)
class Day:
    """One working day of a person within a window."""

    date: dt.date
    planned: dt.timedelta  # what they would work that whole day
    present: dt.timedelta  # what they are there for, within the window

    def counts(self, share: float = DEFAULT_SHARE) -> bool:
        """Rule 4: present for at least `share` of the whole day's planned time."""
        return self.planned > _NOTHING and self.present >= self.planned * share


def _dates(start: dt.datetime, end: dt.datetime, rules: CalendarRules) -> Iterator[dt.date]:
    day = start.astimezone(rules.zone).date()
    last = end.astimezone(rules.zone).date()
    while day <= last:
        yield day
        day += _ONE_DAY


def days_between(
    agenda: Agenda, start: dt.datetime, end: dt.datetime, rules: CalendarRules
) -> list[Day]:
    """Every day in [start, end) on which the person has planned working time."""
    start, end = _utc(start, "start"), _utc(end, "end")
    result = []
    for day in _dates(start, end, rules):
        periods = planned_periods(day, agenda, rules)
        if not periods:
            continue
        planned = sum((e - s for s, e in periods), _NOTHING)
        result.append(Day(day, planned, _present_time(_clip(periods, start, end), agenda)))
    return result


def working_time(
    agenda: Agenda, start: dt.datetime, end: dt.datetime, rules: CalendarRules
) -> dt.timedelta:
    """The time in [start, end) that the person works and is not absent."""
    return sum((day.present for day in days_between(agenda, start, end, rules)), _NOTHING)


def present_days(
    agenda: Agenda,
    start: dt.datetime,
    end: dt.datetime,
    rules: CalendarRules,
    *,
    share: float = DEFAULT_SHARE,
) -> list[dt.date]:
    """The working days in [start, end) on which the person counts as present (rule 4)."""
    return [day.date for day in days_between(agenda, start, end, rules) if day.counts(share)]


def earliest_present_day(
    agenda: Agenda,
    after: dt.datetime,
    rules: CalendarRules,
    *,
    horizon_days: int = 366,
    share: float = DEFAULT_SHARE,
) -> dt.date | None:
    """The first day from `after` on which the person counts as present (the rest of today
    included), or None when there is none within `horizon_days`."""
    after = _utc(after, "after")
    day = after.astimezone(rules.zone).date()
    for _ in range(horizon_days + 1):
        periods = planned_periods(day, agenda, rules)
        if periods:
            planned = sum((e - s for s, e in periods), _NOTHING)
            window = _clip(periods, after, periods[-1][1])
            if Day(day, planned, _present_time(window, agenda)).counts(share):
                return day
        day += _ONE_DAY
    return None
