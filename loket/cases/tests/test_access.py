from __future__ import annotations

import pytest

from loket.accounts.models import Team, User
from loket.cases.access import Action, can, visible_cases
from loket.cases.models import Case, Client
from loket.cases.services import case_forward, case_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(
    client_record: Client, agent: User, back_office: Team, coordinator: User
) -> dict[str, Case]:
    question = case_register(actor=None, client=client_record, channel="email", subject="Vraag")
    forwarded = case_register(actor=None, client=client_record, channel="email", subject="Advies")
    case_forward(actor=agent, case=forwarded, team=back_office, note="Graag advies")
    complaint = case_register(
        actor=None,
        client=client_record,
        channel="web",
        subject="Klacht",
        kind="complaint",
        owner=coordinator,
    )
    return {"question": question, "forwarded": forwarded, "complaint": complaint}


def seen(user: User) -> set[str]:
    return set(visible_cases(user).values_list("subject", flat=True))


def test_who_sees_what(
    cases: dict[str, Case],
    agent: User,
    expert: User,
    coordinator: User,
    manager: User,
    administrator: User,
    outsider: User,
) -> None:
    assert seen(agent) == {"Vraag", "Advies"}
    assert seen(expert) == {"Advies"}
    assert (
        seen(coordinator) == seen(manager) == seen(administrator) == {"Vraag", "Advies", "Klacht"}
    )
    assert seen(outsider) == set()


def test_who_may_do_what(
    cases: dict[str, Case], agent: User, expert: User, manager: User, outsider: User
) -> None:
    assert can(agent, Action.ANSWER, cases["question"])
    assert not can(agent, Action.ANSWER, cases["complaint"])
    assert can(expert, Action.ANSWER, cases["forwarded"]) and can(
        expert, Action.CLOSE, cases["forwarded"]
    )
    assert not can(expert, Action.ANSWER, cases["question"])
    assert not can(expert, Action.REGISTER)
    assert can(manager, Action.VIEW, cases["question"]) and not can(
        manager, Action.NOTE, cases["question"]
    )
    assert not can(outsider, Action.VIEW)
