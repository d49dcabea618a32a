"""Reads for the public pages: the phone hours from the office calendar (charter rule 9), the
service's contact details, and the status lookup by registration number and e-mail address."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from loket.accounts.models import Team
from loket.cases.models import Case, ClientEmail, Topic
from loket.cases.phones import InvalidPhoneNumber, display_phone, normalise_phone
from loket.cases.references import InvalidReference, parse_reference
from loket.deadlines import rules
from loket.deadlines.models import DeadlinePolicy, DelayNotice, OfficePeriod

from .models import Submission

# --- phone hours ---------------------------------------------------------------------------

# The calendar changes a few times a year and every public page shows the hours: they are
# kept in the cache (shared by all processes with Redis), forgotten when a calendar, an
# office period, a closure day or a policy is saved (apps.py), and at the latest after this.
CALENDAR_CACHE_SECONDS = 300
CALENDAR_CACHE_KEY = "loket:portal:office-calendar:v1"
CLOSURES_AHEAD = dt.timedelta(days=92)
# The topics and the front office are read by every question sent, and change even less.
TOPICS_CACHE_KEY = "loket:portal:topics:v1"
FRONT_OFFICE_CACHE_KEY = "loket:portal:front-office:v1"

# The holiday rules' reason keys (deadlines.rules), as clients read them.
DAY_OFF_NAMES: dict[str, Promise] = {
    "new-year": _("New Year's Day"),
    "easter-monday": _("Easter Monday"),
    "labour-day": _("Labour Day"),
    "ascension": _("Ascension Day"),
    "whit-monday": _("Whit Monday"),
    "national-day": _("Belgian National Day"),
    "assumption": _("Assumption Day"),
    "all-saints": _("All Saints' Day"),
    "armistice": _("Armistice Day"),
    "christmas": _("Christmas Day"),
    "all-souls": _("All Souls' Day"),
    "kings-day": _("King's Day"),
    "boxing-day": _("Boxing Day"),
    "year-end-closure": _("Year-end closure"),
}


@dataclass(frozen=True)
class OfficeCalendar:
    """The calendar of the standard policy, as a pure value (cacheable)."""

    code: str | None
    rules: rules.CalendarRules
    closure_reasons: dict[dt.date, str]
    term_days: int


@dataclass(frozen=True)
class Closure:
    day: dt.date
    reason: str


@dataclass(frozen=True)
class WeekdayHours:
    weekday: int
    name: str
    periods: tuple[rules.OfficePeriod, ...]


@dataclass(frozen=True)
class PhoneHours:
    """What the public site says about the phone line at `now` (charter rule 9)."""

    now: dt.datetime
    weekly: list[WeekdayHours]
    open_now: bool
    closes_at: dt.datetime | None
    next_opening: dt.datetime | None
    closures: list[Closure]
    calendar_code: str | None
    term_days: int


def _standard_policy() -> DeadlinePolicy | None:
    policies = DeadlinePolicy.objects.select_related("calendar").prefetch_related(
        "calendar__periods", "calendar__days"
    )
    return (
        policies.filter(code="standard").first()
        or policies.filter(case_kind=Case.Kind.QUESTION).first()
    )


def forget_cached(**_signal: Any) -> None:
    """Drop what the portal keeps of the reference data (a calendar, an office period, a
    closure day, a policy, a topic or a team was saved or deleted)."""
    cache.delete_many([CALENDAR_CACHE_KEY, TOPICS_CACHE_KEY, FRONT_OFFICE_CACHE_KEY])


def office_calendar() -> OfficeCalendar:
    """The working calendar of the standard policy (charter rules 4 and 9), cached."""
    cached: OfficeCalendar | None = cache.get(CALENDAR_CACHE_KEY)
    if cached is not None:
        return cached
    policy = _standard_policy()
    if policy is None:
        value = OfficeCalendar(None, rules.CalendarRules(), {}, 2)
    else:
        calendar = policy.calendar
        value = OfficeCalendar(
            code=calendar.code,
            rules=calendar.rules(),
            closure_reasons={d.date: d.reason for d in calendar.days.all() if d.closed},
            term_days=policy.working_days,
        )
    cache.set(CALENDAR_CACHE_KEY, value, CALENDAR_CACHE_SECONDS)
    return value


def phone_hours(now: dt.datetime | None = None) -> PhoneHours:
    """Weekly hours, whether the line is open right now (until when, or when it opens again),
    and the closure days of the coming three months (charter rule 9)."""
    now = now or timezone.now()
    calendar = office_calendar()
    value = calendar.rules
    local = now.astimezone(value.zone)
    weekly = [
        WeekdayHours(day, str(OfficePeriod.Weekday(day).label), periods)
        for day, periods in sorted(value.weekly_hours.items())
    ]
    open_now = rules.is_open_at(now, value)
    closes_at = None
    if open_now:
        period = next(
            p for p in value.weekly_hours[local.weekday()] if p.start <= local.time() < p.end
        )
        closes_at = dt.datetime.combine(local.date(), period.end, tzinfo=value.zone)
    closures = [
        Closure(day, calendar.closure_reasons.get(day) or str(DAY_OFF_NAMES.get(key, _("Closed"))))
        for day, key in rules.days_off_between(local.date(), (local + CLOSURES_AHEAD).date(), value)
    ]
    return PhoneHours(
        now=now,
        weekly=weekly,
        open_now=open_now,
        closes_at=closes_at,
        next_opening=None if open_now else rules.next_opening(now, value),
        closures=closures,
        calendar_code=calendar.code,
        term_days=calendar.term_days,
    )


# --- reference data for the forms ------------------------------------------------------------


def active_topics() -> list[Topic]:
    """The topics a client may choose (cached: every question reads them)."""
    topics: list[Topic] | None = cache.get(TOPICS_CACHE_KEY)
    if topics is None:
        topics = list(Topic.objects.filter(active=True))
        cache.set(TOPICS_CACHE_KEY, topics, CALENDAR_CACHE_SECONDS)
    return topics


def front_office() -> Team | None:
    """The team every public question goes to first (charter rule 7); cached."""
    cached: tuple[Team | None] | None = cache.get(FRONT_OFFICE_CACHE_KEY)
    if cached is None:
        teams = Team.objects.filter(kind=Team.Kind.FRONT_OFFICE)
        cached = (teams.filter(code="front-office").first() or teams.order_by("pk").first(),)
        cache.set(FRONT_OFFICE_CACHE_KEY, cached, CALENDAR_CACHE_SECONDS)
    return cached[0]


# --- contact details -----------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceContact:
    """How to reach the service; each part can be set in the settings."""

    name: str
    phone: str
    phone_e164: str
    email: str
    address: str


def service_contact() -> ServiceContact:
    phone = str(getattr(settings, "LOKET_SERVICE_PHONE", "+32 2 508 85 85"))
    try:
        e164 = normalise_phone(phone) if phone else ""
    except InvalidPhoneNumber:
        e164 = ""
    return ServiceContact(
        name=str(getattr(settings, "LOKET_SERVICE_NAME", "") or _("PPS Social Integration")),
        phone=display_phone(e164) if e164 else phone,
        phone_e164=e164,
        email=str(getattr(settings, "LOKET_SERVICE_EMAIL", "") or settings.DEFAULT_FROM_EMAIL),
        address=str(getattr(settings, "LOKET_SERVICE_ADDRESS", "")),
    )


# --- the status of a case --------------------------------------------------------------------

# What each status means to the client; never who handles it or what staff noted.
PUBLIC_STATUS: dict[str, Promise] = {
    Case.Status.REGISTERED: _("Received: it is waiting to be handled."),
    Case.Status.IN_PROGRESS: _("Being handled by the front office."),
    Case.Status.FORWARDED: _("Being handled by a specialist case handler."),
    Case.Status.ANSWERED: _("Answered."),
    Case.Status.CLOSED: _("Closed."),
    Case.Status.REOPENED: _("Being handled again, after your reply."),
}


@dataclass(frozen=True)
class CaseStatus:
    """What the public lookup shows: no messages, no notes, no staff names."""

    reference: str
    kind: str
    status: str
    received_at: dt.datetime
    due_at: dt.datetime | None
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    delay_reason: str | None
    delay_new_due_at: dt.datetime | None

    @property
    def status_text(self) -> str:
        return str(PUBLIC_STATUS.get(self.status, self.status))

    @property
    def is_complaint(self) -> bool:
        return self.kind == Case.Kind.COMPLAINT

    @property
    def is_open(self) -> bool:
        return self.status in Case.OPEN_STATUSES


def reference_identity(text: str) -> str:
    """One spelling per registration number however it was typed (for rate limits)."""
    try:
        return str(parse_reference(text))
    except InvalidReference:
        return "".join(c for c in text.upper() if c.isalnum())


def case_status_lookup(*, reference: str, email: str) -> CaseStatus | None:
    """The case with this registration number whose client has this e-mail address, else
    None: a number that does not exist, a mistyped one (check digits) and a wrong address all
    give None, and take the same single query, so the answer tells nothing about which
    cases exist. One query at any volume (unique reference, indexed address), and one more
    for a miss (a form whose case is about to be registered)."""
    try:
        number = str(parse_reference(reference))
    except InvalidReference:
        number = ""  # still queried: a mistyped number costs what a wrong one costs
    address = email.strip().lower()
    row = _status_query().fetch(number, address)
    if row:
        return CaseStatus(**row)
    return _waiting_form_status(number, address)


# Stand-ins for the two values while the ORM builds the query (never sent to the database).
_NUMBER, _ADDRESS = "\x00loket:number\x00", "\x00loket:address\x00"
STATUS_FIELDS = (
    "reference", "kind", "status", "received_at", "due_at", "answered_at", "closed_at",
    "delay_reason", "delay_new_due_at",
)  # fmt: skip


def _status_queryset(number: str, address: str) -> QuerySet[Any, Any]:
    notices = DelayNotice.objects.filter(case=OuterRef("pk")).order_by("-sent_at", "-pk")
    return (
        Case.objects.filter(reference=number)
        .filter(Exists(ClientEmail.objects.filter(client=OuterRef("client_id"), address=address)))
        .annotate(
            delay_reason=Subquery(notices.values("reason")[:1]),
            delay_new_due_at=Subquery(notices.values("new_due_at")[:1]),
        )
        .values(*STATUS_FIELDS)
        .order_by()[:1]
    )


@dataclass(frozen=True)
class _CompiledLookup:
    """The lookup's SQL, built by the ORM once per process and database: building this
    query (two subqueries, an EXISTS) costs several times what running it costs, and every
    lookup is the same query with two other values."""

    sql: str
    params: tuple[Any, ...]
    names: tuple[str, ...]
    compiler: Any  # the SQLCompiler that built it: it converts the row's values the same way
    converters: dict[int, Any]

    def fetch(self, number: str, address: str) -> dict[str, Any] | None:
        values = {_NUMBER: number, _ADDRESS: address}
        params = [values.get(p, p) if isinstance(p, str) else p for p in self.params]
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if not rows:
            return None
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        return dict(zip(self.names, rows[0], strict=True))


_compiled: dict[str, _CompiledLookup] = {}


def _status_query() -> _CompiledLookup:
    connection = connections[DEFAULT_DB_ALIAS]
    key = f"{connection.vendor}:{connection.settings_dict['NAME']}"
    found = _compiled.get(key)
    if found is None:
        query = _status_queryset(_NUMBER, _ADDRESS).query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if sum(p in (_NUMBER, _ADDRESS) for p in params) != 2:
            raise RuntimeError("the status lookup's query lost one of its two values")
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
        converters = compiler.get_converters([col for col, _sql, _alias in compiler.select])
        found = _compiled[key] = _CompiledLookup(sql, tuple(params), names, compiler, converters)
    return found


def _waiting_form_status(number: str, email: str) -> CaseStatus | None:
    """A form sent a moment ago whose case the worker has not registered yet: the client
    already has its number and term, so the lookup answers as for a case just received.
    Asked only when no case matched, so a miss costs the same whatever was wrong."""
    form = (
        Submission.objects.filter(reference=number, email=email, case__isnull=True)
        .values("reference", "form", "submitted_at", "due_at")
        .first()
    )
    if form is None:
        return None
    return CaseStatus(
        reference=form["reference"],
        kind=Case.Kind.COMPLAINT if form["form"] == "complaint" else Case.Kind.QUESTION,
        status=Case.Status.REGISTERED,
        received_at=form["submitted_at"],
        due_at=form["due_at"],
        answered_at=None,
        closed_at=None,
        delay_reason=None,
        delay_new_due_at=None,
    )


# --- for staff -----------------------------------------------------------------------------


def failed_submissions() -> QuerySet[Submission]:
    """The forms whose case could not be registered, newest first: the client holds their
    number, so an administrator looks at them and registers them again after a fix."""
    return Submission.objects.filter(state=Submission.State.FAILED).order_by("-submitted_at")
