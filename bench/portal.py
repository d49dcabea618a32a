"""Portal figures (issue 6): questions submitted per second through the real form, as a
browser sends them (multipart POSTs to /nl/ask/ with the CSRF cookie and token of the form
page, and the form's hidden visit token; rate limits lifted), both in process through
Django's whole stack (every middleware, the database, the form kept with its number and
term, its registration task queued) and over HTTP to waitress on loopback, as `loket serve`
answers; the worker's registration of those forms (cases, clients, acknowledgements); the
two together, a worker process registering while browsers send; and the status lookup at
the loaded volume (100,000 cases): the selector alone and the whole page (POST /nl/follow/)."""

from __future__ import annotations

import http.client
import random
import re
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from bench.run import percentiles

Timer = Callable[..., float]
ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = 2000
QUESTIONS_OVER_HTTP = 1000
QUESTIONS_WITH_WORKER = 3000  # long enough that the one-second gathering window is a detail
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
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _question(n: int, tag: str, topic_ids: list[int], token: str) -> dict[str, str]:
    """What the browser sends: every field of the form, the CSRF token and a fresh visit
    (each question a new client and a new page)."""
    return {
        "csrfmiddlewaretoken": token,
        "visit": secrets.token_urlsafe(18),
        "name": f"Bench Client {n}",
        "email": f"bench.{tag}.{n}@example.be",
        "phone": "",
        "topic": str(topic_ids[n % len(topic_ids)]),
        "question": "Vanaf wanneer heb ik recht op leefloon? Ik ben 18 geworden.",
        "website": "",
    }


def _form_token(page: str) -> str:
    match = CSRF_FIELD.search(page)
    if match is None:
        raise RuntimeError("the question form has no CSRF token")
    return match.group(1)


def _submit_questions(browser: Any, topic_ids: list[int], count: int, tag: str) -> float:
    """Seconds for `count` questions sent through the form in process (Django's test client,
    CSRF checks on, the token taken from the form page as a browser does)."""
    token = _form_token(browser.get("/nl/ask/").content.decode())
    started = time.perf_counter()
    for n in range(count):
        response = browser.post("/nl/ask/", _question(n, tag, topic_ids, token))
        if response.status_code != 302:
            raise RuntimeError(f"the form answered {response.status_code}")
    return time.perf_counter() - started


@contextmanager
def _waitress() -> Iterator[int]:
    """loket served by waitress in a process of its own, as `loket serve` runs it (8 request
    threads), with the benchmark's settings; yields its port on loopback."""
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.portal", "serve"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert server.stdout is not None  # noqa: S101 - for the type checker
        line = server.stdout.readline().strip()
        if not line.isdigit():
            raise RuntimeError(f"the server did not start: {line!r}")
        yield int(line)
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def _worker() -> Iterator[None]:
    """`loket worker` in a process of its own (one task thread, no scheduler), as a second
    machine or core runs it next to the web server."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "django", "worker", "--threads", "1", "--no-scheduler"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # a log line per task
        cwd=ROOT,
    )
    try:
        yield
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def _registered_within(count: int, started: float, limit: float = 300.0) -> float:
    """Seconds from `started` until no form waits for its case any more."""
    from loket.portal.models import Submission

    while Submission.objects.filter(state=Submission.State.RECEIVED).exists():
        if time.perf_counter() - started > limit:
            raise RuntimeError(f"{count} forms not registered within {limit:.0f} s")
        time.sleep(0.05)
    return time.perf_counter() - started


def _drain() -> tuple[int, float]:
    """The worker's half, run here: every waiting form registered; (forms, seconds)."""
    from loket.portal.registration import portal_submissions_register

    started = time.perf_counter()
    done = 0
    while batch := portal_submissions_register():
        done += len(batch)
    return done, time.perf_counter() - started


def serve() -> None:
    """The server process of `_waitress`: binds a free port, says which, and serves."""
    import django

    django.setup()
    from django.test.utils import override_settings
    from waitress.server import create_server

    from loket.wsgi import application

    with override_settings(LOKET_PORTAL_RATE_LIMITS=NO_LIMITS, STORAGES=PLAIN_STATIC):
        server: Any = create_server(application, host="127.0.0.1", port=0, threads=8)
        print(server.effective_port, flush=True)
        server.run()


