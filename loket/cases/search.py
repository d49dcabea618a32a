"""Finding cases by the words of their subject and their messages, behind one function
(DESIGN.md, "Search"): SQLite FTS5 embedded, PostgreSQL full-text search at scale.

- SQLite: the FTS5 table ``cases_case_search`` holds one row per case (rowid = case id) with
  its subject and the text of all its messages. Triggers created by migration
  ``0005_case_search`` keep it in step with every insert, update and delete of a case or a
  message, whoever writes them (services, bulk loads, the admin), so it never drifts.
- PostgreSQL: GIN indexes on ``to_tsvector('simple', …)`` of the case subject and of the
  message text (same migration); nothing to keep in step.

Both fold case and accents (``intégration`` finds ``integration``) and match word prefixes
(``leeflo`` finds ``leefloon``); every word must occur (AND). Internal notes are searched too:
the search is for staff.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from loket.accounts.models import User

from .access import visible_cases
from .models import Case

MAX_WORDS = 8
_WORD = re.compile(r"\w+")

# PostgreSQL: the accents folded by the index expressions. The migration creates the indexes
# on exactly these expressions; a query must repeat them to the letter to use the indexes.
# Every Latin-1 and Latin Extended-A letter that is an ASCII letter with a diacritic.
ACCENTED = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥ"
    "ĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſ"
)
PLAIN = (
    "AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHh"
    "IiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzs"
)
SUBJECT_VECTOR = f"to_tsvector('simple'::regconfig, translate(subject, '{ACCENTED}', '{PLAIN}'))"
BODY_VECTOR = f"to_tsvector('simple'::regconfig, translate(body, '{ACCENTED}', '{PLAIN}'))"


def search_words(text: str) -> list[str]:
    """The words of a search, lower-case and without accents, at most `MAX_WORDS`."""
    folded = unicodedata.normalize("NFKD", text or "")
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    return list(dict.fromkeys(_WORD.findall(folded)))[:MAX_WORDS]


def fts5_query(words: list[str]) -> str:
    """An FTS5 MATCH expression: every word, as a prefix. Words are made of word characters
    only and quoted, so nothing a person types is read as FTS5 syntax."""
    return " ".join(f'"{word}"*' for word in words)


def tsquery(words: list[str]) -> str:
    """A PostgreSQL to_tsquery expression: every word, as a prefix."""
    return " & ".join(f"{word}:*" for word in words)


def search_cases(text: str, user: User) -> QuerySet[Case]:
    """The cases `user` may see whose subject or messages contain every word of `text`,
    the most recently registered first. An empty search finds nothing.

    Registration order (the id) rather than the date received: the index hands out its
    matches in that order, so a page of a common word's thousands of matches is read
    without sorting them all."""
    words = search_words(text)
    if not words:
        return Case.objects.none()
    # The SQL is made of constants only; what was typed goes in as a parameter.
    if connection.vendor == "postgresql":
        matching = RawSQL(  # noqa: S611
            f"SELECT id FROM cases_case WHERE {SUBJECT_VECTOR} @@ to_tsquery('simple', %s) "  # noqa: S608
            f"UNION SELECT case_id FROM cases_message WHERE {BODY_VECTOR} "
            "@@ to_tsquery('simple', %s)",
            [tsquery(words), tsquery(words)],
        )
    else:
        matching = RawSQL(
            "SELECT rowid FROM cases_case_search WHERE cases_case_search MATCH %s",
            [fts5_query(words)],
        )
    return visible_cases(user).filter(pk__in=matching).order_by("-pk")
