from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from loket.accounts.models import Team, User
from loket.cases.models import Case, Channel, Client, Event, Message
from loket.cases.references import parse_reference
from loket.cases.services import (
    CaseError,
    case_answer,
    case_assign,
    case_close,
    case_forward,
    case_note_add,
    case_register,
    case_reopen,
    client_create,
)

pytestmark = pytest.mark.django_db


def register(client: Client, actor: User | None = None, **kwargs: object) -> Case:
    values: dict[str, object] = {
        "channel": Channel.EMAIL,
        "subject": "Berekening leefloon",
        "body": "Hoe berekenen we het leefloon?",
    }
    values.update(kwargs)
    return case_register(actor=actor, client=client, **values)  # type: ignore[arg-type]


def kinds(case: Case) -> list[str]:
    return list(Event.objects.filter(case=case).order_by("pk").values_list("kind", flat=True))


def test_client_create_normalises_addresses_and_phones(client_record: Client) -> None:
    assert list(client_record.emails.values_list("address", flat=True)) == [
        "info@ocmw-gent.example.be"
    ]
    assert list(client_record.phones.values_list("number", flat=True)) == ["+3292669900"]
    assert Event.objects.get(client=client_record).kind == Event.Kind.CLIENT_CREATED


@pytest.mark.parametrize(
    "bad", [{"emails": ["not-an-address"]}, {"phones": ["12"]}, {"name": "  "}]
)
def test_client_create_rejects_bad_input_and_keeps_nothing(bad: dict[str, object]) -> None:
    values: dict[str, object] = {"name": "Jan Janssens", "emails": [], "phones": []}
    values.update(bad)
    with pytest.raises(ValidationError):
        client_create(actor=None, **values)  # type: ignore[arg-type]
    assert not Client.objects.exists()


def test_register_records_client_receipt_subject_reference_message_and_event(
    client_record: Client, agent: User
) -> None:
    received = timezone.now() - dt.timedelta(days=2)
    case = register(client_record, agent, channel=Channel.POST, received_at=received)
    assert parse_reference(case.reference).year == timezone.localtime().year
    assert case.status == Case.Status.REGISTERED
    assert case.received_at == received and case.registered_at > received
    assert case.language == "nl"
    message = case.messages.get()
    assert (message.direction, message.channel, message.at) == ("in", "post", received)
    event = Event.objects.get(case=case)
    assert (event.kind, event.actor, event.data["reference"]) == (
        "case.registered",
        agent,
        case.reference,
    )


def test_register_hands_out_consecutive_numbers(client_record: Client) -> None:
    first, second = register(client_record), register(client_record)
    assert (
        parse_reference(second.reference).sequence == parse_reference(first.reference).sequence + 1
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"subject": "   "},
        {"channel": "pigeon"},
        {"kind": "wish"},
        {"received_at": dt.datetime(2026, 1, 5, 10, 0)},
        {"received_at": timezone.now() + dt.timedelta(days=1)},
    ],
)
def test_register_rejects_bad_input_with_a_clear_error(
    client_record: Client, bad: dict[str, object]
) -> None:
    with pytest.raises(ValidationError):
        register(client_record, **bad)
    assert not Case.objects.exists() and not Event.objects.filter(case__isnull=False).exists()


def test_assign_puts_the_case_in_progress(client_record: Client, agent: User) -> None:
    case = case_assign(actor=agent, case=register(client_record), owner=agent)
    assert (case.status, case.owner) == (Case.Status.IN_PROGRESS, agent)
    assert kinds(case) == ["case.registered", "case.assigned"]


def test_forward_then_back_office_answers_and_closes(
    client_record: Client, agent: User, expert: User, back_office: Team
) -> None:
    case = register(client_record, agent)
    case = case_forward(
        actor=agent, case=case, team=back_office, owner=expert, note="Graag nazicht"
    )
    assert (case.status, case.team, case.owner) == ("forwarded", back_office, expert)
    assert case.forwarded_at is not None
    assert case.messages.filter(direction="note", body="Graag nazicht").exists()
    case_answer(actor=expert, case=case, body="Het antwoord")
    case.refresh_from_db()
    assert case.answered_by_front_office is False
    case = case_close(actor=expert, case=case)
    assert case.closed_at is not None
    assert kinds(case) == ["case.registered", "case.forwarded", "case.answered", "case.closed"]


def test_forward_needs_a_destination_and_a_note(
    client_record: Client, agent: User, back_office: Team
) -> None:
    case = register(client_record)
    with pytest.raises(CaseError):
        case_forward(actor=agent, case=case, note="x")
    with pytest.raises(CaseError):
        case_forward(actor=agent, case=case, team=back_office, note=" ")


