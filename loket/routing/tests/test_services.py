"""The routing services refuse bad input with a clear reason, write one Event per change and
none when nothing changes; the admin goes through them too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as Browser

from loket.accounts.models import User
from loket.cases.models import Event, Topic
from loket.routing.models import Absence, Competence, WorkingPattern
from loket.routing.services import (
    Period,
    absence_record,
    competence_set,
    working_pattern_set,
)

from .conftest import at

pytestmark = pytest.mark.django_db


def staff_events(kind: str) -> list[Event]:
    return list(Event.objects.filter(kind=kind, case=None).order_by("pk"))


def test_setting_the_same_competence_twice_writes_one_event(
    coordinator: User, expert: User, income: Topic
) -> None:
    competence_set(actor=coordinator, user=expert, topic=income, level="expert")
    competence_set(actor=coordinator, user=expert, topic=income, level="expert")
    assert Competence.objects.get().level == "expert"
    (event,) = staff_events(Event.Kind.STAFF_COMPETENCE_CHANGED)
    assert (event.actor, event.data) == (
        coordinator,
        {
            "staff": expert.pk,
            "topic": "integration-income",
            "level": "expert",
            "previous_level": None,
        },
    )
    with pytest.raises(ValidationError, match="Unknown level"):
        competence_set(actor=coordinator, user=expert, topic=income, level="guru")


@pytest.mark.parametrize(
    ("start", "end", "kind", "message"),
    [
        (dt.datetime(2026, 5, 4, 9), at("2026-05-04 12:00"), "leave", "time zone"),
        (at("2026-05-04 12:00"), at("2026-05-04 12:00"), "leave", "end after it starts"),
        (at("2026-05-04 12:00"), at("2026-05-04 09:00"), "leave", "end after it starts"),
        (at("2026-01-01 00:00"), at("2027-03-01 00:00"), "leave", "400 days"),
        (at("2026-05-04 09:00"), at("2026-05-04 12:00"), "sabbatical", "Unknown kind"),
    ],
)
def test_an_absence_that_makes_no_sense_is_refused(
    expert: User, start: dt.datetime, end: dt.datetime, kind: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        absence_record(actor=expert, user=expert, start=start, end=end, kind=kind)
    assert not Absence.objects.exists()
    assert not staff_events(Event.Kind.STAFF_ABSENCE_RECORDED)


def test_overlapping_periods_in_a_pattern_are_refused(expert: User) -> None:
    overlapping = [Period(0, dt.time(8), dt.time(12)), Period(0, dt.time(11), dt.time(15))]
    with pytest.raises(ValidationError, match="overlap"):
        working_pattern_set(actor=expert, user=expert, periods=overlapping)
    with pytest.raises(ValidationError, match="end after it starts"):
        working_pattern_set(actor=expert, user=expert, periods=[Period(1, dt.time(12), dt.time(9))])
    assert not WorkingPattern.objects.exists()
    working_pattern_set(actor=expert, user=expert, periods=[Period(1, dt.time(9), dt.time(12))])
    (event,) = staff_events(Event.Kind.STAFF_WORKING_PATTERN_CHANGED)
    assert event.data == {
        "staff": expert.pk,
        "valid_from": None,
        "periods": [[1, "09:00", "12:00"]],
    }
    working_pattern_set(actor=expert, user=expert, periods=[])  # back to the office hours
    assert not WorkingPattern.objects.exists()


def test_the_admin_edits_competences_through_the_service(
    client: Browser, administrator: User, expert: User, income: Topic, integration: Topic
) -> None:
    client.force_login(administrator)
    add = client.post(
        "/en/admin/routing/competence/add/",
        {"user": expert.pk, "topic": income.pk, "level": "backup"},
    )
    assert add.status_code == 302, add.content.decode()[:2000]
    competence = Competence.objects.get()
    change = client.post(
        f"/en/admin/routing/competence/{competence.pk}/change/",
        {"user": expert.pk, "topic": integration.pk, "level": "expert"},
    )
    assert change.status_code == 302
    assert list(Competence.objects.values_list("topic__code", "level")) == [
        ("integration", "expert")
    ]
    client.post(
        f"/en/admin/routing/competence/{Competence.objects.get().pk}/delete/", {"post": "yes"}
    )
    assert not Competence.objects.exists()
    events = staff_events(Event.Kind.STAFF_COMPETENCE_CHANGED)
    assert [(e.data["topic"], e.data["level"]) for e in events] == [
        ("integration-income", "backup"),
        ("integration-income", None),
        ("integration", "expert"),
        ("integration", None),
    ]
    assert all(e.actor == administrator for e in events)
    for model in ("absence", "workingpattern", "agendafeed", "reassignment", "topicrouting"):
        assert client.get(f"/en/admin/routing/{model}/").status_code == 200
    assert client.get("/en/admin/routing/absence/add/").status_code == 403
