"""How well the search answers real questions: hit@1, hit@3 and mean reciprocal rank over
the labelled evaluation set (content/eval.jsonl). `make bench` prints them; a test keeps
them from sliding back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .content import EvaluationQuestion
from .search import search_articles


@dataclass
class EvaluationReport:
    questions: int = 0
    hit_at_1: float = 0.0
    hit_at_3: float = 0.0
    mean_reciprocal_rank: float = 0.0
    # The questions whose article was not in the first three, with what came first.
    misses: list[tuple[EvaluationQuestion, list[str]]] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"hit@1 {self.hit_at_1:.3f}, hit@3 {self.hit_at_3:.3f}, "
            f"MRR {self.mean_reciprocal_rank:.3f} ({self.questions} questions)"
        )


def evaluate(questions: Sequence[EvaluationQuestion], *, depth: int = 10) -> EvaluationReport:
    """Search each question in its language; rank of the labelled article among the first
    `depth` hits (reciprocal rank 0 when it is not among them)."""
    report = EvaluationReport(questions=len(questions))
    if not questions:
        return report
    first = third = reciprocal = 0.0
    for question in questions:
        found = [hit.slug for hit in search_articles(question.question, question.language, depth)]
        rank = found.index(question.article) + 1 if question.article in found else 0
        first += rank == 1
        third += 0 < rank <= 3
        reciprocal += 1 / rank if rank else 0.0
        if not 0 < rank <= 3:
            report.misses.append((question, found[:3]))
    report.hit_at_1 = first / len(questions)
    report.hit_at_3 = third / len(questions)
    report.mean_reciprocal_rank = reciprocal / len(questions)
    return report
