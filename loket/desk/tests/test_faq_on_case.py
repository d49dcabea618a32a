"""The FAQ on the case page (charter rule 10): the page loads the knowledge base's suggestion
for the case into the reply section, aimed at the reply's textarea; an article inserted
without JavaScript comes back as the start of the reply, its use recorded."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client as Browser

from loket.accounts.models import User
from loket.cases.models import Case, Client, Event
from loket.knowledge.models import ArticleUse
from loket.knowledge.tests.factories import published

from .conftest import register

pytestmark = pytest.mark.django_db


def test_the_reply_section_loads_the_suggestion_for_its_textarea(
    client: Browser, agent: User, client_record: Client
) -> None:
    case = register(client_record)
    client.force_login(agent)
    page = client.get(f"/en/desk/cases/{case.reference}/").content.decode()
    reply = re.search(r'<section class="action" id="reply".*?</section>', page, re.S)
    assert reply is not None
    slot = re.search(r'class="faq-suggestions-slot" hx-get="([^"]+)"', reply.group(0))
    assert slot is not None
    assert unescape(slot.group(1)) == (
        f"/en/faq/suggest/?case={case.reference}&target=id_reply-body"
    )
    assert 'id="id_reply-body"' in reply.group(0)
    fragment = client.get(unescape(slot.group(1)), headers={"HX-Request": "true"})
    assert fragment.status_code == 200


def test_an_article_inserted_without_javascript_starts_the_reply(
    client: Browser, agent: User, coordinator: User, client_record: Client
) -> None:
    article = published(
        "leefloon-berekening",
        {"nl": ("Hoe wordt het leefloon berekend?", "<p>Volgens de categorie.</p>")},
        author=coordinator,
    )
    case: Case = register(client_record)
    client.force_login(agent)
    page_url = f"/en/desk/cases/{case.reference}/"
    response = client.post(
        "/en/desk/knowledge/use/",
        {"case": case.reference, "article": article.pk, "next": page_url},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{page_url}?faq_article={article.pk}"
    page = client.get(response["Location"]).content.decode()
    textarea = re.search(r'<textarea name="reply-body"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea is not None
    assert "Hoe wordt het leefloon berekend?\n\nVolgens de categorie." in textarea.group(1)
    assert ArticleUse.objects.get(case=case).used_by == agent
    assert Event.objects.filter(case=case, kind=Event.Kind.CASE_ANSWERED_WITH_ARTICLE).exists()


def test_an_article_number_does_not_fill_the_reply_of_someone_who_may_not_answer(
    client: Browser, manager: User, coordinator: User, client_record: Client
) -> None:
    article = published("x", {"nl": ("Titel", "<p>Tekst.</p>")}, author=coordinator)
    case = register(client_record)
    client.force_login(manager)
    page = client.get(f"/en/desk/cases/{case.reference}/?faq_article={article.pk}")
    assert page.status_code == 200
    assert "Tekst." not in page.content.decode()
    assert 'name="reply-body"' not in page.content.decode()
