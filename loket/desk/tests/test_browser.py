"""The desk in a real browser: Debian's chromium through Playwright, against the live server,
each page checked with axe-core for WCAG 2.1 AA (fixtures and helpers in loket/browser.py).

The day's real journeys: a phone question answered during the call; an e-mail question
answered from the queue (the client gets the mail); a question forwarded, answered and
closed by the back office; a missed term, seen by the coordinator, who sends a delay notice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
import time_machine
from django.core import mail
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from loket.accounts.models import Team, User
from loket.browser import assert_accessible, assert_headings_in_order, log_in
from loket.cases.models import Case, Client
from loket.cases.services import case_register
from loket.deadlines.services import deadline_watch
from loket.desk.queues import QUEUE_LABELS, Moments, queue_counts
from loket.mail import storage
from loket.mail.models import OutboundMail

from .conftest import lost_mail

pytestmark = pytest.mark.browser
PASSWORD = "secret-pass-123"  # the named people's password in the root conftest.py
# Monday 7 December 2026, 9:00 in Brussels.
MONDAY = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def _in(language: str, text: str) -> str:
    """The text as loket's catalogue renders it in that language."""
    with translation.override(language):
        return translation.gettext(text)


def _expect_styled(page: Page) -> None:
    """loket.css is applied (the skip link sits off screen), so axe judges the real colours."""
    expect(page.locator("a.skip")).to_have_css("left", "-999px")


def _notice(page: Page) -> Locator:
    """What the desk says after an action done with htmx (the case's own status line)."""
    return page.locator("#case > [role=status]")


def _check(page: Page) -> None:
    """Every desk page: styled, headings in order, no axe-core violation."""
    _expect_styled(page)
    assert_headings_in_order(page)
    assert_accessible(page)


def _email_question(client: Client, subject: str = "Berekening leefloon") -> Case:
    return case_register(
        actor=None,
        client=client,
        channel="email",
        subject=subject,
        body="Hoe berekenen we het leefloon voor een samenwonende aanvrager?",
        sender="info@ocmw-gent.example.be",
    )


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
    counts = queue_counts(agent, Moments.at())
    for queue, label in QUEUE_LABELS.items():
        tab = page.locator(f"#queues .queue-{queue}")
        expect(tab.locator(".label")).to_have_text(str(label))
        expect(tab.locator(".count")).to_have_text(str(counts[queue]))
    expect(page.locator("#queues .queue-unassigned .count")).to_have_text("3")
    expect(page.locator("#queues .queue-mine .count")).to_have_text("2")
    # The desk opens on the agent's own cases, soonest term first.
    expect(page.locator("[data-queue-row]")).to_have_count(2)
    expect(page.get_by_role("navigation", name="Desk").get_by_role("button")).to_have_text(
        f"Log out {agent}"
    )
    _check(page)


def test_a_phone_question_registered_and_answered_during_the_call(
    page: Page, agent: User, front_office: Team, client_record: Client
) -> None:
    _email_question(client_record, subject="Eerdere vraag over het GPMI")
    log_in(page, "agent", PASSWORD)
    page.get_by_role("link", name="Register a question").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register a question")
    page.get_by_label("Received by").select_option("phone")
    # The caller gives a phone number; the candidates appear as it is typed (htmx).
    page.get_by_label("Find the client by phone number, name or e-mail").fill("09 266 99 00")
    caller = page.get_by_role("radio", name="OCMW Gent")
    expect(caller).to_be_visible()
    expect(page.locator("#candidates")).to_contain_text("Eerdere vraag over het GPMI")
    caller.check()
    page.get_by_label("Subject").fill("Leefloon voor een student")
    page.get_by_label("The question").fill("Heeft een student van 19 jaar recht op leefloon?")
    page.get_by_label("Answered during the call: what the client was told").fill(
        "Ja, onder voorwaarden; uitgelegd en verwezen naar het OCMW."
    )
    _check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Register", exact=True).click()

    case = Case.objects.get(subject="Leefloon voor een student")
    assert page.url.endswith(f"/en/desk/cases/{case.reference}/")
    expect(page.locator("main")).to_contain_text(f"Registered as {case.reference}")
    expect(page.locator(".facts .status")).to_have_text("closed")
    expect(page.locator(".timeline")).to_contain_text("Ja, onder voorwaarden")
    assert (case.client, case.channel, case.status, case.owner) == (
        client_record,
        "phone",
        Case.Status.CLOSED,
        agent,
    )
    _check(page)


