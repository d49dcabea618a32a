"""The desk through HTTP (issue: the desk): server time of the busiest queue page, a case
page with 20 messages, word searches across all cases, the page of the client with the most
cases, and the readiness check, as median and 95th percentile.

Each request goes through Django's whole stack (middleware, session, CSP, templates) with
`django.test.Client`, logged in as the demo's agent; the time is measured around each
request with `time.perf_counter` (and the process's CPU time beside it, which a busy
machine does not inflate). Aim: p95 under 30 ms for the pages, 60 ms for the search.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.management import call_command
from django.db import connection
from django.test import Client as Browser

from bench.run import percentiles

Timer = Callable[..., float]
REQUESTS = 60
WARM_UP = 5


def _measure(browser: Browser, label: str, url: str) -> None:
    for _ in range(WARM_UP):
        _ok(browser.get(url).status_code, url)
    samples, cpu = [], []
    for _ in range(REQUESTS):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = browser.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        _ok(response.status_code, url)
    percentiles(label, samples)
    # On a shared machine the wall time includes waiting for a core; the process's own CPU
    # time (plus SQLite's, which runs in it) shows what the page itself costs.
    percentiles("    of which this process's CPU time", cpu)


def _ok(status: int, url: str) -> None:
    if status != 200:
        raise RuntimeError(f"{url} answered {status}: the figures would mean nothing")


def _case_with_messages(count: int) -> str:
    """An open case of the demo with `count` messages: the question, notes and answers."""
    from loket.accounts.models import User
    from loket.cases.models import Case, Message
    from loket.cases.services import case_note_add

    agent = User.objects.get(username="agent")
    case = Case.objects.filter(status__in=Case.OPEN_STATUSES, kind="question").order_by("pk")[0]
    for n in range(count - Message.objects.filter(case=case).count()):
        case_note_add(actor=agent, case=case, body=f"Notitie {n}: de klant belde terug.")
    if Message.objects.filter(case=case).count() != count:
        raise RuntimeError(f"{case.reference} does not have {count} messages")
    return case.reference


def run_database(vendor: str, timed: Timer) -> None:
    from loket.accounts.models import User
    from loket.desk.queues import Moments, queue_counts
    from loket.desk.templatetags.desk import capped

    # The pages link their CSS and scripts through the manifest of collected static files.
    call_command("collectstatic", interactive=False, verbosity=0)
    if vendor == "postgresql":
        # The watch's benchmark has just rewritten every case; autovacuum would refresh the
        # planner's statistics within a minute, the benchmark does not wait for it.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print("  ANALYZE (as autovacuum would after the watch's bulk update)", flush=True)
    agent = User.objects.get(username="agent")
    browser = Browser(HTTP_HOST="127.0.0.1")  # a host the settings allow
    browser.force_login(agent)
    counts = queue_counts(agent, Moments.at())
    print(
        "  the agent's queues: "
        + ", ".join(f"{queue} {capped(count)}" for queue, count in counts.items()),
        flush=True,
    )
    _measure(
        browser,
        f"busiest queue page: the front office's team queue ({vendor})",
        "/en/desk/?queue=team",
    )
    _measure(browser, f"unassigned queue page ({vendor})", "/en/desk/?queue=unassigned")
    reference = _case_with_messages(20)
    _measure(browser, f"case page with 20 messages ({vendor})", f"/en/desk/cases/{reference}/")
    _measure(
        browser,
        f"word search across all cases: 'leefloon' ({vendor})",
        "/en/desk/search/?q=leefloon",
    )
    _measure(
        browser,
        f"word search, two words: 'novaprima toegang' ({vendor})",
        "/en/desk/search/?q=novaprima+toegang",
    )
    _measure(
        browser,
        f"client page of the client with the most cases ({vendor})",
        f"/en/desk/clients/{_busiest_client()}/",
    )
    _measure(browser, f"readiness check /health/ready ({vendor})", "/health/ready")


def _busiest_client() -> int:
    from django.db.models import Count

    from loket.cases.models import Case

    busiest = Case.objects.values("client").annotate(n=Count("pk")).order_by("-n")[0]
    print(f"  the busiest client has {busiest['n']} cases", flush=True)
    return int(busiest["client"])
