"""The desk's home: logging in, the queues with their counts, filters, the saved default."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from loket.accounts.models import Team, User
from loket.accounts.services import notify
from loket.cases.models import Client
from loket.cases.services import case_register

from .conftest import register

pytestmark = pytest.mark.django_db
HOME = "/en/desk/"


def test_anonymous_visitors_are_sent_to_the_login_page(client: Browser) -> None:
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("desk:login"))


def test_a_user_without_a_staff_role_is_refused(client: Browser, outsider: User) -> None:
    client.force_login(outsider)
    assert client.get(HOME).status_code == 403


@pytest.mark.parametrize("person", ["agent", "expert", "coordinator", "manager", "administrator"])
def test_every_staff_role_sees_the_queues(
    client: Browser, person: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(person))
    response = client.get(HOME)
    assert response.status_code == 200
    assert b"Unassigned" in response.content


def test_counts_are_shown_and_htmx_gets_the_fragment(
    client: Browser, agent: User, client_record: Client
) -> None:
    for n in range(3):
        case_register(actor=None, client=client_record, channel="email", subject=f"Vraag {n}")
    client.force_login(agent)
    page = client.get(HOME, {"queue": "unassigned"}).content.decode()
    assert '<span class="label">Unassigned</span> <span class="count">3</span>' in page
    assert "<html" in page and page.count("data-queue-row") == 3
    fragment = client.get(HOME, {"queue": "unassigned"}, headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert text.strip().startswith('<div id="queue-area"')
    assert '<span class="count">3</span>' in text and "<html" not in text
    assert 'aria-current="page"><span class="label">Unassigned' in text


def test_the_desk_opens_with_the_saved_queue(
    client: Browser, agent: User, client_record: Client, front_office: Team
) -> None:
    register(client_record, subject="Per telefoon", channel="phone", team=front_office)
    register(client_record, subject="Per mail", team=front_office)
    client.force_login(agent)
    assert "Per mail" in client.get(HOME, {"queue": "team"}).content.decode()
    saved = client.post(
        reverse("desk:queue-default"), {"queue": "team", "channel": "phone", "sort": "-due"}
    )
    assert saved.status_code == 302
    page = client.get(HOME).content.decode()
    assert "Per telefoon" in page and "Per mail" not in page
    assert "Cases 1 to 1 of 1." in page  # counted with the filter, not the queue's 2
    assert "The desk now opens with this queue." in page
    assert '<option value="phone" selected>' in page
    # Explicit choices still win over the default.
    assert "Per mail" in client.get(HOME, {"queue": "team"}).content.decode()


def test_a_bad_filter_says_so(client: Browser, agent: User) -> None:
    client.force_login(agent)
    response = client.get(HOME, {"queue": "nonsense", "channel": "pigeon"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a valid choice." in page and 'aria-invalid="true"' in page
    refused = client.post(reverse("desk:queue-default"), {"queue": "nonsense"}, follow=True)
    assert "These filters cannot be saved" in refused.content.decode()


def test_reminders_from_the_watch_show_on_the_desk(
    client: Browser, agent: User, client_record: Client
) -> None:
    case = register(client_record)
    notify(
        users=[agent],
        kind="overdue",
        case=case,
        message="Term missed: %(reference)s was due %(due)s.",
        params={"reference": case.reference, "due": "yesterday"},
    )
    client.force_login(agent)
    page = client.get(HOME).content.decode()
    alerts = page[page.index('class="alerts"') :]
    # In the agent's own language (the notice was written in it), linking to the case.
    assert f'<a href="/en/desk/cases/{case.reference}/">' in alerts
    assert case.reference in alerts.split("</a>")[0]
    assert "1 unread" in page


def test_the_number_of_queries_does_not_grow_with_the_rows(
    client: Browser, agent: User, client_record: Client, front_office: Team
) -> None:
    client.force_login(agent)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(HOME, {"queue": "team"}).status_code == 200
        return len(captured)

    register(client_record, team=front_office, owner=agent)
    few = queries()
    for n in range(30):
        register(client_record, subject=f"Vraag {n}", team=front_office, owner=agent)
    assert queries() == few


def test_login_with_a_demo_style_account_and_the_page_in_dutch(
    client: Browser, agent: User
) -> None:
    response = client.post("/nl/desk/login/", {"username": "agent", "password": "secret-pass-123"})
    assert response.status_code == 302
    page = client.get("/nl/desk/")
    assert page.status_code == 200 and b'lang="nl"' in page.content
    assert "Mijn dossiers" in page.content.decode()  # the queues, in Dutch


def test_wrong_password_says_so_without_a_500(client: Browser, agent: User) -> None:
    response = client.post("/en/desk/login/", {"username": "agent", "password": "wrong"})
    assert response.status_code == 200
    assert b'role="alert"' in response.content


def test_pages_carry_a_content_security_policy(client: Browser) -> None:
    response = client.get("/en/desk/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
