"""The routing pages: who may open each one (anonymous, outsider and every role), the htmx
fragments, and the forms' errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser

from loket.accounts.models import Team, User
from loket.cases.models import Case, Event, Topic
from loket.cases.services import case_forward
from loket.routing.models import Absence, AgendaFeed, Competence, Reassignment, WorkingPattern
from loket.routing.services import absence_record

from .conftest import MakeCase, MakeStaff, at

pytestmark = pytest.mark.django_db
ROLES = ["agent", "expert", "coordinator", "manager", "administrator"]
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def monday() -> Any:
    with time_machine.travel(at("2026-05-04 09:00"), tick=True):
        yield


@pytest.fixture
def case(income: Topic, make_case: MakeCase) -> Case:
    return make_case(income)


def status_for(
    browser: Browser, request: pytest.FixtureRequest, person: str | None, url: str
) -> int:
    if person is not None:
        browser.force_login(request.getfixturevalue(person))
    return browser.get(url).status_code


def suggestions_url(case: Case) -> str:
    return f"/en/desk/routing/suggestions/?case={case.reference}"


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        (None, 302),
        ("outsider", 403),
        ("agent", 200),
        ("expert", 403),  # the case is not forwarded to the expert's team: not theirs to see
        ("coordinator", 200),
        ("manager", 403),  # managers read, they forward nothing
        ("administrator", 200),
    ],
)
def test_who_sees_the_forward_suggestion(
    client: Browser, request: pytest.FixtureRequest, case: Case, person: str | None, expected: int
) -> None:
    assert status_for(client, request, person, suggestions_url(case)) == expected


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("load/", {"coordinator", "manager", "administrator"}),
        ("competences/", {"coordinator", "administrator"}),
        ("catch-up/", {"coordinator", "administrator"}),
        ("agenda/", set(ROLES)),
    ],
)
@pytest.mark.parametrize("person", [None, "outsider", *ROLES])
def test_who_opens_the_routing_pages(
    client: Browser,
    request: pytest.FixtureRequest,
    path: str,
    allowed: set[str],
    person: str | None,
) -> None:
    status = status_for(client, request, person, f"/en/desk/routing/{path}")
    if person is None:
        assert status == 302
    else:
        assert status == (200 if person in allowed else 403)


@pytest.mark.parametrize("person", ["agent", "expert", "manager"])
def test_staff_manage_their_own_agenda_only(
    client: Browser, request: pytest.FixtureRequest, person: str, coordinator: User
) -> None:
    user = request.getfixturevalue(person)
    client.force_login(user)
    assert client.get(f"/en/desk/routing/agenda/{user.pk}/").status_code == 200
    assert client.get(f"/en/desk/routing/agenda/{coordinator.pk}/").status_code == 403
    form = {"kind": "leave", "first_day": "2026-05-11", "last_day": "2026-05-12"}
    assert (
        client.post(f"/en/desk/routing/agenda/{coordinator.pk}/absences/", form).status_code == 403
    )
    assert not Absence.objects.exists()


def test_a_coordinator_manages_anyone_s_agenda(
    client: Browser, coordinator: User, expert: User
) -> None:
    client.force_login(coordinator)
    page = client.get(f"/en/desk/routing/agenda/{expert.pk}/")
    assert page.status_code == 200 and f"Agenda of {expert}" in page.content.decode()
    form = {"kind": "illness", "first_day": "2026-05-04", "last_day": "2026-05-04"}
    response = client.post(f"/en/desk/routing/agenda/{expert.pk}/absences/", form)
    assert response.status_code == 302
    assert response["Location"] == f"/en/desk/routing/agenda/{expert.pk}/"
    absence = Absence.objects.get()
    assert (absence.user, absence.kind, absence.all_day) == (expert, "illness", True)
    assert (absence.start, absence.end) == (at("2026-05-04 00:00"), at("2026-05-05 00:00"))


def test_post_only_addresses_refuse_get(client: Browser, agent: User) -> None:
    client.force_login(agent)
    assert client.get(f"/en/desk/routing/agenda/{agent.pk}/absences/").status_code == 405


# --- the suggestion fragment ----------------------------------------------------------------


def test_the_fragment_offers_the_available_and_not_the_absent(
    client: Browser,
    agent: User,
    income: Topic,
    expert: User,
    make_staff: MakeStaff,
    case: Case,
) -> None:
    Competence.objects.create(user=expert, topic=income, level="expert")
    backup = make_staff("backup", income, Competence.Level.BACKUP)
    absence_record(
        actor=None, user=expert, start=at("2026-05-04 00:00"), end=at("2026-05-16 00:00")
    )
    client.force_login(agent)
    fragment = client.get(suggestions_url(case), headers=HTMX).content.decode()
    assert fragment.lstrip().startswith('<fieldset class="routing-suggestions"')
    assert "<html" not in fragment
    assert f'name="owner" value="{backup.pk}" id="owner-{backup.pk}"' in fragment
    assert f'value="{expert.pk}"' not in fragment
    assert f'data-user="{expert.pk}"' in fragment  # listed as not available, with the reason
    assert "absent until" in fragment and "backup" in fragment
    page = client.get(suggestions_url(case)).content.decode()
    assert "<html" in page and f"Who can answer {case.reference}" in page


def test_bad_references_get_a_clear_400_and_unknown_cases_a_404(
    client: Browser, agent: User, case: Case
) -> None:
    client.force_login(agent)
    assert client.get("/en/desk/routing/suggestions/").status_code == 400
    typo = case.reference[:-1] + str((int(case.reference[-1]) + 1) % 10)
    response = client.get(f"/en/desk/routing/suggestions/?case={typo}")
    assert response.status_code == 400 and b'role="alert"' in response.content
    unknown = "MI-2020-000001-" + f"{(2020000001 % 97) or 97:02d}"
    assert client.get(f"/en/desk/routing/suggestions/?case={unknown}").status_code == 404
    spaced = case.reference.replace("-", " ").lower()
    assert client.get(f"/en/desk/routing/suggestions/?case={spaced}").status_code == 200
    assert client.get(f"{suggestions_url(case)}&topic=no-such-topic").status_code == 400


def test_the_fragment_says_plainly_when_nobody_is_available(
    client: Browser, agent: User, income: Topic, make_staff: MakeStaff, case: Case
) -> None:
    only = make_staff("only", income)
    absence_record(actor=None, user=only, start=at("2026-05-04 00:00"), end=at("2026-05-07 00:00"))
    client.force_login(agent)
    fragment = client.get(suggestions_url(case), headers=HTMX).content.decode()
    assert "Nobody competent is available before the term." in fragment
    assert "The earliest: Only, from May 7, 2026." in fragment
    assert f'value="{only.pk}"' in fragment  # offered, with the date they are back


# --- competences, load, catch-up ------------------------------------------------------------


def test_a_coordinator_sets_and_removes_a_competence(
    client: Browser, coordinator: User, expert: User, income: Topic
) -> None:
    client.force_login(coordinator)
    form = {"user": expert.pk, "topic": income.pk, "level": "expert"}
    assert client.post("/en/desk/routing/competences/", form).status_code == 302
    assert Competence.objects.get().level == "expert"
    fragment = client.post(
        "/en/desk/routing/competences/", {**form, "level": "backup"}, headers=HTMX
    ).content.decode()
    assert fragment.lstrip().startswith('<div id="routing-competences">')
    assert Competence.objects.get().level == "backup"
    client.post("/en/desk/routing/competences/", {**form, "level": ""})
    assert not Competence.objects.exists()
    levels = list(
        Event.objects.filter(kind=Event.Kind.STAFF_COMPETENCE_CHANGED)
        .order_by("pk")
        .values_list("data__level", flat=True)
    )
    assert levels == ["expert", "backup", None]
    bad = client.post("/en/desk/routing/competences/", {"user": 999999, "topic": income.pk})
    assert bad.status_code == 200 and b"Select a valid choice" in bad.content


def test_the_load_counts_open_cases_per_person_and_team(
    client: Browser,
    manager: User,
    agent: User,
    expert: User,
    back_office: Team,
    make_case: MakeCase,
    income: Topic,
) -> None:
    for _ in range(3):
        case_forward(
            actor=agent, case=make_case(income), note="Nazicht.", owner=expert, team=back_office
        )
    make_case(income)  # the front office's, without owner
    client.force_login(manager)
    fragment = client.get("/en/desk/routing/load/", headers=HTMX).content.decode()
    assert fragment.lstrip().startswith('<div id="routing-load">')
    row = fragment[fragment.index(f'<tr class="person-{expert.pk}">') :]
    assert '<td class="number open">3</td>' in row[: row.index("</tr>")]
    team_row = fragment[fragment.index('<tr class="team-integration">') :]
    assert '<td class="number open">3</td>' in team_row[: team_row.index("</tr>")]


def test_the_catch_up_page_decides_a_proposal(
    client: Browser,
    coordinator: User,
    agent: User,
    expert: User,
    income: Topic,
    back_office: Team,
    make_staff: MakeStaff,
    make_case: MakeCase,
) -> None:
    Competence.objects.create(user=expert, topic=income, level="expert")
    backup = make_staff("backup", income, Competence.Level.BACKUP)
    case = case_forward(
        actor=agent, case=make_case(income), note="N.", owner=expert, team=back_office
    )
    absence_record(
        actor=None, user=expert, start=at("2026-05-05 00:00"), end=at("2026-05-07 00:00")
    )
    proposal = Reassignment.objects.get()
    client.force_login(coordinator)
    page = client.get("/en/desk/routing/catch-up/").content.decode()
    assert case.reference in page and f"Reassign {case.reference}" in page
    assert (
        client.post(f"/en/desk/routing/catch-up/{proposal.pk}/", {"decision": "maybe"}).status_code
        == 400
    )
    response = client.post(f"/en/desk/routing/catch-up/{proposal.pk}/", {"decision": "accept"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owner == backup
    again = client.post(
        f"/en/desk/routing/catch-up/{proposal.pk}/", {"decision": "keep"}, follow=True
    )
    assert "already decided" in again.content.decode()
    client.force_login(agent)
    assert (
        client.post(f"/en/desk/routing/catch-up/{proposal.pk}/", {"decision": "keep"}).status_code
        == 403
    )


# --- the agenda page's forms ----------------------------------------------------------------


def test_absence_form_errors_are_shown_not_lost(client: Browser, agent: User) -> None:
    client.force_login(agent)
    url = f"/en/desk/routing/agenda/{agent.pk}/absences/"
    backwards = {"kind": "leave", "first_day": "2026-05-12", "last_day": "2026-05-11"}
    page = client.post(url, backwards).content.decode()
    assert "The last day cannot be before the first day." in page
    one_time = {**backwards, "last_day": "2026-05-12", "start_time": "09:00"}
    assert "Give both times" in client.post(url, one_time).content.decode()
    fragment = client.post(url, {"kind": "holiday"}, headers=HTMX).content.decode()
    assert fragment.lstrip().startswith('<section id="routing-absences"')
    assert "Select a valid choice" in fragment
    assert not Absence.objects.exists()
    hours = {**backwards, "last_day": "2026-05-12", "start_time": "09:00", "end_time": "12:30"}
    assert client.post(url, hours).status_code == 302
    absence = Absence.objects.get()
    assert (absence.start, absence.end, absence.all_day) == (
        at("2026-05-12 09:00"),
        at("2026-05-12 12:30"),
        False,
    )
    assert client.post(f"/en/desk/routing/absences/{absence.pk}/remove/").status_code == 302
    assert not Absence.objects.exists()


def test_the_working_pattern_form_sets_part_time_days(client: Browser, agent: User) -> None:
    client.force_login(agent)
    url = f"/en/desk/routing/agenda/{agent.pk}/pattern/"
    bad = client.post(url, {"day_0": "8-12"}).content.decode()
    assert "Write periods as 08:30-12:30" in bad
    form = {"day_0": "08:30-12:30, 13:00-16:30", "day_1": "8h30-12h30", "day_3": "09:00-15:00"}
    assert client.post(url, form).status_code == 302
    periods = list(WorkingPattern.objects.values_list("weekday", "start", "end"))
    assert periods == [
        (0, dt.time(8, 30), dt.time(12, 30)),
        (0, dt.time(13, 0), dt.time(16, 30)),
        (1, dt.time(8, 30), dt.time(12, 30)),
        (3, dt.time(9, 0), dt.time(15, 0)),
    ]
    page = client.get("/en/desk/routing/agenda/").content.decode()
    assert 'value="08:30-12:30, 13:00-16:30"' in page  # the form shows the pattern in force
    later = {"day_0": "09:00-12:00", "valid_from": "2026-06-01"}
    assert client.post(url, later).status_code == 302
    until = set(
        WorkingPattern.objects.filter(valid_from=None).values_list("valid_until", flat=True)
    )
    assert until == {dt.date(2026, 5, 31)}
    assert WorkingPattern.objects.filter(valid_from=dt.date(2026, 6, 1)).count() == 1


def test_an_agenda_file_is_uploaded_read_and_removed(
    client: Browser, expert: User, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(expert)
    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:leave-1\r\n"
        b"DTSTAMP:20260501T000000Z\r\nDTSTART;VALUE=DATE:20260511\r\n"
        b"DTEND;VALUE=DATE:20260513\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    url = f"/en/desk/routing/agenda/{expert.pk}/feeds/"
    upload = SimpleUploadedFile("agenda.ics", ics, "text/calendar")
    assert client.post(url, {"file": upload}).status_code == 302
    feed = AgendaFeed.objects.get()
    assert Absence.objects.get().feed == feed
    neither = client.post(url, {}).content.decode()
    assert "one of both" in neither
    broken = SimpleUploadedFile("agenda.ics", b"not a calendar", "text/calendar")
    assert "not a readable iCalendar" in client.post(url, {"file": broken}).content.decode()
    refreshed = client.post(f"/en/desk/routing/feeds/{feed.pk}/refresh/", follow=True)
    assert "Agenda read: 0 added, 0 changed, 0 removed." in refreshed.content.decode()
    assert client.post(f"/en/desk/routing/feeds/{feed.pk}/remove/").status_code == 302
    assert not AgendaFeed.objects.exists() and not Absence.objects.exists()


@pytest.mark.parametrize("language", ["nl", "fr", "de", "en"])
def test_the_agenda_page_in_every_language(client: Browser, agent: User, language: str) -> None:
    client.force_login(agent)
    page = client.get(f"/{language}/desk/routing/agenda/")
    assert page.status_code == 200 and f'lang="{language}"'.encode() in page.content
    title = {"nl": "Mijn agenda", "fr": "Mon agenda", "de": "Mein Kalender", "en": "My agenda"}
    assert f"<h1>{title[language]}</h1>" in page.content.decode()
