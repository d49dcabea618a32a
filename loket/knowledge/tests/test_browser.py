"""The FAQ in a real browser (Debian's chromium through Playwright, pages checked with
axe-core): a client finds an answer on the portal in Dutch and in French, with and without
JavaScript; every FAQ page passes WCAG 2.1 AA in the four languages; and an agent inserts a
suggested article into a reply on the desk's case page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from loket.accounts.models import User
from loket.browser import assert_accessible, assert_headings_in_order, log_in
from loket.cases.models import Client, Event
from loket.cases.services import case_register
from loket.knowledge.demo import knowledge_demo_load
from loket.knowledge.models import ArticleUse, Feedback

pytestmark = pytest.mark.browser
PASSWORD = "secret-pass-123"  # the named people's password in the root conftest.py


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.fixture
def demo_faq(coordinator: User) -> None:
    knowledge_demo_load()


@pytest.mark.parametrize(
    ("language", "question", "title"),
    [
        ("nl", "hoe vraag ik een leeflon aan", "Hoe vraag ik een leefloon aan?"),
        ("fr", "sans papiers soins médicaux urgents", "Qui a droit à l'aide médicale urgente ?"),
    ],
)
def test_a_client_finds_an_answer_on_the_portal(
    page: Page, demo_faq: None, language: str, question: str, title: str
) -> None:
    page.goto(f"/{language}/")
    page.get_by_role("navigation", name=_in(language, "Main")).get_by_role(
        "link", name=_in(language, "Questions and answers")
    ).click()
    expect(page).to_have_url(re.compile(f"/{language}/faq/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        _in(language, "Questions and answers")
    )
    assert_accessible(page)

    box = page.get_by_label(_in(language, "Search the questions and answers"), exact=True)
    box.fill(question)
    box.press("Enter")
    expect(page).to_have_url(re.compile(f"/{language}/faq/search/"))
    results = page.locator("#faq-results .faq-hits > li")
    expect(results.first).to_be_visible()
    top_three = [text.strip() for text in results.locator("h2").all_inner_texts()[:3]]
    assert title in top_three, top_three
    assert_headings_in_order(page)
    assert_accessible(page)

    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert page.locator(".faq-fallback").count() == 0
    assert_headings_in_order(page)
    assert_accessible(page)

    before = Feedback.objects.filter(language=language, helpful=True).count()
    feedback = page.locator("#feedback")
    feedback.get_by_role("button", name=_in(language, "Yes"), exact=True).click()
    expect(feedback.get_by_role("status")).to_contain_text(
        _in(language, "Thank you for telling us: it helps us improve the answers.")
    )
    assert Feedback.objects.filter(language=language, helpful=True).count() == before + 1
    assert_accessible(page)


def test_the_faq_works_without_javascript(new_page: Callable[..., Page], demo_faq: None) -> None:
    page = new_page(java_script_enabled=False)
    before = Feedback.objects.filter(helpful=False).count()
    page.goto("/nl/faq/")
    box = page.get_by_label(_in("nl", "Search the questions and answers"), exact=True)
    box.fill("verwarmingstoelage stookolie bewijs inkomen")
    with page.expect_navigation():
        page.locator("form.faq-search").get_by_role("button").click()
    first = page.locator("#faq-results .faq-hits > li h2 a").first
    with page.expect_navigation():
        first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("verwarmingstoelage")
    with page.expect_navigation():
        page.locator("#feedback").get_by_role("button", name=_in("nl", "No"), exact=True).click()
    expect(page.locator("#feedback [role=status]")).to_be_visible()
    expect(
        page.locator("#feedback").get_by_role("link", name=_in("nl", "Ask us your question"))
    ).to_be_visible()
    assert Feedback.objects.filter(helpful=False).count() == before + 1


@pytest.mark.parametrize("language", ["nl", "fr", "de", "en"])
def test_every_faq_page_is_accessible_in_every_language(
    page: Page, demo_faq: None, language: str
) -> None:
    paths = [
        f"/{language}/faq/",
        f"/{language}/faq/category/integration-income/",
        f"/{language}/faq/search/?q=MediPrima",
        f"/{language}/faq/search/?q=zzzqqq",
        f"/{language}/faq/integration-income-conditions/",  # in all four languages
        f"/{language}/faq/gpmi-mandatory/",  # nl and fr only: a fallback in de and en
    ]
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("a.skip")).to_have_css("left", "-999px")  # loket.css applied
        assert_headings_in_order(page)
        assert_accessible(page)
    # The fallback says so, in the reader's language, and marks the text's own language.
    if language in ("de", "en"):
        expect(page.locator(".faq-fallback")).to_be_visible()
        expect(page.locator("article.faq-article")).to_have_attribute(
            "lang", "nl" if language == "en" else "fr"
        )


def test_an_agent_inserts_a_suggested_article_into_a_reply(
    new_page: Callable[..., Page],
    agent: User,
    demo_faq: None,
    client_record: Client,
) -> None:
    case = case_register(
        actor=None,
        client=client_record,
        channel="email",
        subject="Ziekenhuisfactuur MediPrima",
        body="Een ziekenhuis vraagt ons de beslissing dringende medische hulp in MediPrima in te "
        "voeren. Hoe gaat dat?",
    )
    page = new_page()
    log_in(page, "agent", PASSWORD)
    page.goto(f"/en/desk/cases/{case.reference}/")
    reply = page.get_by_label("Answer:", exact=True)
    reply.fill("Dear client,")
    suggestions = page.locator("#reply .faq-suggestion")
    expect(suggestions.first).to_be_visible()
    first = suggestions.first
    title = first.get_by_role("link").inner_text()
    assert "MediPrima" in title
    # The fragment brings knowledge.js; until it runs, the button would post without it.
    page.wait_for_function("() => window.loketKnowledgeInsert === true")
    first.get_by_role("button").click()
    expect(first.get_by_role("status")).to_have_text(_in("en", "Inserted into the reply."))
    expect(reply).to_have_value(re.compile(rf"^Dear client,\n\n{re.escape(title)}\n\n.+", re.S))
    use = ArticleUse.objects.get(case=case)
    assert use.used_by == agent and use.language == "nl"
    assert Event.objects.filter(case=case, kind=Event.Kind.CASE_ANSWERED_WITH_ARTICLE).count() == 1
    assert_accessible(page)


def test_the_desk_pages_of_the_knowledge_base_are_accessible(
    page: Page, coordinator: User, demo_faq: None, client_record: Client
) -> None:
    from loket.knowledge.models import Article
    from loket.knowledge.services import (
        article_publish,
        article_translation_save,
        case_signal,
    )

    article = Article.objects.get(slug="phone-hours")
    article_translation_save(
        actor=coordinator,
        article=article,
        language="nl",
        title="Wanneer is het FrontOffice telefonisch bereikbaar?",
        body="<p>Van maandag tot vrijdag.</p>",
    )
    article_publish(actor=coordinator, article=article)
    case = case_register(actor=None, client=client_record, channel="web", subject="Formulier")
    case_signal(actor=coordinator, case=case, kind="faq-candidate", note="vaak gevraagd")
    log_in(page, "coordinator", PASSWORD)
    for path in (
        "/en/desk/knowledge/",
        "/en/desk/knowledge/?status=published&missing=de",
        f"/en/desk/knowledge/{article.pk}/",
        f"/en/desk/knowledge/{article.pk}/versions/?language=nl&number=2",
        f"/en/desk/knowledge/{article.pk}/nl/",
        "/en/desk/knowledge/new/",
        "/en/desk/knowledge/candidates/",
        "/en/desk/knowledge/signals/",
        f"/en/desk/knowledge/cases/{case.reference}/flag/",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert_headings_in_order(page)
        assert_accessible(page)
    page.goto(f"/en/desk/knowledge/{article.pk}/versions/?language=nl&number=2")
    expect(page.locator(".kb-diff-added")).to_have_text("+ added: Van maandag tot vrijdag.")
