"""Error pages speak the page's language: Django's own defaults are English only."""

from __future__ import annotations

import pytest
from django.core.exceptions import BadRequest
from django.test import Client as Browser
from django.test import RequestFactory
from django.utils import translation
from django.views import defaults

from loket.accounts.models import User


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/nl/faq/nothing/", "Pagina niet gevonden"),
        ("/fr/nowhere/", "Page introuvable"),
        ("/de/faq/category/nothing/", "Seite nicht gefunden"),
        ("/en/faq/nothing/", "Page not found"),
    ],
)
def test_a_missing_page_says_so_in_the_page_s_language(
    client: Browser, path: str, title: str
) -> None:
    response = client.get(path)
    page = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{path[1:3]}">' in page
    assert f"<h1>{title}</h1>" in page
    assert f'href="/{path[1:3]}/"' in page  # the way home, in the same language
    assert "The requested resource was not found" not in page


def test_a_refused_page_says_so_in_the_page_s_language(client: Browser, outsider: User) -> None:
    client.force_login(outsider)
    response = client.get("/nl/desk/knowledge/rules/")
    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="nl">' in page and "<h1>Geen toegang</h1>" in page
    assert "U mag deze pagina niet openen." in page


@pytest.mark.django_db
def test_a_bad_request_says_so_in_the_page_s_language() -> None:
    request = RequestFactory().get("/fr/ask/")
    with translation.override("fr"):
        response = defaults.bad_request(request, BadRequest("x"))
    assert response.status_code == 400
    assert "<h1>Demande non comprise</h1>" in response.content.decode()


def test_a_server_error_says_so_in_the_page_s_language_without_a_database() -> None:
    """The 500 page renders without a request context and touches no database."""
    request = RequestFactory().get("/de/")
    with translation.override("de"):
        response = defaults.server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="de">' in page and "<h1>Serverfehler</h1>" in page
