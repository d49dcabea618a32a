"""Routing's own fixtures: a small topic tree and a way to make competent staff."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest

from loket.accounts.models import Team, User
from loket.accounts.roles import Role
from loket.accounts.services import staff_create
from loket.cases.models import Case, Client, Topic
from loket.cases.services import case_register
from loket.routing.models import Competence

BRU = ZoneInfo("Europe/Brussels")


def at(text: str) -> dt.datetime:
    """A Brussels wall-clock moment, e.g. at("2026-05-04 09:00")."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=BRU)


@pytest.fixture
def integration(db: None) -> Topic:
    return Topic.objects.create(
        code="integration", name_nl="Maatschappelijke integratie", name_fr="Intégration sociale"
    )


@pytest.fixture
def income(integration: Topic) -> Topic:
    return Topic.objects.create(
        code="integration-income",
        parent=integration,
        name_nl="Leefloon",
        name_fr="Revenu d'intégration",
        name_en="Integration income",
    )


MakeStaff = Callable[..., User]


@pytest.fixture
def make_staff(back_office: Team) -> MakeStaff:
    """A back-office expert competent for `topic` at `level`."""

    def make(username: str, topic: Topic, level: str = Competence.Level.EXPERT) -> User:
        user = staff_create(
            username=username,
            password="secret-pass-123",
            roles=[Role.EXPERT],
            teams=[back_office],
            first_name=username.title(),
            check_password=False,
        )
        Competence.objects.create(user=user, topic=topic, level=level)
        return user

    return make


MakeCase = Callable[..., Case]


@pytest.fixture
def make_case(client_record: Client, front_office: Team) -> MakeCase:
    """A question on `topic`, registered now (freeze the time first)."""

    def make(topic: Topic | None, owner: User | None = None, subject: str = "Vraag") -> Case:
        return case_register(
            actor=None,
            client=client_record,
            channel="email",
            subject=subject,
            body="Hoe wordt het leefloon berekend?",
            topic=topic,
            owner=owner,
            team=front_office,
        )

    return make
