"""Reads of the knowledge base that are more than one line: the public FAQ with its language
fallback, the staff lists, version diffs, candidates, signals and suggestions."""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from loket.cases.models import Case, Event, Message

from .models import (
    Article,
    ArticleTranslation,
    ArticleVersion,
    Category,
    FaqCandidate,
    Signal,
    SuggestionShown,
)
from .richtext import linked_slugs, resolve_links
from .search import Hit, search_articles
from .text import LANGUAGES

# When an article has no published text in the reader's language, the first of these that
# it has is shown, with a note (Belgium: Dutch and French first, then the others).
FALLBACKS: dict[str, tuple[str, ...]] = {
    "nl": ("nl", "fr", "en", "de"),
    "fr": ("fr", "nl", "en", "de"),
    "de": ("de", "fr", "nl", "en"),
    "en": ("en", "nl", "fr", "de"),
}
HOME_PER_CATEGORY = 8
# A visit whose question is not sent within this time after the last suggestions counts as
# answered by the FAQ.
DEFLECTION_AFTER = dt.timedelta(hours=1)


def public_articles() -> QuerySet[Article]:
    """Articles on the public site: published once, not archived."""
    return Article.objects.filter(published_at__isnull=False).exclude(
        status=Article.Status.ARCHIVED
    )


def faq_url(slug: str, language: str) -> str:
    with translation.override(language):
        return reverse("knowledge:article", args=[slug])


@dataclass(frozen=True)
class ArticleLink:
    slug: str
    title: str
    language: str  # the language of the title shown (a fallback when not the reader's)
    fallback: bool


def _links(articles: list[int], language: str) -> dict[int, ArticleLink]:
    """The title of each article in `language`, or in its first fallback language."""
    titles: dict[int, dict[str, tuple[str, str]]] = defaultdict(dict)
    for pk, slug, lang, title in ArticleTranslation.objects.filter(
        article_id__in=articles, live__isnull=False
    ).values_list("article_id", "article__slug", "language", "live__title"):
        titles[pk][lang] = (slug, title)
    links = {}
    for pk, by_language in titles.items():
        shown = next(lang for lang in FALLBACKS[language] if lang in by_language)
        slug, title = by_language[shown]
        links[pk] = ArticleLink(slug, title, shown, shown != language)
    return links


@dataclass
class CategorySection:
    category: Category | None
    articles: list[ArticleLink]
    total: int


def faq_home(language: str, *, per_category: int = HOME_PER_CATEGORY) -> list[CategorySection]:
    """The FAQ's home page: each category with its first articles (by title)."""
    ids_by_category: dict[int | None, list[int]] = defaultdict(list)
    for pk, category_id in public_articles().values_list("pk", "category_id").order_by("pk"):
        ids_by_category[category_id].append(pk)
    links = _links([pk for ids in ids_by_category.values() for pk in ids], language)
    categories = list(Category.objects.filter(pk__in=[c for c in ids_by_category if c]))
    sections = []
    for category in [*categories, None]:
        ids = ids_by_category.get(category.pk if category else None, [])
        found = sorted((links[pk] for pk in ids if pk in links), key=lambda link: link.title)
        if found:
            sections.append(CategorySection(category, found[:per_category], len(found)))
    return sections


def category_articles(category: Category, language: str) -> list[ArticleLink]:
    ids = list(public_articles().filter(category=category).values_list("pk", flat=True))
    return sorted(_links(ids, language).values(), key=lambda link: link.title)


@dataclass
class PublicArticle:
    article: Article
    version: ArticleVersion
    body: str  # with links to other articles resolved for the reader's language
    fallback: bool  # shown in another language than the reader's
    languages: list[str]  # the languages it is published in
    related: list[ArticleLink] = field(default_factory=list)


def public_article(slug: str, language: str) -> PublicArticle | None:
    """The published article in the reader's language, or in a fallback language."""
    article = public_articles().select_related("category").filter(slug=slug).first()
    if article is None:
        return None
    versions = {
        t.language: t.live
        for t in ArticleTranslation.objects.filter(
            article=article, live__isnull=False
        ).select_related("live")
    }
    shown = next((lang for lang in FALLBACKS[language] if lang in versions), None)
    if shown is None:
        return None
    version = versions[shown]
    if version is None:
        return None
    published = set(
        public_articles().filter(slug__in=linked_slugs(version.body)).values_list("slug", flat=True)
    )
    body = resolve_links(version.body, lambda s: faq_url(s, language) if s in published else None)
    related_ids = list(
        public_articles()
        .filter(category=article.category)
        .exclude(pk=article.pk)
        .values_list("pk", flat=True)[:50]
    )
    related = sorted(_links(related_ids, language).values(), key=lambda link: link.title)[:5]
    return PublicArticle(
        article=article,
        version=version,
        body=body,
        fallback=shown != language,
        languages=[lang for lang in LANGUAGES if lang in versions],
        related=related,
    )


def article_reply_text(article: Article, language: str) -> tuple[str, str]:
    """The article's published text for a reply to a client, in `language` or a fallback:
    (language used, title and text as plain lines)."""
    versions = {
        t.language: t.live
        for t in ArticleTranslation.objects.filter(
            article=article, live__isnull=False
        ).select_related("live")
    }
    shown = next((lang for lang in FALLBACKS.get(language, LANGUAGES) if versions.get(lang)), "")
    version = versions.get(shown)
    if version is None:
        return "", ""
    return shown, f"{version.title}\n\n{version.text}"


# --- the desk -----------------------------------------------------------------------------


@dataclass
class StaffArticleRow:
    article: Article
    titles: dict[str, str]  # language -> working title; a missing language is missing
    helpful: int
    not_helpful: int
    uses: int

    @property
    def title(self) -> str:
        return next((self.titles[lang] for lang in LANGUAGES if lang in self.titles), "")


