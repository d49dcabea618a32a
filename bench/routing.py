"""Routing figures (issue 8): the time to compute a routing suggestion with 300 staff, each
competent for a few of the demo topics, and a year of absences (a few thousand rows), over
50 open cases; the coordinators' load page; and the pure availability arithmetic."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

from bench.run import percentiles

Timer = Callable[..., float]
STAFF = 300
SUGGESTIONS = 50


def _make_staff(rng: random.Random) -> int:
    """300 back-office staff, bulk-inserted: experts on one topic, backups on one or two
    more, a third part-time, each with a year of leave, training, illness and meetings."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from loket.accounts.models import Team, User
    from loket.accounts.roles import Role
    from loket.cases.models import Topic
    from loket.routing.models import Absence, Competence, WorkingPattern

    if User.objects.filter(username__startswith="bench-staff-").exists():
        return Absence.objects.filter(user__username__startswith="bench-staff-").count()
    topics = list(Topic.objects.order_by("code"))
    teams = list(Team.objects.filter(kind=Team.Kind.BACK_OFFICE).order_by("code"))
    users = User.objects.bulk_create(
        User(
            username=f"bench-staff-{n:03d}",
            first_name=f"Staff {n:03d}",
            password=make_password(None),  # unusable: nobody logs in as them
        )
        for n in range(STAFF)
    )
    expert = Group.objects.get(name=Role.EXPERT)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=u.pk, group_id=expert.pk) for u in users
    )
    Team.members.through.objects.bulk_create(
        Team.members.through(user_id=u.pk, team_id=teams[n % len(teams)].pk)
        for n, u in enumerate(users)
    )
    competences, patterns, absences = [], [], []
    zone = timezone.get_default_timezone()
    today = timezone.localdate()
    now = timezone.now()
    for n, user in enumerate(users):
        chosen = rng.sample(topics, k=min(len(topics), rng.randint(2, 3)))
        competences.append(Competence(user=user, topic=chosen[0], level="expert"))
        competences += [Competence(user=user, topic=t, level="backup") for t in chosen[1:]]
        if n % 3 == 0:  # four fifths: one weekday off
            off = rng.randrange(5)
            patterns += [
                WorkingPattern(user=user, weekday=d, start=dt.time(8, 30), end=dt.time(16, 30))
                for d in range(5)
                if d != off
            ]
        day = today - dt.timedelta(days=183)
        while day < today + dt.timedelta(days=183):
            day += dt.timedelta(days=rng.randint(10, 50))
            kind = rng.choice(["leave", "leave", "training", "illness", "meeting"])
            start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
            if kind == "meeting":
                start = start.replace(hour=rng.randint(8, 14))
                end = start + dt.timedelta(hours=rng.randint(1, 3))
            else:
                end = start + dt.timedelta(days=rng.randint(1, 10 if kind == "leave" else 3))
            absences.append(Absence(user=user, start=start, end=end, kind=kind, created_at=now))
    Competence.objects.bulk_create(competences)
    WorkingPattern.objects.bulk_create(patterns)
    Absence.objects.bulk_create(absences, batch_size=1000)
    return len(absences)


def run_database(vendor: str, timed: Timer) -> None:
    from django.utils import timezone

    from loket.cases.models import Case
    from loket.routing.selectors import routing_suggestions, staff_load

    rng = random.Random(8)
    absences = _make_staff(rng)
    cases = list(
        Case.objects.filter(status__in=Case.OPEN_STATUSES, topic__isnull=False)
        .select_related("topic", "policy__calendar", "team")
        .order_by("pk")[:SUGGESTIONS]
    )
    now = timezone.now()
    routing_suggestions(cases[0], now=now)  # the calendar's rules, read once per process
    samples, offered = [], []
    for case in cases:
        started = time.perf_counter()
        suggestion = routing_suggestions(case, now=now)
        samples.append((time.perf_counter() - started) * 1000)
        offered.append(len(suggestion.candidates))
    percentiles(
        f"routing suggestion ({vendor}, {STAFF} staff, {absences} absences, "
        f"{min(offered)}-{max(offered)} competent per topic)",
        samples,
    )
    timed("load per person and team (coordinators' page)", lambda: staff_load(now=now))


def run_pure(timed: Timer) -> None:
    from zoneinfo import ZoneInfo

    from loket.deadlines.rules import CalendarRules
    from loket.routing.availability import Agenda, days_between, earliest_present_day

    rng = random.Random(8)
    zone = ZoneInfo("Europe/Brussels")
    now = dt.datetime(2026, 5, 4, 9, 0, tzinfo=zone)
    agendas = []
    for _ in range(STAFF):
        away = []
        for _ in range(12):
            start = now + dt.timedelta(days=rng.randint(-180, 180), hours=rng.randint(0, 12))
            away.append((start, start + dt.timedelta(hours=rng.randint(1, 240))))
        agendas.append(Agenda(absences=tuple(away)))
    rules = CalendarRules()
    term = now + dt.timedelta(days=5)

    def everyone() -> None:
        for agenda in agendas:
            days_between(agenda, now, term, rules)
            earliest_present_day(agenda, now, rules)

    timed(f"availability of {STAFF} people over a working week, and when each is back", everyone)
