"""The two search engines behind `search_articles`: SQLite FTS5 and PostgreSQL full-text
search. Each stores one document per published article and language, lists the words it has
seen (for typo tolerance) and ranks a planned query.

SQLite: one FTS5 table per language (``knowledge_search_nl``…) whose columns hold the stems
that `loket.knowledge.text` computes (title, body) and the folded words themselves (`words`,
only for the vocabulary); ranked by bm25 with the title weighing more.

PostgreSQL: one table ``knowledge_search`` with a tsvector per document built by the
language's own configuration ('dutch', 'french', 'german', 'english') from accent-folded
text (`text.fold`, so the `unaccent` extension is not needed), title weighted A and body B,
and ``knowledge_search_words`` with the folded words for the vocabulary; ranked by
ts_rank_cd per query word, weighted by how rare the word is (inverse document
frequency, as bm25 does), so both engines rank alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.db import connection

from ..text import LANGUAGES, POSTGRES_CONFIGURATION, content_words, fold, stemmed_text

TITLE_WEIGHT = 3.0  # a word in the title counts this many times a word in the body


@dataclass(frozen=True)
class Document:
    article_id: int
    title: str
    text: str


@dataclass(frozen=True)
class QueryWord:
    """One word to look for, and how much a match on it counts (1 for what the reader typed,
    less for a correction of a typo)."""

    word: str
    weight: float = 1.0


class Engine(Protocol):
    def write(self, language: str, documents: Sequence[Document]) -> None: ...
    def delete(self, language: str, article_ids: Iterable[int]) -> None: ...
    def clear(self) -> None: ...
    def words(self, language: str) -> list[str]: ...
    def count(self, language: str) -> int: ...
    def rank(
        self, language: str, query: Sequence[QueryWord], limit: int, documents: int
    ) -> list[tuple[int, float]]: ...


def checked(language: str) -> str:
    """Only the four languages ever reach SQL text (table names, configurations)."""
    if language not in LANGUAGES:
        raise ValueError(f"no search index for language {language!r}")
    return language


def surface_words(document: Document, language: str) -> str:
    """The distinct folded words of a document: the vocabulary typos are corrected against."""
    return " ".join(sorted(set(content_words(f"{document.title} {document.text}", language))))


class SqliteEngine:
    def write(self, language: str, documents: Sequence[Document]) -> None:
        table = f"knowledge_search_{checked(language)}"
        rows = [
            (
                d.article_id,
                stemmed_text(d.title, language),
                stemmed_text(d.text, language),
                surface_words(d, language),
            )
            for d in documents
        ]
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {table} WHERE rowid = %s", [(r[0],) for r in rows])  # noqa: S608
            cursor.executemany(
                f"INSERT INTO {table} (rowid, title, body, words) VALUES (%s, %s, %s, %s)",  # noqa: S608
                rows,
            )

    def delete(self, language: str, article_ids: Iterable[int]) -> None:
        table = f"knowledge_search_{checked(language)}"
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {table} WHERE rowid = %s", [(i,) for i in article_ids])  # noqa: S608

    def clear(self) -> None:
        with connection.cursor() as cursor:
            for language in LANGUAGES:
                cursor.execute(f"DELETE FROM knowledge_search_{language}")  # noqa: S608

    def words(self, language: str) -> list[str]:
        vocabulary = f"knowledge_search_{checked(language)}_vocab"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT term FROM {vocabulary} WHERE col = 'words'")  # noqa: S608
            return [row[0] for row in cursor.fetchall()]

    def count(self, language: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM knowledge_search_{checked(language)}")  # noqa: S608
            return int(cursor.fetchone()[0])

    def rank(
        self, language: str, query: Sequence[QueryWord], limit: int, documents: int
    ) -> list[tuple[int, float]]:
        """bm25 over the title and the text (FTS5 knows each word's document frequency)."""
        table = f"knowledge_search_{checked(language)}"
        stems = {s for q in query for s in stemmed_text(q.word, language).split()}
        if not stems:
            return []
        # Each stem quoted: FTS5 reads it as a plain term, never as an operator.
        expression = "{title body} : (" + " OR ".join(f'"{s}"' for s in sorted(stems)) + ")"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, -bm25({table}, %s, 1.0, 0.0) AS score FROM {table} "  # noqa: S608
                f"WHERE {table} MATCH %s ORDER BY score DESC, rowid LIMIT %s",
                [TITLE_WEIGHT, expression, limit],
            )
            return [(int(pk), float(score)) for pk, score in cursor.fetchall()]


