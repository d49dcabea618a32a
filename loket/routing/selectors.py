"""Reads for routing (charter rule 7): who is competent and available for a case, the load per
person and team, and a person's agenda. A constant number of queries however many staff,
absences or cases there are; the availability itself is the pure `availability` module."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from loket.accounts.models import Team, User
from loket.accounts.roles import Role
from loket.cases.models import Case, Topic
from loket.deadlines import rules as calendar_rules
from loket.deadlines.models import DeadlinePolicy
from loket.deadlines.terms import internal_term, policy_for

from .availability import Agenda, Interval, Shift, days_between, earliest_present_day
from .models import Absence, AgendaFeed, Competence, TopicRouting, WorkingPattern

# How far ahead we look for "the earliest date someone is there" and "back on".
HORIZON_DAYS = 183
LEVEL_ORDER: dict[str, int] = {Competence.Level.EXPERT.value: 0, Competence.Level.BACKUP.value: 1}


@dataclass(frozen=True)
class Candidate:
    """A competent person and the reasons for their place in the list."""

    user: User
    level: str
    topic: Topic  # the topic the competence is for: the case's own, or a parent topic
    inherited: bool  # competent through a parent topic
    present_days: int  # working days before the term on which they are there
    working_days: int  # their working days before the term (part-time days excluded)
    absent_until: dt.datetime | None  # absent right now, until then
    next_absence: Interval | None  # an absence that starts before the term
    back_on: dt.date | None  # the first day they are present, when that is not today
    open_cases: int
    available: bool

    @property
    def level_label(self) -> str:
        return str(Competence.Level(self.level).label)


@dataclass(frozen=True)
class Suggestion:
    """The ranked list for forwarding a case, and what to say when it is empty."""

    case: Case
    topic: Topic | None
    term: dt.datetime | None  # the back-office term the case will get
    window_end: dt.datetime  # presence is counted from now until then
    term_passed: bool
    days_needed: int
    team: Team | None  # the back-office team the topic's rule names
    auto_assign: bool
    available: list[Candidate]
    unavailable: list[Candidate]

    @property
    def candidates(self) -> list[Candidate]:
        return self.available + self.unavailable

    @property
    def nobody_competent(self) -> bool:
        return self.topic is not None and not self.available and not self.unavailable

    @property
    def earliest(self) -> list[Candidate]:
        """When nobody is available in time: the people who are there first, with the date."""
        dated = [c for c in self.unavailable if c.back_on is not None]
        if self.available or not dated:
            return []
        first = min(c.back_on for c in dated if c.back_on is not None)
        return [c for c in dated if c.back_on == first]

    @property
    def earliest_names(self) -> str:
        return ", ".join(str(c.user) for c in self.earliest)

    @property
    def offered(self) -> list[Candidate]:
        """Who gets a radio button: the available people, or else the earliest ones."""
        return self.available or self.earliest

    @property
    def not_offered(self) -> list[Candidate]:
        offered = {c.user.pk for c in self.offered}
        return [c for c in self.unavailable if c.user.pk not in offered]


def topic_chain(topic: Topic) -> list[Topic]:
    """The topic and its parents, nearest first, in one query (topics are a small tree)."""
    by_pk = {t.pk: t for t in Topic.objects.all()}
    chain: list[Topic] = []
    current: Topic | None = by_pk.get(topic.pk, topic)
    while current is not None and current not in chain:
        chain.append(current)
        current = by_pk.get(current.parent_id) if current.parent_id else None
    return chain


def _term(
    case: Case, policy: DeadlinePolicy | None, rules: calendar_rules.CalendarRules, now: dt.datetime
) -> dt.datetime | None:
    """The back-office term the case has, or will have once forwarded now."""
    if case.due_at is not None and policy is not None:
        return internal_term(due_at=case.due_at, policy=policy, calendar=rules, now=now)
    return case.internal_due_at or case.due_at


def agendas(user_ids: list[int], start: dt.datetime, end: dt.datetime) -> dict[int, Agenda]:
    """Each person's agenda with the absences that overlap [start, end), in two queries."""
    shifts: dict[int, list[Shift]] = defaultdict(list)
    # order_by(): the models' default order by user would join the user table for nothing.
    for pattern in WorkingPattern.objects.filter(user_id__in=user_ids).order_by():
        shifts[pattern.user_id].append(
            Shift(
                pattern.weekday,
                pattern.start,
                pattern.end,
                pattern.valid_from,
                pattern.valid_until,
            )
        )
    absences: dict[int, list[Interval]] = defaultdict(list)
    rows = Absence.objects.filter(user_id__in=user_ids, end__gt=start, start__lt=end).order_by()
    for user_id, begin, finish in rows.values_list("user_id", "start", "end"):
        absences[user_id].append((begin, finish))
    return {pk: Agenda(tuple(shifts[pk]), tuple(absences[pk])) for pk in user_ids}


