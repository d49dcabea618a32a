"""Complain on the portal: a complaint case for the coordinator, and no probing of numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client as Browser
from django.test import override_settings

from loket.accounts.models import Team
from loket.cases.models import Case, Client
from loket.cases.services import case_register

from .conftest import at

pytestmark = pytest.mark.django_db
COMPLAIN = "/en/complain/"


@pytest.fixture(autouse=True)
def _monday(front_office: Team) -> Iterator[None]:
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        yield


def form(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Jan Peeters",
        "email": "jan.peeters@example.be",
        "phone": "",
        "earlier_reference": "",
        "complaint": "Ik kreeg nooit antwoord.",
        "website": "",
    }
    data.update(changes)
    return data


def test_a_complaint_is_registered_and_confirmed(client: Browser, front_office: Team) -> None:
    response = client.post("/fr/complain/", form())
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.kind == Case.Kind.COMPLAINT and case.language == "fr"
    assert case.team == front_office and case.owner is None
    page = client.get(response["Location"]).content.decode()
    assert case.reference in page
    assert case.due_at is not None and "30 mars 2026" in page  # 20 working days


def test_the_earlier_number_links_the_clients_own_case(client: Browser) -> None:
    client.post("/en/ask/", {"name": "Jan", "email": "jan.peeters@example.be", "question": "Q"})
    earlier = Case.objects.get()
    client.post(COMPLAIN, form(earlier_reference=earlier.reference.replace("-", " ")))
    complaint = Case.objects.get(kind=Case.Kind.COMPLAINT)
    assert complaint.related_case == earlier


def test_somebody_elses_number_gives_the_same_answer_and_no_link(
    client: Browser, client_record: Client
) -> None:
    theirs = case_register(actor=None, client=client_record, channel="email", subject="Vraag")
    client.post("/en/ask/", {"name": "Jan", "email": "jan.peeters@example.be", "question": "Q"})
    mine = Case.objects.get(client__emails__address="jan.peeters@example.be")
    about_theirs = client.post(COMPLAIN, form(earlier_reference=theirs.reference))
    about_mine = client.post(COMPLAIN, form(earlier_reference=mine.reference))
    assert about_theirs.status_code == about_mine.status_code == 302
    mains = []
    for response in (about_theirs, about_mine):
        page = client.get(response["Location"]).content.decode()
        main = page[page.index("<main") : page.index("</main>")]
        number = re.search(r'id="reference">([^<]+)<', main)
        assert number is not None
        mains.append(main.replace(number.group(1), "N"))
    assert mains[0] == mains[1]  # the page says nothing about whose number it was
    complaints = Case.objects.filter(kind=Case.Kind.COMPLAINT).order_by("pk")
    assert [c.related_case for c in complaints] == [None, mine]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("email", "jan", "Enter a valid email address."),
        ("phone", "123", "This is not a phone number."),
        ("earlier_reference", "MI-2026-000001-00", "one of its digits is mistyped"),
        ("earlier_reference", "hello", "This is not a registration number"),
        ("complaint", "", "This field is required."),
    ],
)
def test_each_invalid_field_is_named(client: Browser, field: str, value: str, message: str) -> None:
    response = client.post(COMPLAIN, form(**{field: value}))
    assert response.status_code == 400
    page = response.content.decode()
    errors = re.search(rf'id="id_{field}_error">(.*?)</ul>', page, re.S)
    assert errors is not None and message in errors.group(1)
    assert re.search(rf'<[^>]*aria-invalid="true"[^>]*id="id_{field}"', page)
    assert Case.objects.count() == 0


def test_the_honeypot_catches_robots(client: Browser) -> None:
    response = client.post(COMPLAIN, form(website="buy now"))
    assert response.status_code == 400
    assert Case.objects.count() == 0


@override_settings(LOKET_PORTAL_RATE_LIMITS={"complain-email": (1, 3600)})
def test_complaints_are_rate_limited(client: Browser) -> None:
    assert [client.post(COMPLAIN, form()).status_code for _ in range(2)] == [302, 429]
    assert Case.objects.count() == 1
