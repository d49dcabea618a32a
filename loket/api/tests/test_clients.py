"""/api/v1/clients: search by e-mail, phone or name; register; read; history."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import time_machine

from loket.accounts.models import User
from loket.cases.models import Case, Client, Event
from loket.cases.services import case_note_add, case_register, client_create

from .conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_as: Callable[[User | None], Api], agent: User, frozen: time_machine.Coordinates) -> Api:
    return api_as(agent)


def names(response: object) -> list[str]:
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    return [c["name"] for c in response.json()]  # type: ignore[attr-defined]


def test_search_by_email_phone_and_name(api: Api, client_record: Client) -> None:
    client_create(actor=None, name="OCMW Gentbrugge", phones=["+32 9 266 99 00"])
    client_create(actor=None, name="Jan Peeters", emails=["jan@example.be"])
    assert names(api.get("/api/v1/clients", email="INFO@ocmw-gent.example.be")) == ["OCMW Gent"]
    assert names(api.get("/api/v1/clients", phone="09/266.99.00")) == [
        "OCMW Gent",
        "OCMW Gentbrugge",
    ]
    assert names(api.get("/api/v1/clients", name="gent")) == ["OCMW Gent", "OCMW Gentbrugge"]
    assert names(api.get("/api/v1/clients", name="gent", email="jan@example.be")) == []
    assert names(api.get("/api/v1/clients", name="Gent", limit=1)) == ["OCMW Gent"]
    found = api.get("/api/v1/clients", email="info@ocmw-gent.example.be").json()[0]
    assert found["phones"] == ["+3292669900"] and found["city"] == "Gent"


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({}, 400, "name"),
        ({"name": "   "}, 400, "name"),
        ({"phone": "12"}, 422, "phone"),
        ({"email": "not-an-address"}, 422, "email"),
        ({"name": "x\x00"}, 422, "name"),
        ({"limit": 1000}, 422, "limit"),
    ],
)
def test_a_search_needs_something_to_search_for(
    api: Api, params: dict[str, object], status: int, field: str
) -> None:
    response = api.get("/api/v1/clients", **params)
    assert response.status_code == status
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_register_a_client(api: Api, agent: User) -> None:
    response = api.post(
        "/api/v1/clients",
        {
            "name": "  Maître Dupont ",
            "sector": "lawyer",
            "language": "fr",
            "emails": ["Dupont@Avocats.example.be"],
            "phones": ["0470 12 34 56"],
            "city": "Namur",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["emails"], body["phones"]) == (
        "Maître Dupont",
        ["dupont@avocats.example.be"],
        ["+32470123456"],
    )
    event = Event.objects.get(client_id=body["id"])
    assert event.kind == Event.Kind.CLIENT_CREATED and event.actor == agent


def test_read_a_client_and_a_missing_one(api: Api, client_record: Client) -> None:
    assert api.get(f"/api/v1/clients/{client_record.pk}").json()["name"] == "OCMW Gent"
    missing = api.get("/api/v1/clients/987654")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "There is no client with this id."
    assert api.get("/api/v1/clients/0").status_code == 422
    assert api.get("/api/v1/clients/abc").status_code == 422


def test_the_history_has_every_case_with_its_timeline_at_a_constant_cost(
    api: Api,
    client_record: Client,
    agent: User,
    frozen: time_machine.Coordinates,
    django_assert_num_queries: Callable[..., object],
) -> None:
    cases: list[Case] = []
    api.get("/api/v1/me")  # the token's last use is noted once (the clock stands still)
    for count in (1, 10):
        for n in range(count):
            case = case_register(actor=None, client=client_record, channel="email", subject=f"V{n}")
            case_note_add(actor=agent, case=case, body="Nagekeken")
            cases.append(case)
        # token + groups, the client with e-mails and phones (3), the visible cases,
        # and client_history's cases, messages and events
        with django_assert_num_queries(9):  # type: ignore[operator]
            history = api.get(f"/api/v1/clients/{client_record.pk}/history").json()
        assert len(history["cases"]) == len(cases)
    assert history["client"]["name"] == "OCMW Gent"
    newest = history["cases"][0]
    assert newest["reference"] == cases[-1].reference
    assert [e["type"] for e in newest["timeline"]] == ["event", "event", "message"]
