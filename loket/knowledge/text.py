"""Words as the search and the gap finder see them: accents folded, lower case, function
words dropped, and each word reduced to its Snowball stem in its own language.

The same function feeds the SQLite index, the queries against it and the gap finder's
vectors, so a word is always compared with itself. PostgreSQL stems with its own
per-language configurations; it gets the folded text from `fold` so that both engines
ignore accents the same way, whether or not the server has the `unaccent` extension.
Pure: no Django, no database.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import snowballstemmer

LANGUAGES = ("nl", "fr", "de", "en")
SNOWBALL = {"nl": "dutch", "fr": "french", "de": "german", "en": "english"}
POSTGRES_CONFIGURATION = {"nl": "dutch", "fr": "french", "de": "german", "en": "english"}

_WORD = re.compile(r"[^\W_]+")
# Letters that NFKD does not take apart into a base letter and an accent.
_LIGATURES = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d"})
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

# Function words and the words of every question ("how", "can I"): they tell nothing about
# what is asked. Short lists on purpose: a word wrongly here can never be found.


def _listed(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS: dict[str, frozenset[str]] = {
    "nl": _listed(
        """
        aan al alle als alsjeblieft alstublieft andere ben bij binnen bv da dan dat de deze
        die dit doe doen door dus een eens en er ga gaan graag had heb hebben heeft hem het
        hier hij hoe hun ik in is ja je jij jou jouw kan kun kunnen kunt maar me meer mag
        men met mij mijn moet moeten mogen na naar niet nog nu of om omdat ons onze ook op
        over per te ten ter tot u uit uw van veel voor waar waarom wanneer wat we wel welk
        welke wie wij wil willen word wordt worden zal ze zei zij zijn zo zou zouden
        dag goedendag hallo beste geachte mevrouw meneer dank bedankt vriendelijke groeten
        krijgen juist precies eigenlijk iets mogelijk jullie werd werden geweest was waren
        bent hebt had hadden
        """
    ),
    "fr": _listed(
        """
        a ai aie au aux avec avoir c ca ce ceci cela ces cet cette d dans de des du elle
        elles en est et etre eu fait faut il ils j je la le les leur leurs lui m ma mais me
        mes moi mon n ne ni nos notre nous on ont ou par pas peut peux pour pourquoi quand
        que quel quelle quelles quels qui s sa sans se ses si son sont sur t ta te tes toi
        ton tu un une vos votre vous y comment combien dois doit doivent puis
        bonjour madame monsieur merci cordialement svp plait salutations
        quoi sert faire possible est-ce qu ete suis es sommes etes etait etaient sera
        serait as avons avez avait aurait
        """
    ),
    "de": _listed(
        """
        aber alle als am an auch auf aus bei bin bis bitte da damit dann das dass dem den
        der des die dies diese dieser du durch ein eine einem einen einer es fur gibt habe
        haben hat ich ihr ihre im in ist ja kann konnen mein meine mich mir mit muss mussen
        nach nicht noch oder sie sind so um und uns unser unsere von vom wann warum was wer
        wie wir wird wo zu zum zur guten tag hallo danke sehr geehrte freundlichen grussen
        """
    ),
    "en": _listed(
        """
        a about am an and any are as at be been but by can could do does for from get had
        has have how i if in is it its me my of on or our please should so that the their
        them there they this to us was we what when where which who why will with would
        you your hello hi dear thanks thank regards get
        """
    ),
}


def fold(text: str) -> str:
    """Lower case without accents: "Intégration, Rückerstattung" -> "integration,
    ruckerstattung". Everything else (punctuation, digits) stays where it was."""
    text = text.casefold()
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.translate(_LIGATURES)))


def words(text: str) -> list[str]:
    """The folded words of a text, in order (digits count: "artikel 60", "wet 1965")."""
    return _WORD.findall(fold(text))


def content_words(text: str, language: str) -> list[str]:
    """The folded words that carry meaning: no function words, no single letters."""
    stop = STOPWORDS.get(language, frozenset())
    return [w for w in words(text) if (len(w) > 1 or w.isdigit()) and w not in stop]


@cache
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(SNOWBALL.get(language, "dutch"))


@lru_cache(maxsize=500_000)
def stem(word: str, language: str) -> str:
    """The Snowball stem of one folded word in `language`. Remembered: Snowball in Python
    takes a fraction of a millisecond a word, and a language has only so many words."""
    return str(_stemmer(language).stemWord(word))


def stems(text: str, language: str) -> list[str]:
    """The stems of the meaningful words of a text, in order."""
    return [stem(word, language) for word in content_words(text, language)]


def stemmed_text(text: str, language: str) -> str:
    """The text as the SQLite index stores it: its stems separated by spaces."""
    return " ".join(stems(text, language))
