"""Real-browser testing: Debian's chromium driven by Playwright, pages checked with axe-core.

A pytest plugin (the root conftest.py loads it with ``pytest_plugins``). It gives:

- ``browser``: one headless chromium for the whole session, Debian's ``/usr/bin/chromium``
  (never a browser that Playwright downloads);
- ``new_page``: a factory for pages in fresh browser contexts (own cookies; options such as
  ``java_script_enabled=False``), whose relative URLs go to pytest-django's ``live_server``;
- ``page``: one such page;
- ``assert_accessible(page)``: runs axe-core (WCAG 2.1 A and AA rules) and fails listing the
  violations;
- ``assert_headings_in_order(page)``: one ``h1`` first, no skipped heading level;
- ``log_in(page, username, password)``: logs a staff member in through the real login form.

axe-core is the ``axe.min.js`` that the ``axe-playwright-python`` wheel ships, read from disk:
nothing is downloaded at test time.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from django.apps import apps as django_apps
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = Path(os.environ.get("LOKET_CHROMIUM", "/usr/bin/chromium"))
# Root in a container needs --no-sandbox; the rest keep chromium from calling out (updates,
# sync, QUIC, first-run pings): this machine has no network and refuses those connections.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 10_000

# The live server answers on 127.0.0.1, not "localhost" (which may resolve to ::1 first), so
# the browser only ever talks to 127.0.0.1. pytest-django adds the host to ALLOWED_HOSTS.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        raise RuntimeError(
            f"{CHROMIUM} is missing: browser tests use Debian's chromium "
            "(apt-get install chromium), never a browser that Playwright downloads."
        )
    # Playwright's sync API runs an asyncio event loop on this thread (in a greenlet) from
    # start() to stop(). While it exists, Django sees "a running event loop" and refuses every
    # ORM call from this thread (SynchronousOnlyOperation): creating test data, pytest-django's
    # database flush after each live-server test, and any test that runs later in the session
    # with this browser still open. The loop is idle whenever our code runs (the sync API
    # blocks until each browser call is done), so synchronous ORM calls are safe here; the
    # live server answers from its own thread, which has no loop. Set only while the browser
    # is up, so a run without browser tests keeps Django's guard.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# The data migrations whose rows the pages need: staff roles, calendars and policies, the
# shipped reply templates. (The other RunPython migrations, cases 0005 and knowledge 0002,
# create search tables, indexes and triggers: schema, which emptying the tables keeps.)
DATA_MIGRATIONS = (
    ("loket.accounts.migrations.0002_staff_roles", "create_roles"),
    ("loket.deadlines.migrations.0002_shipped_calendars_and_policies", "ship"),
    ("loket.desk.migrations.0002_shipped_reply_templates", "ship"),
)


@pytest.fixture(autouse=True)
def _migrated_data_for_live_server(request: pytest.FixtureRequest) -> None:
    """Live-server tests run on a transactional database that is emptied after each test,
    taking the rows of the data migrations with it. Django's serialized rollback would put
    them back, but not once the session-wide browser (an asyncio loop on this thread) is up,
    so re-run the migrations' own functions (idempotent) before any fixture makes staff."""
    if "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(django_apps, None)


@pytest.fixture
def new_page(browser: Browser, live_server: Any) -> Iterator[Callable[..., Page]]:
    """Opens pages in fresh contexts (no shared cookies) against the live server; extra
    keyword arguments go to ``browser.new_context`` (e.g. ``java_script_enabled=False``)."""
    contexts: list[BrowserContext] = []

    def open_page(**context_options: Any) -> Page:
        context = browser.new_context(base_url=live_server.url, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The WCAG 2.1 A/AA violations that axe-core finds on the page as it is now."""
    # Page.evaluate runs through the DevTools protocol, so the page's Content-Security-Policy
    # (no inline scripts) stays in force and does not block axe.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_FILE_PATH.read_text(encoding="utf-8"))
    results: dict[str, Any] = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        AXE_TAGS,
    )
    violations: list[dict[str, Any]] = results["violations"]
    return violations


def assert_accessible(page: Page) -> None:
    """Fails with a readable list of axe-core's WCAG 2.1 A/AA violations, if any."""
    violations = axe_violations(page)
    if not violations:
        return
    lines = [f"{len(violations)} axe-core violation(s) on {page.url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{', '.join(t for t in violation['tags'] if t.startswith('wcag'))}]"
        )
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html']}")
            summary = node.get("failureSummary")
            if summary:
                lines.extend(f"      {line}" for line in summary.splitlines())
    pytest.fail("\n".join(lines), pytrace=False)


def heading_levels(page: Page) -> list[int]:
    """The levels of the page's visible headings, in document order."""
    levels: list[int] = page.evaluate(
        """() => [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
            .filter(h => h.getClientRects().length > 0)
            .map(h => Number(h.tagName[1]))"""
    )
    return levels


def assert_headings_in_order(page: Page) -> None:
    """Exactly one h1, before any other heading, and no level skipped going down."""
    levels = heading_levels(page)
    in_order = bool(levels) and levels[0] == 1 and levels.count(1) == 1
    in_order = in_order and all(after <= before + 1 for before, after in pairwise(levels))
    if not in_order:
        pytest.fail(f"headings out of order on {page.url}: levels {levels}", pytrace=False)


def log_in(page: Page, username: str, password: str, language: str = "en") -> None:
    """Logs in through the desk's login form as a person would, and waits for the desk."""
    page.goto(f"/{language}/desk/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if "/desk/login/" in page.url:
        errors = page.locator("[role=alert]").all_inner_texts()
        raise AssertionError(f"logging in as {username!r} failed: {errors}")
