"""Forwarding from the case page (charter rule 7): the routing suggestion is part of the
forward form, rendered by the server so that it works without JavaScript; the agent's pick
forwards to that person, no pick follows the topic's rule, and when nobody competent is
there in time the page says so with the earliest date someone is."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as Browser

from loket.accounts.models import Team, User
from loket.accounts.roles import Role
from loket.accounts.services import staff_create
from loket.cases.models import Case, Client, Event, Topic
from loket.routing.models import Competence, TopicRouting
from loket.routing.services import absence_record

from .conftest import register

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
BRU = ZoneInfo("Europe/Brussels")
# Monday 4 May 2026, 09:00: an e-mail question is due Wednesday, the back office's term is
# Tuesday 5 May.
MONDAY = dt.datetime(2026, 5, 4, 9, 0, tzinfo=BRU)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BRU)


@pytest.fixture(autouse=True)
def monday() -> Iterator[None]:
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def income(db: None) -> Topic:
    return Topic.objects.create(
        code="integration-income", name_nl="Leefloon", name_en="Integration income"
    )


def person(username: str, team: Team, topic: Topic | None = None, level: str = "expert") -> User:
    user = staff_create(
        username=username,
        password="secret-pass-123",
        roles=[Role.EXPERT],
        teams=[team],
        first_name=username.title(),
        check_password=False,
    )
    if topic is not None:
        Competence.objects.create(user=user, topic=topic, level=level)
    return user


def on_leave(user: User, until: str = "2026-05-16 00:00") -> None:
    absence_record(actor=None, user=user, start=at("2026-05-01 00:00"), end=at(until))


def url(case: Case, action: str = "") -> str:
    return f"/en/desk/cases/{case.reference}/{action + '/' if action else ''}"


# The forward action asked for: the link a page without JavaScript follows.
ASKED = "?action=forward"


def forward_form(page: str) -> str:
    """The forward form's HTML, from its opening tag to its closing tag."""
    found = re.search(r'<form method="post" action="[^"]*/forward/".*?</form>', page, re.S)
    assert found, "no forward form on the page"
    return found.group(0)


@pytest.fixture
def question(client_record: Client, income: Topic) -> Case:
    return register(client_record, topic=income)


@pytest.fixture
def agent_browser(client: Browser, agent: User) -> Browser:
    client.force_login(agent)
    return client


def test_the_suggestion_is_inside_the_forward_form_without_javascript(
    agent_browser: Browser, question: Case, income: Topic, expert: User, back_office: Team
) -> None:
    Competence.objects.create(user=expert, topic=income, level="expert")
    backup = person("backup", back_office, income, "backup")
    on_leave(expert)
    form = forward_form(agent_browser.get(url(question) + ASKED).content.decode())
    assert '<fieldset class="routing-suggestions" id="routing-suggestions">' in form
    assert f'name="owner" value="{backup.pk}" id="owner-{backup.pk}"' in form
    assert f'name="owner" value="{expert.pk}"' not in form  # on leave: not offered
    assert f'data-user="{expert.pk}"' in form and "absent until" in form
    assert 'name="forward-note"' in form and 'name="forward-team"' in form
    assert "hx-get" not in form  # nothing left to load: the page brings the suggestion


def test_the_plain_case_page_loads_the_same_suggestion_after_itself_or_links_to_it(
    agent_browser: Browser, question: Case, income: Topic, expert: User, back_office: Team
) -> None:
    Competence.objects.create(user=expert, topic=income, level="expert")
    backup = person("backup", back_office, income, "backup")
    on_leave(expert)
    form = forward_form(agent_browser.get(url(question)).content.decode())
    assert '<fieldset class="routing-suggestions"' not in form  # not computed for the page
    loader = re.search(r'<div id="routing-suggestions" hx-get="([^"]+)"', form)
    assert loader, "the forward form has no place where the suggestion loads"
    assert '<noscript><p><a href="?action=forward#forward">' in form  # without JavaScript
    fragment = agent_browser.get(loader.group(1).replace("&amp;", "&"), headers=HTMX)
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert html.lstrip().startswith(
        '<fieldset class="routing-suggestions" id="routing-suggestions">'
    )
    assert f'name="owner" value="{backup.pk}" id="owner-{backup.pk}"' in html
    assert f'name="owner" value="{expert.pk}"' not in html


def test_choosing_a_suggested_person_forwards_to_that_person(
    agent_browser: Browser,
    question: Case,
    income: Topic,
    expert: User,
    back_office: Team,
    agent: User,
) -> None:
    TopicRouting.objects.create(topic=income, team=back_office)
    Competence.objects.create(user=expert, topic=income, level="expert")
    backup = person("backup", back_office, income, "backup")
    data = {"owner": backup.pk, "forward-note": "Graag nazicht van de berekening."}
    response = agent_browser.post(url(question, "forward"), data, follow=True)
    assert response.redirect_chain == [(url(question), 302)]
    assert "The case is forwarded to the back office: Backup." in response.content.decode()
    question.refresh_from_db()
    assert (question.status, question.owner, question.team) == (
        Case.Status.FORWARDED,
        backup,
        back_office,
    )
    assigned = Event.objects.get(case=question, kind=Event.Kind.CASE_ASSIGNED)
    assert assigned.actor == agent
    assert (assigned.data["routing"], assigned.data["level"]) == ("chosen", "backup")