def test_an_e_mail_question_answered_from_the_queue_reaches_the_client(
    page: Page, agent: User, front_office: Team, client_record: Client
) -> None:
    case = _email_question(client_record)
    errors: list[str] = []  # the CSP reports blocked scripts or styles here
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    failed: list[str] = []
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    log_in(page, "agent", PASSWORD)
    page.locator("#queues .queue-unassigned a").click()  # htmx: the queue is swapped in
    expect(page.locator("#queue-title")).to_have_text("Unassigned")
    assert page.url.endswith("?queue=unassigned")
    _check(page)
    # The keyboard: j to the first case, o to open it, r to the reply.
    page.keyboard.press("j")
    expect(page.locator("[data-queue-row].current")).to_contain_text(case.reference)
    with page.expect_navigation():
        page.keyboard.press("o")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    _check(page)
    # A less frequent action unfolds in place, the cursor in its first field.
    page.get_by_role("link", name="Change the topic").click()
    expect(page.locator("#act-topic select")).to_be_focused()
    page.get_by_label("Reply template").select_option(label="Antwoord")
    page.get_by_role("button", name="Use this template").click()  # htmx fills the draft
    answer = page.get_by_label("Answer:", exact=True)
    expect(answer).to_have_value(re.compile("^Geachte OCMW Gent,"))
    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("r")
    expect(answer).to_be_focused()
    answer.fill(
        "Geachte OCMW Gent,\n\nHet leefloon voor een samenwonende is categorie 1.\n\n"
        f"Registratienummer: {case.reference}"
    )
    page.get_by_role("button", name="Send the answer").click()  # htmx, no page load
    expect(_notice(page)).to_contain_text("The answer is sent.")
    expect(page.locator(".facts .status")).to_have_text("answered")

    outbound = OutboundMail.objects.get(case=case, kind="answer")
    assert outbound.status == OutboundMail.Status.SENT
    (sent,) = mail.outbox
    assert sent.to == ["info@ocmw-gent.example.be"]
    assert "categorie 1" in sent.body and case.reference in sent.subject
    _check(page)
    assert [url for url in failed if not url.endswith("/favicon.ico")] == []
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []


def test_a_question_forwarded_answered_and_closed_by_the_back_office(
    new_page: Callable[..., Page],
    agent: User,
    expert: User,
    back_office: Team,
    client_record: Client,
) -> None:
    case = _email_question(client_record, subject="Terugbetaling dringende medische hulp")
    front = new_page()
    log_in(front, "agent", PASSWORD)
    front.goto(f"/en/desk/cases/{case.reference}/")
    front.keyboard.press("f")
    team = front.get_by_label("Back-office team")
    expect(team).to_be_focused()
    team.select_option(label=back_office.name)
    front.get_by_label("Note for the back office").fill("Valt dit onder de wet van 1965?")
    front.get_by_role("button", name="Forward", exact=True).click()
    expect(_notice(front)).to_contain_text("forwarded to the back office")
    expect(front.locator(".facts .status")).to_have_text("forwarded")

    back = new_page()
    log_in(back, "expert", PASSWORD)
    back.locator("#queues .queue-team a").click()
    row = back.locator("[data-queue-row]", has_text=case.reference)
    expect(row).to_be_visible()
    _check(back)
    with back.expect_navigation():
        row.get_by_role("link").click()
    expect(back.locator(".timeline")).to_contain_text("Valt dit onder de wet van 1965?")
    _check(back)
    back.get_by_role("button", name="I handle this case").click()
    expect(_notice(back)).to_contain_text("You handle this case now.")
    back.get_by_label("Answer:", exact=True).fill(
        "Ja: de Staat betaalt terug volgens de wet van 1965."
    )
    back.get_by_role("button", name="Send the answer").click()
    expect(back.locator(".facts .status")).to_have_text("answered")
    back.get_by_role("button", name="Close", exact=True).click()
    expect(back.locator(".facts .status")).to_have_text("closed")

    case.refresh_from_db()
    assert (case.status, case.owner, case.answered_by_front_office) == (
        Case.Status.CLOSED,
        expert,
        False,
    )
    assert [m.to for m in mail.outbox] == [["info@ocmw-gent.example.be"]]
    _check(back)


