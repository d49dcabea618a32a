"""The client page's history of the contact details: when loket first knew the client, and
each correction with who made it and what it changed, newest first (the `client.*` events)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from loket.accounts.models import User
from loket.cases.clients import client_update
from loket.cases.models import Client, Event

from .conftest import register

pytestmark = pytest.mark.django_db


def details(client: Client, **changes: Any) -> dict[str, Any]:
    """The client's details as the change form sends them, with `changes`."""
    client.refresh_from_db()
    current = {
        field: getattr(client, field)
        for field in ("name", "language", "kind", "sector", "organisation", "street",
                      "postal_code", "city", "country")
    }  # fmt: skip
    current["emails"] = [e.address for e in client.emails.order_by("pk")]
    current["phones"] = [p.number for p in client.phones.order_by("pk")]
    return {**current, **changes}


def history_of(page: str) -> str:
    start = page.index('<section class="client-history"')
    return page[start : page.index("</section>", start)]


def test_each_change_shows_who_made_it_and_what_it_changed(
    client: Browser, agent: User, coordinator: User, client_record: Client
) -> None:
    register(client_record)
    client_update(actor=agent, client=client_record, **details(client_record, language="fr"))
    client_update(actor=coordinator, client=client_record, **details(
        client_record, emails=["info@ocmw-gent.example.be", "sociaal@ocmw-gent.example.be"],
        street="Sint-Pietersnieuwstraat 1",
    ))  # fmt: skip
    client.force_login(agent)
    history = history_of(client.get(f"/en/desk/clients/{client_record.pk}/").content.decode())
    newest, older, created = history.split('<li class="entry event">')[1:]
    assert "Client&#x27;s details changed" in newest and str(coordinator) in newest
    assert ("<dt>E-mail addresses</dt><dd><span class=\"before\">info@ocmw-gent.example.be"
            "</span> → <span class=\"after\">info@ocmw-gent.example.be, "
            "sociaal@ocmw-gent.example.be</span></dd>") in newest  # fmt: skip
    assert ('<dt>Street and number</dt><dd><span class="before">Onderbergen 86</span> → '
            '<span class="after">Sint-Pietersnieuwstraat 1</span></dd>') in newest  # fmt: skip
    assert str(agent) in older
    assert ('<dt>Language</dt><dd><span class="before">Dutch</span> → '
            '<span class="after">French</span></dd>') in older  # fmt: skip
    assert "Client created" in created and "loket (automatically)" in created


def test_a_long_history_shows_the_latest_changes_for_the_same_queries(
    client: Browser, agent: User, client_record: Client
) -> None:
    client.force_login(agent)
    url = f"/en/desk/clients/{client_record.pk}/"
    client_update(actor=agent, client=client_record, **details(client_record, name="OCMW 0"))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(1, 25):
        client_update(actor=agent, client=client_record, **details(client_record, name=f"OCMW {n}"))
    with CaptureQueriesContext(connection) as many:
        history = history_of(client.get(url).content.decode())
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "The latest 20 of 26 changes." in history
    assert history.count('<li class="entry event">') == 20
    assert '<span class="after">OCMW 24</span>' in history and "OCMW 3<" not in history


def test_an_event_of_another_shape_is_shown_without_details(
    client: Browser, agent: User, client_record: Client
) -> None:
    Event.objects.create(kind=Event.Kind.CLIENT_CHANGED, at=timezone.now(), client=client_record,
                         data={"changed": {"fax": ["1", "2"], "name": "not a pair"}})  # fmt: skip
    client.force_login(agent)
    answer = client.get(f"/en/desk/clients/{client_record.pk}/")
    assert answer.status_code == 200
    history = history_of(answer.content.decode())
    assert history.count('<li class="entry event">') == 2 and "<dl" not in history
