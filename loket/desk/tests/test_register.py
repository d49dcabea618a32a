"""Registering at the desk through HTTP: find the caller, register, answer on the spot; a
letter with its scan and date received; mistakes come back with their errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from loket.accounts.models import User
from loket.cases.models import Case, Client
from loket.cases.services import client_create

from .conftest import register

pytestmark = pytest.mark.django_db
REGISTER = "/en/desk/register/"
LOOKUP = "/en/desk/register/clients/"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def agent_browser(client: Browser, agent: User) -> Browser:
    client.force_login(agent)
    return client


def question(**values: object) -> dict[str, object]:
    return {
        "channel": "phone",
        "subject": "Leefloon student",
        "body": "Heeft een student recht op een leefloon?",
        "kind": "question",
        "take": "on",
        "new_language": "nl",
        **values,
    }


@pytest.mark.parametrize(
    "typed", ["09 266 99 00", "+32 9 266 99 00", "2669900", "ocmw gent", "info@ocmw-gent"]
)
def test_the_caller_is_found_by_phone_name_or_e_mail(
    agent_browser: Browser, client_record: Client, typed: str
) -> None:
    register(client_record, subject="Eerdere vraag over GPMI")
    fragment = agent_browser.get(LOOKUP, {"find": typed}, headers=HTMX).content.decode()
    assert fragment.lstrip().startswith('<div id="candidates"')
    assert f'value="{client_record.pk}"' in fragment and "Eerdere vraag over GPMI" in fragment


def test_without_javascript_find_is_a_button_of_the_form(
    agent_browser: Browser, client_record: Client
) -> None:
    response = agent_browser.post(REGISTER, {**question(), "find": "OCMW", "action": "find"})
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page
    assert f'value="{client_record.pk}"' in page and "This field is required" not in page
    assert 'value="Leefloon student"' in page  # what was typed stays
    assert not Case.objects.exists()
    redirected = agent_browser.get(LOOKUP, {"find": "OCMW"})
    assert redirected.status_code == 302 and redirected["Location"] == f"{REGISTER}?find=OCMW"


def test_nobody_found_says_so(agent_browser: Browser) -> None:
    fragment = agent_browser.get(LOOKUP, {"find": "Zzyzx"}, headers=HTMX).content.decode()
    assert "No client matches" in fragment


def test_a_phone_question_answered_during_the_call(
    agent_browser: Browser, client_record: Client, agent: User
) -> None:
    response = agent_browser.post(
        REGISTER,
        question(client=client_record.pk, answer="Nee, tenzij de studie een GPMI is."),
    )
    case = Case.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/en/desk/cases/{case.reference}/"
    )
    assert (case.client, case.channel, case.owner) == (client_record, "phone", agent)
    assert case.status == Case.Status.CLOSED
    page = agent_browser.get(response["Location"]).content.decode()
    assert f"Registered as {case.reference}" in page


def test_a_new_caller_and_a_question_still_to_answer(agent_browser: Browser) -> None:
    response = agent_browser.post(
        REGISTER,
        question(client="", new_name="Nadia Benali", new_language="fr", new_phone="0475 11 22 33"),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.client.name == "Nadia Benali" and case.language == "fr"
    assert case.status == Case.Status.IN_PROGRESS


def test_a_letter_with_its_scan_and_the_day_it_arrived(
    agent_browser: Browser, client_record: Client
) -> None:
    arrived = (timezone.localtime() - dt.timedelta(days=2)).replace(second=0, microsecond=0)
    scan = SimpleUploadedFile("brief.pdf", b"%PDF brief", "application/pdf")
    response = agent_browser.post(
        REGISTER,
        question(
            channel="post",
            client=client_record.pk,
            received_at=arrived.strftime("%Y-%m-%dT%H:%M"),
            scan=scan,
            take="",
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.received_at == arrived and case.owner is None
    attachment = case.messages.get().attachments.get()
    page = agent_browser.get(f"/en/desk/cases/{case.reference}/").content.decode()
    assert f"/en/desk/attachments/{attachment.pk}/" in page
    download = agent_browser.get(f"/en/desk/attachments/{attachment.pk}/")
    assert download["Content-Disposition"] == 'attachment; filename="brief.pdf"'
    assert b"".join(download.streaming_content) == b"%PDF brief"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "values,error",
    [
        ({"client": "", "new_name": ""}, "Choose a client from the list"),
        ({"subject": ""}, "This field is required."),
        ({"received_at": "2999-01-01T10:00"}, "The date received cannot be in the future."),
        ({"client": "", "new_name": "Jan", "new_phone": "12"}, "That is not a phone number"),
        ({"channel": "post", "answer": "Meteen beantwoord"}, "answered on the spot"),
    ],
)
def test_mistakes_come_back_with_their_errors(
    agent_browser: Browser, client_record: Client, values: dict[str, str], error: str
) -> None:
    response = agent_browser.post(REGISTER, question(**{"client": client_record.pk, **values}))
    assert response.status_code == 422
    assert error in response.content.decode()
    assert not Case.objects.exists()


def test_the_number_of_queries_does_not_grow_with_the_candidates(
    agent_browser: Browser, client_record: Client
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            agent_browser.get(LOOKUP, {"find": "Janssens"}, headers=HTMX)
        return len(captured)

    client_create(actor=None, name="An Janssens", phones=["0470 00 00 01"])
    few = queries()
    for n in range(8):
        other = client_create(actor=None, name=f"Jan Janssens {n}", emails=[f"j{n}@example.be"])
        for m in range(4):
            register(other, subject=f"Vraag {m}")
    assert queries() == few