def open_case_counts(user_ids: list[int]) -> dict[int, int]:
    rows = (
        Case.objects.filter(owner_id__in=user_ids, status__in=Case.OPEN_STATUSES)
        .values("owner_id")
        .annotate(n=Count("pk"))
    )
    return {row["owner_id"]: row["n"] for row in rows}


def calendar_for(case: Case) -> tuple[DeadlinePolicy | None, calendar_rules.CalendarRules]:
    policy = case.policy or policy_for(kind=case.kind, topic=case.topic)
    rules = policy.calendar.rules() if policy else calendar_rules.CalendarRules()
    return policy, rules


def routing_suggestions(
    case: Case,
    *,
    now: dt.datetime | None = None,
    topic: Topic | None = None,
    exclude: User | None = None,
) -> Suggestion:
    """Who can answer `case` (on its topic, or `topic` when the agent is changing it) and is
    there in time (charter rule 7): the people competent for the topic or a parent topic,
    each with the working days before the back-office term on which they are present.

    Available are those present on at least the topic's `days_needed` days. They are ranked
    by level (experts before backups), then by how closely the competence fits (the topic
    itself before a parent topic), then by their open cases (the least loaded first), then by
    present days (most first). The others follow, soonest back first, with the reason.
    When the term has passed, presence is counted until the end of the next working day.
    """
    now = now or timezone.now()
    topic = topic or case.topic
    policy, rules = calendar_for(case)
    term = _term(case, policy, rules, now)
    today = now.astimezone(rules.zone).date()
    term_passed = term is not None and term <= now
    if term is None or term_passed:
        window_end = calendar_rules.end_of_day(calendar_rules.next_working_day(today, rules), rules)
    else:
        window_end = term
    empty = Suggestion(
        case,
        topic,
        term,
        window_end,
        term_passed,
        1,
        None,
        False,
        available=[],
        unavailable=[],
    )
    if topic is None:
        return empty
    chain = topic_chain(topic)
    depth = {t.pk: n for n, t in enumerate(chain)}
    routing = min(
        TopicRouting.objects.filter(topic_id__in=depth).select_related("team"),
        key=lambda r: depth[r.topic_id],
        default=None,
    )
    days_needed = max(1, routing.days_needed) if routing else 1
    competences: dict[int, Competence] = {}
    query = Competence.objects.filter(topic_id__in=depth, user__is_active=True)
    if exclude is not None:
        query = query.exclude(user=exclude)
    for competence in query.select_related("user", "topic"):
        known = competences.get(competence.user_id)
        if known is None or depth[competence.topic_id] < depth[known.topic_id]:
            competences[competence.user_id] = competence
    user_ids = list(competences)
    people = agendas(user_ids, now, now + dt.timedelta(days=HORIZON_DAYS + 1))
    loads = open_case_counts(user_ids)
    available: list[Candidate] = []
    unavailable: list[Candidate] = []
    for user_id, competence in competences.items():
        candidate = _candidate(
            competence,
            people[user_id],
            loads.get(user_id, 0),
            depth,
            now,
            window_end,
            rules,
            days_needed,
        )
        (available if candidate.available else unavailable).append(candidate)
    available.sort(
        key=lambda c: (
            LEVEL_ORDER.get(c.level, 9),
            depth[c.topic.pk],
            c.open_cases,
            -c.present_days,
            str(c.user).lower(),
        )
    )
    unavailable.sort(
        key=lambda c: (c.back_on or dt.date.max, LEVEL_ORDER.get(c.level, 9), str(c.user).lower())
    )
    return Suggestion(
        case,
        topic,
        term,
        window_end,
        term_passed,
        days_needed,
        routing.team if routing else None,
        bool(routing and routing.auto_assign),
        available,
        unavailable,
    )


def _candidate(
    competence: Competence,
    agenda: Agenda,
    open_cases: int,
    depth: dict[int, int],
    now: dt.datetime,
    window_end: dt.datetime,
    rules: calendar_rules.CalendarRules,
    days_needed: int,
) -> Candidate:
    days = days_between(agenda, now, window_end, rules)
    present = sum(1 for day in days if day.counts())
    available = present >= days_needed
    current = agenda.absence_at(now)
    upcoming = None if current else next(iter(agenda.absences_between(now, window_end)), None)
    back_on = None
    if current or not available:
        back_on = earliest_present_day(agenda, now, rules, horizon_days=HORIZON_DAYS)
    return Candidate(
        user=competence.user,
        level=competence.level,
        topic=competence.topic,
        inherited=depth[competence.topic_id] > 0,
        present_days=present,
        working_days=len(days),
        absent_until=current[1] if current else None,
        next_absence=upcoming,
        back_on=back_on,
        open_cases=open_cases,
        available=available,
    )


