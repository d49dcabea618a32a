"""The watch over 100,000 open cases (issue: working-day deadlines): one pass with a
realistic backlog (a few hundred terms due or missed), then a steady-state pass."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

from django.utils import timezone

from loket.cases.models import Case
from loket.deadlines.services import deadline_watch


def run_database(vendor: str, timed: Callable[..., float]) -> None:
    rng = random.Random(3)
    now = timezone.now()
    cases = list(Case.objects.only("pk"))
    for case in cases:
        # Most terms lie ahead; 0.5% have just run out, 0.5% reach their reminder today.
        roll = rng.random()
        if roll < 0.005:
            due = now - dt.timedelta(hours=rng.uniform(1, 20))
            remind = None
        elif roll < 0.01:
            due = now + dt.timedelta(hours=rng.uniform(1, 10))
            remind = now - dt.timedelta(minutes=rng.uniform(1, 60))
        else:
            due = now + dt.timedelta(days=rng.uniform(1, 30))
            remind = due - dt.timedelta(hours=15)
        case.status, case.due_at, case.remind_at = Case.Status.IN_PROGRESS, due, remind
        case.overdue_since = case.answered_at = case.closed_at = None
    Case.objects.bulk_update(
        cases,
        ["status", "due_at", "remind_at", "overdue_since", "answered_at", "closed_at"],
        batch_size=2000,
    )
    print(f"  open cases for the watch: {len(cases)}", flush=True)
    started = time.perf_counter()
    report = deadline_watch()
    elapsed = time.perf_counter() - started
    print(
        f"  watch pass with backlog: {elapsed * 1000:.0f} ms ({report.reminded} reminders, "
        f"{report.overdue} missed terms, each with its mail, notices and event)",
        flush=True,
    )
    timed("watch pass, steady state (nothing due)", deadline_watch)
