"""POST /api/v1/status: the public lookup, with the portal's protections: one answer for
every miss, and limits per caller address and per registration number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client as Browser
from django.test import override_settings

from loket.accounts.models import User
from loket.cases.models import Case
from loket.cases.references import format_reference, parse_reference
from loket.cases.services import case_answer
from loket.deadlines.services import delay_notice_send

from .conftest import Api

pytestmark = pytest.mark.django_db
STATUS = "/api/v1/status"
EMAIL = "info@ocmw-gent.example.be"


@pytest.fixture
def public(api_as: Callable[[User | None], Api]) -> Api:
    return api_as(None)


def mistyped(reference: str) -> str:
    """Two neighbouring digits of the sequence swapped: the check digits catch it."""
    parsed = parse_reference(reference)
    digits = f"{parsed.sequence:06d}"
    swapped = digits[:-2] + digits[-1] + digits[-2]
    return f"{parsed.prefix}-{parsed.year}-{swapped}-{parsed.check:02d}"


def test_the_status_of_a_case(public: Api, question: Case) -> None:
    response = public.post(
        STATUS, {"reference": question.reference, "email": "Info@OCMW-Gent.example.be"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "reference": question.reference,
        "kind": "question",
        "status": "registered",
        "status_label": response.json()["status_label"],
        "received_at": "2026-03-02T09:00:00Z",
        "due_at": "2026-03-04T22:59:59Z",
        "delay_notice": None,
        "answered_at": None,
        "closed_at": None,
    }
    assert response.json()["status_label"]


def test_a_delay_notice_and_the_answer_show(
    public: Api, question: Case, agent: User, frozen: time_machine.Coordinates
) -> None:
    delay_notice_send(
        actor=agent,
        case=question,
        reason="Wij wachten op het OCMW.",
        new_due_date=dt.date(2026, 3, 10),
    )
    frozen.shift(dt.timedelta(days=2))
    case_answer(actor=agent, case=question, body="Hier is het antwoord.")
    body = public.post(STATUS, {"reference": question.reference, "email": EMAIL}).json()
    assert body["delay_notice"] == {
        "reason": "Wij wachten op het OCMW.",
        "new_due_at": "2026-03-10T22:59:59Z",
    }
    assert (body["status"], body["answered_at"]) == ("answered", "2026-03-04T09:00:00Z")


def test_every_miss_gets_one_and_the_same_answer(public: Api, question: Case) -> None:
    answers = [
        public.post(STATUS, {"reference": r, "email": e})
        for r, e in [
            (format_reference("MI", 2026, 999), EMAIL),  # a number nobody has
            (mistyped(question.reference), EMAIL),  # a typo in the right number
            (question.reference, "someone.else@example.be"),  # another address
            ("hello", EMAIL),  # not a number at all
        ]
    ]
    assert {a.status_code for a in answers} == {404}
    assert len({a.content for a in answers}) == 1


def test_an_address_that_is_no_address_is_a_400(public: Api, question: Case) -> None:
    response = public.post(STATUS, {"reference": question.reference, "email": "nope"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "email", "message": "That is not an e-mail address."}
    ]


@override_settings(LOKET_PORTAL_RATE_LIMITS={"follow-ip": (3, 900), "follow-reference": None})
def test_lookups_are_limited_per_caller_address(
    public: Api, question: Case, frozen: time_machine.Coordinates, client: Browser
) -> None:
    body = {"reference": question.reference, "email": EMAIL}
    assert [public.post(STATUS, body).status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = public.post(STATUS, body)
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 900
    assert refused.json()["detail"] == "Too many lookups; try again later."
    elsewhere = client.post(STATUS, body, content_type="application/json", REMOTE_ADDR="192.0.2.7")
    assert elsewhere.status_code == 200
    frozen.shift(dt.timedelta(minutes=15))
    assert public.post(STATUS, body).status_code == 200


@override_settings(LOKET_PORTAL_RATE_LIMITS={"follow-ip": None, "follow-reference": (2, 3600)})
def test_guessing_the_address_of_one_number_from_many_places_gets_nowhere(
    question: Case, client: Browser
) -> None:
    def attempt(address: str, email: str) -> int:
        body = {"reference": question.reference, "email": email}
        return client.post(
            STATUS, body, content_type="application/json", REMOTE_ADDR=address
        ).status_code

    assert attempt("192.0.2.1", "a@example.be") == 404
    assert attempt("192.0.2.2", "b@example.be") == 404
    assert attempt("192.0.2.3", EMAIL) == 429
