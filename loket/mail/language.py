"""Which of the service's languages (nl, fr, de, en) a question is written in.

A Belgian federal service answers in the language the client wrote in, so the language of
an inbound mail picks the answer templates and the FAQ. Clients write short questions, where
general-purpose detectors stumble (and a dependency with its own models is a lot to carry for
four languages), so this is a small scorer of its own:

* stop words, the strongest signal in a short sentence; a word that several of the languages
  share (``in``, ``is``, ``die``, ``de``, ``wie``) counts for each, split between them;
* character trigrams, learnt at import from the sample texts below (written for this service:
  its vocabulary, each language's spelling: Dutch ``ij``/``oe``/``aa``, German ``sch``/``ß``/
  umlauts, French accents and elisions, English ``th``/``wh``), which decide when there are
  few stop words, and add some weight otherwise.

It answers None when the text is too short or the two best languages are too close: a wrong
language is worse than asking the agent. Pure: no Django.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from itertools import repeat

LANGUAGES = ("nl", "fr", "de", "en")

_STOP_WORDS = {
    "nl": """de het een en van in is dat op te voor met zijn niet aan er maar ook als bij of om
        dan nog wat hoe wie waar wanneer waarom welke welk mijn uw u je jij ik we wij ze zij hij
        heb heeft hebben ben bent kan kunnen moet moeten wordt worden werd graag vraag dank
        bedankt alstublieft goedendag goedemorgen beste geachte mevrouw meneer uit naar door tot
        hier daar deze dit die geen wel zou zal mag veel meer nu al kunt kun onze ons zich mij
        hebt krijg krijgen welke omdat want toch even sinds tussen zonder tegen binnen""",
    "fr": """le la les un une des de du et est en que qui dans pour pas sur au aux avec ce cette
        ces il elle nous vous je mon ma mes votre vos notre nos son sa ses se ne plus par
        comment quand pourquoi quel quelle quels quelles où bonjour merci madame monsieur ai
        avez avons suis sont être avoir peut pouvez puis dois doit faut très aussi mais ou donc
        si déjà mais leur leurs lui moi chez depuis sans entre encore toujours cordialement""",
    "de": """der die das den dem des ein eine einen einem einer und ist in im zu von vom mit für
        auf nicht sich wie wird werden wurde ich sie wir ihr er es mein meine meinen ihre ihren
        unser unsere bei aus nach über auch noch kann können muss müssen soll habe haben hat bin
        sind was wer wo wann warum welche welcher welches guten tag danke bitte sehr geehrte
        geehrter herr frau oder aber wenn dass zum zur an kein keine man mich mir uns seit ohne
        gegen zwischen bekomme bekommen freundlichen grüßen""",
    "en": """the a an and of to in is are was were for on with that this be by as at from it i
        you we they he she my your our their how what who where when why which can could should
        would will do does did have has had not but or if please thank thanks dear hello regards
        me us them am been get got there here these those about into than then any some
        receive received kind sincerely""",
}

_SAMPLES = {
    "nl": """Goedendag, ik heb een vraag over het leefloon. Hoe berekenen we het leefloon voor
        een samenwonende? Mijn moeder woont bij ons in en wij weten niet of dat gevolgen heeft
        voor haar uitkering. Het OCMW van onze gemeente vraagt een attest van gezinssamenstelling
        en een bewijs van inkomsten. Kunt u mij zeggen welke documenten ik moet bezorgen en
        binnen welke termijn? Ik heb mijn aanvraag vorige maand ingediend maar ik heb nog geen
        antwoord gekregen. Waar kan ik het dossier opvolgen? Wie is bevoegd voor de
        kinderbijslag en de tegemoetkoming voor personen met een handicap? Mijn zoon is
        werkloos en woont alleen; krijgt hij een verhoogde tegemoetkoming? Alvast bedankt voor
        uw antwoord. Met vriendelijke groeten. Wij hebben het formulier ingevuld en opgestuurd
        naar het kantoor in Brussel. Dank u wel voor de snelle hulp bij deze moeilijke
        situatie. Geachte mevrouw, geachte heer, hierbij vindt u de gevraagde bijlagen. Zou u
        willen nakijken of mijn pensioen juist berekend werd? Ik begrijp de brief niet.""",
    "fr": """Bonjour, j'ai une question concernant le revenu d'intégration. Comment calculer le
        revenu d'intégration pour une personne cohabitante ? Ma mère habite chez nous et nous ne
        savons pas si cela change quelque chose pour son allocation. Le CPAS de notre commune
        demande une composition de ménage et une preuve de revenus. Pouvez-vous me dire quels
        documents je dois envoyer et dans quel délai ? J'ai introduit ma demande le mois
        dernier mais je n'ai toujours pas reçu de réponse. Où puis-je suivre mon dossier ? Qui
        est compétent pour les allocations familiales et l'allocation aux personnes
        handicapées ? Mon fils est au chômage et vit seul ; a-t-il droit à l'intervention
        majorée ? Merci d'avance pour votre réponse. Veuillez agréer mes salutations
        distinguées. Nous avons rempli le formulaire et l'avons envoyé au bureau de Bruxelles.
        Madame, Monsieur, vous trouverez ci-joint les annexes demandées. Pourriez-vous vérifier
        si ma pension a été calculée correctement ? Je ne comprends pas la lettre reçue.""",
    "de": """Guten Tag, ich habe eine Frage zum Eingliederungseinkommen. Wie wird das
        Eingliederungseinkommen für einen Zusammenwohnenden berechnet? Meine Mutter wohnt bei
        uns und wir wissen nicht, ob das Folgen für ihre Leistung hat. Das ÖSHZ unserer
        Gemeinde verlangt eine Bescheinigung über die Haushaltszusammensetzung und einen
        Einkommensnachweis. Können Sie mir sagen, welche Unterlagen ich schicken muss und
        innerhalb welcher Frist? Ich habe meinen Antrag letzten Monat eingereicht, aber noch
        keine Antwort erhalten. Wo kann ich meine Akte verfolgen? Wer ist für das Kindergeld
        und die Beihilfe für Personen mit Behinderung zuständig? Mein Sohn ist arbeitslos und
        wohnt allein; hat er Anspruch auf eine erhöhte Kostenerstattung? Vielen Dank im Voraus
        für Ihre Antwort. Mit freundlichen Grüßen. Wir haben das Formular ausgefüllt und an das
        Büro in Brüssel geschickt. Sehr geehrte Damen und Herren, anbei finden Sie die
        gewünschten Anlagen. Könnten Sie prüfen, ob meine Rente richtig berechnet wurde? Ich
        verstehe den Brief nicht. Schöne Grüße aus Eupen.""",
    "en": """Hello, I have a question about the integration income. How is the integration
        income calculated for someone who lives with a partner? My mother lives with us and we
        do not know whether that affects her benefit. The social welfare centre of our town
        asks for a household composition certificate and proof of income. Could you tell me
        which documents I should send and within what time limit? I submitted my application
        last month but I have not received an answer yet. Where can I follow my file? Who is
        responsible for the child benefit and the allowance for people with disabilities? My
        son is unemployed and lives alone; is he entitled to the increased reimbursement?
        Thank you in advance for your answer. Kind regards. We filled in the form and sent it
        to the office in Brussels. Dear Sir or Madam, please find attached the requested
        documents. Would you check whether my pension was calculated correctly? I do not
        understand the letter. Thanks for your help with this difficult situation.""",
}

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ELISION = re.compile(r"\b(?:[dljnstcm]|qu)['\u2019](?=[^\W\d_])", re.I)  # d', l', qu'
_TRIGRAM_WEIGHT = 0.35  # per trigram, in nats: the trigram model alone is sure of little
_STOP_WEIGHT = 2.0  # per stop word (split between the languages that share it)
_ELISION_WEIGHT = 2.0  # French d', l', qu'
_MIN_LETTERS = 8
_MIN_MARGIN = 2.5


def _trigrams(words: list[str]) -> list[str]:
    grams: list[str] = []
    for word in words:
        padded = f" {word} "
        grams.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def _train() -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Log-probabilities of each sample's trigrams (add-one smoothing), and the floor that an
    unseen trigram gets in each language."""
    models: dict[str, dict[str, float]] = {}
    unseen: dict[str, float] = {}
    for language, sample in _SAMPLES.items():
        counts = Counter(_trigrams(_WORD.findall(sample.lower())))
        total = sum(counts.values()) + len(counts) + 1
        models[language] = {gram: math.log((n + 1) / total) for gram, n in counts.items()}
        unseen[language] = math.log(1 / total)
    return models, unseen