def test_first_answer_sets_answered_at_once_and_the_front_office_flag(
    client_record: Client, agent: User
) -> None:
    case = register(client_record)
    first = case_answer(actor=agent, case=case, body="Antwoord")
    case.refresh_from_db()
    answered_at = case.answered_at
    assert answered_at == first.at and case.answered_by_front_office is True
    assert (first.channel, first.recipient) == ("email", "info@ocmw-gent.example.be")
    case_answer(actor=agent, case=case, body="Aanvulling")
    case.refresh_from_db()
    assert case.answered_at == answered_at
    assert [e.data["first"] for e in Event.objects.filter(case=case, kind="case.answered")] == [
        True,
        False,
    ]


def test_post_is_answered_by_email_or_by_letter_without_an_address(
    client_record: Client, agent: User
) -> None:
    by_post = register(client_record, channel=Channel.POST)
    assert case_answer(actor=agent, case=by_post, body="Antwoord").channel == Channel.EMAIL
    no_email = client_create(actor=None, name="Jan Janssens", street="Kerkstraat 1", city="Gent")
    letter = register(no_email, channel=Channel.FAX)
    assert case_answer(actor=agent, case=letter, body="Antwoord").channel == Channel.POST
    phoned = register(no_email, channel=Channel.PHONE)
    assert (
        case_answer(actor=agent, case=phoned, body="Gezegd aan de telefoon").channel
        == Channel.PHONE
    )


def test_an_email_answer_needs_an_address(agent: User) -> None:
    nobody = client_create(actor=None, name="Anoniem")
    case = register(nobody, channel=Channel.WEB)
    with pytest.raises(CaseError):
        case_answer(actor=agent, case=case, body="Antwoord")
    assert not Event.objects.filter(case=case, kind="case.answered").exists()


def test_closed_case_can_only_be_reopened(client_record: Client, agent: User) -> None:
    case = case_close(actor=agent, case=register(client_record), reason="duplicate")
    with pytest.raises(CaseError):
        case_answer(actor=agent, case=case, body="Te laat")
    with pytest.raises(CaseError):
        case_close(actor=agent, case=case)
    case = case_reopen(actor=None, case=case, reason="De klant antwoordde")
    assert (case.status, case.closed_at) == (Case.Status.REOPENED, None)
    case_answer(actor=agent, case=case, body="Antwoord")
    assert kinds(case)[-2:] == ["case.reopened", "case.answered"]


def test_notes_are_internal_messages_with_an_event(client_record: Client, agent: User) -> None:
    case = register(client_record)
    note = case_note_add(actor=agent, case=case, body="Klant belde nog eens")
    assert note.direction == Message.Direction.NOTE
    assert kinds(case)[-1] == "case.note-added"
    with pytest.raises(CaseError):
        case_note_add(actor=agent, case=case, body="")


def test_events_are_append_only(client_record: Client) -> None:
    event = Event.objects.get(kind="client.created")
    event.data = {"changed": True}
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        Event.objects.filter(pk=event.pk).update(data={})


def test_an_email_answer_goes_out_threaded_to_the_question(
    client_record: Client, agent: User, django_capture_on_commit_callbacks: object
) -> None:
    from django.core import mail

    case = register(client_record, message_id="<vraag-1@ocmw-gent.example.be>")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        answer = case_answer(actor=agent, case=case, body="Het leefloon bedraagt ...")
    (sent,) = mail.outbox
    assert sent.to == ["info@ocmw-gent.example.be"]
    assert case.reference in sent.subject and "Het leefloon bedraagt" in sent.body
    assert sent.extra_headers["Message-ID"] == answer.message_id
    assert sent.extra_headers["In-Reply-To"] == "<vraag-1@ocmw-gent.example.be>"
    assert "<vraag-1@ocmw-gent.example.be>" in sent.extra_headers["References"]
    assert "Auto-Submitted" not in sent.extra_headers  # a person's answer, not a robot's


def test_a_phone_answer_sends_no_mail(
    client_record: Client, agent: User, django_capture_on_commit_callbacks: object
) -> None:
    from django.core import mail

    case = register(client_record, channel=Channel.PHONE)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        case_answer(actor=agent, case=case, body="Telefonisch beantwoord")
    assert mail.outbox == []


def test_topic_change_is_recorded_once(client_record: Client, agent: User) -> None:
    from loket.cases.models import Topic
    from loket.cases.services import case_topic_change

    topic = Topic.objects.create(
        code="leefloon", name_nl="Leefloon", name_fr="Revenu d'intégration"
    )
    case = register(client_record)
    case_topic_change(actor=agent, case=case, topic=topic)
    case_topic_change(actor=agent, case=case, topic=topic)
    case.refresh_from_db()
    assert case.topic == topic
    assert kinds(case).count("case.topic-changed") == 1
