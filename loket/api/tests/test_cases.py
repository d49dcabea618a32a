"""/api/v1/cases: registering on any channel, reading with the timeline, the steps of a case,
and the errors a caller gets for bad input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine

from loket.accounts.models import Team, User
from loket.cases.models import Case, Client, Event, Message, Topic
from loket.cases.references import format_reference
from loket.mail.models import OutboundMail

from .conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_as: Callable[[User | None], Api], agent: User, frozen: time_machine.Coordinates) -> Api:
    return api_as(agent)


def fields(response: object) -> list[str | None]:
    return [e["field"] for e in response.json()["errors"]]  # type: ignore[attr-defined]


# --- registering ------------------------------------------------------------------------------


def test_register_a_phone_question_for_a_known_client(
    api: Api, client_record: Client, agent: User
) -> None:
    response = api.post(
        "/api/v1/cases",
        {
            "client_id": client_record.pk,
            "channel": "phone",
            "subject": "Leefloon voor een student",
            "body": "Mag een student leefloon krijgen?",
        },
    )
    assert response.status_code == 201, response.content
    case = response.json()
    stored = Case.objects.get(reference=case["reference"])
    assert stored.client == client_record and stored.channel == "phone"
    assert case["status"] == "registered" and case["language"] == "nl"
    # Received on Monday 2 March at ten: due at the end of Wednesday (charter rule 4).
    assert case["due_at"] == "2026-03-04T22:59:59Z"
    assert case["policy"] == "standard"
    assert [(e["type"], (e["event"] or e["message"])["id"]) for e in case["timeline"]] == [
        ("event", Event.objects.get(case=stored).pk),
        ("message", Message.objects.get(case=stored).pk),
    ]
    assert case["timeline"][0]["event"]["actor"] == "agent"


def test_register_with_a_new_client_a_topic_an_owner_and_a_related_case(
    api: Api, question: Case, expert: User, back_office: Team
) -> None:
    topic = Topic.objects.create(code="leefloon", name_nl="Leefloon", name_fr="Revenu")
    response = api.post(
        "/api/v1/cases",
        {
            "client": {
                "name": "CPAS de Liège",
                "kind": "organisation",
                "sector": "welfare-centre",
                "language": "fr",
                "emails": ["Info@CPAS-Liege.example.be"],
                "phones": ["04 220 58 11"],
            },
            "channel": "post",
            "kind": "competence-conflict",
            "subject": "Conflit de compétence",
            "topic": "leefloon",
            "owner": "expert",
            "team": "integration",
            "received_at": "2026-02-27T09:00:00+01:00",
            "related_case": question.reference.lower().replace("-", " "),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    client = Client.objects.get(name="CPAS de Liège")
    assert body["client"] == {"id": client.pk, "name": "CPAS de Liège"}
    assert list(client.emails.values_list("address", flat=True)) == ["info@cpas-liege.example.be"]
    assert list(client.phones.values_list("number", flat=True)) == ["+3242205811"]
    assert (body["language"], body["topic"], body["owner"], body["team"]) == (
        "fr",
        topic.code,
        "expert",
        "integration",
    )
    assert body["status"] == "in-progress" and body["related_case"] == question.reference
    # A competence conflict: 5 legal working days from Friday 27 February.
    assert body["policy"] == "competence-conflict"
    assert body["due_at"] == "2026-03-06T22:59:59Z"


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"client": {"name": "Jan"}}, 400, "client_id"),  # both a client id and a new client
        ({"client_id": None}, 400, "client_id"),  # neither
        ({"client_id": 999999}, 400, "client_id"),
        ({"client_id": 0}, 422, "client_id"),
        ({"client_id": 2**70}, 422, "client_id"),
        ({"topic": "no-such-topic"}, 400, "topic"),
        ({"owner": "nobody-here"}, 400, "owner"),
        ({"team": "no-team"}, 400, "team"),
        ({"related_case": "MI-2026-000001-00"}, 400, "related_case"),
        ({"received_at": "2026-03-09T10:00:00+01:00"}, 400, "received_at"),
        ({"received_at": "2026-03-02T10:00:00"}, 422, "received_at"),
        ({"received_at": "0001-01-01T00:00:00+14:00"}, 422, "received_at"),
        ({"subject": "   "}, 422, "subject"),
        ({"subject": "a\x00b"}, 422, "subject"),
        ({"subject": "x" * 301}, 422, "subject"),
        ({"body": "\ud800"}, 422, "body"),
        ({"channel": "pigeon"}, 422, "channel"),
        ({"kind": "praise"}, 422, "kind"),
        ({"language": "es"}, 422, "language"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_kept(
    api: Api, client_record: Client, change: dict[str, object], status: int, field: str
) -> None:
    before = (Case.objects.count(), Client.objects.count())
    body = {"client_id": client_record.pk, "channel": "email", "subject": "Vraag"} | change
    response = api.post("/api/v1/cases", body)
    assert response.status_code == status, response.content
    assert field in fields(response)
    assert (Case.objects.count(), Client.objects.count()) == before


def test_a_new_client_with_a_bad_address_names_the_nested_field(api: Api) -> None:
    response = api.post(
        "/api/v1/cases",
        {"client": {"name": "Jan", "emails": ["jan-at-example"]}, "channel": "web", "subject": "x"},
    )
    assert response.status_code == 422
    assert fields(response) == ["client.emails.0"]
    assert not Client.objects.exists()


def test_a_body_that_is_not_json_is_a_400(api: Api) -> None:
    response = api.browser.post(
        "/api/v1/cases", "{not json", content_type="application/json", headers=api.headers
    )
    assert response.status_code == 400
    assert fields(response) == ["body"]


# --- reading ----------------------------------------------------------------------------------


def test_read_a_case_with_its_timeline_and_delay_notices(
    api: Api, question: Case, frozen: time_machine.Coordinates
) -> None:
    frozen.shift(dt.timedelta(minutes=10))
    api.post(f"/api/v1/cases/{question.reference}/notes", {"body": "Dossier opgevraagd."})
    frozen.shift(dt.timedelta(minutes=10))
    api.post(
        f"/api/v1/cases/{question.reference}/delay-notice",
        {"reason": "Wij wachten op het OCMW.", "new_due_date": "2026-03-10"},
    )
    case = api.get(f"/api/v1/cases/{question.reference.replace('-', ' ')}").json()
    assert case["reference"] == question.reference
    steps = [
        (e["at"], e["event"]["kind"] if e["type"] == "event" else e["message"]["direction"])
        for e in case["timeline"]
    ]
    # At one moment the step comes before the message it concerns.
    assert steps == [
        ("2026-03-02T09:00:00Z", "case.registered"),
        ("2026-03-02T09:00:00Z", "in"),
        ("2026-03-02T09:10:00Z", "case.note-added"),
        ("2026-03-02T09:10:00Z", "note"),
        ("2026-03-02T09:20:00Z", "case.delay-notice-sent"),
        ("2026-03-02T09:20:00Z", "out"),
    ]
    assert case["delay_notices"][0]["reason"] == "Wij wachten op het OCMW."
    assert case["due_at"] == "2026-03-10T22:59:59Z"
    assert case["charter_due_at"] == "2026-03-04T22:59:59Z"


def test_a_mistyped_number_is_a_400_and_an_unknown_one_a_404(api: Api, question: Case) -> None:
    digits = question.reference[-2:]
    wrong = question.reference[:-2] + f"{(int(digits) % 97) + 1:02d}"
    response = api.get(f"/api/v1/cases/{wrong}")
    assert response.status_code == 400 and fields(response) == ["reference"]
    assert api.get(f"/api/v1/cases/{format_reference('MI', 2026, 999999)}").status_code == 404
    assert api.get("/api/v1/cases/%00").status_code == 400


def test_reading_a_case_costs_the_same_however_long_its_history(
    api: Api, question: Case, agent: User, django_assert_num_queries: Callable[..., object]
) -> None:
    from loket.cases.services import case_note_add

    api.get(f"/api/v1/cases/{question.reference}")  # the token's last use is noted once
    for notes in (1, 20):
        for n in range(notes):
            case_note_add(actor=agent, case=question, body=f"Notitie {n}")
        # token + groups, the case, its messages, its events, its delay notices
        with django_assert_num_queries(6):  # type: ignore[operator]
            assert api.get(f"/api/v1/cases/{question.reference}").status_code == 200


# --- the steps of a case ------------------------------------------------------------------------


def test_reply_answers_the_client_by_mail(api: Api, question: Case) -> None:
    response = api.post(f"/api/v1/cases/{question.reference}/replies", {"body": "Zo werkt het."})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "answered" and body["answered_at"] == "2026-03-02T09:00:00Z"
    answer = body["timeline"][-1]["message"]
    assert (answer["direction"], answer["channel"], answer["body"], answer["author"]) == (
        "out",
        "email",
        "Zo werkt het.",
        "agent",
    )
    events = [e["event"]["kind"] for e in body["timeline"] if e["type"] == "event"]
    assert events == ["case.registered", "case.answered"]
    mail = OutboundMail.objects.get(case=question)
    assert "info@ocmw-gent.example.be" in str(mail.to)


def test_forward_close_and_the_409_after_closing(
    api: Api, question: Case, back_office: Team
) -> None:
    url = f"/api/v1/cases/{question.reference}"
    assert fields(api.post(f"{url}/forward", {"note": "Advies graag"})) == ["team"]
    assert fields(api.post(f"{url}/forward", {"note": "x", "team": "nope"})) == ["team"]
    assert fields(api.post(f"{url}/forward", {"note": "x", "owner": "ghost"})) == ["owner"]
    forwarded = api.post(f"{url}/forward", {"note": "Advies graag", "team": "integration"})
    assert forwarded.status_code == 200, forwarded.content
    assert forwarded.json()["status"] == "forwarded" and forwarded.json()["team"] == "integration"
    assert forwarded.json()["internal_due_at"] == "2026-03-03T22:59:59Z"
    closed = api.post(f"{url}/close", {"reason": "Opgelost"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = api.post(f"{url}/replies", {"body": "Nog iets"})
    assert again.status_code == 409
    assert again.json()["detail"] == "A case that is closed cannot become answered."
    assert api.post(f"{url}/close", {}).status_code == 409


@pytest.mark.parametrize(
    ("new_due_date", "field"),
    [
        ("2026-03-03", "new_due_date"),
        ("2026-03-07", "new_due_date"),
        ("1066-10-14", "new_due_date"),
    ],
)
def test_a_delay_notice_needs_a_later_working_day(
    api: Api, question: Case, new_due_date: str, field: str
) -> None:
    response = api.post(
        f"/api/v1/cases/{question.reference}/delay-notice",
        {"reason": "Wachten", "new_due_date": new_due_date},
    )
    assert response.status_code in (400, 422)
    assert fields(response) == [field]


def test_empty_notes_and_replies_are_refused(api: Api, question: Case) -> None:
    for step in ("notes", "replies"):
        response = api.post(f"/api/v1/cases/{question.reference}/{step}", {"body": " \n "})
        assert response.status_code == 422 and fields(response) == ["body"]
    assert Message.objects.filter(case=question).count() == 1
