"""The pure parts: words, stems, the article HTML, dates (no database)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from loket.knowledge.richtext import linked_slugs, plain_text, resolve_links, sanitise
from loket.knowledge.services.articles import add_months
from loket.knowledge.text import content_words, fold, stemmed_text, stems


def test_accents_and_case_are_folded_the_same_way_in_every_language() -> None:
    assert fold("Intégration, RÜCKERSTATTUNG, Œuvre, Straße") == (
        "integration, ruckerstattung, oeuvre, strasse"
    )


def test_function_words_and_question_words_are_left_out() -> None:
    assert content_words("Hoe vraag ik een leefloon aan bij het OCMW?", "nl") == [
        "vraag",
        "leefloon",
        "ocmw",
    ]
    assert content_words("C'est quoi le revenu d'intégration ?", "fr") == ["revenu", "integration"]
    # Digits carry meaning here ("article 60", "law of 1965").
    assert content_words("artikel 60 en de wet van 1965", "nl") == ["artikel", "60", "wet", "1965"]


def test_each_language_stems_with_its_own_snowball_stemmer() -> None:
    assert stems("aanvragen aanvraag leeflonen", "nl") == ["aanvraag", "aanvraag", "leefloon"]
    assert stems("remboursements remboursement médicale", "fr") == [
        "rembours",
        "rembours",
        "medical",
    ]
    assert stems("Rückerstattungen", "de") == stems("ruckerstattung", "de")
    assert stemmed_text("applying for reimbursements", "en") == "appli reimburs"


def test_the_sanitiser_keeps_formatting_and_article_links_and_drops_the_rest() -> None:
    body = sanitise(
        '<p onclick="steal()">Zie <a href="article:leefloon-aanvragen" target="_blank">hier'
        '</a> <a href="javascript:alert(1)">x</a></p><script>alert(1)</script>'
        '<style>p{}</style><ul><li><strong>een</strong></li></ul><img src="https://x/y.png">'
    )
    assert body == (
        '<p>Zie <a href="article:leefloon-aanvragen">hier</a> <a>x</a></p>'
        "<ul><li><strong>een</strong></li></ul>"
    )
    assert linked_slugs(body) == ["leefloon-aanvragen"]


def test_article_links_become_addresses_or_plain_text() -> None:
    body = '<p><a href="article:one">one</a> and <a href="article:gone">gone</a></p>'
    resolved = resolve_links(body, lambda slug: f"/nl/faq/{slug}/" if slug == "one" else None)
    assert resolved == '<p><a href="/nl/faq/one/">one</a> and <a>gone</a></p>'


def test_plain_text_has_a_line_per_paragraph_and_item() -> None:
    body = "<h2>Titel</h2><p>Een &amp; twee</p><ul><li>drie</li><li>vier <em>vijf</em></li></ul>"
    assert plain_text(body) == "Titel\nEen & twee\ndrie\nvier vijf"


def test_months_are_added_as_in_a_calendar() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 12) == dt.date(2027, 11, 15)
    assert add_months(dt.date(2028, 2, 29), 12) == dt.date(2029, 2, 28)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)), st.integers(1, 60))
def test_adding_months_always_lands_in_the_right_month(day: dt.date, months: int) -> None:
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or later.day < day.day
