"""Registration numbers (charter rule 2): ``MI-2026-004217-63``.

Prefix, year, a yearly sequence of at least six digits, and two check digits: the number
formed by the year and the sequence, modulo 97, with 97 for a remainder of 0, as Belgian
structured references do. Any single mistyped digit and any swap of two neighbouring digits
changes the remainder, so a typo is rejected instead of finding somebody else's case.
Pure functions: no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[\s\-./_]+")
_COMPACT = re.compile(r"^([A-Z]{1,6})(\d{4})(\d{6,9})(\d{2})$")
# In free text (a mail subject): the same parts, each optionally separated.
_IN_TEXT = re.compile(
    r"(?<![A-Z0-9])([A-Z]{1,6})[\s-]?(\d{4})[\s-]?(\d{6,9})[\s-]?(\d{2})(?![0-9])", re.I
)


class InvalidReference(ValueError):
    """The text is not a registration number, or its check digits do not match."""


@dataclass(frozen=True, slots=True)
class Reference:
    prefix: str
    year: int
    sequence: int

    @property
    def check(self) -> int:
        return check_digits(self.year, self.sequence)

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year:04d}-{self.sequence:06d}-{self.check:02d}"


def check_digits(year: int, sequence: int) -> int:
    """The two check digits of a year and sequence: mod 97, 97 instead of 0."""
    if not 0 <= year <= 9999 or sequence < 1:
        raise InvalidReference(f"no registration number has year {year} and number {sequence}")
    remainder = int(f"{year:04d}{sequence:06d}") % 97
    return remainder or 97


def format_reference(prefix: str, year: int, sequence: int) -> str:
    """The printed form, e.g. ``MI-2026-004217-63``."""
    return str(Reference(prefix.upper(), year, sequence))


def parse_reference(text: str) -> Reference:
    """Read a registration number as a person typed it: spaces, dashes and case don't matter.

    Raises `InvalidReference` when the shape is wrong or the check digits don't match.
    """
    compact = _SEPARATORS.sub("", text or "").upper()
    match = _COMPACT.match(compact)
    if not match:
        raise InvalidReference(f"{text!r} does not look like a registration number")
    return _validated(match.groups())


def find_references(text: str) -> list[Reference]:
    """Every valid registration number in a text, in order, without repeats.

    Candidates whose check digits don't match are ignored: a number that fails its check is
    not a reference to any case.
    """
    found: list[Reference] = []
    for match in _IN_TEXT.finditer(text or ""):
        try:
            reference = _validated(match.groups())
        except InvalidReference:
            continue
        if reference not in found:
            found.append(reference)
    return found


def _validated(groups: tuple[str | None, ...]) -> Reference:
    prefix, year, sequence, check = (g or "" for g in groups)
    reference = Reference(prefix.upper(), int(year), int(sequence))
    if int(sequence) < 1 or reference.check != int(check):
        raise InvalidReference(
            f"the check digits of {prefix}-{year}-{sequence}-{check} do not match"
        )
    return reference
