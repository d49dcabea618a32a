"""The public pages: no login for anybody, the home page's phone hours, the bare address."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client as Browser
from django.test import RequestFactory
from django.utils import translation

from loket.portal import views

from .conftest import at

pytestmark = pytest.mark.django_db
PAGES = ["/nl/", "/fr/ask/", "/de/follow/", "/en/complain/", "/en/follow/?reference=x"]


@pytest.mark.parametrize(
    "person", [None, "outsider", "agent", "expert", "coordinator", "manager", "administrator"]
)
@pytest.mark.parametrize("path", PAGES)
def test_public_pages_open_for_anybody(
    client: Browser, request: pytest.FixtureRequest, person: str | None, path: str
) -> None:
    if person is not None:
        client.force_login(request.getfixturevalue(person))
    response = client.get(path)
    assert response.status_code == 200
    assert f'<html lang="{path[1:3]}">' in response.content.decode()


def test_the_home_page_says_the_line_is_open_and_until_when(client: Browser) -> None:
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        page = client.get("/en/").content.decode()
    assert "The phone line is open now, until 12:30." in page
    assert 'href="tel:+3225088585"' in page
    assert 'href="/calendars/be-federal.ics"' in page
    assert "within 2 working days" in page


def test_outside_the_hours_it_says_so_and_points_to_the_form(client: Browser) -> None:
    with time_machine.travel(at("2026-05-13 17:00"), tick=False):
        page = client.get("/nl/").content.decode()
    assert "De telefoonlijn is nu gesloten." in page  # /nl/: in Dutch
    assert "De lijn gaat opnieuw open op maandag 18 mei om 08:30." in page
    assert '<a href="/nl/ask/">stel uw vraag met ons formulier</a>' in page
    assert "donderdag 14 mei 2026</time>: O.L.H. Hemelvaart" in page
    assert "vrijdag 15 mei 2026</time>: brugdag / jour de pont" in page


def test_every_page_shows_the_contact_and_hours_in_its_footer(client: Browser) -> None:
    page = client.get("/fr/ask/").content.decode()
    footer = page[page.index('<footer class="portal-footer">') :]
    assert "+32 2 508 85 85" in footer and "mailto:vraag@loket.localhost" in footer
    assert "<dt>Vendredi</dt><dd>de 08:30 à 12:30, de 13:00 à 16:00</dd>" in footer  # /fr/


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"HTTP_ACCEPT_LANGUAGE": "fr-BE,fr;q=0.9,en;q=0.5"}, "/fr/"),
        ({"HTTP_ACCEPT_LANGUAGE": "de-BE"}, "/de/"),
        ({"HTTP_ACCEPT_LANGUAGE": "nl"}, "/nl/"),
        ({"HTTP_ACCEPT_LANGUAGE": "es, nl;q=0.5"}, "/nl/"),
        ({"HTTP_ACCEPT_LANGUAGE": "es"}, "/en/"),  # the settings' default (tests: en)
    ],
)
def test_the_bare_address_goes_to_the_portal_in_the_visitors_language(
    client: Browser, headers: dict[str, str], expected: str
) -> None:
    response = client.get("/", **headers)  # type: ignore[arg-type]
    assert response.status_code == 302 and response["Location"] == expected
    assert "Accept-Language" in response["Vary"]


def test_a_chosen_language_wins_over_the_browsers(client: Browser) -> None:
    client.cookies["django_language"] = "de"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response["Location"] == "/de/"


def test_the_desk_stays_where_it_was(client: Browser) -> None:
    response = client.get("/nl/desk/")
    assert response.status_code == 302 and "/nl/desk/login/" in response["Location"]


def test_the_faq_address_answers_in_the_public_layout(client: Browser) -> None:
    response = client.get("/nl/faq/")
    assert response.status_code == 200
    assert '<a href="/nl/faq/" aria-current="page">' in response.content.decode()


def test_the_faq_stand_in_says_it_is_coming() -> None:
    request = RequestFactory().get("/en/faq/")
    request.user = get_user_model()()
    with translation.override("en"):
        response = views.faq_coming(request)
    assert response.status_code == 200
    assert b"coming soon" in response.content and b'href="/en/ask/"' in response.content


def test_htmx_refreshes_only_the_open_or_closed_notice(client: Browser) -> None:
    with time_machine.travel(at("2026-03-02 12:31"), tick=False):
        response = client.get("/en/", headers={"HX-Request": "true"})
    fragment = response.content.decode().strip()
    assert fragment.startswith('<div id="phone-status"')
    assert "The phone line is closed now." in fragment and "<html" not in fragment


@pytest.mark.parametrize("path", ["/", "/en/", "/en/ask/", "/en/follow/", "/en/complain/"])
def test_other_methods_are_refused_not_failed(client: Browser, path: str) -> None:
    assert client.put(path).status_code == 405
    assert client.delete(path).status_code == 405
    assert client.head(path).status_code in (200, 302)
