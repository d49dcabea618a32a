"""The API at 100,000 cases (issue 6): reading a case with its timeline, a page of the case
list, and the public status lookup, each through the whole stack (middleware, token,
JSON), timed per request."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable

from django.conf import settings
from django.test import Client as Browser

from bench.run import percentiles
from loket.accounts.models import User
from loket.api.services import api_token_create
from loket.cases.models import Case, ClientEmail

RUNS = 300


def _sample(count: int) -> list[tuple[str, str]]:
    """Registration numbers and an e-mail address of their client, spread over the data."""
    rng = random.Random(6)
    highest = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picks = sorted({rng.randint(1, highest) for _ in range(count * 2)})
    cases = dict(Case.objects.filter(pk__in=picks).values_list("client_id", "reference"))
    addresses = dict(
        ClientEmail.objects.filter(client_id__in=list(cases)).values_list("client_id", "address")
    )
    pairs = [(reference, addresses[c]) for c, reference in cases.items() if c in addresses]
    rng.shuffle(pairs)
    return pairs[:count]


def _timings(call: Callable[[int], int], runs: int) -> list[float]:
    samples = []
    for n in range(runs):
        started = time.perf_counter()
        status = call(n)
        samples.append((time.perf_counter() - started) * 1000)
        if status >= 500:
            raise RuntimeError(f"the API answered {status}")
    return samples


def run_database(vendor: str, timed: Callable[..., float]) -> None:
    # Misses are answered 404, which Django logs as warnings: not what is measured here.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    browser = Browser(SERVER_NAME="127.0.0.1")
    agent = User.objects.get(username="agent")
    token = api_token_create(actor=None, owner=agent, name="benchmark").secret
    auth = {"Authorization": f"Bearer {token}"}
    pairs = _sample(RUNS)
    total = Case.objects.count()
    print(f"  cases: {total}; sample of {len(pairs)} cases with a client address", flush=True)

    def read_case(n: int) -> int:
        reference = pairs[n % len(pairs)][0]
        return browser.get(f"/api/v1/cases/{reference}", headers=auth).status_code

    read_case(0)  # warm up: first request loads the URL configuration and the schemas
    percentiles(f"GET a case with its timeline ({vendor})", _timings(read_case, RUNS))

    def newest(n: int) -> int:
        return browser.get("/api/v1/cases?limit=50", headers=auth).status_code

    percentiles(f"GET the newest 50 cases ({vendor})", _timings(newest, 50))

    def queue(n: int) -> int:
        url = "/api/v1/cases?status=in-progress&order=due_at&limit=50"
        return browser.get(url, headers=auth).status_code

    percentiles(f"GET 50 cases in progress by due date ({vendor})", _timings(queue, 50))

    # The benchmark measures the lookup itself, not the rate limit that would stop a robot.
    settings.LOKET_PORTAL_RATE_LIMITS = {"follow-ip": None, "follow-reference": None}

    def status_lookup(n: int) -> int:
        reference, email = pairs[n % len(pairs)]
        if n % 3 == 2:
            email = "someone.else@example.be"  # a miss costs what a hit costs
        body = json.dumps({"reference": reference, "email": email})
        return browser.post("/api/v1/status", body, content_type="application/json").status_code

    percentiles(
        f"POST /api/v1/status, 2 hits to 1 miss ({vendor}, {total} cases)",
        _timings(status_lookup, RUNS),
    )
