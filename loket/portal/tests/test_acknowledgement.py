"""The acknowledgement of receipt (charter rule 2): number, date received, term and the way
to follow the case, in the client's language; sent through the outbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail

from loket.cases.models import Case, Client
from loket.cases.services import case_register, client_create
from loket.mail.emails import acknowledgement_email

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monday() -> Iterator[None]:
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        yield


def register(client: Client, **extra: Any) -> Case:
    values: dict[str, Any] = {"channel": "web", "subject": "Leefloon & GPMI", "body": "Vraag"}
    values.update(extra)
    return case_register(actor=None, client=client, **values)


@pytest.mark.parametrize(
    ("language", "date", "path"),
    [("nl", "4 maart 2026", "/nl/follow/"), ("fr", "4 mars 2026", "/fr/follow/")],
)
def test_it_says_the_number_the_term_and_where_to_follow_in_the_clients_language(
    client_record: Client,
    language: str,
    date: str,
    path: str,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    case = register(client_record, language=language)
    with django_capture_on_commit_callbacks(execute=True):
        outbound = acknowledgement_email(case)
    assert outbound is not None and outbound.language == language
    assert outbound.to == ["info@ocmw-gent.example.be"]
    [sent] = mail.outbox
    assert case.reference in sent.subject
    registered = {
        "nl": "Uw vraag is geregistreerd onder nummer",
        "fr": "Votre question est enregistrée sous le numéro",
    }
    assert sent.subject.startswith(f"{registered[language]} {case.reference}")
    assert date in sent.body
    assert f"{path}?reference={case.reference}" in sent.body
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    html = sent.alternatives[0].content  # type: ignore[union-attr]
    assert f'href="http://127.0.0.1:8000{path}?reference={case.reference}"' in str(html)


def test_plain_text_is_not_html_escaped(client_record: Client) -> None:
    case = register(client_record, subject="Vraag & antwoord")
    outbound = acknowledgement_email(case)
    assert outbound is not None
    assert "&amp;" not in outbound.subject + outbound.text


def test_a_complaint_is_acknowledged_as_a_complaint(client_record: Client) -> None:
    case = register(client_record, kind=Case.Kind.COMPLAINT, language="en")
    outbound = acknowledgement_email(case)
    assert outbound is not None
    assert outbound.subject == f"Your complaint is registered under number {case.reference}"
    assert "We received your complaint" in outbound.text


def test_it_goes_to_the_sender_of_the_question_first(client_record: Client) -> None:
    case = register(client_record, sender="Jan Peeters <jan@ocmw-gent.example.be>")
    outbound = acknowledgement_email(case)
    assert outbound is not None and outbound.to == ["jan@ocmw-gent.example.be"]
    assert acknowledgement_email(case, to="other@example.be").to == ["other@example.be"]  # type: ignore[union-attr]


def test_nobody_to_write_to_means_no_mail() -> None:
    caller = client_create(actor=None, name="Beller", phones=["02 508 85 85"])
    case = register(caller, channel="phone", sender="")
    assert acknowledgement_email(case) is None