# --- load ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonLoad:
    user: User
    teams: list[Team]
    open_cases: int
    overdue: int
    forwarded: int
    absent_until: dt.datetime | None


@dataclass(frozen=True)
class TeamLoad:
    team: Team
    members: int
    open_cases: int
    unassigned: int
    overdue: int


def staff_load(*, now: dt.datetime | None = None) -> tuple[list[PersonLoad], list[TeamLoad]]:
    """Open cases per person and per team (with the overdue ones), for coordinators; staff
    who are absent right now are marked. Five queries, however many cases."""
    now = now or timezone.now()
    open_q = Q(status__in=Case.OPEN_STATUSES)
    overdue_q = Q(due_at__lt=now)
    by_owner: dict[int, tuple[int, int, int]] = {
        row[0]: (row[1], row[2], row[3])
        for row in Case.objects.filter(open_q, owner__isnull=False)
        .values("owner_id")
        .annotate(
            n=Count("pk"),
            late=Count("pk", filter=overdue_q),
            out=Count("pk", filter=Q(status=Case.Status.FORWARDED)),
        )
        .values_list("owner_id", "n", "late", "out")
    }
    by_team: dict[int, tuple[int, int, int]] = {
        row[0]: (row[1], row[2], row[3])
        for row in Case.objects.filter(open_q, team__isnull=False)
        .values("team_id")
        .annotate(
            n=Count("pk"),
            unowned=Count("pk", filter=Q(owner__isnull=True)),
            late=Count("pk", filter=overdue_q),
        )
        .values_list("team_id", "n", "unowned", "late")
    }
    staff = list(
        User.objects.filter(is_active=True, groups__name__in=[r.value for r in Role])
        .distinct()
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
    )
    absent = dict(
        Absence.objects.filter(start__lte=now, end__gt=now)
        .order_by("end")
        .values_list("user_id", "end")
    )
    nothing = (0, 0, 0)
    people = []
    for user in staff:
        open_cases, overdue, forwarded = by_owner.get(user.pk, nothing)
        people.append(
            PersonLoad(
                user=user,
                teams=list(user.teams.all()),
                open_cases=open_cases,
                overdue=overdue,
                forwarded=forwarded,
                absent_until=absent.get(user.pk),
            )
        )
    people.sort(key=lambda p: (-p.open_cases, str(p.user).lower()))
    teams = []
    for team in Team.objects.annotate(member_count=Count("members")):
        open_cases, unassigned, overdue = by_team.get(team.pk, nothing)
        teams.append(
            TeamLoad(
                team=team,
                members=team.member_count,
                open_cases=open_cases,
                unassigned=unassigned,
                overdue=overdue,
            )
        )
    return people, teams


# --- a person's agenda --------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaOverview:
    person: User
    patterns: list[WorkingPattern]
    absences: list[Absence]
    feeds: list[AgendaFeed]
    days: list[tuple[dt.date, bool, bool]]  # the next working days: (date, planned, present)


def agenda_overview(
    person: User, *, now: dt.datetime | None = None, days: int = 14
) -> AgendaOverview:
    """What the agenda page shows: the pattern, the absences from today on (the next 200),
    the feeds, and the coming `days` calendar days marked planned and present."""
    now = now or timezone.now()
    rules = calendar_rules.CalendarRules()
    policy = policy_for(kind=Case.Kind.QUESTION, topic=None)
    if policy is not None:
        rules = policy.calendar.rules()
    start = dt.datetime.combine(now.astimezone(rules.zone).date(), dt.time(0), tzinfo=rules.zone)
    end = start + dt.timedelta(days=days)
    agenda = agendas([person.pk], start, end)[person.pk]
    by_day = {d.date: d for d in days_between(agenda, start, end, rules)}
    calendar = []
    for offset in range(days):
        day = (start + dt.timedelta(days=offset)).date()
        entry = by_day.get(day)
        calendar.append((day, entry is not None, bool(entry and entry.counts())))
    return AgendaOverview(
        person=person,
        patterns=list(WorkingPattern.objects.filter(user=person)),
        absences=list(Absence.objects.filter(user=person, end__gt=now).order_by("start")[:200]),
        feeds=list(AgendaFeed.objects.filter(user=person)),
        days=calendar,
    )
