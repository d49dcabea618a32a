"""The demo knowledge base, the search measured on the labelled questions, and the gap
finder run over the demo cases: it must surface the groups the demo planted without an
article, and nothing the articles cover."""

from __future__ import annotations

from collections import Counter

import pytest

from loket.accounts.models import User
from loket.cases.models import Case, Event, Message
from loket.demo.build import build_demo
from loket.knowledge.content import read_articles, read_evaluation
from loket.knowledge.content.planted import PLANTED
from loket.knowledge.demo import knowledge_demo_load
from loket.knowledge.evaluation import evaluate
from loket.knowledge.models import Article, FaqCandidate
from loket.knowledge.services import faq_candidate_dismiss, faq_candidates_find

pytestmark = pytest.mark.django_db


def test_the_content_has_the_promised_size_and_languages() -> None:
    categories, articles = read_articles()
    assert len(articles) >= 60 and len({a.slug for a in articles}) == len(articles)
    assert all({"nl", "fr"} <= set(a.translations) for a in articles)
    assert sum("de" in a.translations for a in articles) >= 10
    assert sum("en" in a.translations for a in articles) >= 10
    assert {a.category for a in articles} == {c.code for c in categories}
    assert all(
        title and body.startswith("<") for a in articles for title, body in a.translations.values()
    )
    questions = read_evaluation()
    assert len(questions) >= 150
    assert Counter(q.language for q in questions).keys() == {"nl", "fr"}
    assert {q.article for q in questions} <= {a.slug for a in articles}


@pytest.fixture
def demo_faq(coordinator: User, expert: User) -> None:
    knowledge_demo_load()


def test_the_search_answers_the_labelled_client_questions(demo_faq: None) -> None:
    """The figures `make bench` prints, held above the issue's aim (hit@3 >= 0.9)."""
    report = evaluate(read_evaluation())
    assert report.hit_at_3 >= 0.9, report
    assert report.hit_at_1 >= 0.75, report
    assert report.mean_reciprocal_rank >= 0.85, report


def test_the_demo_knowledge_base_loads_once(demo_faq: None) -> None:
    assert Article.objects.filter(status="published").count() == len(read_articles()[1])
    assert Article.objects.filter(review_by__isnull=False).count() == Article.objects.count()
    again = knowledge_demo_load()
    assert (again.articles, again.planted) == (0, 0)


def test_the_gap_finder_surfaces_the_planted_groups_and_nothing_covered() -> None:
    build_demo(cases=400)
    planted = {subject: code for code, (_t, _l, qs) in PLANTED.items() for subject, _m in qs}
    assert Case.objects.count() == 400  # planted into recent cases, not added
    assert Message.objects.filter(subject__in=planted).count() == len(planted)

    report = faq_candidates_find()

    candidates = list(FaqCandidate.objects.filter(language__in=["nl", "fr"]))
    found: dict[str, FaqCandidate] = {}
    for candidate in candidates:
        subjects = Counter(planted.get(c.subject, "-") for c in candidate.cases.all())
        code, count = subjects.most_common(1)[0]
        assert code != "-", f"a covered question was proposed: {candidate.title}"
        assert count >= 0.7 * candidate.size  # mostly the planted questions
        found[code] = candidate
    assert set(found) == set(PLANTED)
    for code, candidate in found.items():
        assert candidate.size >= 0.75 * len(PLANTED[code][2])
        assert candidate.closeness < 0.6 and candidate.closest_article is not None
        assert set(candidate.examples) <= set(candidate.cases.values_list("reference", flat=True))
    assert report.proposed >= 3 and report.covered >= 5
    assert Event.objects.filter(kind="faq-candidate.proposed").count() == report.proposed

    # Next week: the same groups refresh their candidates; a dismissed one stays dismissed.
    dismissed = found["income-guarantee-elderly"]
    faq_candidate_dismiss(actor=User.objects.get(username="coordinator"), candidate=dismissed)
    again = faq_candidates_find()
    assert again.proposed == 0 and again.refreshed == report.proposed - 1
    assert (
        FaqCandidate.objects.count()
        == len(candidates) + FaqCandidate.objects.exclude(language__in=["nl", "fr"]).count()
    )
    dismissed.refresh_from_db()
    assert dismissed.status == "dismissed"
