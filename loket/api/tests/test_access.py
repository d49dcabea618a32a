"""Every endpoint, called by everyone: without a token, with a revoked token, with the token
of a person who lost their roles, and as each staff role. A token has exactly its owner's
rights (loket/cases/access.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from loket.accounts.models import User
from loket.api.services import api_token_create, api_token_revoke
from loket.cases.models import Case, Client
from loket.cases.services import case_register

from .conftest import Api

pytestmark = pytest.mark.django_db

PEOPLE = [
    "none",
    "revoked",
    "outsider",
    "agent",
    "expert",
    "coordinator",
    "manager",
    "administrator",
]
STAFF = ["agent", "expert", "coordinator", "manager", "administrator"]


def expect(ok: int, allowed: list[str]) -> dict[str, int]:
    """`ok` for the allowed roles, 403 for the other roles, 401 without a valid token."""
    table = {"none": 401, "revoked": 401, "outsider": 403}
    table |= {role: ok if role in allowed else 403 for role in STAFF}
    return table


REGISTERS = ["agent", "coordinator", "administrator"]
HANDLES = ["agent", "expert", "coordinator", "administrator"]

NEW_CASE = {
    "client": {"name": "Jan Peeters", "emails": ["jan@example.be"]},
    "channel": "phone",
    "subject": "Leefloon student",
}
# (method, path with {case} and {client}, body or query, expected status per person)
ENDPOINTS: list[tuple[str, str, dict[str, Any], dict[str, int]]] = [
    ("get", "/api/v1/cases", {}, expect(200, STAFF)),
    ("get", "/api/v1/cases/{case}", {}, expect(200, STAFF)),
    ("get", "/api/v1/clients", {"name": "Gent"}, expect(200, STAFF)),
    ("get", "/api/v1/clients/{client}", {}, expect(200, STAFF)),
    ("get", "/api/v1/clients/{client}/history", {}, expect(200, STAFF)),
    ("get", "/api/v1/topics", {}, expect(200, STAFF)),
    ("get", "/api/v1/policies", {}, expect(200, STAFF)),
    ("get", "/api/v1/deadlines/calculate", {"policy": "standard"}, expect(200, STAFF)),
    ("get", "/api/v1/me", {}, expect(200, [*STAFF]) | {"outsider": 200}),
    ("post", "/api/v1/cases", NEW_CASE, expect(201, REGISTERS)),
    ("post", "/api/v1/clients", {"name": "OCMW Eupen"}, expect(201, REGISTERS)),
    (
        "post",
        "/api/v1/calls/events",
        {"call_id": "c-1", "event": "ringing", "caller_number": "09 266 99 00"},
        expect(200, REGISTERS),
    ),
    ("post", "/api/v1/cases/{case}/replies", {"body": "Zo werkt het."}, expect(201, HANDLES)),
    ("post", "/api/v1/cases/{case}/notes", {"body": "Nagekeken."}, expect(201, HANDLES)),
    (
        "post",
        "/api/v1/cases/{case}/forward",
        {"note": "Graag advies", "team": "integration"},
        expect(200, HANDLES),
    ),
    (
        "post",
        "/api/v1/cases/{case}/delay-notice",
        {"reason": "Wij wachten op het OCMW.", "new_due_date": "2026-03-10"},
        expect(200, HANDLES),
    ),
    ("post", "/api/v1/cases/{case}/close", {"reason": "Beantwoord"}, expect(200, HANDLES)),
]


@pytest.fixture
def call_as(
    request: pytest.FixtureRequest, api_as: Callable[[User | None], Api], outsider_api: Api
) -> Callable[[str], Api]:
    def make(person: str) -> Api:
        if person == "none":
            return api_as(None)
        if person == "outsider":
            return outsider_api
        if person == "revoked":
            agent = request.getfixturevalue("agent")
            issued = api_token_create(actor=None, owner=agent, name="old")
            api_token_revoke(actor=agent, token=issued.token)
            return Api(api_as(None).browser, issued.secret)
        return api_as(request.getfixturevalue(person))

    return make


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize(
    ("method", "path", "body", "statuses"), ENDPOINTS, ids=[f"{m} {p}" for m, p, *_ in ENDPOINTS]
)
def test_who_may_call_what(
    method: str,
    path: str,
    body: dict[str, Any],
    statuses: dict[str, int],
    person: str,
    call_as: Callable[[str], Api],
    forwarded: Case,
    client_record: Client,
) -> None:
    # The case is forwarded to the expert's team, so every staff role may see it.
    api = call_as(person)
    url = path.format(case=forwarded.reference, client=client_record.pk)
    response = api.get(url, **body) if method == "get" else api.post(url, body)
    assert response.status_code == statuses[person], response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    if response.status_code >= 400:
        assert response.json()["detail"]


@pytest.mark.parametrize("person", PEOPLE)
def test_the_status_lookup_needs_no_token(
    person: str, call_as: Callable[[str], Api], question: Case
) -> None:
    response = call_as(person).post(
        "/api/v1/status", {"reference": question.reference, "email": "info@ocmw-gent.example.be"}
    )
    assert response.status_code == 200
    assert response.json()["reference"] == question.reference


def test_the_expert_sees_only_what_reaches_their_team(
    api_as: Callable[[User | None], Api], expert: User, question: Case, forwarded: Case
) -> None:
    api = api_as(expert)
    assert api.get(f"/api/v1/cases/{question.reference}").status_code == 404
    assert api.post(f"/api/v1/cases/{question.reference}/notes", {"body": "x"}).status_code == 404
    listed = api.get("/api/v1/cases").json()["items"]
    assert [c["reference"] for c in listed] == [forwarded.reference]


def test_complaints_stay_with_the_coordinator(
    api_as: Callable[[User | None], Api],
    agent: User,
    coordinator: User,
    client_record: Client,
) -> None:
    complaint = case_register(
        actor=None,
        client=client_record,
        channel="web",
        subject="Klacht over de wachttijd",
        kind="complaint",
        owner=coordinator,
    )
    assert api_as(agent).get(f"/api/v1/cases/{complaint.reference}").status_code == 404
    assert api_as(coordinator).get(f"/api/v1/cases/{complaint.reference}").status_code == 200
    history = api_as(agent).get(f"/api/v1/clients/{client_record.pk}/history").json()
    assert complaint.reference not in [c["reference"] for c in history["cases"]]


def test_a_manager_reads_but_does_not_act(
    api_as: Callable[[User | None], Api], manager: User, question: Case
) -> None:
    api = api_as(manager)
    assert api.get(f"/api/v1/cases/{question.reference}").status_code == 200
    refused = api.post(f"/api/v1/cases/{question.reference}/replies", {"body": "Antwoord"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Your account may not do this with this case."
