from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client as Browser
from django.utils import timezone

from loket.accounts.models import User
from loket.cases.models import Case, Channel, Client, Event, Message, Topic
from loket.cases.references import parse_reference
from loket.cases.services import case_register
from loket.demo import content
from loket.routing.models import (
    Absence,
    Competence,
    Reassignment,
    TopicRouting,
    WorkingPattern,
)
from loket.routing.selectors import routing_suggestions

pytestmark = pytest.mark.django_db


def test_demo_makes_a_believable_service() -> None:
    out = StringIO()
    call_command("demo", cases=600, stdout=out)
    assert "Demo logins (password: loket-demo)" in out.getvalue()
    assert User.objects.get(username="agent").check_password("loket-demo")
    cases = Case.objects.all()
    assert cases.count() == 600
    assert set(cases.values_list("channel", flat=True)) == set(Channel.values)
    assert set(cases.values_list("status", flat=True)) >= {
        "registered",
        "in-progress",
        "forwarded",
        "answered",
        "closed",
    }
    assert set(cases.values_list("language", flat=True)) == {"nl", "fr", "de", "en"}
    assert set(cases.values_list("kind", flat=True)) == set(Case.Kind.values)
    assert cases.filter(client__sector="welfare-centre").exists()
    for reference in cases.values_list("reference", flat=True)[:50]:
        parse_reference(reference)
    assert not cases.filter(due_at__isnull=True).exists()
    assert Message.objects.filter(direction="in").count() == 600
    assert Event.objects.filter(kind="case.registered").count() == 600
    answered = cases.filter(answered_at__isnull=False)
    assert Event.objects.filter(kind="case.answered").count() == answered.count()
    assert not answered.filter(answered_by_front_office__isnull=True).exists()


def test_demo_if_empty_loads_nothing_the_second_time() -> None:
    call_command("demo", cases=50, stdout=StringIO())
    out = StringIO()
    call_command("demo", cases=50, if_empty=True, stdout=out)
    assert Case.objects.count() == 50
    assert "nothing loaded" in out.getvalue()


# Monday 4 May 2026, 09:00 in Brussels: the demo's absences count from this day.
MONDAY = dt.datetime(2026, 5, 4, 9, 0, tzinfo=ZoneInfo("Europe/Brussels"))


def test_demo_routing_suggests_the_colleague_of_the_expert_on_leave(client: Browser) -> None:
    with time_machine.travel(MONDAY, tick=False):
        call_command("demo", cases=300, stdout=StringIO())
        # Competences per topic, in the teams that answer the topics.
        assert Competence.objects.count() == len(content.COMPETENCES)
        assert Competence.objects.filter(level="backup").exists()
        assert TopicRouting.objects.filter(auto_assign=True).exists()
        part_time = set(WorkingPattern.objects.values_list("user__username", flat=True))
        assert part_time == {"expert2", "expert-funds2", "agent2"}
        now = timezone.now()
        assert Absence.objects.filter(start__lte=now, end__gt=now).count() == 2  # on leave now
        assert Absence.objects.filter(start__gt=now).count() == 4  # later
        assert Event.objects.filter(kind=Event.Kind.STAFF_ABSENCE_RECORDED).count() == 6

        staff = {u.username: u for u in User.objects.all()}
        question = case_register(
            actor=None,
            client=Client.objects.first(),  # type: ignore[arg-type]
            channel="email",
            subject="Leefloon voor een student",
            topic=Topic.objects.get(code="integration-income"),
        )
        suggestion = routing_suggestions(question, now=now)
        assert suggestion.available[0].user == staff["expert2"]  # the other expert, present
        assert staff["expert"] in [c.user for c in suggestion.unavailable]  # on leave
        ict = case_register(
            actor=None,
            client=Client.objects.first(),  # type: ignore[arg-type]
            channel="email",
            subject="NovaPrima weigert mijn formulier",
            topic=Topic.objects.get(code="novaprima"),
        )
        nobody = routing_suggestions(ict, now=now)
        assert not nobody.available
        assert [c.user for c in nobody.earliest] == [staff["expert-ict"]]
        assert nobody.earliest[0].back_on == dt.date(2026, 5, 11)  # Monday after his training

        # The coordinators' pages are not empty: the catch-up and the load.
        assert Reassignment.objects.filter(status="open", person=staff["expert"]).exists()
        client.force_login(staff["coordinator"])
        catch_up = client.get("/en/desk/routing/catch-up/").content.decode()
        assert "Nothing to catch up" not in catch_up and "Karim El Amrani" in catch_up
        load = client.get("/en/desk/routing/load/").content.decode()
        assert load.count("absent until") == 2  # Karim and Lukas

        # Loading more cases later does not record the routing twice.
        call_command("demo", cases=10, stdout=StringIO())
        assert Competence.objects.count() == len(content.COMPETENCES)
        assert Absence.objects.count() == len(content.ABSENCES)
