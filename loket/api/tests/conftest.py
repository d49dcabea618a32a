"""Helpers for the API tests: a JSON client that sends a person's token, and a few cases."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client as Browser

from loket.accounts.models import Team, User
from loket.accounts.roles import Role
from loket.api.services import api_token_create
from loket.cases.models import Case, Client
from loket.cases.services import case_forward, case_register
from loket.deadlines.cache import invalidate

BRUSSELS = ZoneInfo("Europe/Brussels")
# A Monday at ten: a question received now is due on Wednesday at 23:59:59 (2 working days).
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=BRUSSELS)


class Api:
    """Calls the API as one person (or without a token) and reads the JSON answer."""

    def __init__(self, browser: Browser, secret: str | None) -> None:
        self.browser = browser
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.browser.get(path, params, headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.browser.post(
            path, json.dumps(body or {}), content_type="application/json", headers=self.headers
        )


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    """Rate-limit counters, and the per-process calendars and policies: a test's rolled-back
    closure day or topic must not reach the next test."""
    cache.clear()
    invalidate()
    yield
    cache.clear()
    invalidate()


@pytest.fixture
def frozen() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def api_as(client: Browser) -> Callable[[User | None], Api]:
    """`api_as(agent)` calls the API with a fresh token of the agent's; `api_as(None)`
    without any token."""

    def make(user: User | None) -> Api:
        secret = api_token_create(actor=None, owner=user, name="tests").secret if user else None
        return Api(client, secret)

    return make


@pytest.fixture
def outsider_api(client: Browser, outsider: User) -> Api:
    """A token whose owner lost every role after it was issued: it authenticates, and may
    do nothing (a token has its owner's rights as they are now)."""
    outsider.groups.add(Group.objects.get(name=Role.MANAGER))
    secret = api_token_create(actor=None, owner=outsider, name="tests").secret
    outsider.groups.clear()
    return Api(client, secret)


@pytest.fixture
def question(frozen: time_machine.Coordinates, client_record: Client, agent: User) -> Case:
    return case_register(
        actor=agent,
        client=client_record,
        channel="email",
        subject="Berekening leefloon",
        body="Hoe berekenen we het leefloon voor een student?",
    )


@pytest.fixture
def forwarded(
    frozen: time_machine.Coordinates, client_record: Client, agent: User, back_office: Team
) -> Case:
    case = case_register(
        actor=agent,
        client=client_record,
        channel="email",
        subject="Terugbetaling wet 1965",
        body="Wanneer betaalt de Staat terug?",
    )
    return case_forward(actor=agent, case=case, note="Graag advies", team=back_office)
