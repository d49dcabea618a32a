"""Portal figures (issue 6): questions submitted per second through the real form (POSTs to
/nl/ask/, rate limits lifted), and the status lookup at the loaded volume (100,000 cases):
the selector alone and the whole page (POST /nl/follow/)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from bench.run import percentiles

Timer = Callable[..., float]
QUESTIONS = 2000
LOOKUPS = 1000
PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
NO_LIMITS = {
    name: None
    for name in (
        "ask-ip",
        "ask-email",
        "complain-ip",
        "complain-email",
        "follow-ip",
        "follow-reference",
    )
}


def _submit_questions(browser: object, topic_ids: list[int], count: int, tag: str) -> float:
    """Seconds for `count` questions sent through the form (each one a new client)."""
    started = time.perf_counter()
    for n in range(count):
        response = browser.post(  # type: ignore[attr-defined]
            "/nl/ask/",
            {
                "name": f"Bench Client {n}",
                "email": f"bench.{tag}.{n}@example.be",
                "phone": "",
                "topic": str(topic_ids[n % len(topic_ids)]),
                "question": "Vanaf wanneer heb ik recht op leefloon? Ik ben 18 geworden.",
                "website": "",
            },
        )
        if response.status_code != 302:
            raise RuntimeError(f"the form answered {response.status_code}")
    return time.perf_counter() - started


def run_database(vendor: str, timed: Timer) -> None:
    from django.test import Client as Browser
    from django.test import override_settings

    from loket.cases.models import Case, ClientEmail, Topic
    from loket.portal.selectors import case_status_lookup

    browser = Browser(HTTP_HOST="127.0.0.1")
    topic_ids = list(Topic.objects.filter(active=True).values_list("pk", flat=True))
    # The pages name their stylesheet; the benchmark has not collected the static files.
    with override_settings(LOKET_PORTAL_RATE_LIMITS=NO_LIMITS, STORAGES=PLAIN_STATIC):
        _submit_questions(browser, topic_ids, 50, "warm")  # templates, caches, connections
        elapsed = _submit_questions(browser, topic_ids, QUESTIONS, "run")
        print(
            f"  portal questions ({vendor}): {QUESTIONS / elapsed:.0f} per second over "
            f"{QUESTIONS} form POSTs (case, message, form record, acknowledgement queued)",
            flush=True,
        )

        rng = random.Random(6)
        total = Case.objects.count()
        highest = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        picked = rng.sample(range(1, highest + 1), min(LOOKUPS * 2, highest))
        pairs = list(
            ClientEmail.objects.filter(client__cases__pk__in=picked)
            .values_list("client__cases__reference", "address")
            .distinct()[:LOOKUPS]
        )
        # Four in five lookups find their case; the rest are misses of each kind.
        attempts: list[tuple[str, str]] = []
        for n, (reference, address) in enumerate(pairs):
            if n % 10 == 7:
                address = "someone.else@example.be"
            elif n % 10 == 9:
                reference = reference[:-2] + ("00" if reference[-2:] != "00" else "01")
            attempts.append((reference, address))
        selector_ms: list[float] = []
        found = 0
        for reference, address in attempts:
            started = time.perf_counter()
            result = case_status_lookup(reference=reference, email=address)
            selector_ms.append((time.perf_counter() - started) * 1000)
            found += result is not None
        percentiles(
            f"status lookup, selector, {total} cases ({found} of {len(attempts)} found)",
            selector_ms,
        )
        page_ms: list[float] = []
        for reference, address in attempts:
            started = time.perf_counter()
            response = browser.post("/nl/follow/", {"reference": reference, "email": address})
            page_ms.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"the follow page answered {response.status_code}")
        percentiles(f"status lookup, whole page POST /nl/follow/, {total} cases", page_ms)
        timed("portal home page (GET /nl/)", lambda: browser.get("/nl/"))
