"""The public FAQ pages: open to everyone, in four languages, without JavaScript; the
language fallback; "did this help?" with its rate limit; the suggestion fragment."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client as Browser

from loket.accounts.models import User
from loket.knowledge.models import Article, Feedback, SuggestionShown

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.mark.parametrize("person", [None, "outsider", "agent", "manager"])
@pytest.mark.parametrize(
    "path",
    [
        "/nl/faq/",
        "/fr/faq/category/integration-income/",
        "/de/faq/search/?q=Eingliederungseinkommen",
        "/en/faq/integration-income-apply/",
    ],
)
def test_everyone_reads_the_faq(
    client: Browser,
    faq: dict[str, Article],
    person: str | None,
    path: str,
    request: pytest.FixtureRequest,
) -> None:
    if person:
        client.force_login(request.getfixturevalue(person))
    response = client.get(path)
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_the_home_page_lists_the_articles_by_category_in_the_readers_language(
    client: Browser, faq: dict[str, Article]
) -> None:
    page = client.get("/fr/faq/").content.decode()
    assert '<h2 id="faq-category-1">Revenu d&#x27;intégration</h2>' in page
    assert '<a href="/fr/faq/integration-income-apply/">Comment demander' in page
    # Only in Dutch: listed under "other questions", marked as Dutch for screen readers.
    assert '<a href="/fr/faq/heating-allowance/" lang="nl">Verwarmingstoelage' in page


def test_an_article_in_the_readers_language_has_no_note(
    client: Browser, faq: dict[str, Article]
) -> None:
    page = client.get("/fr/faq/mediprima-what/").content.decode()
    assert '<h1 id="faq-title">Qu&#x27;est-ce que MediPrima ?</h1>' in page
    assert "faq-fallback" not in page
    assert 'hreflang="nl"' in page


def test_a_missing_translation_falls_back_with_a_note_and_the_right_language(
    client: Browser, faq: dict[str, Article]
) -> None:
    page = client.get("/en/faq/heating-allowance/").content.decode()
    assert 'class="faq-fallback"' in page
    assert '<article class="faq-article" aria-labelledby="faq-title" lang="nl">' in page
    assert "Verwarmingstoelage van het stookoliefonds" in page


def test_links_between_articles_point_to_the_readers_language(
    client: Browser, faq: dict[str, Article]
) -> None:
    page = client.get("/nl/faq/integration-income-apply/").content.decode()
    assert '<a href="/nl/faq/mediprima-what/">MediPrima</a>' in page


def test_unpublished_archived_and_unknown_articles_are_not_found(
    client: Browser, faq: dict[str, Article], coordinator: User
) -> None:
    from loket.knowledge.services import article_archive, article_create

    article_create(actor=coordinator, slug="draft-only", language="nl", title="Concept")
    article_archive(actor=coordinator, article=faq["heating"])
    for path in ("/nl/faq/draft-only/", "/nl/faq/heating-allowance/", "/nl/faq/nothing/"):
        assert client.get(path).status_code == 404
    assert client.get("/nl/faq/category/nothing/").status_code == 404


def test_search_finds_by_meaning_in_the_page_language_and_htmx_gets_the_results(
    client: Browser, faq: dict[str, Article]
) -> None:
    page = client.get("/nl/faq/search/", {"q": "leeflon aanvragen"}).content.decode()
    assert '<a href="/nl/faq/integration-income-apply/">Hoe vraag ik een leefloon aan?</a>' in page
    fragment = client.get(
        "/nl/faq/search/", {"q": "stookolie"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert fragment.strip().startswith('<div id="faq-results"')
    assert "heating-allowance" in fragment and "<html" not in fragment
    nothing = client.get("/nl/faq/search/", {"q": "zzzqqq"}).content.decode()
    assert "Ask us your question" in nothing or "Stel" in nothing


def test_a_too_long_search_is_an_error_on_the_page_not_a_500(
    client: Browser, faq: dict[str, Article]
) -> None:
    response = client.get("/en/faq/search/", {"q": "x" * 500})
    assert response.status_code == 200
    assert b'role="alert"' in response.content


def test_did_this_help_is_recorded_once_per_article_and_address(
    client: Browser, faq: dict[str, Article]
) -> None:
    url = "/nl/faq/integration-income-apply/feedback/"
    response = client.post(url, {"helpful": "yes"})
    assert response.status_code == 302
    assert response["Location"] == "/nl/faq/integration-income-apply/?feedback=yes#feedback"
    assert b'role="status"' in client.get(response["Location"]).content
    again = client.post(url, {"helpful": "no"}, headers={"HX-Request": "true"})
    assert again.status_code == 200 and b'id="feedback"' in again.content
    assert list(Feedback.objects.values_list("helpful", "language")) == [(True, "nl")]


def test_did_this_help_refuses_nonsense_and_unpublished_articles(
    client: Browser, faq: dict[str, Article]
) -> None:
    assert (
        client.post("/nl/faq/integration-income-apply/feedback/", {"helpful": "maybe"}).status_code
        == 400
    )
    assert client.post("/nl/faq/nothing/feedback/", {"helpful": "yes"}).status_code == 404
    assert client.get("/nl/faq/integration-income-apply/feedback/").status_code == 405
    assert not Feedback.objects.exists()


def test_did_this_help_is_rate_limited_per_address(
    client: Browser, faq: dict[str, Article], settings: object
) -> None:
    from loket.portal.ratelimit import limit_named

    limit = limit_named("faq-feedback-ip")
    assert limit is not None
    statuses = []
    for _ in range(limit.attempts + 2):
        statuses.append(
            client.post("/nl/faq/mediprima-what/feedback/", {"helpful": "yes"}).status_code
        )
    assert statuses[: limit.attempts] == [302] * limit.attempts
    assert statuses[-1] == 429
    assert Feedback.objects.count() == 1


def test_the_suggestion_fragment_lists_matching_articles_and_records_the_visit(
    client: Browser, faq: dict[str, Article]
) -> None:
    response = client.get(
        "/fr/faq/suggest/",
        {
            "q": "Facture d'hôpital pour une aide médicale urgente",
            "language": "fr",
            "visit": "visit-123456",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="faq-suggestion"') >= 1
    assert '<a href="/fr/faq/mediprima-what/" lang="fr" target="_blank"' in page  # form: new tab
    assert "faq-insert" not in page  # the public variant has no insert buttons
    shown = SuggestionShown.objects.get(visit="visit-123456")
    assert shown.articles[0] == faq["mediprima"].pk and shown.submitted_at is None


def test_the_suggestion_fragment_is_empty_without_a_match_and_400_on_bad_input(
    client: Browser, faq: dict[str, Article]
) -> None:
    assert client.get("/nl/faq/suggest/", {"q": "zzzqqq"}).content.strip() == b""
    assert client.get("/nl/faq/suggest/", {"q": "x", "language": "xx"}).status_code == 400
    assert client.get("/nl/faq/suggest/", {"q": "x", "visit": "<script>"}).status_code == 400
    assert not SuggestionShown.objects.exists()


def test_the_faq_pages_take_the_same_number_of_queries_however_many_articles(
    client: Browser,
    faq: dict[str, Article],
    coordinator: User,
) -> None:
    from .factories import published

    def counted(path: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    paths = (
        "/nl/faq/",
        "/nl/faq/category/integration-income/",
        "/nl/faq/integration-income-apply/",
    )
    [counted(path) for path in paths]  # the portal's layout reads its settings once
    before = [counted(path) for path in paths]
    category = faq["apply"].category
    for n in range(12):
        published(
            f"extra-{n}",
            {"nl": (f"Vraag {n}", "<p>Antwoord</p>"), "fr": (f"Question {n}", "<p>Réponse</p>")},
            author=coordinator,
            category=category,
        )
    assert [counted(path) for path in paths] == before
