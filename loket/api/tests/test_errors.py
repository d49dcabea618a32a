"""Errors: one JSON shape, a 4xx for every bad input, and a 500 only for a real bug in loket,
which is logged with its traceback instead of being hidden behind a 4xx."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from loket.accounts.models import User
from loket.api.api import api as loket_api
from loket.api.errors import install_error_handlers
from loket.cases.models import Case, Client

from .conftest import Api

pytestmark = pytest.mark.django_db


def test_a_bug_is_a_logged_500_in_the_same_shape(caplog: pytest.LogCaptureFixture) -> None:
    """The catch-all handler does not turn bugs into 4xx: it logs them and says 500."""
    broken = NinjaAPI(urls_namespace="broken-test")
    install_error_handlers(broken)

    @broken.get("/divide")
    def divide(request: Any, by: int) -> dict[str, float]:
        return {"result": 1 / by}

    with caplog.at_level(logging.ERROR, logger="loket.api"):
        response = TestClient(broken).get("/divide?by=0")
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong in loket; it has been logged.",
        "errors": [],
    }
    [record] = caplog.records
    assert record.exc_info is not None and record.exc_info[0] is ZeroDivisionError
    assert "GET /divide" in record.getMessage()
    # Bad input to the same operation is the caller's problem: 422, naming the field.
    assert TestClient(broken).get("/divide?by=zero").json()["errors"][0]["field"] == "by"


NASTY_VALUES: list[Any] = [
    None,
    [],
    "text",
    12,
    {"subject": "\x00"},
    {"body": "\ud800\udfff\ud800"},
    {"reference": "M" * 10_000},
    {"call_id": "x" * 101, "event": "ringing"},
    {"client_id": -1, "channel": "email", "subject": "x"},
    {"client_id": 9_223_372_036_854_775_808, "channel": "email", "subject": "x"},
    {"received_at": "9999-12-31T23:59:59-14:00", "channel": "email", "subject": "x"},
    {"new_due_date": "0001-01-01", "reason": "x"},
    {"emails": ["a@b"] * 11, "name": "x"},
    {"a": {"b": {"c": {"d": [[[[[[[]]]]]]]}}}},
]
POSTS = [
    "/api/v1/cases",
    "/api/v1/clients",
    "/api/v1/calls/events",
    "/api/v1/status",
    "/api/v1/cases/{case}/replies",
    "/api/v1/cases/{case}/notes",
    "/api/v1/cases/{case}/forward",
    "/api/v1/cases/{case}/delay-notice",
    "/api/v1/cases/{case}/close",
]


@pytest.mark.parametrize("path", POSTS)
def test_nasty_bodies_are_4xx_never_5xx(
    api_as: Callable[[User | None], Api], agent: User, question: Case, path: str
) -> None:
    api = api_as(agent)
    url = path.format(case=question.reference)
    for value in NASTY_VALUES:
        response = api.browser.post(
            url, json.dumps(value), content_type="application/json", headers=api.headers
        )
        # Closing needs no field at all, so some of these close the case: never a 5xx.
        assert response.status_code < 500, (value, response.content)
        if path != "/api/v1/cases/{case}/close":
            assert response.status_code >= 400, (value, response.content)
            assert response.json()["detail"]
    as_form = api.browser.post(url, {"subject": "x"}, headers=api.headers)
    assert 400 <= as_form.status_code < 500


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/%00",
        "/api/v1/cases/MI-2026-%F0%9F%92%A9-00",
        "/api/v1/cases/" + "9" * 5000,
        "/api/v1/cases?status=%00",
        "/api/v1/cases?due_before=%FF%FE",
        "/api/v1/cases?client=99999999999999999999999",
        "/api/v1/cases?cursor=%00%00",
        "/api/v1/clients?name=%00",
        "/api/v1/clients?phone=%2B" + "9" * 39,
        "/api/v1/clients/99999999999999999999999",
        "/api/v1/clients/-1/history",
        "/api/v1/deadlines/calculate?policy=standard&received_at=0001-01-01T00:00:00%2B14:00",
        "/api/v1/nothing-here",
        "/api/v2/cases",
    ],
)
def test_nasty_addresses_are_4xx_never_5xx(
    api_as: Callable[[User | None], Api], agent: User, client_record: Client, url: str
) -> None:
    api = api_as(agent)
    response = api.browser.get(url, headers=api.headers)
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["detail"]


def test_an_unknown_address_under_api_answers_json(api_as: Callable[[User | None], Api]) -> None:
    response = api_as(None).post("/api/v1/tickets", {})
    assert response.status_code == 404
    assert response.json()["detail"] == "There is no such address in the API; see /api/docs."


def test_a_mistyped_number_in_the_address_names_the_reference(
    api_as: Callable[[User | None], Api], agent: User, question: Case
) -> None:
    response = api_as(agent).get("/api/v1/cases/MI-2026-000001-00")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reference"


def test_the_openapi_document_names_every_error_answer() -> None:
    document = loket_api.get_openapi_schema()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            codes = {str(code) for code in operation["responses"]}
            if path == "/api/v1/me":  # no parameters, no body: only the token can be wrong
                assert codes == {"200", "401"}
                continue
            assert {"400", "422"} <= codes, (method, path)
            if path != "/api/v1/status":
                assert {"401", "403"} <= codes, (method, path)
