"""Named people for readable access tests (STYLE.md): an agent, a back-office expert, a
coordinator, a manager, an administrator and an outsider without any role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from loket.accounts.models import Team, User
from loket.accounts.roles import Role
from loket.accounts.services import staff_create
from loket.cases.models import Client
from loket.cases.services import client_create

pytest_plugins = ["loket.browser"]


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> None:
    """The calendar and policy cache lives per process; a test's rolled-back closure day must
    not move the next test's terms."""
    from loket.deadlines import cache

    cache.invalidate()


@pytest.fixture(autouse=True)
def _language_of_the_test_settings() -> Iterator[None]:
    """Each test starts in the test settings' language (en): a language a request or a
    mail activated in one test must not leak into the next test's assertions."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def front_office(db: None) -> Team:
    return Team.objects.create(code="front-office", name="FrontOffice", kind=Team.Kind.FRONT_OFFICE)


@pytest.fixture
def back_office(db: None) -> Team:
    return Team.objects.create(
        code="integration", name="BackOffice integratie", kind=Team.Kind.BACK_OFFICE
    )


def _person(username: str, role: Role | None, teams: list[Team]) -> User:
    if role is None:
        user = User.objects.create_user(username=username, password="secret-pass-123")
        return user
    return staff_create(
        username=username,
        password="secret-pass-123",
        roles=[role],
        teams=teams,
        first_name=username.title(),
        check_password=False,
    )


@pytest.fixture
def agent(front_office: Team) -> User:
    return _person("agent", Role.AGENT, [front_office])


@pytest.fixture
def expert(back_office: Team) -> User:
    return _person("expert", Role.EXPERT, [back_office])


@pytest.fixture
def coordinator(front_office: Team) -> User:
    return _person("coordinator", Role.COORDINATOR, [front_office])


@pytest.fixture
def manager(db: None) -> User:
    return _person("manager", Role.MANAGER, [])


@pytest.fixture
def administrator(db: None) -> User:
    return _person("administrator", Role.ADMINISTRATOR, [])


@pytest.fixture
def outsider(db: None) -> User:
    return _person("outsider", None, [])


@pytest.fixture
def client_record(db: None) -> Client:
    return client_create(
        actor=None,
        name="OCMW Gent",
        language="nl",
        kind=Client.Kind.ORGANISATION,
        sector=Client.Sector.WELFARE_CENTRE,
        emails=["Info@OCMW-Gent.example.be"],
        phones=["09 266 99 00"],
        street="Onderbergen 86",
        postal_code="9000",
        city="Gent",
    )
