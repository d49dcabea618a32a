"""The demo knowledge base (``loket demo`` calls `knowledge_demo_load` at the end): the
categories and 65 published articles of ``content/``, a few articles due for review, some
reader feedback, and the planted groups of questions that no article answers, so that the
gap finder has something to find."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from loket.accounts.models import User
from loket.cases.models import Case, Message, Topic

from .content import read_articles
from .content.planted import PLANTED
from .models import Article, Category
from .services import (
    article_create,
    article_publish,
    article_translation_save,
    article_update,
    feedback_record,
)

PUBLISHER = "coordinator"
# Articles whose review date the demo puts in the past, so the owners get their reminders.
DUE_FOR_REVIEW = ("integration-income-amounts", "novaprima-outage")
PLANTED_WITHIN = dt.timedelta(days=21)


@dataclass
class KnowledgeDemoSummary:
    articles: int
    planted: int


def knowledge_demo_load(
    *, seed: int = 2026, now: dt.datetime | None = None
) -> KnowledgeDemoSummary:
    """Load (or complete) the demo knowledge base; idempotent."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    now = now or timezone.now()
    sources, articles = read_articles()
    categories = {}
    for category in sources:
        categories[category.code], _ = Category.objects.get_or_create(
            slug=category.code,
            defaults={
                **{f"name_{language}": name for language, name in category.names.items()},
                "position": category.position,
            },
        )
    names = {a.owner for a in articles} | {PUBLISHER}
    staff = {u.username: u for u in User.objects.filter(username__in=names)}
    publisher = staff.get(PUBLISHER)
    if publisher is None:
        raise RuntimeError("the demo knowledge base needs the demo staff: run `loket demo`")
    topics = {t.code: t for t in Topic.objects.all()}
    existing = set(Article.objects.values_list("slug", flat=True))
    made = 0
    for source in articles:
        if source.slug in existing:
            continue
        owner = staff.get(source.owner, publisher)
        (first, (title, body)), *others = source.translations.items()
        with transaction.atomic():
            article = article_create(
                actor=owner,
                slug=source.slug,
                language=first,
                title=title,
                body=body,
                category=categories[source.category],
                topics=[topics[code] for code in source.topics if code in topics],
                owner=owner,
            )
            for language, (title, body) in others:
                article_translation_save(
                    actor=owner, article=article, language=language, title=title, body=body
                )
            article = article_publish(actor=publisher, article=article)
            if source.slug in DUE_FOR_REVIEW:
                article_update(
                    actor=publisher,
                    article=article,
                    category=article.category,
                    topics=list(article.topics.all()),
                    owner=owner,
                    review_by=timezone.localdate(now) - dt.timedelta(days=rng.randint(3, 20)),
                )
            for _ in range(rng.randint(0, 6)):
                feedback_record(article=article, language=first, helpful=rng.random() < 0.75)
        made += 1
    return KnowledgeDemoSummary(articles=made, planted=plant_questions(rng=rng, now=now))


def plant_questions(*, rng: random.Random, now: dt.datetime) -> int:
    """Give recent demo questions the texts of the planted groups (content/planted.py).

    The demo asked for a number of cases and gets exactly that number: the planted questions
    take the subject, first message, language and topic of recent questions instead of
    adding cases. Their terms stay as they were (questions share one deadline policy)."""
    subjects = [subject for _t, _l, questions in PLANTED.values() for subject, _m in questions]
    if Case.objects.filter(subject__in=subjects).exists():
        return 0  # planted before
    recent = list(
        Case.objects.filter(
            kind=Case.Kind.QUESTION, received_at__gte=now - PLANTED_WITHIN
        ).order_by("-received_at", "pk")[:5000]
    )
    rng.shuffle(recent)
    topics = {
        t.code: t for t in Topic.objects.filter(code__in=[t for t, _l, _q in PLANTED.values()])
    }
    chosen: list[tuple[Case, str, str]] = []
    for topic_code, language, questions in PLANTED.values():
        for subject, message in questions:
            # A case of the client's own language if there is one, else any recent case.
            case = next((c for c in recent if c.language == language), None) or (
                recent[0] if recent else None
            )
            if case is None:
                break
            recent.remove(case)
            case.subject = subject
            case.language = language
            case.topic = topics.get(topic_code, case.topic)
            chosen.append((case, subject, message))
    with transaction.atomic():
        Case.objects.bulk_update([c for c, _s, _m in chosen], ["subject", "language", "topic"])
        for case, subject, message in chosen:
            Message.objects.filter(case=case, direction=Message.Direction.INBOUND).update(
                subject=subject, body=message
            )
    return len(chosen)
