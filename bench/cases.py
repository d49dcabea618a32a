"""Case core figures (issue: the case core): registrations per second through the service,
and the first page of the open-cases queue sorted by due date."""

from __future__ import annotations

import time
from collections.abc import Callable

from loket.cases.models import Client
from loket.cases.selectors import client_history, open_cases, queue_counts, queue_page
from loket.cases.services import case_register

Timer = Callable[..., float]


def run_database(vendor: str, timed: Timer) -> None:
    from loket.accounts.models import User

    clients = list(Client.objects.order_by("pk")[:200])
    count = 2000
    started = time.perf_counter()
    for n in range(count):
        case_register(
            actor=None,
            client=clients[n % len(clients)],
            channel="email",
            subject=f"Benchmark question {n}",
            body="How is the integration income computed?",
        )
    elapsed = time.perf_counter() - started
    print(
        f"  case_register ({vendor}): {count / elapsed:.0f} cases/s over {count} cases", flush=True
    )

    total = open_cases().count()
    print(f"  open cases: {total}", flush=True)
    timed("first page (50) of the open-cases queue by due date", lambda: queue_page(open_cases()))
    agent = User.objects.get(username="agent")
    timed(
        "team queue first page (50)", lambda: queue_page(open_cases().filter(team__members=agent))
    )
    timed("desk home: all queue counts", lambda: queue_counts(agent))
    busiest = max(clients, key=lambda c: c.cases.count())
    timed(f"client history ({busiest.cases.count()} cases)", lambda: client_history(busiest))
