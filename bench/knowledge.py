"""Knowledge base figures (issue 7): the search's quality on the labelled client questions
(hit@1, hit@3, MRR), the gap finder over the demo cases (does it surface the planted
groups?), and search times at 5,000 articles."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from loket.knowledge.content import read_evaluation
from loket.knowledge.content.planted import PLANTED
from loket.knowledge.evaluation import evaluate
from loket.knowledge.models import Article, ArticleTranslation, ArticleVersion, FaqCandidate
from loket.knowledge.search import search_articles
from loket.knowledge.search.index import index_articles
from loket.knowledge.services import faq_candidates_find

Timer = Callable[..., float]
TARGET_ARTICLES = 5000
QUALIFIERS = {
    "nl": ["voor OCMW's", "voor burgers", "bijzonder geval", "uitzonderingen", "voorbeeld"],
    "fr": ["pour les CPAS", "pour les citoyens", "cas particulier", "exceptions", "exemple"],
    "de": ["für ÖSHZ", "für Bürger", "Sonderfall", "Ausnahmen", "Beispiel"],
    "en": ["for welfare centres", "for citizens", "special case", "exceptions", "example"],
}


def run_database(vendor: str, timed: Timer) -> None:
    from bench.run import percentiles

    questions = read_evaluation()
    report = evaluate(questions)
    print(f"  search quality ({vendor}, {Article.objects.count()} articles): {report}", flush=True)
    for language in ("nl", "fr"):
        mine = [q for q in questions if q.language == language]
        print(f"    {language}: {evaluate(mine)}", flush=True)

    started = time.perf_counter()
    gaps = faq_candidates_find()
    elapsed = time.perf_counter() - started
    print(
        f"  gap finder over {gaps.questions} recent questions: {elapsed:.1f} s, {gaps}", flush=True
    )
    planted = {subject: code for code, (_t, _l, qs) in PLANTED.items() for subject, _m in qs}
    surfaced = set()
    for candidate in FaqCandidate.objects.filter(status="proposed"):
        codes = Counter(planted.get(c.subject, "-") for c in candidate.cases.all())
        code, count = codes.most_common(1)[0]
        if code != "-" and count >= 0.7 * candidate.size:
            surfaced.add(code)
            print(
                f"    {code}: {candidate.size} questions, closest article "
                f"{candidate.closest_article.slug if candidate.closest_article else '-'} "
                f"({candidate.closeness:.2f})",
                flush=True,
            )
    print(f"  planted groups surfaced: {len(surfaced)} of {len(PLANTED)}", flush=True)

    made = _grow_to(TARGET_ARTICLES)
    print(f"  articles: {Article.objects.count()} ({made} variants added)", flush=True)
    for language in ("nl", "fr"):
        search_articles("leefloon", language)  # load the vocabulary once, as a warm process has
    samples = []
    for question in questions:
        started = time.perf_counter()
        search_articles(question.question, question.language, 10)
        samples.append((time.perf_counter() - started) * 1000)
    percentiles(f"search at {Article.objects.count()} articles ({vendor})", samples)
    timed(
        "search, one typo ('leeflon aanvragen')", lambda: search_articles("leeflon aanvragen", "nl")
    )


def _grow_to(target: int, seed: int = 7) -> int:
    """Variants of the real articles (title qualified, paragraphs shuffled and mixed with a
    paragraph of another article) until there are `target`, published and indexed."""
    rng = random.Random(seed)
    real = list(
        ArticleTranslation.objects.filter(live__isnull=False)
        .select_related("live", "article")
        .order_by("article_id", "language")
    )
    by_article: dict[int, list[ArticleTranslation]] = {}
    for translation in real:
        by_article.setdefault(translation.article_id, []).append(translation)
    paragraphs = {
        language: [p for t in real if t.language == language for p in t.live.body.split("\n") if p]  # type: ignore[union-attr]
        for language in QUALIFIERS
    }
    sources = list(by_article.values())
    missing = target - Article.objects.count()
    now = timezone.now()
    started = time.perf_counter()
    made = 0
    while made < missing:
        batch = min(500, missing - made)
        with transaction.atomic():
            articles = Article.objects.bulk_create(
                [
                    Article(
                        slug=f"variant-{made + n}",
                        category_id=sources[(made + n) % len(sources)][0].article.category_id,
                        status=Article.Status.PUBLISHED,
                        created_at=now,
                        updated_at=now,
                        published_at=now,
                    )
                    for n in range(batch)
                ]
            )
            versions = []
            for n, article in enumerate(articles):
                for translation in sources[(made + n) % len(sources)]:
                    live = translation.live
                    if live is None:
                        continue
                    body = [p for p in live.body.split("\n") if p]
                    rng.shuffle(body)
                    body.append(rng.choice(paragraphs[translation.language]))
                    qualifier = rng.choice(QUALIFIERS[translation.language])
                    versions.append(
                        ArticleVersion(
                            article=article,
                            language=translation.language,
                            number=1,
                            title=f"{live.title} ({qualifier})",
                            body="\n".join(body),
                            text="\n".join(body),
                            published_at=now,
                        )
                    )
            ArticleVersion.objects.bulk_create(versions)
            ArticleTranslation.objects.bulk_create(
                [
                    ArticleTranslation(
                        article_id=v.article_id,
                        language=v.language,
                        title=v.title,
                        body=v.body,
                        text=v.text,
                        updated_at=now,
                        live=v,
                    )
                    for v in versions
                ]
            )
            index_articles([a.pk for a in articles])
        made += batch
    elapsed = time.perf_counter() - started
    print(f"  writing and indexing {made} articles: {elapsed:.1f} s", flush=True)
    return made
