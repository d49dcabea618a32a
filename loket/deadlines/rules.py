"""Working-day deadlines for the front office (charter rule 4: deadlines in working days).

Pure Python (no Django, no database). A calendar is a `CalendarRules` value: a time zone,
a holiday set ("be-legal", "be-federal" or "none"), weekly office hours, and the closure
and re-opened days an administrator enters. Precedence for one date:

1. an administrator closure day is never a working day (closing wins over office hours);
2. a weekday without office periods is never a working day;
3. a holiday-rule day off is not a working day unless re-opened (re-opening wins over it).
"""

from __future__ import annotations

import functools
import itertools
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HOLIDAY_SETS: tuple[str, ...] = ("be-legal", "be-federal", "none")
CLOSURE = "closure"  # reason key of an administrator closure day
END_OF_DAY = time(23, 59, 59)
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class OfficePeriod:
    """One opening period of a weekday, in local wall-clock time: [start, end)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("OfficePeriod times are local wall-clock times and must be naive")
        if not self.start < self.end:
            raise ValueError(f"OfficePeriod start {self.start} must be before end {self.end}")


_MORNING = OfficePeriod(time(8, 30), time(12, 30))
_AFTERNOON = OfficePeriod(time(13, 0), time(16, 30))
STANDARD_WEEKLY_HOURS: Mapping[int, tuple[OfficePeriod, ...]] = MappingProxyType(
    {
        **{weekday: (_MORNING, _AFTERNOON) for weekday in range(4)},  # Monday to Thursday
        4: (_MORNING, OfficePeriod(time(13, 0), time(16, 0))),  # Friday
    }
)

_YearIndex = tuple[tuple[int, ...], frozenset[int]]  # sorted working-day ordinals, as a set


def _date_set(values: Iterable[date], name: str) -> frozenset[date]:
    days = frozenset(values)
    for day in days:
        if isinstance(day, datetime) or not isinstance(day, date):
            raise ValueError(f"{name} must contain dates (not datetimes), got {day!r}")
    return days


@dataclass(frozen=True)
class CalendarRules:
    """The working-day calendar of one office (charter rule 4). Immutable and hashable."""

    timezone: str = "Europe/Brussels"
    holiday_set: str = "be-federal"
    weekly_hours: Mapping[int, tuple[OfficePeriod, ...]] = field(
        default_factory=lambda: STANDARD_WEEKLY_HOURS
    )
    closure_days: frozenset[date] = frozenset()
    open_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if self.holiday_set not in HOLIDAY_SETS:
            raise ValueError(_unknown_set(self.holiday_set))
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        hours: dict[int, tuple[OfficePeriod, ...]] = {}
        for weekday, periods in sorted(self.weekly_hours.items()):
            if weekday not in range(7):
                raise ValueError(f"weekly_hours key {weekday!r} is not a weekday 0 (Mon)..6 (Sun)")
            ordered = tuple(sorted(periods, key=lambda period: period.start))
            for before, after in itertools.pairwise(ordered):
                if after.start < before.end:
                    raise ValueError(f"overlapping office periods on weekday {weekday}")
            if ordered:
                hours[weekday] = ordered
        if not hours:
            raise ValueError("weekly_hours has no office period: no day could ever be working")
        object.__setattr__(self, "weekly_hours", MappingProxyType(hours))
        object.__setattr__(self, "closure_days", _date_set(self.closure_days, "closure_days"))
        object.__setattr__(self, "open_days", _date_set(self.open_days, "open_days"))

    def __hash__(self) -> int:
        return self._hash

    @functools.cached_property
    def _hash(self) -> int:
        fixed = (self.timezone, self.holiday_set, tuple(self.weekly_hours.items()))
        return hash((*fixed, self.closure_days, self.open_days))

    def __getstate__(self) -> dict[str, object]:
        # Only the fields travel: cached hashes of str differ between processes.
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        return state | {"weekly_hours": dict(self.weekly_hours)}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "weekly_hours", MappingProxyType(dict(self.weekly_hours)))

    @functools.cached_property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone as a ZoneInfo."""
        return ZoneInfo(self.timezone)

    @functools.cached_property
    def _years(self) -> dict[int, _YearIndex]:
        return {}


@dataclass(frozen=True, slots=True)
class Term:
    """A computed term: the receipt, its day 0 and the due moment (charter rule 4)."""

    received: datetime
    day_zero: date
    due_at: datetime


