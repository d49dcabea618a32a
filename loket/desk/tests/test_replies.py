"""Reply templates' placeholders: plain replacement, nothing else (no database)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from loket.desk.models import ReplyTemplate
from loket.desk.replies import VARIABLES, fill, placeholders, unknown_placeholders


def test_known_placeholders_are_filled_with_plain_text() -> None:
    body = "Dear {{ client_name }},\n{{reference}} is due {{  due_date }}."
    values = {"client_name": "OCMW Gent", "reference": "MI-2026-000001-27", "due_date": "2 Dec"}
    assert fill(body, values) == "Dear OCMW Gent,\nMI-2026-000001-27 is due 2 Dec."


def test_nothing_is_evaluated() -> None:
    """Template syntax and markup are text: a filled value is never read again, and tags
    or filters an administrator types are left as typed."""
    body = "{% load static %}{{ client_name|upper }} {{ client_name }} {{ settings.SECRET_KEY }}"
    filled = fill(body, {"client_name": "{{ reference }} <b>"})
    assert (
        filled
        == "{% load static %}{{ client_name|upper }} {{ reference }} <b> {{ settings.SECRET_KEY }}"
    )


def test_unknown_and_missing_placeholders_stay_visible() -> None:
    body = "{{ client_nam }} {{ agent_name }}"
    assert fill(body, {}) == body
    assert placeholders(body) == ["client_nam", "agent_name"]
    assert unknown_placeholders(body) == ["client_nam"]
    assert unknown_placeholders(" ".join("{{ " + name + " }}" for name in VARIABLES)) == []


def test_an_administrator_s_typo_in_a_template_is_refused() -> None:
    template = ReplyTemplate(name="Antwoord", language="nl", body="Geachte {{ klantnaam }},")
    with pytest.raises(ValidationError, match=r"Unknown placeholders: \{\{ klantnaam \}\}"):
        template.clean()
    ReplyTemplate(name="Antwoord", language="nl", body="Geachte {{ client_name }},").clean()