class PostgresEngine:
    # ts_rank_cd's weights for D, C, B (body) and A (title).
    WEIGHTS = "{0.0, 0.0, %.2f, 1.0}" % (1.0 / TITLE_WEIGHT)
    # 32: each word's rank r becomes r / (r + 1), so repeating a word saturates (as bm25's term
    # frequency does) and the weight of rare words decides the order.
    NORMALISATION = 32
    SHORTLIST = 100

    def write(self, language: str, documents: Sequence[Document]) -> None:
        configuration = POSTGRES_CONFIGURATION[checked(language)]
        rows = [
            (d.article_id, language, fold(d.title), fold(d.text), surface_words(d, language))
            for d in documents
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                """
                INSERT INTO knowledge_search (article_id, language, document)
                VALUES (
                    %s, %s,
                    setweight(to_tsvector(%s::regconfig, %s), 'A')
                        || setweight(to_tsvector(%s::regconfig, %s), 'B')
                )
                ON CONFLICT (article_id, language) DO UPDATE SET document = EXCLUDED.document
                """,
                [(a, lang, configuration, t, configuration, b) for a, lang, t, b, _w in rows],
            )
            cursor.executemany(
                """
                INSERT INTO knowledge_search_words (article_id, language, words)
                VALUES (%s, %s, to_tsvector('simple', %s))
                ON CONFLICT (article_id, language) DO UPDATE SET words = EXCLUDED.words
                """,
                [(a, lang, w) for a, lang, _t, _b, w in rows],
            )

    def delete(self, language: str, article_ids: Iterable[int]) -> None:
        ids = list(article_ids)
        with connection.cursor() as cursor:
            for table in ("knowledge_search", "knowledge_search_words"):
                cursor.execute(
                    f"DELETE FROM {table} WHERE language = %s AND article_id = ANY(%s)",  # noqa: S608
                    [checked(language), ids],
                )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM knowledge_search")
            cursor.execute("DELETE FROM knowledge_search_words")

    def words(self, language: str) -> list[str]:
        with connection.cursor() as cursor:
            # ts_stat takes the query as text; the language is one of four known codes.
            documents = "SELECT words FROM knowledge_search_words WHERE language = '%s'" % (  # noqa: S608, UP031
                checked(language)
            )
            cursor.execute("SELECT word FROM ts_stat(%s)", [documents])
            return [row[0] for row in cursor.fetchall()]

    def count(self, language: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM knowledge_search WHERE language = %s", [checked(language)]
            )
            return int(cursor.fetchone()[0])

    def rank(
        self, language: str, query: Sequence[QueryWord], limit: int, documents: int
    ) -> list[tuple[int, float]]:
        """The sum over the query's words of ts_rank_cd, each weighted by the word's inverse
        document frequency (bm25's: ln(1 + (N - n + 0.5) / (n + 0.5))).

        Ranking costs per document, and a common word matches thousands: the matches are
        first scored by which words they contain (the sum of those words' weights), and only
        the best `SHORTLIST` are ranked with ts_rank_cd for the final order."""
        configuration = POSTGRES_CONFIGURATION[checked(language)]
        if not query:
            return []
        parameters: dict[str, str | float | int] = {
            "configuration": configuration,
            "weights": self.WEIGHTS,
            "norm": self.NORMALISATION,
            "language": language,
            "documents": max(documents, 1),
            "shortlist": self.SHORTLIST,
            "limit": limit,
        }
        rows = []
        for term, q in enumerate(query):
            parameters[f"word{term}"] = q.word
            parameters[f"weight{term}"] = q.weight
            rows.append(
                f"({term}, plainto_tsquery(%(configuration)s::regconfig, %(word{term})s), "
                f"%(weight{term})s::float8)"
            )
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH terms (term, query, weight) AS (VALUES {", ".join(rows)}),
                matches AS MATERIALIZED (
                    SELECT s.article_id, t.term, t.weight
                    FROM knowledge_search s JOIN terms t ON s.document @@ t.query
                    WHERE s.language = %(language)s AND numnode(t.query) > 0
                ),
                rarity AS (
                    SELECT term,
                           ln(1 + (%(documents)s - count(*) + 0.5)::float8 / (count(*) + 0.5))
                               AS idf
                    FROM matches GROUP BY term
                ),
                shortlist AS (
                    SELECT m.article_id FROM matches m JOIN rarity r ON r.term = m.term
                    GROUP BY m.article_id
                    ORDER BY sum(m.weight * r.idf) DESC, m.article_id
                    LIMIT %(shortlist)s
                )
                SELECT s.article_id,
                       sum(t.weight * r.idf
                           * ts_rank_cd(%(weights)s::float4[], s.document, t.query, %(norm)s))
                           AS score
                FROM shortlist l
                JOIN knowledge_search s
                    ON s.article_id = l.article_id AND s.language = %(language)s
                JOIN terms t ON s.document @@ t.query
                JOIN rarity r ON r.term = t.term
                GROUP BY s.article_id
                ORDER BY score DESC, s.article_id
                LIMIT %(limit)s
                """,  # noqa: S608 - only placeholders are formatted in
                parameters,
            )
            return [(int(pk), float(score)) for pk, score in cursor.fetchall()]


def current_engine() -> Engine:
    """The engine of the database loket runs on."""
    if connection.vendor == "postgresql":
        return PostgresEngine()
    if connection.vendor == "sqlite":
        return SqliteEngine()
    raise RuntimeError(f"no search engine for {connection.vendor}")