def _unknown_set(holiday_set: str) -> str:
    return f"unknown holiday set {holiday_set!r}; expected one of {', '.join(HOLIDAY_SETS)}"


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    if year < 1583:
        raise ValueError(f"Gregorian Easter is only defined from 1583, got {year}")
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


@functools.lru_cache(maxsize=512)
def _days_off(year: int, holiday_set: str) -> Mapping[date, str]:
    """Cached, read-only days off of one year and holiday set (date -> reason key)."""
    if holiday_set not in HOLIDAY_SETS:
        raise ValueError(_unknown_set(holiday_set))
    if holiday_set == "none":
        return MappingProxyType({})
    easter = easter_sunday(year)
    rules = [
        (date(year, 1, 1), "new-year"),
        (easter + timedelta(days=1), "easter-monday"),
        (date(year, 5, 1), "labour-day"),
        (easter + timedelta(days=39), "ascension"),
        (easter + timedelta(days=50), "whit-monday"),
        (date(year, 7, 21), "national-day"),
        (date(year, 8, 15), "assumption"),
        (date(year, 11, 1), "all-saints"),
        (date(year, 11, 11), "armistice"),
        (date(year, 12, 25), "christmas"),
    ]
    if holiday_set == "be-federal":
        rules += [
            (date(year, 11, 2), "all-souls"),
            (date(year, 11, 15), "kings-day"),
            (date(year, 12, 26), "boxing-day"),
        ]
        rules += [
            (date(year, 12, d), "year-end-closure")
            for d in range(27, 32)
            if date(year, 12, d).weekday() < 5
        ]
    days: dict[date, str] = {}
    for day, key in rules:  # on a clash (1 May = Ascension, e.g. 2008) the first key stays
        days.setdefault(day, key)
    return MappingProxyType(dict(sorted(days.items())))


def legal_holidays(year: int) -> dict[date, str]:
    """The 10 Belgian legal public holidays of `year` (date -> key). No Good Friday."""
    return dict(_days_off(year, "be-legal"))


def federal_days_off(year: int) -> dict[date, str]:
    """Legal holidays plus the federal staff's days off and the 27-31 Dec weekday closure."""
    return dict(_days_off(year, "be-federal"))


def rule_days_off(year: int, holiday_set: str) -> dict[date, str]:
    """Days off that the holiday set `holiday_set` gives in `year`; ValueError if unknown."""
    return dict(_days_off(year, holiday_set))


def _year_index(rules: CalendarRules, year: int) -> _YearIndex:
    index = rules._years.get(year)  # per instance first, then shared between equal rules
    if index is None:
        index = rules._years[year] = _build_year_index(rules, year)
    return index


@functools.lru_cache(maxsize=1024)
def _build_year_index(rules: CalendarRules, year: int) -> _YearIndex:
    off = _days_off(year, rules.holiday_set)
    hours, closed, reopened = rules.weekly_hours, rules.closure_days, rules.open_days
    day, ordinals = date(year, 1, 1), []
    while day.year == year:
        if day.weekday() in hours and day not in closed and (day not in off or day in reopened):
            ordinals.append(day.toordinal())
        day += _ONE_DAY
    return tuple(ordinals), frozenset(ordinals)


def is_working_day(day: date, rules: CalendarRules) -> bool:
    """Charter rule 4: a working day has office periods, is no closure day and no day off
    of the holiday set (unless an administrator re-opened it)."""
    return day.toordinal() in _year_index(rules, day.year)[1]


def add_working_days(day: date, n: int, rules: CalendarRules) -> date:
    """Charter rule 4: the `n`th working day strictly after `day` (`n` = 0 gives `day`)."""
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"the number of working days must be an integer >= 0, got {n!r}")
    if n == 0:
        return day
    year = day.year
    ordinals = _year_index(rules, year)[0]
    position = bisect_right(ordinals, day.toordinal())
    while position + n > len(ordinals):
        n -= len(ordinals) - position
        year += 1
        ordinals, position = _year_index(rules, year)[0], 0
    return date.fromordinal(ordinals[position + n - 1])


def next_working_day(day: date, rules: CalendarRules) -> date:
    """Charter rule 4: the first working day strictly after `day`."""
    return add_working_days(day, 1, rules)


def working_days_between(start: date, end: date, rules: CalendarRules) -> int:
    """Charter rule 4: the number of working days d with start < d <= end (0 if end <= start)."""
    if end <= start:
        return 0
    low, high = start.toordinal(), end.toordinal()
    return sum(
        bisect_right(ordinals, high) - bisect_right(ordinals, low)
        for ordinals in (_year_index(rules, y)[0] for y in range(start.year, end.year + 1))
    )


