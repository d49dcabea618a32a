"""In a real browser: an agent about to forward a question sees the suggestion skip the expert
on leave and offer the backup who is there. (The desk's forward form includes this fragment
with htmx; here the fragment's own page is opened, as the form is being rebuilt.)"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from loket.accounts.models import Team, User
from loket.browser import assert_accessible, assert_headings_in_order, log_in
from loket.cases.models import Case, Client, Topic
from loket.cases.services import case_forward, case_register
from loket.routing.models import Competence, Reassignment
from loket.routing.services import absence_record

pytestmark = pytest.mark.browser
PASSWORD = "secret-pass-123"  # the named people's password in the root conftest.py


def test_the_suggestion_skips_the_expert_on_leave_and_offers_the_backup(
    page: Page, agent: User, expert: User, coordinator: User, client_record: Client
) -> None:
    topic = Topic.objects.create(
        code="integration-income",
        name_nl="Leefloon",
        name_fr="Revenu d'intégration",
        name_en="Integration income",
    )
    Competence.objects.create(user=expert, topic=topic, level=Competence.Level.EXPERT)
    Competence.objects.create(user=coordinator, topic=topic, level=Competence.Level.BACKUP)
    now = timezone.now()
    # Three weeks of leave around today, whatever day the test runs.
    absence_record(
        actor=None,
        user=expert,
        start=now - dt.timedelta(days=1),
        end=now + dt.timedelta(days=21),
        kind="leave",
    )
    case: Case = case_register(
        actor=None,
        client=client_record,
        channel="email",
        subject="Hoeveel bedraagt het leefloon voor een alleenstaande?",
        body="Ik woon alleen in Gent.",
        topic=topic,
    )

    log_in(page, "agent", PASSWORD)
    response = page.goto(f"/en/desk/routing/suggestions/?case={case.reference}")
    assert response is not None and response.status == 200

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Who can answer {case.reference}")
    offered = page.locator("#routing-suggestions input[type=radio][name=owner]")
    values = offered.evaluate_all("inputs => inputs.map(i => i.value)")
    assert str(coordinator.pk) in values
    assert str(expert.pk) not in values  # the expert on leave is not offered
    # The backup's radio is found by its label, which gives the reasons.
    backup = page.get_by_role("radio", name=str(coordinator), exact=False)
    expect(backup).to_have_value(str(coordinator.pk))
    expect(backup).to_have_accessible_name(
        re.compile(r"backup .* present \d of \d working days before the term")
    )
    backup.check()
    expect(backup).to_be_checked()
    # The expert is listed, with the reason, among those not available in time.
    details = page.locator("details.routing-unavailable")
    details.locator("summary").click()
    expect(details.locator(f"[data-user='{expert.pk}']")).to_contain_text("absent until")
    assert_headings_in_order(page)
    assert_accessible(page)


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
