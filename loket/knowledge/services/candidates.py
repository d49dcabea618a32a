"""FAQ candidates (charter rule 10): the gap finder proposes them from the questions of the
last weeks; the coordinator accepts (a draft article) or dismisses them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from loket.accounts.models import User
from loket.cases.models import Case, Event, Message, Topic
from loket.mail.language import detect_language

from ..gaps import Question, closest, find_groups
from ..models import Article, ArticleTranslation, FaqCandidate
from ..text import stems
from .articles import RESERVED_SLUGS, KnowledgeError, article_create

Status = Article.Status


def faq_candidate_accept(
    *, actor: User, candidate: FaqCandidate, owner: User | None = None
) -> Article:
    """The coordinator takes a candidate up: it becomes a draft article in the candidate's
    language, linked to the candidate and so to its cases (charter rule 10)."""
    now = timezone.now()
    with transaction.atomic():
        candidate = FaqCandidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.status != FaqCandidate.Status.PROPOSED:
            raise KnowledgeError(_("This candidate was decided already."))
        base = slugify(candidate.title)[:100] or "faq"
        slug, n = base, 1
        while slug in RESERVED_SLUGS or Article.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        # The cases stay with the candidate (its page lists them), never in the article's
        # text: a draft must not carry registration numbers towards the public site.
        topics = Topic.objects.filter(cases__faq_candidates=candidate).distinct()
        article = article_create(
            actor=actor,
            slug=slug,
            language=candidate.language,
            title=candidate.title,
            topics=list(topics),
            owner=owner or actor,
        )
        candidate.status = FaqCandidate.Status.ACCEPTED
        candidate.decided_by = actor
        candidate.decided_at = now
        candidate.article = article
        candidate.save(update_fields=["status", "decided_by", "decided_at", "article"])
        Event.objects.create(
            kind=Event.Kind.FAQ_CANDIDATE_ACCEPTED,
            at=now,
            actor=actor,
            data={"candidate": candidate.pk, "article": article.pk, "slug": article.slug},
        )
    return article


def faq_candidate_dismiss(
    *, actor: User, candidate: FaqCandidate, reason: str = ""
) -> FaqCandidate:
    """The coordinator sets a candidate aside; the gap finder does not propose it again."""
    now = timezone.now()
    with transaction.atomic():
        candidate = FaqCandidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.status != FaqCandidate.Status.PROPOSED:
            raise KnowledgeError(_("This candidate was decided already."))
        candidate.status = FaqCandidate.Status.DISMISSED
        candidate.decided_by = actor
        candidate.decided_at = now
        candidate.save(update_fields=["status", "decided_by", "decided_at"])
        Event.objects.create(
            kind=Event.Kind.FAQ_CANDIDATE_DISMISSED,
            at=now,
            actor=actor,
            data={"candidate": candidate.pk, "reason": " ".join(reason.split())[:500]},
        )
    return candidate


@dataclass
class GapReport:
    questions: int = 0
    groups: int = 0
    covered: int = 0
    proposed: int = 0
    refreshed: int = 0


def _article_words(language: str) -> dict[int, set[str]]:
    """The stems of every public article's published text in `language`."""
    rows = (
        ArticleTranslation.objects.filter(
            language=language, live__isnull=False, article__published_at__isnull=False
        )
        .exclude(article__status=Status.ARCHIVED)
        .values_list("article_id", "live__title", "live__text")
    )
    return {pk: set(stems(f"{title} {text}", language)) for pk, title, text in rows}


def _questions(since: dt.datetime) -> dict[str, list[Question]]:
    """The questions received since `since` (not complaints), per language: subject and the
    first message, as the client wrote them."""
    kinds = [Case.Kind.QUESTION, Case.Kind.COMPETENCE_CONFLICT]
    first: dict[int, str] = {}
    messages = (
        Message.objects.filter(
            case__received_at__gte=since, case__kind__in=kinds, direction=Message.Direction.INBOUND
        )
        .order_by("case_id", "at", "pk")
        .values_list("case_id", "body")
    )
    for case_id, body in messages.iterator(chunk_size=5000):
        first.setdefault(case_id, body[:1500])
    questions: dict[str, list[Question]] = defaultdict(list)
    written_in: dict[str, str | None] = {}
    cases = Case.objects.filter(received_at__gte=since, kind__in=kinds).order_by("-received_at")
    for pk, reference, subject, language in cases.values_list(
        "pk", "reference", "subject", "language"
    ).iterator(chunk_size=5000):
        text = f"{subject}\n{first.get(pk, '')}"
        # Grouped by the language the question is written in (a client may write in another
        # language than the one on record), so that like is stemmed like like.
        if text not in written_in:
            written_in[text] = detect_language(text)
        questions[written_in[text] or language].append(Question(pk, reference, subject, text))
    return questions


def _same_candidate(terms: list[str], candidate: FaqCandidate) -> bool:
    known = set(candidate.terms)
    return bool(known) and len(known & set(terms)) >= 0.5 * min(len(known), len(terms))


def faq_candidates_find(
    *,
    now: dt.datetime | None = None,
    weeks: int = 4,
    min_size: int = 5,
    similarity: float = 0.35,
    covered: float = 0.6,
) -> GapReport:
    """The gap finder (charter rule 10): group the questions of the last `weeks` by
    similarity of subject and first message, and propose each group of at least `min_size`
    that no article covers (closeness below `covered`) as an FAQ candidate, with its size,
    example registration numbers and the closest article. A group seen before refreshes its
    candidate; a dismissed or accepted one is not proposed again."""
    now = now or timezone.now()
    report = GapReport()
    for language, questions in sorted(_questions(now - dt.timedelta(weeks=weeks)).items()):
        report.questions += len(questions)
        groups = find_groups(questions, language, threshold=similarity, min_size=min_size)
        report.groups += len(groups)
        if not groups:
            continue
        articles = _article_words(language)
        known = list(
            FaqCandidate.objects.filter(language=language, source=FaqCandidate.Source.GAP_FINDER)
        )
        for group in groups:
            article_id, closeness = closest(group, articles)
            if closeness >= covered:
                report.covered += 1
                continue
            terms = group.key_terms()
            cases = [q.case_id for q in group.questions]
            fields = {
                "title": group.typical_subject()[:300],
                "terms": terms,
                "size": group.size,
                "examples": [q.reference for q in group.questions[:5]],
                "closest_article_id": article_id,
                "closeness": round(closeness, 3),
                "seen_at": now,
            }
            with transaction.atomic():
                match = next((c for c in known if _same_candidate(terms, c)), None)
                if match is not None and match.status != FaqCandidate.Status.PROPOSED:
                    continue  # decided already: dismissed, or an article is being written
                if match is not None:
                    for name, value in fields.items():
                        setattr(match, name, value)
                    match.save(update_fields=list(fields))
                    match.cases.set(cases)
                    report.refreshed += 1
                    continue
                candidate = FaqCandidate.objects.create(
                    language=language,
                    source=FaqCandidate.Source.GAP_FINDER,
                    proposed_at=now,
                    **fields,
                )
                candidate.cases.set(cases)
                known.append(candidate)
                Event.objects.create(
                    kind=Event.Kind.FAQ_CANDIDATE_PROPOSED,
                    at=now,
                    data={
                        "candidate": candidate.pk,
                        "source": candidate.source,
                        "size": group.size,
                        "closest_article": article_id,
                        "closeness": round(closeness, 3),
                    },
                )
                report.proposed += 1
    return report
