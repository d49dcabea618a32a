"""Fixtures for the desk's tests: a case in each state people meet, and files kept in a
temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from loket.accounts.models import Team, User
from loket.cases.models import Case, Client
from loket.cases.services import case_forward, case_register


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT  # type: ignore[no-any-return]


def register(client: Client, **values: Any) -> Case:
    values = {
        "channel": "email",
        "subject": "Berekening leefloon",
        "body": "Hoe berekenen we het leefloon voor een samenwonende?",
        "sender": "info@ocmw-gent.example.be",
        **values,
    }
    return case_register(actor=None, client=client, **values)


@pytest.fixture
def question(client_record: Client) -> Case:
    """An e-mail question nobody has taken yet."""
    return register(client_record)


@pytest.fixture
def forwarded(client_record: Client, agent: User, back_office: Team) -> Case:
    """A question the front office forwarded to the expert's team."""
    case = register(client_record, subject="Terugbetaling wet 1965", body="Wie betaalt terug?")
    return case_forward(actor=agent, case=case, team=back_office, note="Graag advies")


@pytest.fixture
def complaint(client_record: Client, coordinator: User) -> Case:
    """A complaint: the coordinator's, hidden from agents who don't own it."""
    return register(client_record, subject="Klacht wachttijd", kind="complaint", owner=coordinator)
