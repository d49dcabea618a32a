"""The routing suggestion and the auto-assign rule (charter rule 7): who is competent for the
topic, present on enough working days before the back-office term, ranked with reasons."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from loket.accounts.models import Team, User
from loket.cases.models import Case, Event, Topic
from loket.cases.services import CaseError, case_assign
from loket.routing.models import Absence, Competence, TopicRouting, WorkingPattern
from loket.routing.selectors import routing_suggestions
from loket.routing.services import Period, absence_record, routing_assign, working_pattern_set

from .conftest import MakeCase, MakeStaff, at

pytestmark = pytest.mark.django_db
# Monday 4 May 2026, 09:00: a question due Wednesday 6 May, back-office term Tuesday 5 May.
MONDAY = at("2026-05-04 09:00")
BACKUP = Competence.Level.BACKUP


def names(candidates: list[Any]) -> list[str]:
    return [c.user.username for c in candidates]


def away(user: User, start: str, end: str, kind: str = "leave") -> Absence:
    return absence_record(actor=None, user=user, start=at(start), end=at(end), kind=kind)


@pytest.fixture(autouse=True)
def monday() -> Any:
    with time_machine.travel(MONDAY, tick=False):
        yield


def give_cases(person: User, count: int, make_case: MakeCase, actor: User) -> None:
    for n in range(count):
        case_assign(actor=actor, case=make_case(None, subject=f"Werk {n}"), owner=person)


def test_the_expert_on_leave_is_skipped_and_the_reasons_are_given(
    income: Topic, expert: User, make_staff: MakeStaff, make_case: MakeCase, agent: User
) -> None:
    Competence.objects.create(user=expert, topic=income, level="expert")
    busy = make_staff("busy", income)
    free = make_staff("free", income)
    make_staff("backup", income, BACKUP)
    give_cases(busy, 3, make_case, agent)
    give_cases(free, 1, make_case, agent)
    away(expert, "2026-05-04 00:00", "2026-05-09 00:00")  # the whole week
    case = make_case(income)
    suggestion = routing_suggestions(case, now=MONDAY)

    assert suggestion.term == at("2026-05-05 23:59:59")
    # Experts before backups; between experts the least loaded first.
    assert names(suggestion.available) == ["free", "busy", "backup"]
    assert names(suggestion.unavailable) == ["expert"]
    first = suggestion.available[0]
    assert (first.level, first.present_days, first.working_days, first.open_cases) == (
        "expert",
        2,
        2,
        1,
    )
    on_leave = suggestion.unavailable[0]
    assert on_leave.absent_until == at("2026-05-09 00:00")
    assert on_leave.back_on == dt.date(2026, 5, 11)  # the Monday after the week of leave
    assert on_leave.present_days == 0 and not on_leave.available
    assert not suggestion.nobody_competent and suggestion.earliest == []


def test_part_time_days_and_an_absence_later_on_count_against_a_person(
    income: Topic, make_staff: MakeStaff, make_case: MakeCase
) -> None:
    monday_tuesday_off = make_staff("parttime", income)
    working_pattern_set(
        actor=None,
        user=monday_tuesday_off,
        periods=[Period(day, dt.time(8, 30), dt.time(16, 30)) for day in (2, 3, 4)],
    )
    tomorrow_away = make_staff("tomorrow", income)
    away(tomorrow_away, "2026-05-05 08:00", "2026-05-05 18:00", kind="training")
    suggestion = routing_suggestions(make_case(income), now=MONDAY)
    assert names(suggestion.available) == ["tomorrow"]
    tomorrow = suggestion.available[0]
    assert (tomorrow.present_days, tomorrow.next_absence) == (
        1,
        (at("2026-05-05 08:00"), at("2026-05-05 18:00")),
    )
    (parttime,) = suggestion.unavailable
    assert (parttime.working_days, parttime.present_days) == (0, 0)
    assert parttime.back_on == dt.date(2026, 5, 6)  # Wednesday, the first day of the pattern


def test_the_topic_rule_can_ask_for_more_present_days(
    income: Topic, make_staff: MakeStaff, make_case: MakeCase
) -> None:
    TopicRouting.objects.create(topic=income, days_needed=2)
    full = make_staff("full", income)
    half = make_staff("half", income)
    away(half, "2026-05-05 00:00", "2026-05-06 00:00")
    suggestion = routing_suggestions(make_case(income), now=MONDAY)
    assert names(suggestion.available) == [full.username]
    assert names(suggestion.unavailable) == [half.username]
    assert suggestion.days_needed == 2


def test_a_competence_for_the_parent_topic_counts_after_the_topic_s_own(
    income: Topic, integration: Topic, make_staff: MakeStaff, make_case: MakeCase, agent: User
) -> None:
    direct = make_staff("direct", income)
    general = make_staff("general", integration)
    give_cases(direct, 5, make_case, agent)  # busier, but the closer fit
    suggestion = routing_suggestions(make_case(income), now=MONDAY)
    assert names(suggestion.available) == ["direct", "general"]
    assert [c.inherited for c in suggestion.available] == [False, True]
    # Someone competent for both keeps the closest competence.
    Competence.objects.create(user=general, topic=income, level=BACKUP)
    suggestion = routing_suggestions(make_case(income), now=MONDAY)
    assert [(c.user.username, c.level, c.inherited) for c in suggestion.available] == [
        ("direct", "expert", False),
        ("general", "backup", False),
    ]


def test_nobody_available_says_so_with_the_earliest_date_someone_is(
    income: Topic, make_staff: MakeStaff, make_case: MakeCase
) -> None:
    soon = make_staff("soon", income)
    later = make_staff("later", income, BACKUP)
    away(soon, "2026-05-04 00:00", "2026-05-07 00:00")  # back on Thursday
    away(later, "2026-05-04 00:00", "2026-05-16 00:00")  # two weeks
    gone = make_staff("gone", income)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    suggestion = routing_suggestions(make_case(income), now=MONDAY)
    assert suggestion.available == []
    assert names(suggestion.unavailable) == ["soon", "later"]  # soonest back first
    assert names(suggestion.earliest) == ["soon"]
    assert suggestion.earliest[0].back_on == dt.date(2026, 5, 7)
    assert names(suggestion.offered) == ["soon"] and names(suggestion.not_offered) == ["later"]


def test_nobody_competent_falls_back_to_the_topic_s_team(
    income: Topic, back_office: Team, make_case: MakeCase
) -> None:
    TopicRouting.objects.create(topic=income, team=back_office)
    suggestion = routing_suggestions(make_case(income), now=MONDAY)
    assert suggestion.nobody_competent and suggestion.team == back_office
    no_topic = routing_suggestions(make_case(None), now=MONDAY)
    assert no_topic.topic is None and not no_topic.nobody_competent and no_topic.candidates == []


def test_a_passed_term_counts_presence_until_the_end_of_the_next_working_day(
    income: Topic, make_staff: MakeStaff, make_case: MakeCase
) -> None:
    make_staff("someone", income)
    case = make_case(income)
    with time_machine.travel(at("2026-05-07 15:00"), tick=False):  # Thursday, term passed
        suggestion = routing_suggestions(case, now=at("2026-05-07 15:00"))
    assert suggestion.term_passed
    assert suggestion.window_end == at("2026-05-08 23:59:59")
    assert names(suggestion.available) == ["someone"]  # present on Friday


def test_another_topic_can_be_previewed(
    income: Topic, integration: Topic, make_staff: MakeStaff, make_case: MakeCase
) -> None:
    make_staff("leefloon", income)
    make_staff("algemeen", integration)
    case = make_case(income)
    assert names(routing_suggestions(case, now=MONDAY, topic=integration).available) == ["algemeen"]


def test_the_suggestion_costs_the_same_queries_for_3_or_30_people(
    income: Topic,
    make_staff: MakeStaff,
    make_case: MakeCase,
    agent: User,
    django_assert_num_queries: Any,
) -> None:
    # Topics, the topic's rule, competences, patterns, absences, open cases: 6, whatever the
    # number of people, absences and cases (the calendar is cached per process).
    people = [make_staff(f"p{n}", income, BACKUP if n % 2 else "expert") for n in range(3)]
    case = Case.objects.select_related("topic", "policy__calendar", "team").get(
        pk=make_case(income).pk
    )
    routing_suggestions(case, now=MONDAY)  # the calendar's rules are read once per process
    with django_assert_num_queries(6):
        routing_suggestions(case, now=MONDAY)
    people += [make_staff(f"q{n}", income) for n in range(27)]
    for n, person in enumerate(people):
        away(person, f"2026-05-{4 + n % 3:02d} 10:00", f"2026-05-{4 + n % 3:02d} 12:00")
        WorkingPattern.objects.create(user=person, weekday=n % 5, start=dt.time(9), end=dt.time(17))
    give_cases(people[0], 4, make_case, agent)
    case = Case.objects.select_related("topic", "policy__calendar", "team").get(pk=case.pk)
    with django_assert_num_queries(6):
        suggestion = routing_suggestions(case, now=MONDAY)
    assert len(suggestion.candidates) == 30


# --- forwarding: the agent's pick and the auto-assign rule -----------------------------------


def test_the_topic_rule_assigns_the_first_suggested_person(
    income: Topic,
    back_office: Team,
    expert: User,
    make_staff: MakeStaff,
    make_case: MakeCase,
    agent: User,
) -> None:
    TopicRouting.objects.create(topic=income, team=back_office, auto_assign=True)
    Competence.objects.create(user=expert, topic=income, level="expert")
    away(expert, "2026-05-04 00:00", "2026-05-09 00:00")
    backup = make_staff("backup", income, BACKUP)
    case = routing_assign(actor=agent, case=make_case(income), note="Graag nazicht.")
    assert (case.status, case.owner, case.team) == (Case.Status.FORWARDED, backup, back_office)
    assert case.internal_due_at == at("2026-05-05 23:59:59")
    event = Event.objects.get(case=case, kind=Event.Kind.CASE_ASSIGNED)
    assert event.actor == agent
    assert event.data == {
        "owner": backup.pk,
        "team": back_office.pk,
        "routing": "automatic",
        "level": "backup",
        "present_days": 2,
        "open_cases": 0,
        "available": True,
    }
    assert Event.objects.filter(case=case, kind=Event.Kind.CASE_FORWARDED).count() == 1


def test_without_the_rule_nobody_chosen_means_the_team_and_a_pick_is_kept(
    income: Topic, back_office: Team, make_staff: MakeStaff, make_case: MakeCase, agent: User
) -> None:
    TopicRouting.objects.create(topic=income, team=back_office)
    first = make_staff("first", income)
    second = make_staff("second", income, BACKUP)
    to_team = routing_assign(actor=agent, case=make_case(income), note="Voor het team.")
    assert (to_team.owner, to_team.team) == (None, back_office)
    assert not Event.objects.filter(case=to_team, kind=Event.Kind.CASE_ASSIGNED).exists()
    picked = routing_assign(actor=agent, case=make_case(income), note="Voor jou.", owner=second)
    assert picked.owner == second
    event = Event.objects.get(case=picked, kind=Event.Kind.CASE_ASSIGNED)
    assert event.data["routing"] == "chosen" and event.data["level"] == "backup"
    assert first != second


def test_forwarding_to_someone_who_is_not_competent_is_refused(
    income: Topic, make_staff: MakeStaff, make_case: MakeCase, agent: User, coordinator: User
) -> None:
    make_staff("competent", income)
    case = make_case(income)
    with pytest.raises(CaseError, match="not competent"):
        routing_assign(actor=agent, case=case, note="Hier.", owner=coordinator)
    case.refresh_from_db()
    assert case.status == Case.Status.REGISTERED and case.owner is None
    with pytest.raises(CaseError, match="No team answers"):
        routing_assign(actor=agent, case=make_case(income), note="Hier.")
    with pytest.raises(CaseError, match="Forward to a team or a person"):
        routing_assign(actor=agent, case=make_case(None), note="Hier.")


def test_without_a_rule_the_chosen_person_s_back_office_team_takes_the_case(
    income: Topic, back_office: Team, make_staff: MakeStaff, make_case: MakeCase, agent: User
) -> None:
    person = make_staff("person", income)
    case = routing_assign(actor=agent, case=make_case(income), note="Nazicht.", owner=person)
    assert (case.owner, case.team) == (person, back_office)
