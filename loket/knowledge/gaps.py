"""The gap finder's arithmetic (charter rule 10: loket spots frequent questions that no FAQ
covers): group questions by similarity, and measure how well an article covers a group.

Each question (subject and first message) becomes a vector of its stems weighted by TF-IDF
over the distinct questions of the period, normalised to length 1. Words only one question
uses are left out (they cannot make two questions alike and only dilute the rest), and so
are words in most of the distinct questions (the service's own vocabulary, "leefloon").
Two questions are similar when they share at least two words and the cosine of their
vectors reaches a threshold; groups are the connected sets of similar questions
(single-link clustering), so paraphrases chained through each other end up together. How
well an article covers a group is the share of the group's weight (its centroid) that falls
on words the article uses.

Pure Python, no database: identical texts are counted once, and only pairs that share a word
rarer than `COMMON_SHARE` of the distinct questions are compared, so a month of a busy
service (tens of thousands of questions, most of them repeats) takes seconds, not hours.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .text import stems

# Only to keep the comparisons few: two questions are compared when they share a word that
# fewer than this share of the distinct questions use (and never fewer than the floor). A
# word that common ("leefloon" here) still weighs in the cosine, through its low IDF.
COMMON_SHARE = 0.2
COMMON_FLOOR = 200
GENERIC_SHARE = 0.5
MIN_SHARED = 2


@dataclass(frozen=True)
class Question:
    case_id: int
    reference: str
    subject: str
    text: str  # subject and first message


@dataclass
class Group:
    """Similar questions, with the words that weigh most in them."""

    questions: list[Question]
    centroid: dict[str, float] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.questions)

    def key_terms(self, count: int = 8) -> list[str]:
        return [t for t, _w in sorted(self.centroid.items(), key=lambda kv: (-kv[1], kv[0]))][
            :count
        ]

    def typical_subject(self) -> str:
        """The subject asked most often (the earliest of equals)."""
        counts = Counter(q.subject for q in self.questions)
        return max(counts, key=lambda subject: counts[subject])


def _normalised(weights: dict[str, float]) -> dict[str, float]:
    length = math.sqrt(sum(w * w for w in weights.values()))
    return {t: w / length for t, w in weights.items()} if length else {}


def vectorise(bags: Sequence[Counter[str]]) -> list[dict[str, float]]:
    """TF-IDF vectors of length 1 (sublinear term frequency, smoothed IDF)."""
    total = len(bags)
    documents: Counter[str] = Counter()
    for bag in bags:
        documents.update(bag.keys())
    idf = {t: math.log((1 + total) / (1 + n)) + 1 for t, n in documents.items()}
    return [_normalised({t: (1 + math.log(n)) * idf[t] for t, n in bag.items()}) for bag in bags]


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


class _Sets:
    """Union-find: which vector belongs to which group."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


def link(vectors: Sequence[dict[str, float]], threshold: float) -> list[list[int]]:
    """Single-link clusters: indices of vectors connected by cosines >= threshold."""
    postings: dict[str, list[int]] = defaultdict(list)
    for index, vector in enumerate(vectors):
        for term in vector:
            postings[term].append(index)
    common = max(COMMON_FLOOR, int(COMMON_SHARE * len(vectors)))
    sets = _Sets(len(vectors))
    for index, vector in enumerate(vectors):
        partners: set[int] = set()
        for term in vector:
            found = postings[term]
            if len(found) <= common:
                partners.update(j for j in found if j > index)
        for other in partners:
            # Two words in common at least: in questions this short, one shared word ("refused")
            # is a coincidence, and single-link would chain unrelated groups through it.
            if len(vector.keys() & vectors[other].keys()) >= MIN_SHARED and (
                cosine(vector, vectors[other]) >= threshold
            ):
                sets.join(index, other)
    clusters: dict[int, list[int]] = defaultdict(list)
    for index in range(len(vectors)):
        clusters[sets.find(index)].append(index)
    return list(clusters.values())


def find_groups(
    questions: Iterable[Question], language: str, *, threshold: float = 0.35, min_size: int = 5
) -> list[Group]:
    """Groups of at least `min_size` similar questions in one language, biggest first."""
    by_text: dict[tuple[str, ...], list[Question]] = defaultdict(list)
    for question in questions:
        words = tuple(sorted(stems(question.text, language)))
        if words:
            by_text[words].append(question)
    texts = list(by_text)
    # A word only one question uses cannot make two questions alike; it would only lengthen
    # that question's vector and hide what it shares with its paraphrases.
    seen: Counter[str] = Counter()
    for words, asked in by_text.items():
        for term in set(words):
            seen[term] += len(asked)
    # A word in most of the distinct questions is the service's own vocabulary ("leefloon"),
    # not a subject: two questions sharing it and one more word are not alike for that.
    spread: Counter[str] = Counter(t for words in texts for t in set(words))
    common = GENERIC_SHARE * len(texts)
    bags = [Counter(t for t in words if seen[t] > 1 and spread[t] <= common) for words in texts]
    vectors = vectorise(bags)
    groups = []
    for cluster in link(vectors, threshold):
        members = [q for i in cluster for q in by_text[texts[i]]]
        if len(members) < min_size:
            continue
        centroid: dict[str, float] = defaultdict(float)
        for i in cluster:
            weight = len(by_text[texts[i]])
            for term, value in vectors[i].items():
                centroid[term] += weight * value
        groups.append(Group(questions=members, centroid=_normalised(centroid)))
    groups.sort(key=lambda g: (-g.size, g.typical_subject()))
    return groups


def coverage(group: Group, article_words: set[str]) -> float:
    """The share of the group's weight on words the article uses (0: none, 1: all)."""
    total = sum(group.centroid.values())
    if not total:
        return 0.0
    return sum(w for t, w in group.centroid.items() if t in article_words) / total


def closest(group: Group, articles: dict[int, set[str]]) -> tuple[int | None, float]:
    """The article that covers the group best, and how well (0-1)."""
    best: tuple[int | None, float] = (None, 0.0)
    for pk, words in articles.items():
        score = coverage(group, words)
        if score > best[1] or (score == best[1] and best[0] is not None and pk < best[0]):
            best = (pk, score)
    return best
