"""The portal in a real browser (Debian's chromium through Playwright, against the live
server): every page checked with axe-core for WCAG 2.1 AA in the four languages, and the
client's journeys (ask, get the number, follow; complain) in Dutch and French, with and
without JavaScript. Fixtures and helpers in loket/browser.py."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.urls import resolve
from django.utils import formats, timezone, translation
from playwright.sync_api import Page, expect

from loket.accounts.models import Team
from loket.browser import assert_accessible, assert_headings_in_order
from loket.cases.models import Case, Client, Topic
from loket.portal import views
from loket.portal.models import Attachment
from loket.portal.services import portal_question_submit
from loket.portal.views import _sent_url

from .conftest import PDF_BYTES, at

pytestmark = pytest.mark.browser
LANGUAGES = ["nl", "fr", "de", "en"]


def _in(language: str, text: str) -> str:
    """The text as loket's catalogue renders it in that language."""
    with translation.override(language):
        return translation.gettext(text)


def _date(language: str, moment: object) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _monday_morning() -> Iterator[None]:
    # The clock runs on from a Monday morning in office hours: the home page says "open".
    with time_machine.travel(at("2026-03-02 10:00"), tick=True):
        yield


def check(page: Page, language: str, *, judge: Page | None = None) -> None:
    """The page is in `language`, styled, its headings in order and axe finds nothing.

    axe-core needs JavaScript (its checks run on timers): a page in a context without it is
    judged as a copy, its very HTML loaded into `judge`, a page of a context with JavaScript
    on the same site (so that the stylesheet applies)."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("a.skip")).to_have_css("left", "-999px")  # loket.css is applied
    assert_headings_in_order(page)
    if judge is None:
        assert_accessible(page)
        return
    judge.goto(f"/{language}/follow/")  # any page of the site: the origin for the copy
    judge.set_content(page.content())
    expect(judge.locator("a.skip")).to_have_css("left", "-999px")
    assert_accessible(judge)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_is_accessible_in_every_language(
    new_page: Callable[..., Page],
    language: str,
    front_office: Team,
    topics: dict[str, Topic],
    client_record: Client,
) -> None:
    page = new_page()
    sent_form = portal_question_submit(
        name="OCMW Gent",
        email="info@ocmw-gent.example.be",
        topic=topics["income"],
        question="Leefloon",
        language=language,
    )

    page.goto(f"/{language}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        _in(language, "Contact the front office")
    )
    expect(page.locator("#phone-status")).to_contain_text(
        _in(language, "The phone line is open now, until %(until)s.").split("%(until)s")[0]
    )
    check(page, language)

    page.goto(f"/{language}/ask/")
    check(page, language)
    # Sent empty: the errors are summed up, and each is tied to its field.
    page.get_by_role("button", name=_in(language, "Send my question")).click()
    expect(page.get_by_role("alert")).to_be_visible()
    check(page, language)

    page.goto(f"/{language}/complain/")
    check(page, language)

    page.goto(f"/{language}/follow/")
    check(page, language)
    page.get_by_label(_in(language, "Registration number"), exact=True).fill(sent_form.reference)
    page.get_by_label(_in(language, "Your e-mail address"), exact=True).fill(
        "info@ocmw-gent.example.be"
    )
    page.get_by_role("button", name=_in(language, "Show the status")).click()
    expect(page.locator(".portal-result")).to_contain_text(sent_form.reference)
    check(page, language)

    with translation.override(language):
        sent = _sent_url(sent_form)
    page.goto(sent)
    expect(page.locator("#reference")).to_have_text(sent_form.reference)
    check(page, language)
    page.goto(f"/{language}/sent/expired-or-forged/")
    check(page, language)

    with translation.override(language):
        stand_in = resolve(f"/{language}/faq/").func is views.faq_coming
    if stand_in:  # until the knowledge base brings the FAQ (its own tests check its pages)
        page.goto(f"/{language}/faq/")
        check(page, language)


def ask_journey(page: Page, language: str, topic: Topic, judge: Page | None = None) -> str:
    """From the home page to the confirmation, as a client would; returns the number."""
    page.goto(f"/{language}/")
    page.get_by_role("navigation", name=_in(language, "Main")).get_by_role(
        "link", name=_in(language, "Ask a question")
    ).click()
    expect(page).to_have_url(re.compile(f"/{language}/ask/$"))
    page.get_by_label(_in(language, "Your name"), exact=True).fill("Marie Dubois")
    page.get_by_label(_in(language, "Your e-mail address"), exact=True).fill(
        "Marie.Dubois@example.be"
    )
    page.get_by_label(_in(language, "Your phone number (optional)"), exact=True).fill(
        "0470 12 34 56"
    )
    page.get_by_label(_in(language, "Topic"), exact=True).select_option(str(topic.pk))
    page.get_by_label(_in(language, "Your question"), exact=True).fill(
        "Depuis quand ai-je droit au revenu d'intégration ?"
    )
    page.get_by_label(_in(language, "Attachments (optional)"), exact=True).set_input_files(
        [{"name": "attestation.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name=_in(language, "Send my question")).click()
    expect(page).to_have_url(re.compile(f"/{language}/sent/[^/]+/$"))
    heading = _in(language, "Your question is registered")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    reference = page.locator("#reference").inner_text().strip()
    case = Case.objects.get(reference=reference)
    assert case.language == language and case.topic == topic
    expect(page.locator(".portal-confirmation")).to_contain_text(_date(language, case.due_at))
    check(page, language, judge=judge)
    return reference


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_ask_get_the_number_and_follow_without_javascript(
    new_page: Callable[..., Page], language: str, front_office: Team, topics: dict[str, Topic]
) -> None:
    page, judge = new_page(java_script_enabled=False), new_page()
    reference = ask_journey(page, language, topics["income"], judge)
    assert Attachment.objects.get(message__case__reference=reference).name == "attestation.pdf"

    # Reloading the confirmation registers nothing more (POST-redirect-GET).
    page.reload()
    assert Case.objects.count() == 1

    page.get_by_role("link", name=_in(language, "Follow your question")).last.click()
    number = page.get_by_label(_in(language, "Registration number"), exact=True)
    expect(number).to_have_value(reference)
    page.get_by_label(_in(language, "Your e-mail address"), exact=True).fill(
        "marie.dubois@example.be"
    )
    with page.expect_navigation():
        page.get_by_role("button", name=_in(language, "Show the status")).click()
    result = page.locator(".portal-result")
    expect(result).to_contain_text(reference)
    expect(result).to_contain_text(_in(language, "Received: it is waiting to be handled."))
    check(page, language, judge=judge)


def test_with_javascript_the_status_appears_in_place_and_takes_the_focus(
    page: Page, front_office: Team, topics: dict[str, Topic]
) -> None:
    reference = ask_journey(page, "fr", topics["medical"])
    page.goto(f"/fr/follow/?reference={reference}")
    page.get_by_label(_in("fr", "Your e-mail address"), exact=True).fill("marie.dubois@example.be")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.headers.get("hx-request", "")))
    page.get_by_role("button", name=_in("fr", "Show the status")).click()
    result = page.locator(".portal-result")
    expect(result).to_contain_text(reference)
    expect(result).to_be_focused()
    assert requests == ["true"]  # one htmx request, no page load
    assert page.url.endswith(f"/fr/follow/?reference={reference}")
    check(page, "fr")


@pytest.mark.parametrize(("language", "javascript"), [("nl", False), ("fr", True)])
def test_complain_about_an_earlier_question_and_follow_the_complaint(
    new_page: Callable[..., Page],
    language: str,
    javascript: bool,
    front_office: Team,
    topics: dict[str, Topic],
) -> None:
    page = new_page(java_script_enabled=javascript)
    judge = None if javascript else new_page()
    earlier = ask_journey(page, language, topics["income"], judge)
    page.goto(f"/{language}/")
    page.get_by_role("link", name=_in(language, "Make a complaint")).click()
    page.get_by_label(_in(language, "Your name"), exact=True).fill("Marie Dubois")
    page.get_by_label(_in(language, "Your e-mail address"), exact=True).fill(
        "marie.dubois@example.be"
    )
    page.get_by_label(
        _in(language, "Registration number of the question it is about (optional)"), exact=True
    ).fill(earlier.replace("-", " "))
    page.get_by_label(_in(language, "Your complaint"), exact=True).fill(
        "Je n'ai jamais reçu de réponse."
    )
    with page.expect_navigation():
        page.get_by_role("button", name=_in(language, "Send my complaint")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        _in(language, "Your complaint is registered")
    )
    reference = page.locator("#reference").inner_text().strip()
    complaint = Case.objects.get(reference=reference)
    assert complaint.kind == Case.Kind.COMPLAINT and complaint.related_case is not None
    assert complaint.related_case.reference == earlier
    check(page, language, judge=judge)

    page.goto(f"/{language}/follow/")
    page.get_by_label(_in(language, "Registration number"), exact=True).fill(reference)
    page.get_by_label(_in(language, "Your e-mail address"), exact=True).fill(
        "marie.dubois@example.be"
    )
    page.get_by_role("button", name=_in(language, "Show the status")).click()
    expect(page.locator(".portal-result h2")).to_have_text(
        _in(language, "Your complaint %(reference)s") % {"reference": reference}
    )
    check(page, language, judge=judge)


def test_errors_are_read_out_with_their_fields(
    new_page: Callable[..., Page], front_office: Team, topics: dict[str, Topic]
) -> None:
    page = new_page(java_script_enabled=False)
    page.goto("/en/ask/")
    page.get_by_label("Your e-mail address", exact=True).fill("marie@")
    page.get_by_label("Your phone number (optional)", exact=True).fill("twelve")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my question").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please correct the following")
    email = page.get_by_label("Your e-mail address", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(
        re.compile(r"We send the registration number .* Error: Enter a valid email address\.")
    )
    phone = page.get_by_label("Your phone number (optional)", exact=True)
    expect(phone).to_have_accessible_description(re.compile("This is not a phone number"))
    expect(page.get_by_label("Your name", exact=True)).to_have_accessible_description(
        "Error: This field is required."
    )
    # The summary's links lead to the fields.
    summary.get_by_role("link", name=re.compile("^Your e-mail address")).click()
    expect(email).to_be_focused()
    # The honeypot is neither seen nor reached with the keyboard.
    expect(page.locator("#id_website")).to_be_hidden()
    check(page, "en", judge=new_page())


def test_focus_is_visible_and_the_skip_link_works(page: Page) -> None:
    page.goto("/en/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    expect(skip).not_to_have_css("left", "-999px")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.url.endswith("/en/#main")


def test_the_language_can_be_switched_on_every_page_without_javascript(
    new_page: Callable[..., Page],
) -> None:
    page = new_page(java_script_enabled=False)
    for path in ("", "ask/", "follow/", "complain/"):
        page.goto(f"/nl/{path}")
        page.get_by_label(_in("nl", "Language"), exact=True).select_option("de")
        with page.expect_navigation():
            page.locator("form.languages").get_by_role("button").click()
        assert page.url.endswith(f"/de/{path}")
        expect(page.locator("html")).to_have_attribute("lang", "de")