class _Visitor:
    """One browser over HTTP: its own keep-alive connection, CSRF cookie and form token."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.connection.request("GET", "/nl/ask/")
        response = self.connection.getresponse()
        page = response.read().decode()
        cookie = SimpleCookie(response.getheader("Set-Cookie") or "")
        if response.status != 200 or "csrftoken" not in cookie:
            raise RuntimeError(f"the form page answered {response.status} without a CSRF cookie")
        self.token = _form_token(page)
        self.cookie = f"csrftoken={cookie['csrftoken'].value}"

    def send(self, numbers: range, tag: str, topic_ids: list[int]) -> None:
        from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

        headers = {"Content-Type": MULTIPART_CONTENT, "Cookie": self.cookie}
        for n in numbers:
            body = encode_multipart(BOUNDARY, _question(n, tag, topic_ids, self.token))
            self.connection.request("POST", "/nl/ask/", body=body, headers=headers)
            response = self.connection.getresponse()
            response.read()
            if response.status != 302:
                raise RuntimeError(f"the form answered {response.status} over HTTP")


def _submit_over_http(
    port: int, topic_ids: list[int], count: int, tag: str, *, visitors: int = 1
) -> float:
    """Seconds for `count` questions POSTed by `visitors` browsers at once."""
    people = [_Visitor(port) for _ in range(visitors)]
    shares = [range(k, count, visitors) for k in range(visitors)]
    errors: list[BaseException] = []

    def run(visitor: _Visitor, numbers: range) -> None:
        try:
            visitor.send(numbers, tag, topic_ids)
        except BaseException as error:  # reported below, from the main thread
            errors.append(error)

    pairs = zip(people, shares, strict=True)
    threads = [threading.Thread(target=run, args=pair) for pair in pairs]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for visitor in people:
        visitor.connection.close()
    if errors:
        raise errors[0]
    return elapsed


def run_database(vendor: str, timed: Timer) -> None:
    from django.test import Client as Browser
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from loket.cases.models import Case, ClientEmail, Topic
    from loket.portal.selectors import case_status_lookup

    browser = Browser(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
    topic_ids = list(Topic.objects.filter(active=True).values_list("pk", flat=True))
    # The pages name their stylesheet; the benchmark has not collected the static files.
    with override_settings(LOKET_PORTAL_RATE_LIMITS=NO_LIMITS, STORAGES=PLAIN_STATIC):
        _submit_questions(browser, topic_ids, 50, "warm")  # templates, caches, connections
        _drain()
        elapsed = _submit_questions(browser, topic_ids, QUESTIONS, "run")
        print(
            f"  portal questions ({vendor}): {QUESTIONS / elapsed:.0f} per second over "
            f"{QUESTIONS} form POSTs in process (the form kept with its number and term, "
            "its registration task queued)",
            flush=True,
        )
        done, seconds = _drain()
        print(
            f"  portal registration ({vendor}): {done / seconds:.0f} forms per second "
            f"registered by the worker's code, {done} forms in batches of 50 (clients, "
            "cases, questions, files, FAQ visits, acknowledgements rendered into the outbox)",
            flush=True,
        )
        DBTaskResult.objects.all().delete()  # the tasks of forms registered above
        with _waitress() as port:
            _submit_over_http(port, topic_ids, 50, "http-warm")
            rates = []
            for visitors in (1, 4):
                elapsed = _submit_over_http(
                    port, topic_ids, QUESTIONS_OVER_HTTP, f"http{visitors}", visitors=visitors
                )
                rates.append(f"{QUESTIONS_OVER_HTTP / elapsed:.0f} per second from {visitors}")
            print(
                f"  portal questions over HTTP ({vendor}): {', '.join(rates)} browser(s) at "
                f"once, {QUESTIONS_OVER_HTTP} form POSTs each, to `loket serve`'s waitress "
                "(8 threads) in its own process on loopback",
                flush=True,
            )
            _drain()
            DBTaskResult.objects.all().delete()
            with _worker():
                started = time.perf_counter()
                elapsed = _submit_over_http(
                    port, topic_ids, QUESTIONS_WITH_WORKER, "together", visitors=4
                )
                total = _registered_within(QUESTIONS_WITH_WORKER, started)
        print(
            f"  portal questions with the worker running ({vendor}): "
            f"{QUESTIONS_WITH_WORKER / elapsed:.0f} per second sent by 4 browsers over HTTP "
            f"while `loket worker` (1 thread, own process) registered them; the last of "
            f"{QUESTIONS_WITH_WORKER} registered {total - elapsed:.2f} s after it was sent, "
            f"{QUESTIONS_WITH_WORKER / total:.0f} cases per second end to end",
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
        token = _form_token(browser.get("/nl/follow/").content.decode())
        for reference, address in attempts:
            started = time.perf_counter()
            response = browser.post(
                "/nl/follow/",
                {"csrfmiddlewaretoken": token, "reference": reference, "email": address},
            )
            page_ms.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"the follow page answered {response.status_code}")
        percentiles(f"status lookup, whole page POST /nl/follow/, {total} cases", page_ms)
        timed("portal home page (GET /nl/)", lambda: browser.get("/nl/"))


if __name__ == "__main__" and sys.argv[1:] == ["serve"]:
    serve()