def test_a_missed_term_seen_by_the_coordinator_who_sends_a_delay_notice(
    page: Page, coordinator: User, front_office: Team, client_record: Client
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        case = _email_question(client_record, subject="Bevoegdheid OCMW Gent of Brugge")
    assert case.due_at is not None
    # Wednesday night the term ran out; the watch passes on Thursday morning.
    with time_machine.travel(MONDAY + dt.timedelta(days=3), tick=True):
        deadline_watch()
        log_in(page, "coordinator", PASSWORD)
        alerts = page.get_by_role("region", name="Reminders for you")
        expect(alerts).to_contain_text(case.reference)  # in the coordinator's language
        expect(page.locator("#queues .queue-overdue .count")).to_have_text("1")
        page.locator("#queues .queue-overdue a").click()
        expect(page.locator("[data-queue-row]")).to_have_count(1)
        expect(page.locator("[data-queue-row] .overdue-mark")).to_have_text("overdue")
        with page.expect_navigation():
            page.locator("[data-queue-row] a").click()
        expect(page.locator("#term")).to_contain_text("Overdue by 1 working day")
        _check(page)
        new_term = page.get_by_label("New term")
        expect(new_term).to_have_value("2026-12-14")  # proposed from the calendar
        page.get_by_label("Reason for the delay (the client reads it)").fill(
            "We wachten op het advies van beide OCMW's."
        )
        page.get_by_role("button", name="Send the delay notice").click()
        expect(_notice(page)).to_contain_text("The delay notice is sent.")
        expect(page.locator("#term")).not_to_contain_text("Overdue")
        expect(page.locator("#term")).to_contain_text("Dec. 14, 2026")
        _check(page)
        page.get_by_role("link", name="Notifications").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
        _check(page)
        page.get_by_role("button", name="Mark all as read").click()
        expect(page.locator(".notification.unread")).to_have_count(0)

    case.refresh_from_db()
    assert case.due_at is not None and case.due_at.date() == dt.date(2026, 12, 14)
    (sent,) = mail.outbox
    assert sent.to == ["info@ocmw-gent.example.be"] and "beide OCMW" in sent.body


def test_search_and_the_client_page(
    page: Page, agent: User, client_record: Client, front_office: Team
) -> None:
    case = _email_question(client_record)
    log_in(page, "agent", PASSWORD)
    page.keyboard.press("/")
    expect(page.locator("#desk-search")).to_be_focused()
    page.keyboard.type("samenwonende")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".found-cases")).to_contain_text(case.reference)
    _check(page)
    page.locator("#desk-search").fill(case.reference.replace("-", " ").lower())
    with page.expect_navigation():
        page.locator("#desk-search").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    with page.expect_navigation():
        page.locator(".facts").get_by_role("link", name="OCMW Gent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("OCMW Gent")
    _check(page)


def test_the_files_a_client_sent_are_listed_and_download(
    page: Page, agent: User, case_with_files: Case
) -> None:
    """The portal form's file, the e-mail's (its inline signature too) and the answer's, each
    under its message; the e-mail opens as its sender wrote it."""
    log_in(page, "agent", PASSWORD)
    page.goto(f"/en/desk/cases/{case_with_files.reference}/")
    files = page.locator(".timeline").get_by_role("list", name="Attachments")
    expect(files).to_have_count(3)
    expect(files.nth(0)).to_have_text("loonfiche.pdf (14\xa0bytes)")
    expect(files.nth(1)).to_contain_text("handtekening.png (72\xa0bytes, shown inside the e-mail)")
    expect(files.nth(2)).to_have_text("tabel.csv (8\xa0bytes)")
    _check(page)
    with page.expect_download() as sent:
        page.get_by_role("link", name="loonfiche.pdf").click()
    download = sent.value
    assert download.suggested_filename == "loonfiche.pdf"
    with open(download.path(), "rb") as stored:
        assert stored.read() == b"%PDF loonfiche"
    with page.expect_navigation():
        page.get_by_role("link", name="The e-mail as its sender wrote it").click()
    expect(page.locator("main")).to_contain_text("Hierbij de documenten.")


def test_the_core_actions_work_without_javascript(
    new_page: Callable[..., Page], agent: User, client_record: Client
) -> None:
    case = _email_question(client_record)
    page = new_page(java_script_enabled=False)
    log_in(page, "agent", PASSWORD)
    page.goto(f"/en/desk/cases/{case.reference}/")
    page.get_by_label("Internal note:", exact=True).fill("Eerst de berekening nakijken.")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the note").click()
    expect(page.locator(".notices")).to_contain_text("The note is added.")
    page.get_by_label("Answer:", exact=True).fill("Het bedrag staat in de tabel.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the answer").click()
    expect(page.locator(".facts .status")).to_have_text("answered")
    assert len(mail.outbox) == 1
    # (axe needs JavaScript: these same pages are checked in the journeys above.)


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


def test_an_agent_corrects_a_client_s_contact_details(
    page: Page, agent: User, client_record: Client, front_office: Team
) -> None:
    _email_question(client_record)
    log_in(page, "agent", PASSWORD)
    page.goto(f"/en/desk/clients/{client_record.pk}/")
    page.get_by_role("link", name="Change the contact details").click()  # unfolds in place
    name = page.get_by_label("Name:", exact=True)
    expect(name).to_be_focused()
    expect(name).to_have_value("OCMW Gent")
    emails = page.get_by_label("E-mail addresses:", exact=True)
    expect(emails).to_have_value("info@ocmw-gent.example.be")
    _check(page)

    emails.fill("info@ocmw-gent.example.be\nsociaal@ocmw-gent")
    page.get_by_label("Language:", exact=True).select_option("fr")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the contact details").click()
    expect(page.get_by_role("alert")).to_contain_text("The contact details are not saved")
    expect(emails).to_have_attribute("aria-invalid", "true")
    expect(emails).to_have_accessible_description(
        re.compile("One address per line.*sociaal@ocmw-gent is not an e-mail address.")
    )
    _check(page)

    emails.fill("info@ocmw-gent.example.be\nSociaal@OCMW-Gent.example.be")
    page.get_by_label("Phone numbers:", exact=True).fill("09 266 99 00\n0470 12 34 56")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the contact details").click()
    assert page.url.endswith(f"/en/desk/clients/{client_record.pk}/")
    expect(page.locator(".notices")).to_have_text("The contact details are saved.")
    expect(page.locator(".contact")).to_contain_text("sociaal@ocmw-gent.example.be")
    expect(page.locator(".contact")).to_contain_text("French")
    expect(page.locator(".contact")).to_contain_text("+32470123456")
    # The page's own history says who changed what (and is checked by axe with the rest).
    change = page.locator(".client-history .entry").first
    expect(change).to_contain_text(str(agent))
    expect(change.locator("dd", has_text="French")).to_have_text("Dutch → French")
    _check(page)
    client_record.refresh_from_db()
    assert client_record.language == "fr"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_administrator_processes_a_quarantined_mail_again(
    page: Page, administrator: User, language: str
) -> None:
    inbound, raw = lost_mail()
    log_in(page, "administrator", PASSWORD, language=language)
    page.get_by_role("link", name=_in(language, "Quarantine")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(_in(language, "Quarantine"))
    row = page.locator(f"#mail-{inbound.pk}")
    expect(row).to_contain_text("FileNotFoundError")
    again = row.get_by_role("button", name=_in(language, "Process again"))
    _check(page)

    storage.put(inbound.raw_name, raw, inbound.sha256)  # the storage is back
    again.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    inbound.refresh_from_db()
    assert inbound.case is not None
    expect(page.locator(".notices")).to_contain_text(inbound.case.reference)
    expect(page.locator(f"#mail-{inbound.pk}")).to_have_count(0)
    _check(page)
