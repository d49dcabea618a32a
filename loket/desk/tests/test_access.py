"""Every desk view and action against every kind of person (STYLE.md: an access test for
each): anonymous visitors go to the login page, people without a staff role get 403, a case
outside one's work is a 404 (it doesn't show that it exists), and a role that may not do
an action gets 403. "Allowed" means the request reached the form or the service: a page
(200), a redirect after doing it (302), or the form's own errors for an empty post (422)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser

from loket.accounts.models import User
from loket.cases.models import Case, Client
from loket.desk.services import reply_send

pytestmark = pytest.mark.django_db
PEOPLE = ["agent", "expert", "coordinator", "manager", "administrator"]
ALLOWED = {200, 302, 422}
CASE_ACTIONS = [
    "reply",
    "phone-answer",
    "note",
    "forward",
    "take-over",
    "topic",
    "policy",
    "delay-notice",
    "close",
    "reopen",
]
# Who may do what (loket/cases/access.py), on a case they can see.
MAY = {
    "agent": set(CASE_ACTIONS),
    "coordinator": set(CASE_ACTIONS),
    "administrator": set(CASE_ACTIONS),
    "expert": {"reply", "phone-answer", "note", "forward", "take-over", "delay-notice", "close"},
    "manager": set(),
}


def outcome(status: int) -> str:
    if status in ALLOWED:
        return "allowed"
    return {403: "forbidden", 404: "not found"}.get(status, f"status {status}")


@pytest.fixture
def browse(client: Browser, request: pytest.FixtureRequest) -> Callable[[str | None], Browser]:
    def as_person(person: str | None) -> Browser:
        client.logout()
        if person is not None:
            client.force_login(request.getfixturevalue(person))
        return client

    return as_person


PAGES = [
    "/en/desk/",
    "/en/desk/search/?q=leefloon",
    "/en/desk/notifications/",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_for_everyone_on_staff(
    browse: Callable[[str | None], Browser], url: str, question: Case
) -> None:
    assert browse(None).get(url).status_code == 302
    assert browse(None).get(url)["Location"].startswith("/en/desk/login/")
    assert browse("outsider").get(url).status_code == 403
    for person in PEOPLE:
        assert browse(person).get(url).status_code == 200, person


def test_the_client_page_for_everyone_on_staff(
    browse: Callable[[str | None], Browser], question: Case
) -> None:
    url = f"/en/desk/clients/{question.client_id}/"
    assert browse(None).get(url).status_code == 302
    assert browse("outsider").get(url).status_code == 403
    for person in PEOPLE:
        assert browse(person).get(url).status_code == 200, person
    assert browse("agent").get("/en/desk/clients/999999/").status_code == 404


@pytest.mark.parametrize(
    "method,url",
    [("post", "/en/desk/queues/default/"), ("post", "/en/desk/notifications/read/")],
)
def test_personal_actions_for_everyone_on_staff(
    browse: Callable[[str | None], Browser], method: str, url: str
) -> None:
    assert getattr(browse(None), method)(url).status_code == 302
    assert getattr(browse("outsider"), method)(url).status_code == 403
    for person in PEOPLE:
        response = getattr(browse(person), method)(url)
        assert response.status_code == 302, person


@pytest.mark.parametrize(
    "method,url,headers",
    [
        ("get", "/en/desk/register/", {}),
        ("post", "/en/desk/register/", {}),
        ("get", "/en/desk/register/clients/?find=gent", {"HX-Request": "true"}),
    ],
)
def test_registering_is_for_the_front_office_and_the_coordinator(
    browse: Callable[[str | None], Browser], method: str, url: str, headers: dict[str, str]
) -> None:
    assert getattr(browse(None), method)(url).status_code == 302
    assert getattr(browse("outsider"), method)(url).status_code == 403
    expected = {
        "agent": "allowed",
        "coordinator": "allowed",
        "administrator": "allowed",
        "expert": "forbidden",
        "manager": "forbidden",
    }
    found = {
        person: outcome(getattr(browse(person), method)(url, headers=headers).status_code)
        for person in PEOPLE
    }
    assert found == expected


@pytest.mark.parametrize("action", CASE_ACTIONS)
def test_actions_on_a_question(
    browse: Callable[[str | None], Browser], action: str, question: Case
) -> None:
    url = f"/en/desk/cases/{question.reference}/{action}/"
    assert browse(None).post(url).status_code == 302
    assert browse("outsider").post(url).status_code == 403
    found = {person: outcome(browse(person).post(url).status_code) for person in PEOPLE}
    expected = {person: "allowed" if action in MAY[person] else "forbidden" for person in PEOPLE}
    expected["expert"] = "not found"  # not forwarded to the expert's team: not theirs to see
    assert found == expected


@pytest.mark.parametrize("action", CASE_ACTIONS)
def test_actions_on_a_forwarded_question(
    browse: Callable[[str | None], Browser], action: str, forwarded: Case
) -> None:
    url = f"/en/desk/cases/{forwarded.reference}/{action}/"
    found = {person: outcome(browse(person).post(url).status_code) for person in PEOPLE}
    assert found == {
        person: "allowed" if action in MAY[person] else "forbidden" for person in PEOPLE
    }


@pytest.mark.parametrize("suffix", ["", "template/?template=1"])
def test_who_sees_which_case_page(
    browse: Callable[[str | None], Browser],
    suffix: str,
    question: Case,
    forwarded: Case,
    complaint: Case,
) -> None:
    def seen(case: Case) -> dict[str, str]:
        url = f"/en/desk/cases/{case.reference}/{suffix}"
        assert browse(None).get(url).status_code == 302
        assert browse("outsider").get(url).status_code == 403
        return {person: outcome(browse(person).get(url).status_code) for person in PEOPLE}

    answering = "allowed" if not suffix else "forbidden"  # a template is for a reply
    assert seen(question) == {
        "agent": "allowed",
        "expert": "not found",
        "coordinator": "allowed",
        "manager": answering,
        "administrator": "allowed",
    }
    assert seen(forwarded) == {
        "agent": "allowed",
        "expert": "allowed",
        "coordinator": "allowed",
        "manager": answering,
        "administrator": "allowed",
    }
    assert seen(complaint) == {
        "agent": "not found",
        "expert": "not found",
        "coordinator": "allowed",
        "manager": answering,
        "administrator": "allowed",
    }
    assert browse("agent").get(f"/en/desk/cases/MI-2026-999999-00/{suffix}").status_code == 404


def test_who_may_download_an_attachment(
    browse: Callable[[str | None], Browser], question: Case, agent: User, client_record: Client
) -> None:
    message = reply_send(
        actor=agent,
        case=question,
        body="Zie bijlage.",
        files=[SimpleUploadedFile("tabel.csv", b"a;b\n1;2\n", "text/csv")],
    )
    url = f"/en/desk/attachments/{message.attachments.get().pk}/"
    assert browse(None).get(url).status_code == 302
    assert browse("outsider").get(url).status_code == 403
    found = {person: outcome(browse(person).get(url).status_code) for person in PEOPLE}
    assert found == {
        "agent": "allowed",
        "expert": "not found",
        "coordinator": "allowed",
        "manager": "allowed",
        "administrator": "allowed",
    }
    assert browse("agent").get("/en/desk/attachments/999999/").status_code == 404
