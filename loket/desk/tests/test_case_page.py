"""The case page and its actions through HTTP: without JavaScript (post, redirect, page) and
with htmx (the refreshed case as a fragment); bad input comes back with its errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext

from loket.accounts.models import Team, User
from loket.cases.models import Case, Client, Topic
from loket.cases.services import case_note_add
from loket.deadlines.models import DeadlinePolicy
from loket.desk.models import ReplyTemplate

from .conftest import client_mail, portal_file, register

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
# Thursday 3 December 2026, 10:00 in Brussels.
THURSDAY = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def url(case: Case, action: str = "") -> str:
    return f"/en/desk/cases/{case.reference}/{action + '/' if action else ''}"


@pytest.fixture
def agent_browser(client: Browser, agent: User) -> Browser:
    client.force_login(agent)
    return client


def test_the_case_with_its_term_history_and_client(
    agent_browser: Browser, client_record: Client, agent: User, coordinator: User
) -> None:
    with time_machine.travel(THURSDAY - dt.timedelta(days=60), tick=False):
        register(client_record, subject="Vorige vraag over GPMI")
        register(client_record, subject="Klacht wachttijd", kind="complaint", owner=coordinator)
    with time_machine.travel(THURSDAY, tick=False):
        case = register(client_record)
        case_note_add(actor=agent, case=case, body="Klant belt morgen terug.")
        page = agent_browser.get(url(case)).content.decode()
    assert f"{case.reference}</span> Berekening leefloon" in page
    assert "OCMW Gent" in page and "info@ocmw-gent.example.be" in page and "+3292669900" in page
    # Received Thursday: due Monday 7 December, two working days left.
    assert "Dec. 7, 2026" in page and "2 working days left" in page
    assert "Hoe berekenen we het leefloon voor een samenwonende?" in page
    assert "Klant belt morgen terug." in page and "the client never sees it" in page
    assert "Vorige vraag over GPMI" in page
    assert "Klacht wachttijd" not in page  # the coordinator's complaint is not the agent's to see
    with time_machine.travel(THURSDAY + dt.timedelta(days=6), tick=False):
        late = agent_browser.get(url(case)).content.decode()
    assert "Overdue by 2 working days" in late and "term-overdue" in late


def test_an_answer_by_e_mail_without_javascript(
    agent_browser: Browser, question: Case, django_capture_on_commit_callbacks: Any
) -> None:
    upload = SimpleUploadedFile("tabel.pdf", b"%PDF tabel", "application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_browser.post(
            url(question, "reply"),
            {
                "reply-body": "Zie de tabel.",
                "reply-channel": "email",
                "reply-attachments": [upload],
            },
        )
    assert response.status_code == 302 and response["Location"] == url(question)
    (sent,) = mail.outbox
    assert sent.to == ["info@ocmw-gent.example.be"] and sent.attachments[0][0] == "tabel.pdf"
    page = agent_browser.get(url(question)).content.decode()
    assert "The answer is sent." in page and "Zie de tabel." in page and "tabel.pdf" in page
    question.refresh_from_db()
    assert question.status == Case.Status.ANSWERED


def test_an_answer_with_htmx_gets_the_refreshed_case(
    agent_browser: Browser, question: Case
) -> None:
    response = agent_browser.post(
        url(question, "reply"), {"reply-body": "Antwoord.", "reply-channel": "post"}, headers=HTMX
    )
    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.lstrip().startswith('<div id="case"') and "<html" not in fragment
    assert 'role="status"' in fragment and "The answer is sent." in fragment
    assert "answered" in fragment


def test_bad_input_comes_back_with_its_errors(agent_browser: Browser, question: Case) -> None:
    response = agent_browser.post(url(question, "reply"), {"reply-body": " "})
    assert response.status_code == 422
    page = response.content.decode()
    assert "This field is required." in page and 'aria-invalid="true"' in page
    fragment = agent_browser.post(url(question, "note"), {}, headers=HTMX)
    assert fragment.status_code == 422 and "<html" not in fragment.content.decode()
    # A refusal by the service (a closed case cannot be answered) is shown, not lost.
    Case.objects.filter(pk=question.pk).update(status=Case.Status.CLOSED)
    refused = agent_browser.post(
        url(question, "phone-answer"), {"phone-body": "Uitgelegd aan de telefoon."}
    )
    assert refused.status_code == 422
    assert "A case that is closed cannot become answered." in refused.content.decode()


def test_forward_then_the_expert_answers_and_closes(
    client: Browser, question: Case, agent: User, expert: User, back_office: Team
) -> None:
    client.force_login(agent)
    response = client.post(
        url(question, "forward"),
        {"forward-team": back_office.pk, "forward-note": "Wat zegt de wet van 1965?"},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.status, question.team) == (Case.Status.FORWARDED, back_office)
    client.force_login(expert)
    page = client.get(url(question)).content.decode()
    assert "Wat zegt de wet van 1965?" in page and "Back-office term" in page
    client.post(url(question, "take-over"))
    client.post(url(question, "reply"), {"reply-body": "Artikel 11.", "reply-channel": "email"})
    client.post(url(question, "close"), {"close-reason": ""})
    question.refresh_from_db()
    assert (question.status, question.owner) == (Case.Status.CLOSED, expert)
    assert question.answered_by_front_office is False


def test_an_expert_forwarding_elsewhere_goes_back_to_the_queues(
    client: Browser, forwarded: Case, expert: User
) -> None:
    other = Team.objects.create(code="ict", name="ICT", kind=Team.Kind.BACK_OFFICE)
    client.force_login(expert)
    data = {"forward-team": other.pk, "forward-note": "Voor ICT"}
    response = client.post(url(forwarded, "forward"), data)
    assert response.status_code == 302 and response["Location"] == "/en/desk/"
    back = client.post(url(forwarded, "forward"), data, headers=HTMX)
    assert back.status_code == 404  # no longer the expert's case


def test_a_delay_notice_proposes_a_term_from_the_calendar(
    client: Browser, client_record: Client, coordinator: User
) -> None:
    client.force_login(coordinator)
    with time_machine.travel(THURSDAY, tick=False):
        case = register(client_record)  # due Monday 7 December
        page = client.get(url(case)).content.decode()
        assert "delay-new_due_date" not in page and "?action=delay" in page  # folded
        page = client.get(url(case), {"action": "delay"}).content.decode()
        # Two working days after the term: Wednesday 9 December.
        assert 'name="delay-new_due_date" value="2026-12-09"' in page
        assert 'name="delay-reason" cols="40" rows="3" autofocus' in page
        weekend = client.post(
            url(case, "delay-notice"),
            {"delay-reason": "Advies nodig.", "delay-new_due_date": "2026-12-12"},
        )
        assert weekend.status_code == 422
        assert "The new term must be a working day." in weekend.content.decode()
        sent = client.post(
            url(case, "delay-notice"),
            {"delay-reason": "Advies nodig.", "delay-new_due_date": "2026-12-09"},
        )
    assert sent.status_code == 302
    case.refresh_from_db()
    assert case.due_at is not None and case.due_at.date() == dt.date(2026, 12, 9)


def test_on_the_due_day_the_page_prompts_for_a_delay_notice(
    client: Browser, client_record: Client, coordinator: User
) -> None:
    """Charter rule 5: before the term ends, loket prompts for the notice."""
    client.force_login(coordinator)
    with time_machine.travel(THURSDAY, tick=False):
        case = register(client_record)  # due Monday 7 December
    with time_machine.travel(THURSDAY + dt.timedelta(days=4), tick=False):
        page = client.get(url(case)).content.decode()
    assert 'name="delay-new_due_date"' in page and "due today" in page
    fragment = client.get(url(case), {"action": "topic"}, headers=HTMX).content.decode()
    assert 'id="act-topic"' in fragment and "autofocus" in fragment


def test_take_over_topic_policy_close_and_reopen(
    agent_browser: Browser, question: Case, agent: User
) -> None:
    topic = Topic.objects.create(code="gpmi", name_nl="GPMI", name_fr="PIIS")
    policy = DeadlinePolicy.objects.get(code="competence-conflict")
    assert agent_browser.post(url(question, "take-over")).status_code == 302
    agent_browser.post(url(question, "topic"), {"topic-topic": topic.pk})
    agent_browser.post(url(question, "policy"), {"policy-policy": policy.pk, "policy-reason": ""})
    question.refresh_from_db()
    assert (question.owner, question.topic, question.policy) == (agent, topic, policy)
    agent_browser.post(url(question, "close"), {"close-reason": "Dubbel"})
    agent_browser.post(url(question, "reopen"), {"reopen-reason": "De klant belde terug."})
    question.refresh_from_db()
    assert question.status == Case.Status.REOPENED
    kinds = set(question.events.values_list("kind", flat=True))
    assert {
        "case.assigned",
        "case.topic-changed",
        "case.policy-changed",
        "case.closed",
        "case.reopened",
    } <= kinds


def test_a_reply_template_filled_in_the_client_s_language(
    agent_browser: Browser, question: Case, agent: User
) -> None:
    template = ReplyTemplate.objects.get(language="nl", name="Antwoord")
    assert ReplyTemplate.objects.filter(language="fr").count() == 3  # shipped in four languages
    response = agent_browser.get(url(question, "template"), {"template": template.pk})
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page
    assert "Geachte OCMW Gent," in page and question.reference in page and "Agent" in page
    fragment = agent_browser.get(
        url(question, "template"), {"template": template.pk}, headers=HTMX
    ).content.decode()
    assert fragment.lstrip().startswith('<section class="action" id="reply"')
    assert "Geachte OCMW Gent," in fragment
    french = ReplyTemplate.objects.filter(language="fr").first()
    assert french is not None
    wrong = agent_browser.get(url(question, "template"), {"template": french.pk})
    assert wrong.status_code == 422  # not a template in the case's language


def test_the_number_of_queries_does_not_grow_with_the_history(
    agent_browser: Browser, client_record: Client, agent: User
) -> None:
    case = register(client_record)
    register(client_record, subject="Andere vraag")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert agent_browser.get(url(case)).status_code == 200
        return len(captured)

    few = queries()
    question = case.messages.get()
    for n in range(20):
        case_note_add(actor=agent, case=case, body=f"Notitie {n}")
        register(client_record, subject=f"Nog een vraag {n}")
        # The client's files: sent with the portal's form, and by e-mail (the history grows).
        portal_file(question, f"bijlage-{n}.pdf", b"%PDF", "application/pdf")
        client_mail(case, files=[(f"stuk-{n}.pdf", "application/pdf", b"%PDF stuk")])
    assert queries() == few
