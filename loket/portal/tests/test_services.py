"""A question or a complaint from the portal: one registration with everything it needs."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from loket.accounts.models import Team, User
from loket.cases.access import visible_cases
from loket.cases.models import Case, Client, ClientEmail, Event, Message, Topic
from loket.cases.services import case_register
from loket.mail.models import OutboundMail
from loket.portal import services
from loket.portal.models import Attachment, Submission
from loket.portal.registration import subject_from
from loket.portal.services import portal_complaint_submit, portal_question_submit

from .conftest import DOCX_BYTES, PDF_BYTES, PNG_BYTES, at, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday() -> object:
    with time_machine.travel(at("2026-03-02 10:00"), tick=False) as traveller:
        yield traveller


def registered(submission: Submission) -> Case:
    """The case the worker registered from the form (the test settings run tasks at once)."""
    case = Submission.objects.select_related("case").get(pk=submission.pk).case
    assert case is not None
    return case


def complain(**values: object) -> Case:
    return registered(portal_complaint_submit(**values))  # type: ignore[arg-type]


def ask(**overrides: object) -> Case:
    values: dict[str, object] = {
        "name": "Jan Peeters",
        "email": "Jan.Peeters@example.be",
        "phone": "0470 12 34 56",
        "topic": None,
        "question": "Vanaf wanneer heb ik recht op leefloon?\nIk ben 18 geworden.",
        "language": "nl",
    }
    values.update(overrides)
    return registered(portal_question_submit(**values))  # type: ignore[arg-type]


def test_a_question_is_registered_for_the_front_office_in_the_pages_language(
    monday: object, front_office: Team, topics: dict[str, Topic]
) -> None:
    case = ask(topic=topics["income"], language="fr")

    assert case.channel == "web" and case.kind == Case.Kind.QUESTION
    assert case.language == "fr" and case.topic == topics["income"]
    assert case.team == front_office and case.owner is None
    assert case.status == Case.Status.REGISTERED
    assert case.subject == "Vanaf wanneer heb ik recht op leefloon?"
    assert case.received_at == at("2026-03-02 10:00")
    assert case.due_at == at("2026-03-04 23:59:59")  # 2 working days (charter rule 4)
    client = case.client
    assert client.name == "Jan Peeters" and client.language == "fr"
    assert list(client.emails.values_list("address", flat=True)) == ["jan.peeters@example.be"]
    assert list(client.phones.values_list("number", flat=True)) == ["+32470123456"]
    message = Message.objects.get(case=case)
    assert message.direction == Message.Direction.INBOUND and message.channel == "web"
    assert message.body == "Vanaf wanneer heb ik recht op leefloon?\nIk ben 18 geworden."
    assert message.sender == "Jan Peeters <jan.peeters@example.be>"
    submission = Submission.objects.get(case=case)
    assert (submission.form, submission.name, submission.email, submission.phone) == (
        "question",
        "Jan Peeters",
        "jan.peeters@example.be",
        "+32470123456",
    )
    assert submission.language == "fr"
    assert Event.objects.filter(case=case, kind=Event.Kind.CASE_REGISTERED).count() == 1


def test_the_acknowledgement_is_queued_with_the_number_and_the_term(
    monday: object, front_office: Team
) -> None:
    case = ask(language="nl")
    mail = OutboundMail.objects.get(case=case, kind="acknowledgement")
    assert mail.to == ["jan.peeters@example.be"] and mail.language == "nl"
    assert case.reference in mail.subject
    assert mail.headers["Auto-Submitted"] == "auto-generated"
    assert "4 maart 2026" in mail.text  # the term, in the client's language
    assert f"/nl/follow/?reference={case.reference}" in mail.text


def test_a_known_address_finds_the_client_and_changes_nothing_on_the_record(
    monday: object, front_office: Team, client_record: Client
) -> None:
    case = ask(name="Iemand Anders", email="INFO@ocmw-gent.example.be", phone="0499 99 99 99")
    assert case.client == client_record
    client_record.refresh_from_db()
    assert client_record.name == "OCMW Gent"
    assert list(client_record.phones.values_list("number", flat=True)) == ["+3292669900"]
    # What the person typed is kept with the case, for the desk to see.
    submission = Submission.objects.get(case=case)
    assert (submission.name, submission.phone) == ("Iemand Anders", "+32499999999")
    assert Client.objects.count() == 1


def test_attachments_are_stored_with_their_kind_size_and_digest(
    monday: object, front_office: Team
) -> None:
    files = [
        upload("Attest OCMW.pdf", PDF_BYTES),
        upload("../../etc/scan.png", PNG_BYTES),
        upload("brief.docx", DOCX_BYTES),
    ]
    case = ask(attachments=files)
    message = Message.objects.get(case=case)
    stored = list(Attachment.objects.filter(message=message).order_by("pk"))
    assert [(a.name, a.content_type, a.size) for a in stored] == [
        ("Attest OCMW.pdf", "application/pdf", len(PDF_BYTES)),
        ("scan.png", "image/png", len(PNG_BYTES)),
        (
            "brief.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            len(DOCX_BYTES),
        ),
    ]
    for attachment, content in zip(stored, (PDF_BYTES, PNG_BYTES, DOCX_BYTES), strict=True):
        assert attachment.file.name.startswith("portal/2026/03/")
        assert ".." not in attachment.file.name and "Attest" not in attachment.file.name
        with attachment.file.open("rb") as handle:
            assert handle.read() == content
        assert len(attachment.sha256) == 64


def test_a_refused_file_registers_nothing(monday: object, front_office: Team) -> None:
    with pytest.raises(ValidationError):
        ask(attachments=[upload("brief.pdf", PDF_BYTES), upload("virus.pdf", b"MZ" * 40)])
    assert Case.objects.count() == 0 and Attachment.objects.count() == 0
    assert OutboundMail.objects.count() == 0


def test_files_stored_for_a_form_that_is_not_kept_are_removed(
    monday: object, front_office: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_queue(*args: object, **kwargs: object) -> None:
        raise IntegrityError("the task queue is unavailable")

    # The last step of the form's transaction fails.
    monkeypatch.setattr(services, "_register_later", broken_queue)
    saved: list[str] = []
    original = default_storage.save

    def remember(name: str, content: object, **kwargs: object) -> str:
        path = original(name, content, **kwargs)  # type: ignore[arg-type]
        saved.append(path)
        return path

    monkeypatch.setattr(default_storage, "save", remember)
    with pytest.raises(IntegrityError):
        ask(attachments=[upload("brief.pdf", PDF_BYTES)])
    assert saved and not any(default_storage.exists(path) for path in saved)
    assert Case.objects.count() == 0 and Submission.objects.count() == 0


def test_the_sender_keeps_the_name_readable(monday: object, front_office: Team) -> None:
    case = ask(name='Zoë Dubois, OCMW "Gent"')
    assert (
        Message.objects.get(case=case).sender
        == '"Zoë Dubois, OCMW \\"Gent\\"" <jan.peeters@example.be>'
    )


def test_a_bad_phone_number_or_address_is_a_clear_error(front_office: Team) -> None:
    with pytest.raises(ValidationError):
        ask(phone="twaalf")
    with pytest.raises(ValidationError):
        ask(email="not-an-address")
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("\n\n  Een vraag   over   leefloon \nmeer tekst", "Een vraag over leefloon"),
        ("x" * 300, "x" * 119 + "…"),
    ],
)
def test_the_subject_is_the_first_line(text: str, subject: str) -> None:
    assert subject_from(text) == subject


# --- complaints --------------------------------------------------------------------------


def test_a_complaint_goes_to_the_coordinator_under_its_own_term(
    monday: object,
    front_office: Team,
    coordinator: User,
    agent: User,
    expert: User,
    manager: User,
) -> None:
    case = complain(
        name="Jan Peeters",
        email="jan.peeters@example.be",
        complaint="Ik kreeg nooit antwoord.",
        language="nl",
    )
    assert case.kind == Case.Kind.COMPLAINT and case.channel == "web"
    assert case.policy is not None and case.policy.code == "complaint"
    assert case.owner is None and case.team == front_office
    assert case.due_at is not None and case.due_at > at("2026-03-20 00:00")  # 20 working days
    assert case.related_case is None
    assert Submission.objects.get(case=case).form == "complaint"
    assert OutboundMail.objects.filter(case=case, kind="acknowledgement").count() == 1
    # Charter rule 11: the coordinator (and who sees everything) sees it; agents do not.
    assert visible_cases(coordinator).filter(pk=case.pk).exists()
    assert visible_cases(manager).filter(pk=case.pk).exists()
    assert not visible_cases(agent).filter(pk=case.pk).exists()
    assert not visible_cases(expert).filter(pk=case.pk).exists()


def test_the_earlier_number_is_linked_when_it_is_the_clients_own(
    monday: object, front_office: Team
) -> None:
    earlier = ask()
    typed = earlier.reference.lower().replace("-", " ")
    case = complain(
        name="Jan",
        email="jan.peeters@example.be",
        complaint="Het antwoord klopte niet.",
        earlier_reference=typed,
        language="nl",
    )
    assert case.related_case == earlier
    body = Message.objects.get(case=case).body
    assert body.startswith("Het antwoord klopte niet.")
    assert earlier.reference in body
    assert Submission.objects.get(case=case).earlier_reference == earlier.reference


def test_somebody_elses_number_is_quoted_but_not_linked(
    monday: object, front_office: Team, client_record: Client
) -> None:
    theirs = case_register(actor=None, client=client_record, channel="email", subject="Vraag")
    case = complain(
        name="Jan",
        email="jan.peeters@example.be",
        complaint="Klacht.",
        earlier_reference=theirs.reference,
        language="fr",
    )
    assert case.related_case is None
    assert theirs.reference in Message.objects.get(case=case).body
    assert ClientEmail.objects.filter(address="jan.peeters@example.be").count() == 1


def test_a_mistyped_earlier_number_is_refused(front_office: Team) -> None:
    with pytest.raises(ValidationError):
        complain(
            name="Jan",
            email="jan@example.be",
            complaint="Klacht.",
            earlier_reference="MI-2026-000001-00",
            language="nl",
        )
    assert Case.objects.count() == 0


def test_stored_files_live_under_the_media_root(monday: object, front_office: Team) -> None:
    case = ask(attachments=[upload("brief.pdf", PDF_BYTES)])
    attachment = Attachment.objects.get(message__case=case)
    assert Path(default_storage.path(attachment.file.name)).is_file()


def test_the_number_of_queries_does_not_grow_with_the_files(
    monday: object, front_office: Team
) -> None:
    ask(email="warm@example.be")  # the calendar and policy caches are filled
    counts = []
    for n, files in enumerate(
        ([upload("a.pdf", PDF_BYTES)], [upload(f"{k}.pdf", PDF_BYTES) for k in range(5)])
    ):
        with CaptureQueriesContext(connection) as queries:
            ask(email=f"person{n}@example.be", attachments=files)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert Attachment.objects.count() == 6