_MODELS, _UNSEEN = _train()
_STOP_SETS = {language: frozenset(words.split()) for language, words in _STOP_WORDS.items()}


def scores(text: str) -> dict[str, float]:
    """Evidence per language, in nats (log-likelihood-like); higher is likelier."""
    sample = "\n".join(line for line in text[:5000].splitlines() if not line.startswith(">"))
    words = _WORD.findall(sample.lower())
    result = dict.fromkeys(LANGUAGES, 0.0)
    for word in words:
        holders = [language for language in LANGUAGES if word in _STOP_SETS[language]]
        for language in holders:
            result[language] += _STOP_WEIGHT / len(holders)
    result["fr"] += _ELISION_WEIGHT * len(_ELISION.findall(sample))
    grams = _trigrams(words)
    if grams:
        # (map over the dictionary's own get: every mail is scored, this is its inner loop)
        trigram = {
            language: sum(map(_MODELS[language].get, grams, repeat(_UNSEEN[language])))
            for language in LANGUAGES
        }
        best = max(trigram.values())
        for language in LANGUAGES:  # relative to the best, so only differences count
            result[language] += _TRIGRAM_WEIGHT * (trigram[language] - best)
    return result


def detect_language(text: str) -> str | None:
    """ "nl", "fr", "de" or "en"; None when the text is too short or the call too close."""
    if sum(len(w) for w in _WORD.findall(text[:5000])) < _MIN_LETTERS:
        return None
    ranked = sorted(scores(text).items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    return best if top - second >= _MIN_MARGIN else None
