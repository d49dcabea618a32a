"""Keeping the search index in step with what is published: one document per article and
language, the last published version's title and text."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from ..models import Article, ArticleTranslation, SearchIndexState
from ..text import LANGUAGES
from .engines import Document, current_engine


def _bump(languages: Iterable[str]) -> None:
    """Give each language a new generation number: every process reloads its vocabulary.
    A random number, not a counter, so that an emptied and refilled table never repeats the
    number a process remembers."""
    languages = sorted(set(languages))
    generation = secrets.randbits(62)
    moved = SearchIndexState.objects.filter(language__in=languages).update(generation=generation)
    if moved < len(languages):
        for language in languages:
            SearchIndexState.objects.update_or_create(
                language=language, defaults={"generation": generation}
            )


def _documents(article_ids: Iterable[int]) -> dict[str, list[Document]]:
    """The published title and text of these articles, per language."""
    documents: dict[str, list[Document]] = defaultdict(list)
    for translation in ArticleTranslation.objects.filter(
        article_id__in=list(article_ids), live__isnull=False
    ).select_related("live"):
        if translation.live is not None:
            documents[translation.language].append(
                Document(translation.article_id, translation.live.title, translation.live.text)
            )
    return documents


def index_articles(article_ids: Iterable[int]) -> None:
    """Write (or remove) the documents of these articles: public articles are indexed with
    their published text in every language that has one; the rest leave the index. Called
    inside the transaction of the change, so the index never shows what was rolled back."""
    ids = list(article_ids)
    if not ids:
        return
    engine = current_engine()
    public = set(
        Article.objects.filter(pk__in=ids, published_at__isnull=False)
        .exclude(status=Article.Status.ARCHIVED)
        .values_list("pk", flat=True)
    )
    documents = _documents(public)
    with transaction.atomic():
        for language in LANGUAGES:
            indexed = {d.article_id for d in documents[language]}
            engine.delete(language, [pk for pk in ids if pk not in indexed])
            engine.write(language, documents[language])
        _bump(LANGUAGES)


def index_article(article: Article) -> None:
    index_articles([article.pk])


def index_rebuild(batch: int = 500) -> int:
    """The whole index written again from the published texts; returns the documents."""
    engine = current_engine()
    written = 0
    with transaction.atomic():
        engine.clear()
        ids = list(
            Article.objects.filter(published_at__isnull=False)
            .exclude(status=Article.Status.ARCHIVED)
            .values_list("pk", flat=True)
            .order_by("pk")
        )
        for start in range(0, len(ids), batch):
            documents = _documents(ids[start : start + batch])
            for language, language_documents in documents.items():
                engine.write(language, language_documents)
                written += len(language_documents)
        _bump(LANGUAGES)
    return written
