"""Pure-function figures: due-date computations per second."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from loket.deadlines.rules import CalendarRules, compute_term


def run_pure(timed: Callable[..., float]) -> None:
    rng = random.Random(1)
    zone = ZoneInfo("Europe/Brussels")
    start = dt.datetime(2020, 1, 1, tzinfo=zone)
    moments = [
        start + dt.timedelta(minutes=rng.randint(0, 16 * 365 * 24 * 60)) for _ in range(200_000)
    ]
    rules = CalendarRules(closure_days=frozenset({dt.date(2026, 5, 15), dt.date(2026, 7, 20)}))
    started = time.perf_counter()
    for moment in moments:
        compute_term(moment, 2, rules)
    elapsed = time.perf_counter() - started
    print(
        f"  due-date computations: {len(moments) / elapsed:,.0f} per second "
        f"({len(moments)} receipts 2020-2035, 2 working days, federal calendar)",
        flush=True,
    )
