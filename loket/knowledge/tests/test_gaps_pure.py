"""The gap finder's grouping and coverage, on plain questions (no database)."""

from __future__ import annotations

from loket.knowledge.gaps import Question, closest, coverage, find_groups, link

ABROAD = [
    "Mag ik mijn leefloon behouden als ik drie weken op vakantie ga naar het buitenland?",
    "Hoe lang mag ik naar het buitenland reizen zonder dat mijn leefloon stopt?",
    "Verlies ik mijn leefloon als ik een maand in het buitenland verblijf?",
    "Moet ik het OCMW verwittigen als ik met vakantie naar het buitenland ga?",
    "Hoeveel weken per jaar mag een leefloner in het buitenland verblijven?",
    "Ik wil op reis naar het buitenland. Loopt mijn leefloon door tijdens de vakantie?",
]
OTHERS = [
    "Hoe berekenen we het leefloon voor een samenwonende aanvrager?",
    "Welke staatstoelage krijgen we voor een tewerkstelling artikel 60?",
    "Onze aanvraag tot terugbetaling werd geweigerd. Waarom?",
    "Een ziekenhuis vraagt een beslissing dringende medische hulp in MediPrima.",
    "Onze nieuwe maatschappelijk werker krijgt geen toegang tot NovaPrima.",
    "Welke bewijsstukken voor de verwarmingstoelage van het stookoliefonds?",
]


def questions(texts: list[str], start: int = 0) -> list[Question]:
    return [
        Question(case_id=start + n, reference=f"MI-{start + n}", subject=t[:30], text=t)
        for n, t in enumerate(texts)
    ]


def test_paraphrases_form_one_group_and_the_rest_stays_apart() -> None:
    groups = find_groups(questions(ABROAD) + questions(OTHERS, 100), "nl", min_size=3)
    assert len(groups) == 1
    assert sorted(q.case_id for q in groups[0].questions) == list(range(len(ABROAD)))
    assert "buitenland" in groups[0].key_terms(3)


def test_identical_questions_count_once_each_in_the_group_size() -> None:
    repeated = questions(["Wie heeft recht op een leefloon als student?"] * 7)
    (group,) = find_groups(repeated + questions(OTHERS, 100), "nl", min_size=5)
    assert group.size == 7


def test_small_groups_are_not_groups() -> None:
    assert find_groups(questions(ABROAD[:3]) + questions(OTHERS, 100), "nl", min_size=5) == []


def test_single_link_chains_but_needs_two_shared_words() -> None:
    a = {"grap": 0.6, "refus": 0.8}
    b = {"refus": 0.8, "rembours": 0.6}  # one word in common: not linked, however strong
    c = {"grap": 0.7, "pension": 0.7}
    d = {"grap": 0.5, "pension": 0.5, "refus": 0.7}
    assert sorted(map(sorted, link([a, b, c, d], 0.3))) == [[0, 2, 3], [1]]


def test_coverage_is_the_share_of_the_groups_weight_an_article_uses() -> None:
    (group,) = find_groups(questions(ABROAD) + questions(OTHERS, 100), "nl", min_size=3)
    everything = set(group.centroid)
    assert coverage(group, everything) == 1.0
    assert coverage(group, set()) == 0.0
    assert 0 < coverage(group, {"buitenland"}) < 0.5
    assert closest(group, {7: {"leefloon"}, 9: everything}) == (9, 1.0)
