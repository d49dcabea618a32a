"""The desk's main navigation: the routing and knowledge-base pages a person's rights open,
on every desk page; a link is shown exactly when its page lets that person in."""

from __future__ import annotations

import re

import pytest
from django.test import Client as Browser

from loket.accounts.models import User

pytestmark = pytest.mark.django_db
ROLES = ["agent", "expert", "coordinator", "manager", "administrator"]
# Every page the navigation may link to: (link id, address).
PAGES = {
    "desk-home": "/en/desk/",
    "desk-register": "/en/desk/register/",
    "routing-agenda": "/en/desk/routing/agenda/",
    "routing-competences": "/en/desk/routing/competences/",
    "routing-catch-up": "/en/desk/routing/catch-up/",
    "routing-load": "/en/desk/routing/load/",
    "knowledge_desk-articles": "/en/desk/knowledge/",
    "knowledge_desk-candidates": "/en/desk/knowledge/candidates/",
    "knowledge_desk-signals": "/en/desk/knowledge/signals/",
}
COORDINATING = {
    "routing-competences",
    "routing-catch-up",
    "knowledge_desk-candidates",
    "knowledge_desk-signals",
}


def nav_links(page: str) -> dict[str, str]:
    """The main navigation's links: id → address."""
    nav = re.search(r'<nav aria-label="Desk" class="desk-nav">.*?</nav>', page, re.S)
    assert nav is not None
    return dict(
        (name, url)
        for url, name in re.findall(r'<a href="([^"]+)" id="nav-([\w-]+)"', nav.group(0))
    )


def test_a_coordinator_sees_the_routing_and_knowledge_pages(
    client: Browser, coordinator: User
) -> None:
    client.force_login(coordinator)
    links = nav_links(client.get("/en/desk/").content.decode())
    assert links == {**PAGES, "notifications": "/en/desk/notifications/"}


def test_an_agent_sees_the_own_agenda_and_the_articles_but_not_the_coordinators_pages(
    client: Browser, agent: User
) -> None:
    client.force_login(agent)
    links = nav_links(client.get("/en/desk/").content.decode())
    assert {"routing-agenda", "knowledge_desk-articles", "desk-register"} <= set(links)
    assert not COORDINATING & set(links)
    assert "routing-load" not in links


def test_a_manager_sees_the_load_but_edits_no_competences(client: Browser, manager: User) -> None:
    client.force_login(manager)
    links = nav_links(client.get("/en/desk/").content.decode())
    assert "routing-load" in links
    assert not COORDINATING & set(links)


@pytest.mark.parametrize("role", ROLES)
def test_a_link_is_shown_only_where_its_page_opens(
    client: Browser, request: pytest.FixtureRequest, role: str
) -> None:
    """Every link opens its page; a page whose link is hidden refuses the person, except
    the FAQ candidates and signals, which every staff member may read but only those who
    decide on them find in the main navigation (the knowledge base's own menu has them)."""
    client.force_login(request.getfixturevalue(role))
    links = nav_links(client.get("/en/desk/").content.decode())
    for name, url in PAGES.items():
        status = client.get(url).status_code
        if name in links:
            assert status == 200, f"{role}: {url} answers {status}"
        elif name.startswith("knowledge_desk-"):
            assert role not in ("coordinator", "administrator")
        else:
            assert status == 403, f"{role}: {url} answers {status}"


def test_the_navigation_is_on_the_routing_and_knowledge_pages_and_marks_the_current_one(
    client: Browser, coordinator: User
) -> None:
    client.force_login(coordinator)
    for name in ("routing-load", "knowledge_desk-candidates", "knowledge_desk-articles"):
        page = client.get(PAGES[name]).content.decode()
        current = re.findall(r'id="nav-([\w-]+)" aria-current="page"', page)
        assert current == [name]
