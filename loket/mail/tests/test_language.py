"""detect_language on the short questions clients actually send, in the service's languages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loket.mail.language import LANGUAGES, detect_language

QUESTIONS = {
    "nl": [
        "Hoe berekenen we het leefloon voor een samenwonende?",
        "Wanneer krijg ik mijn geld?",
        "Wie is dat?",
        "Wat is dat?",
        "Is het mogelijk om te betalen met een overschrijving?",
        "Ik heb nog steeds geen antwoord ontvangen op mijn brief.",
        "Waarom werd mijn aanvraag geweigerd?",
        "Kan ik een afspraak maken in Gent?",
        "Mijn man is vorige week overleden, wat moet ik nu doen?",
        "Heeft u mijn e-mail ontvangen?",
        "In bijlage stuur ik mijn rekeninguittreksel.",
        "De kat zit op de mat en de hond slaapt in de tuin.",
    ],
    "fr": [
        "Comment calculer le revenu d'intégration ?",
        "Quand vais-je recevoir mon argent ?",
        "Est-il possible de payer par virement ?",
        "Je n'ai toujours pas reçu de réponse à ma lettre.",
        "Pourquoi ma demande a-t-elle été refusée ?",
        "Puis-je prendre rendez-vous à Liège ?",
        "Mon mari est décédé la semaine dernière, que dois-je faire maintenant ?",
        "Avez-vous reçu mon courriel ?",
        "J\u2019ai déménagé à Namur.",  # a typographic apostrophe
        "Le chat est assis sur le tapis et le chien dort dans le jardin.",
    ],
    "de": [
        "Wie wird das Eingliederungseinkommen berechnet?",
        "Wann bekomme ich mein Geld?",
        "Wie geht es Ihnen?",
        "Was ist das?",
        "Ist es möglich, per Überweisung zu bezahlen?",
        "Ich habe immer noch keine Antwort auf meinen Brief erhalten.",
        "Warum wurde mein Antrag abgelehnt?",
        "Kann ich einen Termin in Eupen vereinbaren?",
        "Mein Mann ist letzte Woche gestorben, was muss ich jetzt tun?",
        "Haben Sie meine E-Mail erhalten?",
        "Im Anhang sende ich meinen Kontoauszug.",
        "Die Katze sitzt auf der Matte und der Hund schläft im Garten.",
    ],
    "en": [
        "How is the integration income calculated?",
        "When will I get my money?",
        "What is that?",
        "Is it possible to pay by bank transfer?",
        "I still have not received an answer to my letter.",
        "Why was my application refused?",
        "Can I make an appointment in Ghent?",
        "My husband died last week, what do I need to do now?",
        "Have you received my e-mail?",
        "Please find my bank statement attached.",
        "The cat sits on the mat and the dog sleeps in the garden.",
    ],
}


@pytest.mark.parametrize(
    ("language", "text"),
    [(language, text) for language, texts in QUESTIONS.items() for text in texts],
)
def test_short_questions(language: str, text: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "text",
    ["", "   ", "OK", "Hallo", "Thanks", "Merci", "12345", "MI-2026-004217-63",
     "https://example.com/x", "Jan Janssens", "😀😀😀"],
)  # fmt: skip
def test_too_little_to_tell_gives_none(text: str) -> None:
    assert detect_language(text) is None


def test_a_mail_body_with_a_quoted_reply_in_another_language() -> None:
    body = (
        "Goedendag,\n\nIk heb uw antwoord goed ontvangen, maar ik begrijp niet welk attest ik\n"
        "nog moet bezorgen. Kunt u dat verduidelijken?\n\nMet vriendelijke groeten,\nJan\n\n"
        "> Dear Sir, please send us the certificate of household composition.\n"
        "> Kind regards, the front office\n"
    )
    assert detect_language(body) == "nl"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_language_or_none(text: str) -> None:
    assert detect_language(text) in (*LANGUAGES, None)
