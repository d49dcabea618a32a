"""The translation catalogs: complete in nl, fr and de, compiled, and what Django really uses.

A .po file edited without `loket compilemessages`, or a `makemessages` run that brought new
messages nobody translated, fails here (CI machines have no msgfmt: the .mo files are committed).
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import formats, translation

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = [code for code, _name in settings.LANGUAGES]
TRANSLATED = ["nl", "fr", "de"]  # en is the source language: its catalog may stay empty
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        """How gettext's catalog names the message (a context goes before a \\x04)."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    def sources(self) -> list[str]:
        """The English text each msgstr translates: the singular, then the plural."""
        if self.msgid_plural is None:
            return [self.msgid]
        return [self.msgid] + [self.msgid_plural] * (len(self.msgstr) - 1)


def unquote(text: str) -> str:
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: ESCAPES[m.group(1)], text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """The active entries of a .po file (the header and obsolete `#~` entries left out)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] = ("msgid", 0)
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry is not None and entry.msgid:
                entries.append(entry)
            entry = None
            continue
        if line.startswith("#~"):
            continue
        entry = entry or Entry()
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += unquote(line)
            else:
                setattr(entry, name, (getattr(entry, name) or "") + unquote(line))
        else:
            keyword, _, value = line.partition(" ")
            plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if keyword == "msgstr" or plural:
                target = ("msgstr", int(plural.group(1)) if plural else 0)
                entry.msgstr[target[1]] = unquote(value)
            else:
                assert keyword in {"msgid", "msgid_plural", "msgctxt"}, raw
                target = (keyword, 0)
                setattr(entry, keyword, unquote(value))
    return entries


def catalog(language: str) -> tuple[list[Entry], gettext.GNUTranslations]:
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as compiled:
        return parse_po(folder / "django.po"), gettext.GNUTranslations(compiled)


def test_every_language_has_a_catalog_of_the_same_messages() -> None:
    keys = {
        language: {
            (e.key, e.msgid_plural)
            for e in parse_po(LOCALE / language / "LC_MESSAGES" / "django.po")
        }
        for language in LANGUAGES
    }
    assert len(keys["nl"]) > 1000  # the parser found the catalog, not an empty file
    for language in LANGUAGES:
        assert keys[language] == keys["nl"], language


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_checked(language: str) -> None:
    entries, compiled = catalog(language)
    nplurals = int(re.search(r"nplurals=(\d+)", compiled.info()["plural-forms"]).group(1))  # type: ignore[union-attr]
    missing = [e.msgid for e in entries if not all(e.msgstr.values())]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert missing == [] and fuzzy == []
    for entry in entries:
        if entry.msgid_plural is not None:
            assert sorted(entry.msgstr) == list(range(nplurals)), entry.msgid


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_translation_keeps_the_placeholders_of_its_message(language: str) -> None:
    entries, _compiled = catalog(language)
    wrong = [
        (source, text)
        for entry in entries
        for source, text in zip(entry.sources(), entry.msgstr.values(), strict=True)
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text))
    ]
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_is_the_po_file(language: str) -> None:
    """The .mo holds exactly the .po's translations: run `loket compilemessages` after editing."""
    entries, compiled = catalog(language)
    assert compiled.info()["language"] == language
    expected: dict[object, str] = {}
    for entry in entries:
        if not all(entry.msgstr.values()) or "fuzzy" in entry.flags:
            continue  # msgfmt leaves these out (en's empty ones: the English source shows)
        if entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            expected.update({(entry.key, n): text for n, text in entry.msgstr.items()})
    found = {key: text for key, text in compiled._catalog.items() if key != ""}  # type: ignore[attr-defined]
    assert found == expected


@pytest.mark.parametrize("language", TRANSLATED)
def test_django_speaks_the_catalog(language: str) -> None:
    """LOCALE_PATHS is wired: each message comes out of Django's gettext as the catalog says."""
    entries, _compiled = catalog(language)
    with translation.override(language):
        for entry in entries:
            if entry.msgid_plural is not None:
                for n, count in ((0, 1), (1, 5)):
                    text = (
                        translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, count)
                        if entry.msgctxt
                        else translation.ngettext(entry.msgid, entry.msgid_plural, count)
                    )
                    assert text == entry.msgstr[n], entry.msgid
            elif entry.msgctxt is not None:
                assert translation.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr[0]
            else:
                assert translation.gettext(entry.msgid) == entry.msgstr[0]


@pytest.mark.parametrize(
    ("language", "label", "in_a_date"),
    [
        ("nl", "Maandag", "maandag 18 mei 2026"),
        ("fr", "Lundi", "lundi 18 mai 2026"),
        ("de", "Montag", "Montag 18 Mai 2026"),
        ("en", "Monday", "Monday 18 May 2026"),
    ],
)
def test_a_weekday_label_does_not_change_how_dates_name_the_day(
    language: str, label: str, in_a_date: str
) -> None:
    """The hours' weekday labels have their own context: Django's date names (lower case in
    Dutch and French, in a sentence) stay Django's."""
    from loket.deadlines.models import OfficePeriod
    from loket.routing.models import Weekday

    with translation.override(language):
        assert str(OfficePeriod.Weekday.MONDAY.label) == label
        assert str(Weekday.MONDAY.label) == label
        assert formats.date_format(dt.date(2026, 5, 18), "l j F Y") == in_a_date
