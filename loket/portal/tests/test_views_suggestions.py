"""FAQ articles suggested on the question form (issue 7, charter rule 10): the form carries a
visit token and loads knowledge:suggest as the client types; sending the question marks the
visit as sent, so the knowledge base counts what the suggestions answered. And what one
question costs the database (issue 6)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client as Browser
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from loket.accounts.models import Team, User
from loket.cases.models import Case, Topic
from loket.knowledge.models import Article, SuggestionShown
from loket.knowledge.selectors import suggestion_figures
from loket.knowledge.tests.factories import published
from loket.mail.models import OutboundMail
from loket.portal.forms import VISIT
from loket.portal.models import Submission
from loket.portal.tasks import portal_registration_task

from .conftest import at

pytestmark = pytest.mark.django_db
VISIT_TOKEN = "visit-0123456789abcdef"
# The statements of one question sent through the form, as production runs it (the task
# queue in the database): the number, the form record, the registration's task, and the
# transaction around them. The worker registers the case. Before issue 6 it was 19
# statements and a mail rendered in the request; then 14 with the case registered in it.
QUESTION_STATEMENTS = 5


@pytest.fixture(autouse=True)
def _monday(front_office: Team) -> Iterator[None]:
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        yield


@pytest.fixture
def article(expert: User, coordinator: User) -> Article:
    return published(
        "urgent-medical-aid",
        {
            "fr": (
                "Qui a droit à l'aide médicale urgente ?",
                "<p>Les personnes sans titre de séjour reçoivent l'aide médicale urgente "
                "par le CPAS de leur commune.</p>",
            ),
            "en": (
                "Who is entitled to urgent medical aid?",
                "<p>People without a residence permit get urgent medical aid through the "
                "welfare centre of their municipality.</p>",
            ),
        },
        author=expert,
        publisher=coordinator,
    )


def question(topics: dict[str, Topic], **changes: str) -> dict[str, str]:
    data = {
        "name": "Marie Dubois",
        "email": "marie.dubois@example.be",
        "phone": "",
        "topic": str(topics["medical"].pk),
        "question": "Je n'ai pas de titre de séjour: ai-je droit à l'aide médicale urgente ?",
        "website": "",
        "visit": VISIT_TOKEN,
    }
    data.update(changes)
    return data


def test_the_form_carries_a_new_visit_and_loads_suggestions_as_the_client_types(
    client: Browser, topics: dict[str, Topic]
) -> None:
    pages = [client.get("/en/ask/").content.decode() for _ in range(2)]
    tokens = [re.search(r'<input type="hidden" name="visit" value="([^"]+)"', p) for p in pages]
    assert all(tokens) and tokens[0].group(1) != tokens[1].group(1)  # type: ignore[union-attr]
    assert all(VISIT.fullmatch(t.group(1)) for t in tokens)  # type: ignore[union-attr]
    page = pages[0]
    region = re.search(r'<div id="faq-suggestions"[^>]*>', page)
    assert region is not None
    assert 'hx-get="/en/faq/suggest/"' in region.group(0)
    assert 'hx-include="#id_question, #id_visit"' in region.group(0)
    assert "delay:800ms from:#id_question" in region.group(0)
    assert "load," not in region.group(0)  # nothing typed yet
    # One polite sentence for screen readers, placed after the question field.
    status = '<p id="faq-suggestions-status" class="visually-hidden" role="status" '
    assert status + 'aria-live="polite" aria-atomic="true"></p>' in page
    assert page.index('id="id_question"') < page.index(status) < page.index('id="id_attachments"')
    # Without JavaScript: a link to the FAQ before the form, and nothing in the way.
    assert page.index('href="/en/faq/"', page.index("<main")) < page.index("<form method")


def test_a_form_sent_back_with_errors_loads_the_suggestions_at_once(
    client: Browser, topics: dict[str, Topic]
) -> None:
    response = client.post("/en/ask/", question(topics, email="marie@"))
    assert response.status_code == 400
    page = response.content.decode()
    assert f'value="{VISIT_TOKEN}"' in page  # the same visit
    region = re.search(r'<div id="faq-suggestions"[^>]*>', page)
    assert region is not None and 'hx-trigger="load, input changed' in region.group(0)


def test_the_fragment_suggests_the_matching_article_and_records_the_visit(
    client: Browser, article: Article
) -> None:
    response = client.get(
        "/fr/faq/suggest/",
        {"question": "ai-je droit à l'aide médicale urgente sans titre de séjour", "limit": "3"}
        | {"visit": VISIT_TOKEN},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = response.content.decode()
    link = '<a href="/fr/faq/urgent-medical-aid/" lang="fr" target="_blank" rel="noopener">'
    assert link in page  # opens in a new tab: what the client typed stays
    assert 'class="faq-new-tab"' in page
    status = re.search(r'<p id="faq-suggestions-status" hx-swap-oob="innerHTML">(.+?)</p>', page)
    assert status is not None and status.group(1).startswith("1 ")
    shown = SuggestionShown.objects.get(visit=VISIT_TOKEN)
    assert shown.articles == [article.pk] and shown.language == "fr"
    assert shown.submitted_at is None


def test_without_a_match_the_list_and_the_status_are_emptied(
    client: Browser, article: Article
) -> None:
    response = client.get("/fr/faq/suggest/", {"question": "zzzqqq xxyyzz", "visit": VISIT_TOKEN})
    assert response.status_code == 200
    page = response.content.decode().strip()
    assert page == '<p id="faq-suggestions-status" hx-swap-oob="innerHTML"></p>'
    assert not SuggestionShown.objects.exists()


def test_sending_the_question_marks_the_visit_as_sent(
    client: Browser, topics: dict[str, Topic], article: Article
) -> None:
    client.get("/fr/faq/suggest/", {"question": "aide médicale urgente", "visit": VISIT_TOKEN})
    response = client.post("/fr/ask/", question(topics))
    assert response.status_code == 302
    case = Case.objects.get()
    shown = SuggestionShown.objects.get(visit=VISIT_TOKEN)
    assert shown.case == case and shown.submitted_at == timezone.now()
    later = timezone.now() + dt.timedelta(hours=2)
    assert suggestion_figures(now=later).sent == 1
    assert suggestion_figures(now=later).deflected == 0


def test_a_visit_that_sends_nothing_counts_as_answered_by_the_faq(
    client: Browser, topics: dict[str, Topic], article: Article
) -> None:
    client.get("/fr/faq/suggest/", {"question": "aide médicale urgente", "visit": VISIT_TOKEN})
    client.post("/fr/ask/", question(topics, visit="another-visit-0001"))  # someone else
    figures = suggestion_figures(now=timezone.now() + dt.timedelta(hours=2))
    assert (figures.visits, figures.sent, figures.deflected) == (1, 0, 1)


@pytest.mark.parametrize("visit", ["", "<script>", "short", "x" * 65])
def test_a_missing_or_odd_visit_never_stops_the_question(
    client: Browser, topics: dict[str, Topic], visit: str
) -> None:
    response = client.post("/en/ask/", question(topics, visit=visit))
    assert response.status_code == 302
    assert Case.objects.count() == 1


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}}
)
def test_a_question_costs_a_bounded_number_of_statements_and_is_registered_later(
    client: Browser,
    topics: dict[str, Topic],
    article: Article,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    """Issue 6: the request keeps the form with its number and term and queues the
    registration; the worker registers the case, marks the visit and acknowledges."""
    client.post("/en/ask/", question(topics, email="warm.up@example.be", visit=""))
    client.get("/fr/faq/suggest/", {"question": "aide médicale urgente", "visit": VISIT_TOKEN})
    with django_assert_max_num_queries(QUESTION_STATEMENTS):
        response = client.post("/en/ask/", question(topics))
    assert response.status_code == 302
    submission = Submission.objects.get(email="marie.dubois@example.be")
    assert submission.state == Submission.State.RECEIVED and submission.case is None
    assert not Case.objects.exists() and not OutboundMail.objects.exists()
    page = client.get(response["Location"])  # the number and the term, before the case
    assert submission.reference in page.content.decode()
    # One task for the forms of the same second, queued by the first, run after it.
    [task] = DBTaskResult.objects.filter(task_path=portal_registration_task.module_path)
    assert task.queue_name == "mail" and task.run_after == at("2026-03-02 10:00:01.5")
    [first] = task.args_kwargs["args"]
    # What the worker runs: every form waiting registered, nothing registered or
    # acknowledged twice when it runs again.
    assert portal_registration_task.call(first) == "2 registered"
    assert portal_registration_task.call(first) == "nothing waiting (this form: registered)"
    submission.refresh_from_db()
    case = submission.case
    assert case is not None and case.reference == submission.reference
    [mail] = OutboundMail.objects.filter(case=case, kind="acknowledgement")
    assert mail.to == ["marie.dubois@example.be"] and case.reference in mail.subject
    shown = SuggestionShown.objects.get(visit=VISIT_TOKEN)
    assert shown.case == case and shown.submitted_at == submission.submitted_at
