"""The absences catch-up (charter rules 6 and 7): when someone becomes absent, their open
cases with terms inside the absence are flagged and proposed for reassignment to a backup who
is there in time, or else to the front office."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext

from loket.accounts.models import Notification, Team, User
from loket.cases.models import Case, Event, Topic
from loket.cases.services import CaseError, case_assign, case_close, case_forward
from loket.routing.models import Competence, Reassignment
from loket.routing.services import (
    absence_catch_up,
    absence_record,
    absence_remove,
    agenda_feed_add,
    reassignment_decide,
)

from .conftest import MakeCase, MakeStaff, at

pytestmark = pytest.mark.django_db
MONDAY = at("2026-05-04 09:00")


@pytest.fixture(autouse=True)
def monday() -> Any:
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def owner(expert: User, income: Topic) -> User:
    Competence.objects.create(user=expert, topic=income, level="expert")
    return expert


def forwarded(case: Case, to: User, team: Team, agent: User) -> Case:
    return case_forward(actor=agent, case=case, note="Graag nazicht.", owner=to, team=team)


def test_an_absence_flags_the_cases_due_meanwhile_and_proposes_a_backup(
    owner: User,
    income: Topic,
    back_office: Team,
    front_office: Team,
    make_staff: MakeStaff,
    make_case: MakeCase,
    agent: User,
    coordinator: User,
) -> None:
    backup = make_staff("backup", income, Competence.Level.BACKUP)
    due_tuesday = forwarded(make_case(income, subject="Dinsdag"), owner, back_office, agent)
    due_wednesday = case_assign(
        actor=agent, case=make_case(income, subject="Woensdag"), owner=owner
    )
    closed = forwarded(make_case(income, subject="Afgesloten"), owner, back_office, agent)
    case_close(actor=owner, case=closed)
    someone_else = case_assign(actor=agent, case=make_case(income), owner=backup)

    absence = absence_record(
        actor=coordinator, user=owner, start=at("2026-05-05 00:00"), end=at("2026-05-06 12:00")
    )

    # Tuesday's back-office term falls in the absence; Wednesday's client term does not
    # (it ends at midnight, after the absence); closed and other people's cases never do.
    (proposal,) = Reassignment.objects.all()
    assert proposal.case == due_tuesday
    assert (proposal.person, proposal.absence, proposal.term) == (
        owner,
        absence,
        at("2026-05-05 23:59:59"),
    )
    assert (proposal.proposed_owner, proposal.proposed_team) == (backup, back_office)
    assert proposal.status == Reassignment.Status.OPEN
    assert {due_wednesday.pk, closed.pk, someone_else.pk}.isdisjoint(
        Reassignment.objects.values_list("case_id", flat=True)
    )
    event = Event.objects.get(kind=Event.Kind.CASE_REASSIGNMENT_PROPOSED)
    assert event.case == due_tuesday
    assert event.data == {
        "reassignment": proposal.pk,
        "absent": owner.pk,
        "absence": absence.pk,
        "proposed_owner": backup.pk,
        "proposed_team": back_office.pk,
    }
    (notice,) = Notification.objects.filter(kind="absence-catch-up")
    assert notice.user == coordinator
    # In the coordinator's own language (Dutch by default).
    with translation.override(coordinator.language):
        away = gettext("%(person)s is away until %(end)s: %(count)s open cases fall due meanwhile.")
    start, end = away.split("%(end)s")
    assert notice.text.startswith(start % {"person": owner})
    assert notice.text.endswith(end % {"count": 1})
    recorded = Event.objects.get(kind=Event.Kind.STAFF_ABSENCE_RECORDED)
    assert (recorded.actor, recorded.case, recorded.data["staff"]) == (coordinator, None, owner.pk)

    # A second, overlapping absence does not propose the same case twice.
    absence_record(actor=None, user=owner, start=at("2026-05-05 08:00"), end=at("2026-05-05 18:00"))
    assert Reassignment.objects.count() == 1


def test_without_a_backup_in_time_the_front_office_is_proposed(
    owner: User,
    income: Topic,
    back_office: Team,
    front_office: Team,
    make_staff: MakeStaff,
    make_case: MakeCase,
    agent: User,
) -> None:
    backup = make_staff("backup", income, Competence.Level.BACKUP)
    absence_record(
        actor=None, user=backup, start=at("2026-05-04 00:00"), end=at("2026-05-09 00:00")
    )
    case = forwarded(make_case(income), owner, back_office, agent)
    absence_record(actor=None, user=owner, start=at("2026-05-05 00:00"), end=at("2026-05-07 00:00"))
    (proposal,) = Reassignment.objects.filter(case=case)
    assert (proposal.proposed_owner, proposal.proposed_team) == (None, front_office)


def test_accepting_reassigns_the_case_keeping_it_tells_the_history(
    owner: User,
    income: Topic,
    back_office: Team,
    make_staff: MakeStaff,
    make_case: MakeCase,
    agent: User,
    coordinator: User,
) -> None:
    backup = make_staff("backup", income, Competence.Level.BACKUP)
    first = forwarded(make_case(income), owner, back_office, agent)
    second = forwarded(make_case(income), owner, back_office, agent)
    absence_record(actor=None, user=owner, start=at("2026-05-05 00:00"), end=at("2026-05-07 00:00"))
    accept, keep = Reassignment.objects.order_by("case_id")

    reassignment_decide(actor=coordinator, reassignment=accept, accept=True)
    first.refresh_from_db()
    assert (first.owner, first.team) == (backup, back_office)
    assigned = Event.objects.filter(case=first, kind=Event.Kind.CASE_ASSIGNED).last()
    assert assigned is not None and assigned.data["previous_owner"] == owner.pk
    assert assigned.actor == coordinator

    reassignment_decide(actor=coordinator, reassignment=keep, accept=False)
    second.refresh_from_db()
    assert second.owner == owner
    assert Event.objects.filter(case=second, kind=Event.Kind.CASE_REASSIGNMENT_DISMISSED).exists()

    statuses = dict(Reassignment.objects.values_list("case_id", "status"))
    assert statuses == {first.pk: "accepted", second.pk: "dismissed"}
    with pytest.raises(CaseError, match="already decided"):
        reassignment_decide(actor=coordinator, reassignment=accept, accept=True)


def test_removing_the_absence_withdraws_its_open_proposals(
    owner: User, income: Topic, back_office: Team, make_case: MakeCase, agent: User
) -> None:
    forwarded(make_case(income), owner, back_office, agent)
    absence = absence_record(
        actor=None, user=owner, start=at("2026-05-05 00:00"), end=at("2026-05-07 00:00")
    )
    assert Reassignment.objects.count() == 1
    absence_remove(actor=owner, absence=absence)
    assert not Reassignment.objects.exists()
    removed = Event.objects.get(kind=Event.Kind.STAFF_ABSENCE_REMOVED)
    assert removed.data["staff"] == owner.pk and removed.actor == owner


def test_the_sweep_catches_cases_given_after_the_absence_was_recorded(
    owner: User, income: Topic, back_office: Team, make_case: MakeCase, agent: User
) -> None:
    absence_record(actor=None, user=owner, start=at("2026-05-05 00:00"), end=at("2026-05-07 00:00"))
    assert not Reassignment.objects.exists()
    late = forwarded(make_case(income), owner, back_office, agent)
    assert absence_catch_up() == 1
    assert Reassignment.objects.get().case == late
    assert absence_catch_up() == 0  # once per case and absence


def test_an_absence_read_from_an_agenda_feed_gets_the_catch_up_too(
    owner: User,
    income: Topic,
    back_office: Team,
    make_case: MakeCase,
    agent: User,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = forwarded(make_case(income), owner, back_office, agent)
    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        b"UID:sick-day@example.be\r\nDTSTAMP:20260504T070000Z\r\n"
        b"DTSTART;VALUE=DATE:20260505\r\nDTEND;VALUE=DATE:20260506\r\n"
        b"SUMMARY:Ziek\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    agenda_feed_add(actor=owner, user=owner, upload=SimpleUploadedFile("agenda.ics", ics))
    proposal = Reassignment.objects.get()
    assert proposal.case == case and proposal.absence.kind == "illness"
    with pytest.raises(ValidationError, match="agenda feed"):
        absence_remove(actor=owner, absence=proposal.absence)