def _local(moment: datetime, rules: CalendarRules, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got the naive datetime {moment!r}")
    return moment.astimezone(rules.zone)


def day_zero(received_at: datetime, rules: CalendarRules, cutoff: time | None = None) -> date:
    """Charter rule 4: day 0 is the local date of receipt; it moves to the next working day
    when that date is not a working day or the local time is strictly after `cutoff`."""
    local = _local(received_at, rules, "received_at")
    day = local.date()
    if cutoff is not None and cutoff.tzinfo is not None:
        raise ValueError("cutoff is a local wall-clock time and must be naive")
    if day.toordinal() not in _year_index(rules, day.year)[1] or (
        cutoff is not None and local.time() > cutoff
    ):
        day = next_working_day(day, rules)
    return day


def compute_term(
    received_at: datetime, working_days: int, rules: CalendarRules, cutoff: time | None = None
) -> Term:
    """Charter rule 4: the term ends at 23:59:59 local on the `working_days`th working day
    after day 0 (see `day_zero`); 0 working days ends at the end of day 0 itself."""
    start = day_zero(received_at, rules, cutoff)
    end = add_working_days(start, working_days, rules)
    return Term(received_at, start, datetime.combine(end, END_OF_DAY, tzinfo=rules.zone))


def due_at(
    received_at: datetime, working_days: int, rules: CalendarRules, cutoff: time | None = None
) -> datetime:
    """Charter rule 4: the due moment of `compute_term`, aware in the calendar's zone."""
    return compute_term(received_at, working_days, rules, cutoff).due_at


def is_open_at(moment: datetime, rules: CalendarRules) -> bool:
    """Whether the office (and phone line) is open: a working day and inside an office
    period (start inclusive, end exclusive), in the calendar's local time."""
    local = _local(moment, rules, "moment")
    if not is_working_day(local.date(), rules):
        return False
    now = local.time()
    return any(p.start <= now < p.end for p in rules.weekly_hours[local.weekday()])


def next_opening(moment: datetime, rules: CalendarRules) -> datetime | None:
    """`moment` itself if the office is open then, else the next opening (aware, in the
    calendar's zone); None if the office does not open within 366 days."""
    if is_open_at(moment, rules):
        return moment
    local = _local(moment, rules, "moment")
    today, now = local.date(), local.time()
    for offset in range(367):
        day = today + timedelta(days=offset)
        if not is_working_day(day, rules):
            continue
        for period in rules.weekly_hours[day.weekday()]:
            if offset or period.start > now:
                return datetime.combine(day, period.start, tzinfo=rules.zone)
    return None


def days_off_between(start: date, end: date, rules: CalendarRules) -> list[tuple[date, str]]:
    """Charter rule 4: the closed days in [start, end] whose weekday has office hours (for the
    standard hours: Monday to Friday), each with its reason key: the holiday-rule key, or
    "closure" for an administrator closure day that no holiday rule closes."""
    result: list[tuple[date, str]] = []
    day = start
    while day <= end:
        if day.weekday() in rules.weekly_hours and not is_working_day(day, rules):
            off = _days_off(day.year, rules.holiday_set)
            reopened = day in rules.open_days
            result.append((day, off[day] if day in off and not reopened else CLOSURE))
        day += _ONE_DAY
    return result


def subtract_working_days(day: date, n: int, rules: CalendarRules) -> date:
    """Charter rule 4: the `n`th working day strictly before `day` (`n` = 0 gives `day`).
    The back office's internal term is one working day before the client's, by default."""
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"the number of working days must be an integer >= 0, got {n!r}")
    while n:
        day -= _ONE_DAY
        if is_working_day(day, rules):
            n -= 1
    return day


def end_of_day(day: date, rules: CalendarRules) -> datetime:
    """23:59:59 local on `day`: when a term that ends on `day` runs out."""
    return datetime.combine(day, END_OF_DAY, tzinfo=rules.zone)


def opening_of(day: date, rules: CalendarRules) -> datetime:
    """The first office opening on `day` (or 08:30 when the weekday has no hours): the
    "morning of the due day" when reminders go out (charter rule 6)."""
    periods = rules.weekly_hours.get(day.weekday())
    start = periods[0].start if periods else time(8, 30)
    return datetime.combine(day, start, tzinfo=rules.zone)
