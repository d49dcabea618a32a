"""In a real browser: an agent forwards a question from the desk's case page and the
suggestion, part of the forward form, skips the expert on leave and offers the colleague who
is there; the case ends with that colleague, with JavaScript (htmx) and without. And the
coordinators' pages, accessible and working with and without JavaScript."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from loket.accounts.models import Team, User
from loket.accounts.roles import Role
from loket.accounts.services import staff_create
from loket.browser import assert_accessible, assert_headings_in_order, log_in
from loket.cases.models import Case, Client, Event, Topic
from loket.cases.services import case_forward, case_register
from loket.routing.models import Competence, Reassignment, TopicRouting
from loket.routing.services import absence_record

pytestmark = pytest.mark.browser
PASSWORD = "secret-pass-123"  # the named people's password in the root conftest.py


def _question(client: Client, topic: Topic, subject: str) -> Case:
    return case_register(
        actor=None,
        client=client,
        channel="email",
        subject=subject,
        body="Ik woon alleen in Gent.",
        topic=topic,
    )


def test_an_agent_forwards_a_question_and_the_suggestion_skips_the_expert_on_leave(
    new_page: Callable[..., Page],
    agent: User,
    expert: User,
    back_office: Team,
    client_record: Client,
) -> None:
    topic = Topic.objects.create(
        code="integration-income",
        name_nl="Leefloon",
        name_fr="Revenu d'intégration",
        name_en="Integration income",
    )
    TopicRouting.objects.create(topic=topic, team=back_office)
    colleague = staff_create(
        username="lies",
        password=PASSWORD,
        roles=[Role.EXPERT],
        teams=[back_office],
        first_name="Lies",
        last_name="Vermeulen",
        check_password=False,
    )
    Competence.objects.create(user=expert, topic=topic, level=Competence.Level.EXPERT)
    Competence.objects.create(user=colleague, topic=topic, level=Competence.Level.EXPERT)
    now = timezone.now()
    # Three weeks of leave around today, whatever day the test runs.
    absence_record(
        actor=None,
        user=expert,
        start=now - dt.timedelta(days=1),
        end=now + dt.timedelta(days=21),
        kind="leave",
    )
    cases = [
        _question(client_record, topic, "Hoeveel bedraagt het leefloon voor een alleenstaande?"),
        _question(client_record, topic, "Leefloon en een studentenjob"),
    ]

    for case, javascript in zip(cases, (True, False), strict=True):
        page = new_page(java_script_enabled=javascript)
        log_in(page, "agent", PASSWORD)
        page.goto(f"/en/desk/cases/{case.reference}/")
        form = page.locator("#forward form")
        if not javascript:  # the page links to the suggestion, rendered inside the form
            with page.expect_navigation():
                form.get_by_role("link", name="Show who can answer and is available").click()
        # With JavaScript, htmx loads it into the form after the page.
        expect(form.locator("fieldset#routing-suggestions")).to_be_visible()
        offered = form.locator("#routing-suggestions input[type=radio][name=owner]")
        values = offered.evaluate_all("inputs => inputs.map(i => i.value)")
        assert str(colleague.pk) in values
        assert str(expert.pk) not in values  # the expert on leave is not offered
        # The colleague's radio is found by its label, which gives the reasons.
        choice = form.get_by_role("radio", name="Lies Vermeulen", exact=False)
        expect(choice).to_have_accessible_name(
            re.compile(r"expert .* present \d of \d working days before the term")
        )
        # The expert is listed, with the reason, among those not available in time.
        details = form.locator("details.routing-unavailable")
        details.locator("summary").click()
        expect(details.locator(f"[data-user='{expert.pk}']")).to_contain_text("absent until")
        if javascript:
            assert_headings_in_order(page)
            assert_accessible(page)
        choice.check()
        form.get_by_label("Note for the back office").fill("Graag nazicht van de berekening.")
        if javascript:  # htmx swaps the case in place
            form.get_by_role("button", name="Forward", exact=True).click()
            notice = page.locator("#case > [role=status]")
        else:  # a plain post, a redirect, the page again
            with page.expect_navigation():
                form.get_by_role("button", name="Forward", exact=True).click()
            notice = page.locator("main")
        expect(notice).to_contain_text("The case is forwarded to the back office: Lies Vermeulen.")
        expect(page.locator(".facts .status")).to_have_text("forwarded")

        case.refresh_from_db()
        assert (case.status, case.owner, case.team) == (
            Case.Status.FORWARDED,
            colleague,
            back_office,
        )
        assigned = Event.objects.get(case=case, kind=Event.Kind.CASE_ASSIGNED)
        assert (assigned.actor, assigned.data["routing"]) == (agent, "chosen")


def test_the_coordinator_pages_are_accessible_and_work_with_and_without_javascript(
    new_page: Callable[..., Page],
    coordinator: User,
    expert: User,
    agent: User,
    back_office: Team,
    client_record: Client,
) -> None:
    topic = Topic.objects.create(code="gpmi", name_nl="GPMI", name_fr="PIIS", name_en="GPMI")
    Competence.objects.create(user=expert, topic=topic, level=Competence.Level.EXPERT)
    cases = [
        case_register(
            actor=None, client=client_record, channel="email", subject=f"GPMI {n}", topic=topic
        )
        for n in range(2)
    ]
    for case in cases:
        case_forward(actor=agent, case=case, note="Nazicht.", owner=expert, team=back_office)
    now = timezone.now()
    absence_record(
        actor=None, user=expert, start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=20)
    )
    assert Reassignment.objects.count() == 2
    page = new_page()
    log_in(page, "coordinator", PASSWORD)
    for path, heading in [
        ("competences/", "Competences"),
        ("load/", "Load per team and person"),
        ("catch-up/", "Absences catch-up"),
        (f"agenda/{expert.pk}/", f"Agenda of {expert}"),
        ("agenda/", "My agenda"),
    ]:
        response = page.goto(f"/en/desk/routing/{path}")
        assert response is not None and response.status == 200
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_headings_in_order(page)
        assert_accessible(page)

    # Without JavaScript the decision is a plain form post, and the page comes back.
    plain = new_page(java_script_enabled=False)
    log_in(plain, "coordinator", PASSWORD)
    plain.goto("/en/desk/routing/catch-up/")
    with plain.expect_navigation():
        plain.get_by_role("button", name=f"Keep {cases[0].reference} with its owner").click()
    expect(plain.locator("main")).to_contain_text(f"Decision saved for {cases[0].reference}.")
    expect(plain.locator("#routing-proposals tbody tr")).to_have_count(1)
    # With JavaScript (htmx) only the list is replaced.
    page.goto("/en/desk/routing/catch-up/")
    page.get_by_role("button", name=f"Reassign {cases[1].reference}").click()
    expect(page.locator("#routing-proposals")).to_contain_text("Nothing to catch up")
    statuses = set(Reassignment.objects.values_list("status", flat=True))
    assert statuses == {"dismissed", "accepted"}
