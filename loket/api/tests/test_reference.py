"""/api/v1/topics, /policies, /deadlines/calculate and /me."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from loket.accounts.models import User
from loket.cases.models import Topic
from loket.deadlines.models import CalendarDay, DeadlinePolicy, WorkingCalendar

from .conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_as: Callable[[User | None], Api], agent: User) -> Api:
    return api_as(agent)


def test_topics_with_their_names_parents_and_policies(api: Api) -> None:
    standard = DeadlinePolicy.objects.get(code="standard")
    parent = Topic.objects.create(code="integratie", name_nl="Integratie", name_fr="Intégration")
    Topic.objects.create(
        code="leefloon",
        parent=parent,
        name_nl="Leefloon",
        name_fr="Revenu d'intégration",
        name_de="Eingliederungseinkommen",
        name_en="Integration income",
        policy=standard,
    )
    topics = api.get("/api/v1/topics").json()
    assert topics == [
        {
            "code": "integratie",
            "parent": None,
            "names": {
                "nl": "Integratie",
                "fr": "Intégration",
                "de": "Integratie",
                "en": "Integratie",
            },
            "active": True,
            "policy": None,
        },
        {
            "code": "leefloon",
            "parent": "integratie",
            "names": {
                "nl": "Leefloon",
                "fr": "Revenu d'intégration",
                "de": "Eingliederungseinkommen",
                "en": "Integration income",
            },
            "active": True,
            "policy": "standard",
        },
    ]


def test_policies(api: Api) -> None:
    policies = {p["code"]: p for p in api.get("/api/v1/policies").json()}
    assert set(policies) == {"standard", "competence-conflict", "complaint"}
    assert policies["standard"]["working_days"] == 2
    assert policies["competence-conflict"] | {"name": ""} == {
        "code": "competence-conflict",
        "name": "",
        "working_days": 5,
        "calendar": "be-legal",
        "cutoff": None,
        "case_kind": "competence-conflict",
        "reminder_days_before": [0],
        "internal_margin_days": 1,
        "target_percent": 95.0,
    }


@pytest.mark.parametrize(
    ("policy", "received_at", "day_zero", "due_at"),
    [
        # Friday afternoon, 2 working days: Tuesday, at the end of the day in Brussels.
        ("standard", "2026-03-06T15:00:00+01:00", "2026-03-06", "2026-03-10T23:59:59+01:00"),
        # On a Saturday: day 0 is Monday.
        ("standard", "2026-03-07T11:00:00+01:00", "2026-03-09", "2026-03-11T23:59:59+01:00"),
        # Before Easter Monday (6 April 2026) and over the federal bridge day of 15 May.
        ("standard", "2026-04-03T10:00:00+02:00", "2026-04-03", "2026-04-08T23:59:59+02:00"),
        ("standard", "2026-05-13T10:00:00+02:00", "2026-05-13", "2026-05-19T23:59:59+02:00"),
        # A competence conflict: 5 working days on the legal calendar.
        (
            "competence-conflict",
            "2026-03-02T10:00:00+01:00",
            "2026-03-02",
            "2026-03-09T23:59:59+01:00",
        ),
    ],
)
def test_the_deadline_calculation(
    api: Api, policy: str, received_at: str, day_zero: str, due_at: str
) -> None:
    response = api.get("/api/v1/deadlines/calculate", policy=policy, received_at=received_at)
    assert response.status_code == 200, response.content
    term = response.json()
    assert (term["policy"], term["day_zero"], term["due_at"]) == (policy, day_zero, due_at)


def test_the_calculation_follows_closure_days_the_administrator_adds(api: Api) -> None:
    calendar = WorkingCalendar.objects.get(code="be-federal")
    CalendarDay.objects.create(calendar=calendar, date=dt.date(2026, 3, 10), reason="verhuis")
    term = api.get(
        "/api/v1/deadlines/calculate", policy="standard", received_at="2026-03-06T15:00:00+01:00"
    ).json()
    assert term["due_at"] == "2026-03-11T23:59:59+01:00"


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"policy": "nope"}, 400, "policy"),
        ({}, 422, "policy"),
        ({"policy": "standard", "received_at": "2026-03-06T15:00:00"}, 422, "received_at"),
        ({"policy": "standard", "received_at": "1200-01-01T00:00:00Z"}, 422, "received_at"),
        ({"policy": "standard", "received_at": "yesterday"}, 422, "received_at"),
        ({"policy": "stand ard"}, 422, "policy"),
    ],
)
def test_bad_calculations_name_the_parameter(
    api: Api, params: dict[str, object], status: int, field: str
) -> None:
    response = api.get("/api/v1/deadlines/calculate", **params)
    assert response.status_code == status, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_me_says_who_the_token_acts_as(api: Api) -> None:
    me = api.get("/api/v1/me").json()
    assert me["username"] == "agent" and me["roles"] == ["front-office agent"]
    assert me["teams"] == ["front-office"]
    assert me["token"].startswith("loket_") and me["token"].endswith("_…")
