"""Schemathesis against the API's own OpenAPI document (/api/openapi.json), served by the
WSGI application: for every operation, generated valid and invalid requests must never get a
server error, and every answer must match the document (issue 6, "Proof").

Schemathesis' pytest loader (`schemathesis.pytest.from_fixture`) does not run under pytest 9
(it reads a private attribute pytest removed), so each operation's Hypothesis strategy is
driven here directly. Run with ``-s`` to see the summary."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import response_schema_conformance

from loket.accounts.models import Team, User
from loket.api.services import api_token_create
from loket.cases.models import Client
from loket.cases.services import case_register

pytestmark = pytest.mark.django_db
EXAMPLES = 60  # per operation, positive and negative together
SCHEMA = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())
OPERATIONS: list[APIOperation] = [result.ok() for result in SCHEMA.get_all_operations()]
# operation -> status code -> how many answers
ANSWERS: defaultdict[str, Counter[int]] = defaultdict(Counter)


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    """As Django's test client does: a request must not close the database connection that
    holds the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(coordinator: User) -> str:
    """A coordinator sees every case."""
    return api_token_create(actor=None, owner=coordinator, name="schemathesis").secret


@pytest.fixture
def existing(client_record: Client, back_office: Team) -> dict[str, object]:
    """Path parameters that exist, so that generated steps also reach real cases and
    clients, not only numbers whose check digits fail (as most generated ones do)."""
    case = case_register(actor=None, client=client_record, channel="email", subject="Vraag")
    return {"reference": case.reference, "client_id": client_record.pk}


@pytest.fixture(scope="module", autouse=True)
def summary() -> Iterator[None]:
    yield
    if not ANSWERS:
        return
    print("\nschemathesis: operation, examples (answers by status)")
    for label, statuses in sorted(ANSWERS.items()):
        shown = ", ".join(f"{code}: {count}" for code, count in sorted(statuses.items()))
        print(f"  {label}: {sum(statuses.values())} ({shown})")
    total = sum(sum(s.values()) for s in ANSWERS.values())
    print(f"  {len(ANSWERS)} operations, {total} examples, 0 failures")


def test_every_operation_of_the_document_is_covered() -> None:
    labels = {operation.label for operation in OPERATIONS}
    assert len(labels) == 18
    assert {"POST /api/v1/calls/events", "POST /api/v1/status", "GET /api/v1/cases"} <= labels


@pytest.mark.parametrize("operation", OPERATIONS, ids=[o.label for o in OPERATIONS])
def test_no_server_error_and_every_answer_matches_the_document(
    operation: APIOperation, token: str, existing: dict[str, object]
) -> None:
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    known = {p.name: existing[p.name] for p in operation.path_parameters if p.name in existing}
    if known:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known))
    if operation.label == "POST /api/v1/status":
        found = {"reference": existing["reference"], "email": "info@ocmw-gent.example.be"}
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, body=found))
    generated = st.one_of(*strategies)

    @given(case=generated)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case: schemathesis.Case) -> None:
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        ANSWERS[operation.label][response.status_code] += 1
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    call()
