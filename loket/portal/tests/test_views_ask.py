"""Ask a question on the portal: every path through the form, and POST-redirect-GET."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core import signing
from django.test import Client as Browser
from django.test import override_settings

from loket.accounts.models import Team
from loket.cases.models import Case, Topic
from loket.mail.models import OutboundMail
from loket.portal.models import Attachment, Submission
from loket.portal.uploads import MAX_FILE_SIZE
from loket.portal.views import CONFIRMATION_SALT

from .conftest import JPEG_BYTES, ODT_BYTES, PDF_BYTES, at, upload

pytestmark = pytest.mark.django_db
ASK = "/nl/ask/"


@pytest.fixture(autouse=True)
def _monday(front_office: Team) -> Iterator[None]:
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        yield


def form(topics: dict[str, Topic], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Jan Peeters",
        "email": "jan.peeters@example.be",
        "phone": "",
        "topic": str(topics["income"].pk),
        "question": "Vanaf wanneer heb ik recht op leefloon?",
        "website": "",
    }
    data.update(changes)
    return data


def field_error(page: str, field: str) -> str:
    """The error text shown for a field, checking that it is tied to the field."""
    box = re.search(rf"<(?:input|select|textarea)[^>]*id=\"id_{field}\"[^>]*>", page)
    assert box is not None, f"no input for {field}"
    assert 'aria-invalid="true"' in box.group(0)
    assert f"id_{field}_error" in box.group(0)  # aria-describedby names the error
    match = re.search(
        rf'<ul class="portal-field-errors" id="id_{field}_error">(.*?)</ul>', page, re.S
    )
    assert match is not None, f"no error shown for {field}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_the_form_lists_the_active_topics_in_the_pages_language(
    client: Browser, topics: dict[str, Topic]
) -> None:
    page = client.get("/fr/ask/").content.decode()
    assert "Revenu d&#x27;intégration" in page and "Aide médicale urgente" in page
    assert "Ancien sujet" not in page  # inactive
    assert page.index("Aide médicale urgente") < page.index("Revenu d&#x27;intégration")
    assert 'enctype="multipart/form-data"' in page
    assert 'accept=".pdf,.jpg,.jpeg,.png,.doc,.docx,.odt"' in page and " multiple " in page


def test_a_question_is_registered_and_the_confirmation_shows_number_and_term(
    client: Browser, topics: dict[str, Topic]
) -> None:
    response = client.post(ASK, form(topics, phone="02 508 85 85"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.language == "nl" and case.topic == topics["income"]
    assert case.client.language == "nl"
    confirmation = client.get(response["Location"])
    assert confirmation.status_code == 200
    page = confirmation.content.decode()
    assert case.reference in page
    assert "4 maart 2026" in page  # the term, in the page's language
    assert "Uw registratienummer:" in page
    assert f"/nl/follow/?reference={case.reference}" in page
    assert OutboundMail.objects.filter(case=case, kind="acknowledgement").count() == 1


def test_reloading_the_confirmation_registers_nothing_more(
    client: Browser, topics: dict[str, Topic]
) -> None:
    location = client.post(ASK, form(topics))["Location"]
    for _ in range(3):
        assert client.get(location).status_code == 200
    assert Case.objects.count() == 1


def test_the_pages_language_becomes_the_clients(client: Browser, topics: dict[str, Topic]) -> None:
    client.post("/de/ask/", form(topics))
    case = Case.objects.get()
    assert (case.language, case.client.language) == ("de", "de")
    assert Submission.objects.get(case=case).language == "de"
    ack = OutboundMail.objects.get(case=case, kind="acknowledgement")
    assert ack.language == "de"
    assert f"Ihre Frage wurde unter der Nummer {case.reference} registriert" in ack.subject


def test_files_are_attached(client: Browser, topics: dict[str, Topic]) -> None:
    files = [upload("attest.pdf", PDF_BYTES), upload("foto.jpg", JPEG_BYTES)]
    response = client.post(ASK, form(topics, attachments=files))
    assert response.status_code == 302
    assert sorted(Attachment.objects.values_list("name", flat=True)) == ["attest.pdf", "foto.jpg"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("email", "", "This field is required."),
        ("email", "jan.peeters@", "Enter a valid email address."),
        ("phone", "twaalf", "This is not a phone number."),
        ("topic", "", "This field is required."),
        ("topic", "999999", "Select a valid choice."),
        ("question", "", "This field is required."),
        ("question", "x" * 10_001, "Ensure this value has at most 10000 characters"),
    ],
)
def test_each_invalid_field_is_named_and_nothing_is_registered(
    client: Browser, topics: dict[str, Topic], field: str, value: str, message: str
) -> None:
    response = client.post("/en/ask/", form(topics, **{field: value}))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in field_error(page, field)
    assert 'role="alert"' in page and f'href="#id_{field}"' in page  # the summary links it
    assert "Jan Peeters" in page or field == "name"  # what was typed stays
    assert Case.objects.count() == 0


def test_an_inactive_topic_cannot_be_chosen(client: Browser, topics: dict[str, Topic]) -> None:
    response = client.post("/en/ask/", form(topics, topic=str(topics["retired"].pk)))
    assert response.status_code == 400
    assert "Select a valid choice." in field_error(response.content.decode(), "topic")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([upload("programma.exe", b"MZ" + b"\x00" * 50)], "programma.exe cannot be attached"),
        ([upload("foto.pdf", JPEG_BYTES)], "foto.pdf cannot be attached"),
        ([upload(f"brief{n}.odt", ODT_BYTES) for n in range(6)], "Attach at most 5 files."),
        (
            [upload("groot.pdf", b"%PDF-" + b"0" * (MAX_FILE_SIZE - 4))],
            "groot.pdf is larger than 10 MB.",
        ),
        ([upload("leeg.pdf", b"")], "The submitted file is empty."),
    ],
)
def test_attachments_of_the_wrong_kind_size_or_number_are_refused(
    client: Browser, topics: dict[str, Topic], files: list[Any], message: str
) -> None:
    response = client.post("/en/ask/", form(topics, attachments=files))
    assert response.status_code == 400
    assert message in field_error(response.content.decode(), "attachments")
    assert Case.objects.count() == 0 and Attachment.objects.count() == 0


def test_without_any_topic_the_question_still_gets_through(client: Browser) -> None:
    data = {"name": "Jan", "email": "jan@example.be", "question": "Een vraag", "website": ""}
    assert client.post(ASK, data).status_code == 302
    assert Case.objects.get().topic is None


def test_the_honeypot_catches_robots(client: Browser, topics: dict[str, Topic]) -> None:
    response = client.post(ASK, form(topics, website="https://spam.example"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "een veld dat automatische spam moet tegenhouden, ingevuld was" in page  # /nl/
    assert "https://spam.example" not in page  # rendered empty, so a person can send again
    assert Case.objects.count() == 0 and OutboundMail.objects.count() == 0


@override_settings(LOKET_PORTAL_RATE_LIMITS={"ask-email": (2, 3600), "ask-ip": (100, 3600)})
def test_one_address_can_send_only_so_many_questions(
    client: Browser, topics: dict[str, Topic]
) -> None:
    assert [client.post(ASK, form(topics)).status_code for _ in range(3)] == [302, 302, 429]
    refused = client.post(ASK, form(topics, email="JAN.PEETERS@example.be"))
    assert refused.status_code == 429
    assert "Probeer het over een uur opnieuw" in refused.content.decode()  # /nl/
    assert "Vanaf wanneer heb ik recht op leefloon?" in refused.content.decode()  # kept
    assert Case.objects.count() == 2
    other = client.post(ASK, form(topics, email="an@example.be"))
    assert other.status_code == 302


@override_settings(LOKET_PORTAL_RATE_LIMITS={"ask-ip": (2, 3600)})
def test_one_visitor_can_send_only_so_many_questions(
    client: Browser, topics: dict[str, Topic]
) -> None:
    codes = [client.post(ASK, form(topics, email=f"p{n}@example.be")).status_code for n in range(3)]
    assert codes == [302, 302, 429]
    elsewhere = client.post(ASK, form(topics, email="p9@example.be"), REMOTE_ADDR="192.0.2.77")
    assert elsewhere.status_code == 302
    assert Case.objects.count() == 3


def test_a_forged_or_expired_confirmation_link_shows_no_case(
    client: Browser, topics: dict[str, Topic]
) -> None:
    location = client.post(ASK, form(topics))["Location"]
    case = Case.objects.get()
    forged = f"/nl/sent/{signing.dumps(case.pk, salt='other')}/"
    for url in (forged, "/nl/sent/not-a-token/"):
        response = client.get(url)
        assert response.status_code == 404
        assert case.reference not in response.content.decode()
        assert "Deze bevestigingspagina is verlopen" in response.content.decode()  # /nl/
    with time_machine.travel(at("2026-03-03 10:01"), tick=False):
        expired = client.get(location)
    assert expired.status_code == 404 and case.reference not in expired.content.decode()
    sent = Submission.objects.get(case=case)
    assert signing.loads(location.split("/")[-2], salt=CONFIRMATION_SALT) == sent.pk


def test_the_ask_page_carries_no_inline_script(client: Browser) -> None:
    response = client.get(ASK)
    page = response.content.decode()
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts and all(" src=" in tag and "nonce=" in tag for tag in scripts)
    assert "style=" not in page
