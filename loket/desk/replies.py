"""Reply templates' placeholders, filled by plain replacement. Pure functions: no database.

A template is text an administrator typed; running it through Django's template engine would
let that text reach tags and attributes. Here only ``{{ name }}`` for the names below is
replaced, with plain text; anything else stays as it was typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

VARIABLES: tuple[str, ...] = (
    "client_name",
    "reference",
    "subject",
    "due_date",
    "received_date",
    "agent_name",
)
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def placeholders(body: str) -> list[str]:
    """The names of the placeholders in `body`, in order, without repeats."""
    return list(dict.fromkeys(match.group(1) for match in _PLACEHOLDER.finditer(body)))


def unknown_placeholders(body: str) -> list[str]:
    """The placeholders in `body` that no reply can fill (a typo in the template)."""
    return [name for name in placeholders(body) if name not in VARIABLES]


def fill(body: str, values: Mapping[str, str]) -> str:
    """`body` with each known placeholder replaced by its value; unknown ones stay as typed,
    so a mistake in a template shows in the draft instead of silently vanishing."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return values[name] if name in VARIABLES and name in values else match.group(0)

    return _PLACEHOLDER.sub(value, body)
