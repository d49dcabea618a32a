"""The page an inserted article returns to without JavaScript: htmx names it with an absolute
URL, the insert form must carry a path on this site (the redirect refuses anything else)."""

from __future__ import annotations

from loket.knowledge.views.fragments import _path_of


def test_an_absolute_address_becomes_its_path_and_query() -> None:
    assert (
        _path_of("http://127.0.0.1:8000/en/desk/cases/MI-2026-000001-59/?action=forward")
        == "/en/desk/cases/MI-2026-000001-59/?action=forward"
    )


def test_a_path_stays_a_path_and_nothing_stays_nothing() -> None:
    assert _path_of("/nl/desk/cases/MI-2026-000001-59/") == "/nl/desk/cases/MI-2026-000001-59/"
    assert _path_of("") == ""
