"""`search_articles`: plan the query (words, typo corrections), let the engine rank, and
describe each hit from the published text."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from ..models import ArticleTranslation, SearchIndexState
from ..text import LANGUAGES, content_words
from .engines import QueryWord, current_engine

MAX_WORDS = 30
# A typo is corrected to a known word at least this similar (rapidfuzz ratio, 0-100) ...
TYPO_CUTOFF = 80.0
# ... and only in words long enough for a similarity to mean something.
TYPO_MIN_LENGTH = 4
SNIPPET_LENGTH = 220


@dataclass(frozen=True)
class Hit:
    """One article found: its address, its title and a snippet in the language searched."""

    article_id: int
    slug: str
    language: str
    title: str
    snippet: str
    score: float


@dataclass(frozen=True)
class Lexicon:
    """What a language's index holds: its words (for typo tolerance) and its documents."""

    generation: int
    known: frozenset[str]
    words: list[str]
    documents: int


class _Lexicons:
    """The lexicon of each language, per process, reloaded when the index's generation
    number moves (another process may have published meanwhile)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lexicons: dict[str, Lexicon] = {}

    def get(self, language: str) -> Lexicon:
        state = SearchIndexState.objects.filter(language=language).first()
        generation = state.generation if state else 0
        cached = self._lexicons.get(language)
        if cached is None or cached.generation != generation:
            engine = current_engine()
            words = sorted(engine.words(language))
            cached = Lexicon(generation, frozenset(words), words, engine.count(language))
            with self._lock:
                self._lexicons[language] = cached
        return cached

    def forget(self) -> None:
        with self._lock:
            self._lexicons.clear()


lexicons = _Lexicons()


def plan(query: str, language: str, lexicon: Lexicon | None = None) -> list[QueryWord]:
    """The words to look for: the reader's meaningful words, and for each word the index has
    never seen, the closest words it has (typos: "leeflon" -> "leefloon")."""
    typed = list(dict.fromkeys(content_words(query, language)))[:MAX_WORDS]
    if not typed:
        return []
    lexicon = lexicon or lexicons.get(language)
    known, choices = lexicon.known, lexicon.words
    planned: list[QueryWord] = []
    for word in typed:
        planned.append(QueryWord(word))
        if word in known or len(word) < TYPO_MIN_LENGTH or word.isdigit():
            continue
        matches = process.extract(
            word, choices, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF, limit=3
        )
        if not matches:
            continue
        best = matches[0][1]
        for match, score, _index in matches:
            if score >= best - 5:
                planned.append(QueryWord(match, weight=round(0.9 * score / 100, 3)))
    return planned


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SNIPPET_LENGTH:
        return text
    cut = text[:SNIPPET_LENGTH].rsplit(" ", 1)[0]
    return f"{cut}…"


def search_articles(query: str, language: str, limit: int = 10) -> list[Hit]:
    """The published articles that best answer `query`, best first, among those with a
    published text in `language` (charter rule 10)."""
    if language not in LANGUAGES or limit <= 0:
        return []
    if not content_words(query, language):
        return []
    lexicon = lexicons.get(language)
    planned = plan(query, language, lexicon)
    ranked = current_engine().rank(language, planned, limit, lexicon.documents)
    if not ranked:
        return []
    translations = {
        t.article_id: t
        for t in ArticleTranslation.objects.filter(
            article_id__in=[pk for pk, _score in ranked], language=language, live__isnull=False
        ).select_related("article", "live")
    }
    hits = []
    for pk, score in ranked:
        translation = translations.get(pk)
        if translation is None or translation.live is None:
            continue  # unpublished after the index was read; never show it
        hits.append(
            Hit(
                article_id=pk,
                slug=translation.article.slug,
                language=language,
                title=translation.live.title,
                snippet=_snippet(translation.live.text),
                score=score,
            )
        )
    return hits
