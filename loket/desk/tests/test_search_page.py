"""Search from the desk: a registration number opens its case, a mistyped one says so, other
words find clients and cases."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext

from loket.accounts.models import User
from loket.cases.models import Case, Client
from loket.cases.references import format_reference, parse_reference
from loket.cases.services import client_create

from .conftest import register

pytestmark = pytest.mark.django_db
SEARCH = "/en/desk/search/"


@pytest.fixture
def agent_browser(client: Browser, agent: User) -> Browser:
    client.force_login(agent)
    return client


def test_a_registration_number_goes_straight_to_its_case(
    agent_browser: Browser, question: Case
) -> None:
    typed = question.reference.lower().replace("-", " ")
    response = agent_browser.get(SEARCH, {"q": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/en/desk/cases/{question.reference}/"


def test_a_mistyped_number_says_so_and_finds_nothing(
    agent_browser: Browser, question: Case
) -> None:
    reference = parse_reference(question.reference)
    digits = f"{reference.sequence:06d}"
    swapped = f"{digits[:-2]}{digits[-1]}{digits[-2]}"  # two neighbouring digits swapped
    typed = f"{reference.prefix}-{reference.year}-{swapped}-{reference.check:02d}"
    page = agent_browser.get(SEARCH, {"q": typed}).content.decode()
    assert "is not a valid registration number" in page and 'role="alert"' in page
    nobody = format_reference("MI", 2026, 999999)
    unknown = agent_browser.get(SEARCH, {"q": nobody}).content.decode()
    assert f"No case you can see has registration number {nobody}." in unknown


def test_someone_else_s_case_number_is_not_revealed(
    agent_browser: Browser, complaint: Case
) -> None:
    page = agent_browser.get(SEARCH, {"q": complaint.reference}).content.decode()
    assert "No case you can see has registration number" in page


def test_words_find_clients_and_cases(
    agent_browser: Browser, client_record: Client, question: Case
) -> None:
    register(client_record, subject="Stookoliefonds", body="Bewijs van inkomen, gent")
    page = agent_browser.get(SEARCH, {"q": "gent"}).content.decode()
    assert f"/en/desk/clients/{client_record.pk}/" in page
    assert "Stookoliefonds" in page
    page = agent_browser.get(SEARCH, {"q": "samenwonende"}).content.decode()
    assert question.reference in page and "Stookoliefonds" not in page
    nothing = agent_browser.get(SEARCH, {"q": "zzyzx"}).content.decode()
    assert "No case contains these words." in nothing and "No client found." in nothing
    fragment = agent_browser.get(SEARCH, {"q": "gent"}, headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="results"')


def test_an_empty_search_is_just_the_form(agent_browser: Browser) -> None:
    assert agent_browser.get(SEARCH).status_code == 200
    assert agent_browser.get(SEARCH, {"q": ""}).status_code == 400


def test_the_number_of_queries_does_not_grow_with_the_results(
    agent_browser: Browser, client_record: Client
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert agent_browser.get(SEARCH, {"q": "leefloon"}).status_code == 200
        return len(captured)

    register(client_record)
    client_create(actor=None, name="Leefloon vzw", phones=["02 508 85 85"])
    few = queries()
    for n in range(20):
        register(client_record, subject=f"Leefloon {n}")
        client_create(actor=None, name=f"Leefloon vzw {n}", emails=[f"v{n}@example.be"])
    assert queries() == few


def test_the_client_page_shows_every_question_with_its_messages(
    agent_browser: Browser, client_record: Client, question: Case, complaint: Case
) -> None:
    page = agent_browser.get(f"/en/desk/clients/{client_record.pk}/").content.decode()
    assert question.reference in page and "samenwonende" in page
    assert complaint.reference not in page  # not the agent's to see
    assert f"/en/desk/register/?client={client_record.pk}" in page
