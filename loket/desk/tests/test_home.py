from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.urls import reverse

from loket.accounts.models import User
from loket.cases.models import Client
from loket.cases.services import case_register

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
    page = client.get(HOME).content.decode()
    assert '<span class="label">Unassigned</span> <span class="count">3</span>' in page
    assert "<html" in page
    fragment = client.get(HOME, headers={"HX-Request": "true"}).content.decode()
    assert fragment.strip().startswith('<ul class="queues" id="queues">')
    assert '<span class="count">3</span>' in fragment and "<html" not in fragment


def test_login_with_a_demo_style_account_and_the_page_in_dutch(
    client: Browser, agent: User
) -> None:
    response = client.post("/nl/desk/login/", {"username": "agent", "password": "secret-pass-123"})
    assert response.status_code == 302
    page = client.get("/nl/desk/")
    assert page.status_code == 200 and b'lang="nl"' in page.content


def test_wrong_password_says_so_without_a_500(client: Browser, agent: User) -> None:
    response = client.post("/en/desk/login/", {"username": "agent", "password": "wrong"})
    assert response.status_code == 200
    assert b'role="alert"' in response.content


def test_pages_carry_a_content_security_policy(client: Browser) -> None:
    response = client.get("/en/desk/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
