"""Follow a case on the portal: the same answer for every miss, rate limits, htmx fragment."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client as Browser
from django.test import override_settings

from loket.accounts.models import User
from loket.cases.models import Case, Client
from loket.cases.references import parse_reference
from loket.cases.services import case_answer, case_forward, case_note_add, case_register
from loket.deadlines.services import delay_notice_send

from .conftest import at

pytestmark = pytest.mark.django_db
FOLLOW = "/en/follow/"
EMAIL = "info@ocmw-gent.example.be"


@pytest.fixture
def case(client_record: Client) -> Case:
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        return case_register(
            actor=None, client=client_record, channel="email", subject="Leefloon", body="Vraag"
        )


def result_of(page: str) -> str:
    match = re.search(r'<section class="portal-result".*?</section>', page, re.S)
    assert match is not None, "no result shown"
    return match.group(0)


def test_the_form_takes_the_number_from_the_acknowledgements_link(
    client: Browser, case: Case
) -> None:
    page = client.get(f"{FOLLOW}?reference={case.reference}").content.decode()
    assert f'value="{case.reference}"' in page
    assert "portal-result" not in page


def test_the_number_and_address_show_the_status_and_dates(client: Browser, case: Case) -> None:
    response = client.post(FOLLOW, {"reference": case.reference, "email": EMAIL.upper()})
    assert response.status_code == 200
    result = result_of(response.content.decode())
    assert f"Your question {case.reference}" in result
    assert "Received: it is waiting to be handled." in result
    assert "March 2, 2026" in result  # date received
    assert "March 4, 2026" in result  # due
    assert "Answered on" not in result and "Delay notice" not in result


def test_nothing_internal_is_shown(client: Browser, case: Case, agent: User, expert: User) -> None:
    case_note_add(actor=agent, case=case, body="Geheime notitie over de klant")
    case_forward(actor=agent, case=case, note="Bekijk dit dossier", owner=expert)
    page = client.post(FOLLOW, {"reference": case.reference, "email": EMAIL}).content.decode()
    result = result_of(page)
    assert "Being handled by a specialist case handler." in result
    for secret in ("Geheime notitie", "Bekijk dit dossier", "Expert", "expert", "Agent"):
        assert secret not in page


def test_the_delay_notice_and_the_answer_are_shown(
    client: Browser, case: Case, agent: User
) -> None:
    with time_machine.travel(at("2026-03-03 11:00"), tick=False):
        delay_notice_send(
            actor=agent,
            case=case,
            reason="Wij wachten op uw OCMW.",
            new_due_date=dt.date(2026, 3, 11),
        )
    with time_machine.travel(at("2026-03-10 15:00"), tick=False):
        case_answer(actor=agent, case=case, body="Het antwoord.")
    page = client.post(
        "/nl/follow/", {"reference": case.reference, "email": EMAIL}
    ).content.decode()
    result = result_of(page)
    assert "Wij wachten op uw OCMW." in result
    assert "11 maart 2026" in result  # the new term
    assert "10 maart 2026" in result  # answered
    assert "Het antwoord." not in page  # the answer itself went by mail


def test_wrong_mistyped_and_other_peoples_numbers_get_the_same_answer(
    client: Browser, case: Case
) -> None:
    number = parse_reference(case.reference)
    unknown = str(type(number)(number.prefix, number.year, number.sequence + 7))
    mistyped = case.reference[:-2] + f"{number.check % 97 + 1:02d}"
    answers = []
    for reference, email in [
        (unknown, EMAIL),
        (mistyped, EMAIL),
        (case.reference, "someone.else@example.be"),
        ("nonsense", EMAIL),
    ]:
        response = client.post(FOLLOW, {"reference": reference, "email": email})
        answers.append((response.status_code, result_of(response.content.decode())))
    assert len(set(answers)) == 1
    status, result = answers[0]
    assert status == 200 and "Nothing found" in result and case.reference not in result


def test_empty_or_malformed_fields_are_form_errors(client: Browser) -> None:
    response = client.post(FOLLOW, {"reference": "", "email": "not-an-address"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_reference_error"' in page and 'id="id_email_error"' in page
    assert "portal-result" not in page


@override_settings(LOKET_PORTAL_RATE_LIMITS={"follow-ip": (3, 900)})
def test_attempts_from_one_address_are_limited(client: Browser, case: Case) -> None:
    wrong = {"reference": case.reference, "email": "guess@example.be"}
    assert [client.post(FOLLOW, wrong).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.post(FOLLOW, {"reference": case.reference, "email": EMAIL})
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many attempts" in page and "portal-result" not in page
    elsewhere = client.post(
        FOLLOW, {"reference": case.reference, "email": EMAIL}, REMOTE_ADDR="192.0.2.8"
    )
    assert elsewhere.status_code == 200


@override_settings(
    LOKET_PORTAL_RATE_LIMITS={"follow-ip": (100, 900), "follow-reference": (2, 3600)}
)
def test_guessing_the_address_of_a_known_number_from_many_addresses_is_limited(
    client: Browser, case: Case
) -> None:
    for n in range(2):
        response = client.post(
            FOLLOW,
            {"reference": case.reference, "email": f"guess{n}@example.be"},
            REMOTE_ADDR=f"198.51.100.{n}",
        )
        assert response.status_code == 200
    # However the number is typed, it is the same number.
    typed = case.reference.lower().replace("-", " ")
    refused = client.post(FOLLOW, {"reference": typed, "email": EMAIL}, REMOTE_ADDR="203.0.113.1")
    assert refused.status_code == 429


@override_settings(LOKET_PORTAL_RATE_LIMITS={"follow-reference": (2, 3600)})
def test_successful_lookups_do_not_use_up_the_numbers_attempts(client: Browser, case: Case) -> None:
    for _ in range(5):
        response = client.post(FOLLOW, {"reference": case.reference, "email": EMAIL})
        assert response.status_code == 200


def test_htmx_gets_only_the_lookup_fragment(client: Browser, case: Case) -> None:
    response = client.post(
        FOLLOW, {"reference": case.reference, "email": EMAIL}, headers={"HX-Request": "true"}
    )
    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.strip().startswith('<div id="lookup">')
    assert "<html" not in fragment and "<footer" not in fragment
    assert case.reference in result_of(fragment)
    invalid = client.post(FOLLOW, {"reference": ""}, headers={"HX-Request": "true"})
    assert invalid.status_code == 400
    assert invalid.content.decode().strip().startswith('<div id="lookup">')
