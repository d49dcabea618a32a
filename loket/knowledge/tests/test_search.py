"""One search interface, two engines: these tests run unchanged on SQLite (FTS5) and on
PostgreSQL (full-text search), and expect the same answers from both."""

from __future__ import annotations

import pytest
from django.db import connection

from loket.accounts.models import User
from loket.knowledge.models import Article
from loket.knowledge.search import index_rebuild, search_articles
from loket.knowledge.search.core import plan
from loket.knowledge.services import (
    article_archive,
    article_create,
    article_publish,
    article_translation_save,
)

from .factories import published

pytestmark = pytest.mark.django_db


def slugs(query: str, language: str, limit: int = 10) -> list[str]:
    return [hit.slug for hit in search_articles(query, language, limit)]


def test_the_engine_follows_the_database() -> None:
    from loket.knowledge.search.engines import PostgresEngine, SqliteEngine, current_engine

    expected = {"sqlite": SqliteEngine, "postgresql": PostgresEngine}[connection.vendor]
    assert isinstance(current_engine(), expected)


def test_words_are_found_in_other_forms_of_the_same_stem(faq: dict[str, Article]) -> None:
    # "aanvragen" and "leeflonen" are in no article; "aanvraag" and "leefloon" are.
    assert slugs("leeflonen aanvragen", "nl")[0] == "integration-income-apply"
    assert slugs("demandes de revenus d'intégration", "fr")[0] == "integration-income-apply"
    assert slugs("factures des hôpitaux", "fr") == ["mediprima-what"]


def test_accents_do_not_matter_either_way(faq: dict[str, Article]) -> None:
    assert slugs("medicale urgente hopitaux", "fr") == ["mediprima-what"]
    assert slugs("Ïntégratión", "fr")[0] == "integration-income-apply"
    assert slugs("OSHZ", "de") == slugs("ÖSHZ", "de") == ["integration-income-apply"]


def test_a_typo_still_finds_the_word(faq: dict[str, Article]) -> None:
    assert slugs("leeflon", "nl") == ["integration-income-apply"]
    assert slugs("verwarmingstoelag stookolei", "nl") == ["heating-allowance"]
    assert slugs("Mediprma", "fr") == ["mediprima-what"]
    # The reader's word is kept beside its corrections; a short unknown word is not corrected.
    planned = [(q.word, q.weight < 1) for q in plan("leeflon ab", "nl")]
    assert ("leeflon", False) in planned and ("leefloon", True) in planned
    assert all(word != "ab" or not corrected for word, corrected in planned)


def test_a_word_in_the_title_counts_more_than_in_the_text(
    faq: dict[str, Article], coordinator: User
) -> None:
    published(
        "in-the-text",
        {"nl": ("Facturen van ziekenhuizen", "<p>Registratie in Zorgnet en facturen.</p>")},
        author=coordinator,
    )
    published(
        "in-the-title",
        {"nl": ("Zorgnet en facturen", "<p>Registratie van ziekenhuizen en facturen.</p>")},
        author=coordinator,
    )
    assert slugs("zorgnet", "nl") == ["in-the-title", "in-the-text"]


def test_rarer_words_weigh_more(faq: dict[str, Article], coordinator: User) -> None:
    # "OCMW" is in many articles, "stookolie" in one: that one comes first.
    for n in range(3):
        published(
            f"ocmw-{n}", {"nl": (f"Het OCMW {n}", "<p>Het OCMW helpt.</p>")}, author=coordinator
        )
    assert slugs("ocmw stookolie", "nl")[0] == "heating-allowance"


def test_only_the_asked_language_is_searched(faq: dict[str, Article]) -> None:
    assert slugs("stookolie", "fr") == []  # the article exists only in Dutch
    assert slugs("MediPrima", "de") == []
    assert slugs("MediPrima", "xx") == []
    hit = search_articles("MediPrima", "fr")[0]
    assert (hit.language, hit.title) == ("fr", "Qu'est-ce que MediPrima ?")
    assert hit.snippet.startswith("MediPrima enregistre les décisions")


def test_only_published_text_is_found_and_archived_articles_leave(
    faq: dict[str, Article], coordinator: User
) -> None:
    article_create(actor=coordinator, slug="draft", language="nl", title="Geheim zwembad")
    assert slugs("zwembad", "nl") == []
    article = faq["heating"]
    article_translation_save(
        actor=coordinator,
        article=article,
        language="nl",
        title="Verwarmingstoelage",
        body="<p>Nieuw: ook voor pellets.</p>",
    )
    assert slugs("pellets", "nl") == []  # a draft of a published article: readers see the old
    assert slugs("stookolie", "nl") == ["heating-allowance"]
    article_publish(actor=coordinator, article=article)
    assert slugs("pellets", "nl") == ["heating-allowance"]
    assert slugs("stookolie", "nl") == []
    article_archive(actor=coordinator, article=article)
    assert slugs("pellets", "nl") == []


def test_queries_without_meaning_find_nothing_and_never_fail(faq: dict[str, Article]) -> None:
    for query in ("", "   ", "de het een", '"AND OR NOT*"', "' OR 1=1 --", "{title}:x", "é" * 500):
        assert search_articles(query, "nl") == []
    assert search_articles("leefloon", "nl", limit=0) == []


def test_the_limit_is_respected(faq: dict[str, Article], coordinator: User) -> None:
    for n in range(12):
        published(f"ocmw-{n}", {"nl": (f"OCMW vraag {n}", "<p>OCMW</p>")}, author=coordinator)
    assert len(search_articles("ocmw", "nl", 5)) == 5
    assert len(search_articles("ocmw", "nl")) == 10


def test_the_index_can_be_rebuilt_from_the_published_texts(faq: dict[str, Article]) -> None:
    before = slugs("leefloon MediPrima stookolie", "nl")
    assert index_rebuild() == 7  # 4 + 2 + 1 published translations
    assert slugs("leefloon MediPrima stookolie", "nl") == before


def test_a_search_takes_the_same_number_of_queries_however_many_articles(
    faq: dict[str, Article], coordinator: User, django_assert_num_queries: object
) -> None:
    search_articles("leefloon", "nl")  # the vocabulary is loaded once per index change
    with django_assert_num_queries(3):  # type: ignore[operator]
        search_articles("leefloon ocmw", "nl")
    for n in range(15):
        published(f"ocmw-{n}", {"nl": (f"OCMW en leefloon {n}", "<p>OCMW</p>")}, author=coordinator)
    search_articles("leefloon", "nl")
    with django_assert_num_queries(3):  # type: ignore[operator]
        assert len(search_articles("leefloon ocmw", "nl")) == 10
