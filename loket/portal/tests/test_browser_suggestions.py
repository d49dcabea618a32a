"""FAQ suggestions on the question form in a real browser (issue 7; Debian's chromium through
Playwright against the live server, axe-core for WCAG 2.1 AA): a client types a question in
Dutch or French, sees a matching article of the demo FAQ below the question without being
interrupted, and sends the question anyway, which the knowledge base then counts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from django.utils import translation
from playwright.sync_api import Page, Request, expect

from loket.accounts.models import Team, User
from loket.browser import assert_accessible, assert_headings_in_order
from loket.cases.models import Case, Topic
from loket.knowledge.demo import knowledge_demo_load
from loket.knowledge.models import Article, SuggestionShown
from loket.knowledge.search.engines import current_engine

pytestmark = pytest.mark.browser


def _in(language: str, text: str) -> str:
    """The text as loket's catalogue renders it in that language."""
    with translation.override(language):
        return translation.gettext(text)


@pytest.fixture
def demo_faq(transactional_db: None, coordinator: User) -> Iterator[None]:
    """The demo knowledge base. The search index's own tables are no Django models: a live
    server's test database is emptied after the test, so they are emptied here."""
    current_engine().clear()
    knowledge_demo_load()
    yield
    current_engine().clear()


@pytest.mark.parametrize(
    ("language", "question", "slug"),
    [
        ("nl", "hoe vraag ik een leeflon aan", "integration-income-apply"),
        ("fr", "sans papiers soins médicaux urgents", "urgent-medical-aid-who"),
    ],
)
def test_a_client_sees_a_matching_article_while_typing_and_can_still_send(
    new_page: Callable[..., Page],
    demo_faq: None,
    front_office: Team,
    topics: dict[str, Topic],
    language: str,
    question: str,
    slug: str,
) -> None:
    article = Article.objects.get(slug=slug)
    title = article.translations.get(language=language).title
    page = new_page()
    asked: list[str] = []

    def count(request: Request) -> None:
        if "/faq/suggest/" in request.url:
            asked.append(request.url)

    page.on("request", count)
    page.goto(f"/{language}/ask/")
    box = page.get_by_label(_in(language, "Your question"), exact=True)
    box.press_sequentially(question, delay=40)

    suggestion = page.locator("#faq-suggestions .faq-suggestion a").filter(has_text=title)
    expect(suggestion).to_be_visible()
    expect(suggestion).to_have_attribute("target", "_blank")  # what was typed stays
    expect(suggestion).to_have_attribute("href", f"/{language}/faq/{slug}/")
    # One polite sentence for screen readers; the typing was never interrupted.
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\d "))
    expect(box).to_be_focused()
    expect(box).to_have_value(question)
    assert 1 <= len(asked) < len(question) / 4, asked  # debounced, not one per key
    assert all(f"/{language}/faq/suggest/" in url and "visit=" in url for url in asked)
    assert_headings_in_order(page)
    assert_accessible(page)

    # The question goes out all the same, and the visit is counted as sent.
    page.get_by_label(_in(language, "Your name"), exact=True).fill("Marie Dubois")
    page.get_by_label(_in(language, "Your e-mail address"), exact=True).fill(
        "marie.dubois@example.be"
    )
    page.get_by_label(_in(language, "Topic"), exact=True).select_option(str(topics["income"].pk))
    with page.expect_navigation():
        page.get_by_role("button", name=_in(language, "Send my question")).click()
    expect(page).to_have_url(re.compile(f"/{language}/sent/[^/]+/$"))
    case = Case.objects.get(reference=page.locator("#reference").inner_text().strip())
    shown = SuggestionShown.objects.get(case=case)
    assert shown.submitted_at is not None and shown.language == language
    assert article.pk in shown.articles


def test_without_javascript_the_form_points_to_the_faq_and_sends_at_once(
    new_page: Callable[..., Page], demo_faq: None, front_office: Team, topics: dict[str, Topic]
) -> None:
    page = new_page(java_script_enabled=False)
    page.goto("/fr/ask/")
    faq = page.locator("main").get_by_role("link", name=_in("fr", "Questions and answers"))
    expect(faq).to_have_attribute("href", "/fr/faq/")
    page.get_by_label(_in("fr", "Your name"), exact=True).fill("Marie Dubois")
    page.get_by_label(_in("fr", "Your e-mail address"), exact=True).fill("marie@example.be")
    page.get_by_label(_in("fr", "Topic"), exact=True).select_option(str(topics["medical"].pk))
    page.get_by_label(_in("fr", "Your question"), exact=True).fill(
        "sans papiers soins médicaux urgents"
    )
    with page.expect_navigation():
        page.get_by_role("button", name=_in("fr", "Send my question")).click()
    expect(page).to_have_url(re.compile("/fr/sent/[^/]+/$"))  # no step in between
    assert Case.objects.count() == 1
    assert not SuggestionShown.objects.exists()  # nothing was suggested, nothing counted
