"""The desk in a real browser: Debian's chromium through Playwright, against the live server,
each page checked with axe-core for WCAG 2.1 AA (fixtures and helpers in loket/browser.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from loket.accounts.models import Team, User
from loket.browser import assert_accessible, assert_headings_in_order, log_in
from loket.cases.models import Client
from loket.cases.selectors import queue_counts
from loket.cases.services import case_register
from loket.desk.views import QUEUES

pytestmark = pytest.mark.browser
PASSWORD = "secret-pass-123"  # the named people's password in the root conftest.py


def _in(language: str, text: str) -> str:
    """The text as loket's catalogue renders it in that language."""
    with translation.override(language):
        return translation.gettext(text)


def _expect_styled(page: Page) -> None:
    """loket.css is applied (the skip link sits off screen), so axe judges the real colours."""
    expect(page.locator("a.skip")).to_have_css("left", "-999px")


@pytest.mark.parametrize("language", ["nl", "fr", "de", "en"])
def test_the_login_page_is_accessible_in_every_language(page: Page, language: str) -> None:
    response = page.goto(f"/{language}/desk/login/")
    assert response is not None and response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", language)
    _expect_styled(page)
    assert_headings_in_order(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(_in(language, "Log in to the desk"))
    # Every field is found by its visible label, as a screen reader announces it.
    expect(page.get_by_label(_in(language, "User name"), exact=True)).to_have_id("id_username")
    expect(page.get_by_label(_in(language, "Password"), exact=True)).to_have_id("id_password")
    expect(page.get_by_label(_in(language, "Language"), exact=True)).to_have_id("language")
    expect(page.locator("main").get_by_role("button")).to_have_accessible_name(
        _in(language, "Log in")
    )
    assert_accessible(page)


def test_an_agent_logs_in_through_the_form_and_sees_the_counts(
    page: Page, agent: User, front_office: Team, client_record: Client
) -> None:
    for n in range(3):
        case_register(actor=None, client=client_record, channel="email", subject=f"Vraag {n}")
    for n in range(2):
        case_register(
            actor=None,
            client=client_record,
            channel="phone",
            subject=f"Eigen vraag {n}",
            owner=agent,
            team=front_office,
        )

    log_in(page, "agent", PASSWORD)

    assert page.url.endswith("/en/desk/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Queues")
    _expect_styled(page)
    counts = queue_counts(agent)
    assert (counts.mine, counts.team, counts.unassigned) == (2, 2, 3)
    for key, label in QUEUES:
        queue = page.locator(f"#queues .queue-{key}")
        expect(queue.locator(".label")).to_have_text(str(label))
        expect(queue.locator(".count")).to_have_text(str(getattr(counts, key)))
    expect(page.locator("#queues .queue-unassigned .count")).to_have_text("3")
    expect(page.locator("#queues .queue-mine .count")).to_have_text("2")
    expect(page.get_by_role("navigation", name="Desk").get_by_role("button")).to_have_text(
        f"Log out {agent}"
    )
    assert_headings_in_order(page)
    assert_accessible(page)


def test_a_wrong_password_shows_the_error_tied_to_the_fields(page: Page, agent: User) -> None:
    page.goto("/en/desk/login/")
    page.get_by_label("User name", exact=True).fill("agent")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Log in").click()

    assert page.url.endswith("/en/desk/login/")
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Please enter a correct")
    message = alert.inner_text().strip()
    for field in ("User name", "Password"):
        box = page.get_by_label(field, exact=True)
        expect(box).to_have_attribute("aria-describedby", "login-errors")
        expect(box).to_have_attribute("aria-invalid", "true")
        # The browser's own accessibility tree reads the error as the field's description.
        expect(box).to_have_accessible_description(message)
    expect(page.get_by_label("User name", exact=True)).to_have_value("agent")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    _expect_styled(page)
    assert_headings_in_order(page)
    assert_accessible(page)


def test_the_language_switcher_works_without_javascript(new_page: Callable[..., Page]) -> None:
    page = new_page(java_script_enabled=False)
    page.goto("/nl/desk/login/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_label(_in("nl", "Language"), exact=True).select_option("fr")
    with page.expect_navigation():
        page.locator("form.languages").get_by_role("button").click()

    assert page.url.endswith("/fr/desk/login/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(_in("fr", "Log in to the desk"))
    expect(page.locator("#language option:checked")).to_have_attribute("value", "fr")
    expect(page.locator("#language option:checked")).to_have_text("français")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("django_language") == "fr"


def test_the_axe_check_fails_on_a_page_with_violations(page: Page) -> None:
    """The helper is no rubber stamp: a page without a language, an unlabelled field and
    grey-on-white text fails, naming each rule."""
    page.set_content(
        "<!doctype html><html><head><title>t</title></head><body><main><h1>Bad</h1>"
        '<input type="text"><p style="color:#bbb">faint</p></main></body></html>'
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)
    for rule in ("html-has-lang", "label", "color-contrast"):
        assert f"- {rule} (" in str(failure.value)