def test_without_a_choice_the_topic_s_rule_assigns_the_first_available_person(
    agent_browser: Browser, question: Case, income: Topic, expert: User, back_office: Team
) -> None:
    TopicRouting.objects.create(topic=income, team=back_office, auto_assign=True)
    Competence.objects.create(user=expert, topic=income, level="expert")
    backup = person("backup", back_office, income, "backup")
    on_leave(expert)
    page = agent_browser.get(url(question) + ASKED).content.decode()
    assert "the topic's rule gives it to the first person above" in forward_form(page)
    response = agent_browser.post(
        url(question, "forward"), {"owner": "", "forward-note": "Nazicht."}, headers=HTMX
    )
    assert response.status_code == 200
    assert "The case is forwarded to the back office: Backup." in response.content.decode()
    question.refresh_from_db()
    assert (question.owner, question.team) == (backup, back_office)
    assigned = Event.objects.get(case=question, kind=Event.Kind.CASE_ASSIGNED)
    assert assigned.data["routing"] == "automatic"


def test_without_a_rule_no_choice_sends_the_case_to_the_topic_s_team(
    agent_browser: Browser, question: Case, income: Topic, back_office: Team
) -> None:
    TopicRouting.objects.create(topic=income, team=back_office)
    person("first", back_office, income)
    response = agent_browser.post(url(question, "forward"), {"forward-note": "Voor het team."})
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.owner, question.team) == (None, back_office)
    assert not Event.objects.filter(case=question, kind=Event.Kind.CASE_ASSIGNED).exists()


def test_another_team_chosen_on_purpose_is_not_overruled_by_the_rule(
    agent_browser: Browser, question: Case, income: Topic, back_office: Team
) -> None:
    TopicRouting.objects.create(topic=income, team=back_office, auto_assign=True)
    person("first", back_office, income)
    ict = Team.objects.create(code="ict", name="ICT", kind=Team.Kind.BACK_OFFICE)
    data = {"forward-team": ict.pk, "forward-note": "Een probleem met het e-formulier."}
    assert agent_browser.post(url(question, "forward"), data).status_code == 302
    question.refresh_from_db()
    assert (question.owner, question.team) == (None, ict)


def test_a_refused_pick_comes_back_with_the_choice_and_the_reason(
    agent_browser: Browser,
    question: Case,
    income: Topic,
    back_office: Team,
    coordinator: User,
) -> None:
    TopicRouting.objects.create(topic=income, team=back_office)
    competent = person("competent", back_office, income)
    data = {"owner": coordinator.pk, "forward-note": "Hier."}
    refused = agent_browser.post(url(question, "forward"), data)
    assert refused.status_code == 422
    assert "Coordinator is not competent for this topic." in refused.content.decode()
    both = {"owner": competent.pk, "forward-person": competent.pk, "forward-note": "Hier."}
    assert agent_browser.post(url(question, "forward"), both).status_code == 302
    question.refresh_from_db()
    assert question.owner == competent


def test_two_different_people_are_one_too_many_and_the_pick_stays_checked(
    agent_browser: Browser, question: Case, income: Topic, back_office: Team, expert: User
) -> None:
    competent = person("competent", back_office, income)
    data = {"owner": competent.pk, "forward-person": expert.pk, "forward-note": "Hier."}
    refused = agent_browser.post(url(question, "forward"), data)
    assert refused.status_code == 422
    form = forward_form(refused.content.decode())
    assert "Choose one person: a suggested one or one from the list." in form
    assert f'value="{competent.pk}" id="owner-{competent.pk}" checked' in form
    question.refresh_from_db()
    assert question.status == Case.Status.REGISTERED


def test_a_person_from_the_list_is_forwarded_to_as_chosen(
    agent_browser: Browser, question: Case, back_office: Team, expert: User
) -> None:
    data = {"forward-team": back_office.pk, "forward-person": expert.pk, "forward-note": "Jij."}
    assert agent_browser.post(url(question, "forward"), data).status_code == 302
    question.refresh_from_db()
    assert (question.owner, question.team) == (expert, back_office)


def test_nobody_available_is_said_plainly_with_the_earliest_date(
    agent_browser: Browser, question: Case, income: Topic, expert: User, back_office: Team
) -> None:
    Competence.objects.create(user=expert, topic=income, level="expert")
    on_leave(expert, until="2026-05-07 00:00")  # back on Thursday, after the term
    form = forward_form(agent_browser.get(url(question) + ASKED).content.decode())
    assert "Nobody competent is available before the term." in form
    assert "The earliest: Expert, from May 7, 2026." in form
    assert f'name="owner" value="{expert.pk}"' in form  # still offered, with the date they are back


def test_a_case_without_topic_asks_for_one_and_still_forwards_to_a_team(
    agent_browser: Browser, client_record: Client, back_office: Team
) -> None:
    case = register(client_record)
    page = agent_browser.get(url(case) + ASKED).content.decode()
    assert "This case has no topic yet" in forward_form(page)
    refused = agent_browser.post(url(case, "forward"), {"forward-note": "Voor wie?"})
    assert refused.status_code == 422
    assert "Forward to a team or a person." in refused.content.decode()
    data = {"forward-team": back_office.pk, "forward-note": "Voor jullie."}
    assert agent_browser.post(url(case, "forward"), data).status_code == 302
