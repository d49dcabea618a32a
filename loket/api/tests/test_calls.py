"""POST /api/v1/calls/events: the exchange reports a call and learns who is calling."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import time_machine

from loket.accounts.models import User
from loket.cases.models import Case, Client
from loket.cases.services import case_close, case_register, client_create
from loket.phone.models import Call, CallEvent

from .conftest import Api

pytestmark = pytest.mark.django_db
EVENTS = "/api/v1/calls/events"


@pytest.fixture
def exchange(
    api_as: Callable[[User | None], Api], agent: User, frozen: time_machine.Coordinates
) -> Api:
    """The telephone exchange's system account is a front-office account."""
    return api_as(agent)


def test_ringing_answers_with_the_client_and_their_open_cases(
    exchange: Api, client_record: Client, question: Case, agent: User
) -> None:
    closed = case_register(actor=None, client=client_record, channel="phone", subject="Oud")
    case_close(actor=agent, case=closed)
    response = exchange.post(
        EVENTS, {"call_id": "pbx-1", "event": "ringing", "caller_number": "092669900"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["recorded"] is True
    assert body["call"] | {"started_at": None} == {
        "call_id": "pbx-1",
        "state": "ringing",
        "caller_number": "+3292669900",
        "agent": None,
        "started_at": None,
        "answered_at": None,
        "ended_at": None,
        "outcome": None,
        "case": None,
    }
    assert body["client"]["id"] == client_record.pk
    assert body["client"]["emails"] == ["info@ocmw-gent.example.be"]
    assert [c["id"] for c in body["clients"]] == [client_record.pk]
    assert [c["reference"] for c in body["open_cases"]] == [question.reference]


def test_a_whole_call_is_logged_with_its_outcome(
    exchange: Api, client_record: Client, question: Case, agent: User
) -> None:
    exchange.post(EVENTS, {"call_id": "pbx-2", "event": "ringing", "caller_number": "+3292669900"})
    answered = exchange.post(EVENTS, {"call_id": "pbx-2", "event": "answered", "agent": "agent"})
    assert answered.json()["call"]["agent"] == "agent"
    ended = exchange.post(
        EVENTS, {"call_id": "pbx-2", "event": "ended", "reference": question.reference}
    ).json()
    assert ended["call"]["state"] == "ended"
    assert ended["call"]["outcome"] == "question-registered"
    assert ended["call"]["case"] == question.reference
    call = Call.objects.get(call_id="pbx-2")
    assert (call.client, call.agent, call.case) == (client_record, agent, question)


def test_the_same_event_again_gives_the_same_answer_and_changes_nothing(
    exchange: Api, client_record: Client, frozen: time_machine.Coordinates
) -> None:
    body = {"call_id": "pbx-3", "event": "ringing", "caller_number": "+3292669900"}
    first = exchange.post(EVENTS, body).json()
    frozen.shift(30)
    again = exchange.post(EVENTS, body).json()
    assert again["recorded"] is False
    assert again | {"recorded": True} == first
    assert CallEvent.objects.count() == 1


def test_an_unknown_or_withheld_caller(exchange: Api, client_record: Client) -> None:
    unknown = exchange.post(
        EVENTS, {"call_id": "pbx-4", "event": "ringing", "caller_number": "+32 2 508 85 85"}
    ).json()
    assert (unknown["client"], unknown["clients"], unknown["open_cases"]) == (None, [], [])
    withheld = exchange.post(EVENTS, {"call_id": "pbx-5", "event": "ringing"}).json()
    assert withheld["call"]["caller_number"] == ""
    missed = exchange.post(EVENTS, {"call_id": "pbx-5", "event": "ended"}).json()
    assert missed["call"]["outcome"] == "missed"


def test_a_shared_number_lists_every_client_and_names_none(
    exchange: Api, client_record: Client
) -> None:
    other = client_create(actor=None, name="OCMW Gent, schuldbemiddeling", phones=["092669900"])
    case_register(actor=None, client=other, channel="phone", subject="Schulden")
    body = exchange.post(
        EVENTS, {"call_id": "pbx-6", "event": "ringing", "caller_number": "092669900"}
    ).json()
    assert body["client"] is None
    # The one who asked most recently first.
    assert [c["id"] for c in body["clients"]] == [other.pk, client_record.pk]


def test_open_cases_are_only_those_the_token_may_see(
    api_as: Callable[[User | None], Api],
    coordinator: User,
    agent: User,
    client_record: Client,
    question: Case,
) -> None:
    complaint = case_register(
        actor=None,
        client=client_record,
        channel="web",
        subject="Klacht",
        kind="complaint",
        owner=coordinator,
    )
    body = {"call_id": "pbx-7", "event": "ringing", "caller_number": "092669900"}
    as_coordinator = api_as(coordinator).post(EVENTS, body).json()
    assert {c["reference"] for c in as_coordinator["open_cases"]} == {
        question.reference,
        complaint.reference,
    }
    as_agent = api_as(agent).post(EVENTS, body | {"call_id": "pbx-8"}).json()
    assert [c["reference"] for c in as_agent["open_cases"]] == [question.reference]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"event": "ringing"}, 422, "call_id"),
        ({"call_id": "", "event": "ringing"}, 422, "call_id"),
        ({"call_id": "a b", "event": "ringing"}, 422, "call_id"),
        ({"call_id": "p", "event": "hold"}, 422, "event"),
        ({"call_id": "p", "event": "ringing", "caller_number": "12"}, 400, "caller_number"),
        ({"call_id": "p", "event": "ringing", "caller_number": "\x00"}, 422, "caller_number"),
        ({"call_id": "p", "event": "answered", "agent": "ghost"}, 400, "agent"),
        ({"call_id": "p", "event": "answered", "agent": "not a name"}, 422, "agent"),
        ({"call_id": "p", "event": "ringing", "outcome": "missed"}, 400, "outcome"),
        ({"call_id": "p", "event": "ended", "outcome": "lost"}, 422, "outcome"),
        ({"call_id": "p", "event": "ringing", "reference": "MI-2026-000001-92"}, 400, "reference"),
        ({"call_id": "p", "event": "ended", "reference": "MI-2026-000001-00"}, 400, "reference"),
        ({"call_id": "p", "event": "ended", "at": "2026-03-02T10:00:00"}, 422, "at"),
    ],
)
def test_bad_events_are_refused_naming_the_field(
    exchange: Api, body: dict[str, object], status: int, field: str
) -> None:
    response = exchange.post(EVENTS, body)
    assert response.status_code == status, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Call.objects.exists()
