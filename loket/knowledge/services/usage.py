"""What readers and agents do with articles: "did this help?", the suggestions on the
question form, articles inserted into replies, and cases flagged for the knowledge base."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.accounts.models import User
from loket.cases.models import Case, Event

from ..models import Article, ArticleUse, FaqCandidate, Feedback, Signal, SuggestionShown
from ..text import LANGUAGES
from .articles import KnowledgeError


def feedback_record(*, article: Article, language: str, helpful: bool) -> Feedback:
    """A reader's "did this help?". The row is its own record (anonymous readers are not in
    the event log, which is about clients' cases and staff's steps)."""
    if not article.is_public:
        raise KnowledgeError(_("This article is not published."))
    if language not in LANGUAGES:
        raise KnowledgeError(_("Unknown language: %(language)s") % {"language": language})
    return Feedback.objects.create(
        article=article, language=language, helpful=helpful, at=timezone.now()
    )


def suggestion_shown_record(
    *, visit: str, language: str, query: str, articles: Iterable[int]
) -> SuggestionShown | None:
    """The question form showed these articles during this visit (one row per visit, the
    latest suggestions). A visit whose question is then never sent counts as answered by
    the FAQ (a deflection)."""
    visit = visit.strip()[:64]
    ids = list(articles)
    if not visit or not ids:
        return None
    now = timezone.now()
    with transaction.atomic():
        shown, created = SuggestionShown.objects.select_for_update().get_or_create(
            visit=visit,
            defaults={"language": language, "query": query[:300], "articles": ids, "shown_at": now},
        )
        if not created and shown.submitted_at is None:
            shown.query = query[:300]
            shown.articles = list(dict.fromkeys([*shown.articles, *ids]))
            shown.shown_at = now
            shown.save(update_fields=["query", "articles", "shown_at"])
    return shown


def suggestion_question_sent(*, visit: str, case: Case) -> bool:
    """The client sent the question after all: the suggestions did not answer it. The portal
    calls this when it registers the question of a visit; False when nothing was shown."""
    return bool(suggestion_questions_sent(sent=[(visit, case, timezone.now())]))


def suggestion_questions_sent(*, sent: Iterable[tuple[str, Case, dt.datetime]]) -> int:
    """`suggestion_question_sent` for many visits at once, each (visit, case, when the
    question was sent): the portal registers its questions in batches. Two queries whatever
    their number (most visits were shown nothing); returns how many visits had suggestions."""
    by_visit = {visit.strip()[:64]: (case, at) for visit, case, at in sent if visit.strip()}
    if not by_visit:
        return 0
    shown = list(
        SuggestionShown.objects.filter(visit__in=list(by_visit), submitted_at__isnull=True)
    )
    for row in shown:
        row.case, row.submitted_at = by_visit[row.visit]
    if shown:
        SuggestionShown.objects.bulk_update(shown, ["case", "submitted_at"])
    return len(shown)


def article_use_record(*, actor: User, case: Case, article: Article) -> ArticleUse:
    """An agent inserted the article into the reply of a case: the case was answered with it
    (charter rule 10: the FAQ is suggested to agents while they answer). Recorded once per
    case and article, on the case's timeline."""
    if not article.is_public:
        raise KnowledgeError(_("Only a published article can be used in a reply."))
    now = timezone.now()
    with transaction.atomic():
        use, created = ArticleUse.objects.get_or_create(
            article=article,
            case=case,
            defaults={"language": case.language, "used_by": actor, "used_at": now},
        )
        if created:
            Event.objects.create(
                kind=Event.Kind.CASE_ANSWERED_WITH_ARTICLE,
                at=now,
                actor=actor,
                case=case,
                client_id=case.client_id,
                data={"article": article.pk, "slug": article.slug, "language": case.language},
            )
    return use


def case_signal(*, actor: User, case: Case, kind: str, note: str = "") -> Signal:
    """An agent flags a case for the knowledge base with one action (charter rule 10): as an
    FAQ candidate (it then appears among the candidates) or as a problem clients run into."""
    if kind not in Signal.Kind.values:
        raise KnowledgeError(_("Unknown kind of signal: %(kind)s") % {"kind": kind})
    note = " ".join(note.split())[:500]
    now = timezone.now()
    with transaction.atomic():
        signal, created = Signal.objects.get_or_create(
            case=case, kind=kind, defaults={"note": note, "created_by": actor, "created_at": now}
        )
        if not created:
            return signal  # flagged so already: one signal per case and kind
        Event.objects.create(
            kind=Event.Kind.CASE_SIGNALLED,
            at=now,
            actor=actor,
            case=case,
            client_id=case.client_id,
            data={"signal": kind, "note": note},
        )
        if (
            kind == Signal.Kind.FAQ_CANDIDATE
            and not case.faq_candidates.filter(status=FaqCandidate.Status.PROPOSED).exists()
        ):
            candidate = FaqCandidate.objects.create(
                language=case.language,
                title=case.subject[:300],
                size=1,
                examples=[case.reference],
                source=FaqCandidate.Source.AGENT,
                proposed_at=now,
                seen_at=now,
            )
            candidate.cases.add(case)
            Event.objects.create(
                kind=Event.Kind.FAQ_CANDIDATE_PROPOSED,
                at=now,
                actor=actor,
                data={"candidate": candidate.pk, "source": candidate.source, "size": 1},
            )
    return signal
