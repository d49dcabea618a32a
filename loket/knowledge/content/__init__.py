"""The demo knowledge base and the search evaluation set, read from plain files:

- ``articles/*.txt``: one file per FAQ category (the format is described at the top of
  ``articles/01-integration-income.txt``);
- ``eval.jsonl``: client questions, each labelled with the address of the article that
  answers it (``{"language": "nl", "question": "...", "article": "..."}``);
- ``planted.py``: groups of similar questions that no article answers, for the gap finder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

CONTENT = Path(__file__).resolve().parent
ARTICLES = CONTENT / "articles"
EVALUATION = CONTENT / "eval.jsonl"


@dataclass
class CategorySource:
    code: str
    names: dict[str, str]
    position: int


@dataclass
class ArticleSource:
    slug: str
    category: str
    topics: list[str] = field(default_factory=list)
    owner: str = ""
    # language -> (title, HTML body), in the order written
    translations: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class EvaluationQuestion:
    language: str
    question: str
    article: str


class ContentError(ValueError):
    """A content file does not follow its format; the message names file and line."""


def _category(line: str, position: int) -> CategorySource:
    code, *names = (part.strip() for part in line.split(":", 1)[1].split("|"))
    if len(names) != 4:
        raise ContentError(f"a category needs a code and four names: {line!r}")
    return CategorySource(code, dict(zip(("nl", "fr", "de", "en"), names, strict=True)), position)


def read_file(path: Path, position: int) -> tuple[CategorySource, list[ArticleSource]]:
    """One category file: its category and articles."""
    category: CategorySource | None = None
    articles: list[ArticleSource] = []
    language = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        where = f"{path.name}:{number}"
        if not line or (line.startswith("#") and not language):
            continue
        if line.startswith("category:"):
            category = _category(line, position)
        elif line.startswith("=== "):
            if category is None:
                raise ContentError(f"{where}: an article before the category line")
            articles.append(ArticleSource(slug=line[4:].strip(), category=category.code))
            language = ""
        elif not articles:
            raise ContentError(f"{where}: text before the first article")
        elif line.startswith("--- "):
            language, _, title = line[4:].partition(":")
            language = language.strip()
            articles[-1].translations[language] = (title.strip(), "")
        elif not language and line.startswith("topics:"):
            articles[-1].topics = [t.strip() for t in line[7:].split(",") if t.strip()]
        elif not language and line.startswith("owner:"):
            articles[-1].owner = line[6:].strip()
        elif language:
            title, body = articles[-1].translations[language]
            articles[-1].translations[language] = (title, f"{body}\n{line}".strip())
        else:
            raise ContentError(f"{where}: unexpected line {line!r}")
    if category is None:
        raise ContentError(f"{path.name}: no category line")
    return category, articles


def read_articles(directory: Path = ARTICLES) -> tuple[list[CategorySource], list[ArticleSource]]:
    """Every category and article of the demo knowledge base, in file order."""
    categories: list[CategorySource] = []
    articles: list[ArticleSource] = []
    for position, path in enumerate(sorted(directory.glob("*.txt")), start=1):
        category, found = read_file(path, position * 10)
        categories.append(category)
        articles.extend(found)
    return categories, articles


def read_evaluation(path: Path = EVALUATION) -> list[EvaluationQuestion]:
    """The labelled client questions the search is measured on."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(EvaluationQuestion(row["language"], row["question"], row["article"]))
        except (ValueError, KeyError) as error:
            raise ContentError(f"{path.name}:{number}: {error}") from error
    return questions