def staff_articles(
    *,
    status: str = "",
    category: Category | None = None,
    missing: str = "",
    text: str = "",
    review_due: bool = False,
    limit: int = 100,
) -> tuple[list[StaffArticleRow], int]:
    """The articles for the desk's list (filtered), with their translations and how readers
    and agents used them, in a constant number of queries; and how many matched."""
    articles = Article.objects.select_related("owner", "category").annotate(
        helpful=Count("feedback", filter=Q(feedback__helpful=True), distinct=True),
        not_helpful=Count("feedback", filter=Q(feedback__helpful=False), distinct=True),
        used=Count("uses", distinct=True),
    )
    if status:
        articles = articles.filter(status=status)
    if category is not None:
        articles = articles.filter(category=category)
    if missing:
        articles = articles.exclude(translations__language=missing)
    if text:
        articles = articles.filter(
            Q(slug__icontains=text) | Q(translations__title__icontains=text)
        ).distinct()
    if review_due:
        articles = articles.filter(
            status=Article.Status.PUBLISHED, review_by__lte=timezone.localdate()
        )
    total = articles.count()
    page = list(articles.order_by("category__position", "slug")[:limit])
    titles: dict[int, dict[str, str]] = defaultdict(dict)
    for pk, language, title in ArticleTranslation.objects.filter(
        article_id__in=[a.pk for a in page]
    ).values_list("article_id", "language", "title"):
        titles[pk][language] = title
    rows = [
        StaffArticleRow(
            article=a,
            titles=titles[a.pk],
            helpful=a.helpful,
            not_helpful=a.not_helpful,
            uses=a.used,
        )
        for a in page
    ]
    return rows, total


def article_events(article: Article, limit: int = 50) -> list[Event]:
    """The article's history, newest first."""
    return list(
        Event.objects.filter(kind__startswith="article.", data__article=article.pk)
        .select_related("actor")
        .order_by("-at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def version_diff(old: ArticleVersion | None, new: ArticleVersion) -> list[DiffLine]:
    """What changed between two published versions of one translation, line by line (the
    title, then each paragraph or list item)."""
    before = [old.title, *old.text.splitlines()] if old else []
    after = [new.title, *new.text.splitlines()]
    lines = []
    for line in difflib.ndiff(before, after):
        marker, text = line[:2], line[2:]
        if marker == "  ":
            lines.append(DiffLine("same", text))
        elif marker == "+ ":
            lines.append(DiffLine("added", text))
        elif marker == "- ":
            lines.append(DiffLine("removed", text))
    return lines


def proposed_candidates(language: str = "") -> list[FaqCandidate]:
    candidates = FaqCandidate.objects.filter(status=FaqCandidate.Status.PROPOSED).select_related(
        "closest_article"
    )
    if language:
        candidates = candidates.filter(language=language)
    return list(candidates.order_by("-size", "-seen_at")[:200])


def decided_candidates(limit: int = 20) -> list[FaqCandidate]:
    return list(
        FaqCandidate.objects.exclude(status=FaqCandidate.Status.PROPOSED)
        .select_related("decided_by", "article")
        .order_by("-decided_at")[:limit]
    )


@dataclass(frozen=True)
class SignalCount:
    kind: str
    label: str
    count: int
    recent: int  # in the last 30 days


def signal_counts(*, now: dt.datetime | None = None) -> list[SignalCount]:
    """Every kind of signal with its count, all time and in the last 30 days (one query)."""
    now = now or timezone.now()
    month = now - dt.timedelta(days=30)
    counts: dict[str, tuple[int, int]] = {
        kind: (total, recent)
        for kind, total, recent in Signal.objects.values("kind")
        .annotate(total=Count("pk"), recent=Count("pk", filter=Q(created_at__gte=month)))
        .values_list("kind", "total", "recent")
    }
    return [
        SignalCount(kind, str(label), *counts.get(kind, (0, 0)))
        for kind, label in Signal.Kind.choices
    ]


def recent_signals(kind: str = "", limit: int = 50) -> list[Signal]:
    signals = Signal.objects.select_related("case", "case__topic", "created_by")
    if kind:
        signals = signals.filter(kind=kind)
    return list(signals.order_by("-created_at")[:limit])


@dataclass(frozen=True)
class SuggestionFigures:
    visits: int
    sent: int
    deflected: int


def suggestion_figures(*, now: dt.datetime | None = None, days: int = 30) -> SuggestionFigures:
    """Visits of the question form that were shown articles in the last `days`, how many
    sent their question anyway, and how many did not (deflections)."""
    now = now or timezone.now()
    shown = SuggestionShown.objects.filter(shown_at__gte=now - dt.timedelta(days=days))
    figures = shown.aggregate(
        visits=Count("pk"),
        sent=Count("pk", filter=Q(submitted_at__isnull=False)),
        deflected=Count(
            "pk", filter=Q(submitted_at__isnull=True, shown_at__lt=now - DEFLECTION_AFTER)
        ),
    )
    return SuggestionFigures(**figures)


def case_question(case: Case) -> str:
    """What the client asked: the subject and the first message."""
    first = (
        Message.objects.filter(case=case, direction=Message.Direction.INBOUND)
        .order_by("at", "pk")
        .values_list("body", flat=True)
        .first()
    )
    return f"{case.subject}\n{(first or '')[:1500]}"


def suggestions_for_case(case: Case, limit: int = 5) -> list[Hit]:
    """The published articles that best match the case's question, in the client's language
    (charter rule 10: the FAQ is suggested to agents while they answer)."""
    return search_articles(case_question(case), case.language, limit)
