"""GET /api/v1/cases: filters and cursor pagination (stable, opaque, a bad cursor is a 400),
at a number of queries that does not grow with the page."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
import time_machine

from loket.accounts.models import Team, User
from loket.cases.models import Case, Client, Topic
from loket.cases.services import case_assign, case_close, case_register, client_create

from .conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_as: Callable[[User | None], Api], agent: User, frozen: time_machine.Coordinates) -> Api:
    return api_as(agent)


def register(
    client: Client, frozen: time_machine.Coordinates, count: int, **kwargs: object
) -> list[Case]:
    cases = []
    for n in range(count):
        frozen.shift(dt.timedelta(hours=1))
        cases.append(
            case_register(
                actor=None,
                client=client,
                channel=str(kwargs.get("channel", "email")),
                subject=f"Vraag {n}",
                **{k: v for k, v in kwargs.items() if k != "channel"},  # type: ignore[arg-type]
            )
        )
    return cases


def references(api: Api, **params: object) -> list[str]:
    response = api.get("/api/v1/cases", **params)
    assert response.status_code == 200, response.content
    return [c["reference"] for c in response.json()["items"]]


def every_page(api: Api, **params: object) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        extra = {"cursor": cursor} if cursor else {}
        body = api.get("/api/v1/cases", **params, **extra).json()
        pages.append([c["reference"] for c in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_pages_newest_first_cover_every_case_once(
    api: Api, client_record: Client, frozen: time_machine.Coordinates
) -> None:
    cases = register(client_record, frozen, 7)
    pages = every_page(api, limit=3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert list(itertools.chain.from_iterable(pages)) == [c.reference for c in reversed(cases)]


def test_pages_by_due_date_put_cases_without_a_term_last(
    api: Api, client_record: Client, frozen: time_machine.Coordinates
) -> None:
    cases = register(client_record, frozen, 6)
    # Two cases without a term (registered before any policy existed, say).
    Case.objects.filter(pk__in=[cases[1].pk, cases[4].pk]).update(due_at=None)
    pages = every_page(api, limit=2, order="due_at")
    expected = [cases[i].reference for i in (0, 2, 3, 5, 1, 4)]
    assert list(itertools.chain.from_iterable(pages)) == expected


def test_pages_stay_stable_while_new_cases_arrive(
    api: Api, client_record: Client, frozen: time_machine.Coordinates
) -> None:
    cases = register(client_record, frozen, 4)
    first = api.get("/api/v1/cases", limit=2).json()
    register(client_record, frozen, 2)  # newer cases land before the cursor, not after it
    second = api.get("/api/v1/cases", limit=2, cursor=first["next_cursor"]).json()
    assert [c["reference"] for c in second["items"]] == [cases[1].reference, cases[0].reference]
    assert second["next_cursor"] is None


@pytest.mark.parametrize("cursor", ["garbage", "W10:1abc:xyz", "a" * 500])
def test_a_cursor_loket_did_not_give_is_a_400(api: Api, cursor: str) -> None:
    response = api.get("/api/v1/cases", cursor=cursor)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


def test_a_cursor_of_another_order_is_a_400(
    api: Api, client_record: Client, frozen: time_machine.Coordinates
) -> None:
    register(client_record, frozen, 3)
    cursor = api.get("/api/v1/cases", limit=1).json()["next_cursor"]
    response = api.get("/api/v1/cases", limit=1, order="due_at", cursor=cursor)
    assert response.status_code == 400
    assert response.json()["detail"] == "This cursor belongs to another sort order."


def test_filters(
    api: Api,
    client_record: Client,
    agent: User,
    back_office: Team,
    frozen: time_machine.Coordinates,
) -> None:
    topic = Topic.objects.create(code="mediprima", name_nl="MediPrima", name_fr="MediPrima")
    other = client_create(actor=None, name="Anna Schmitz", language="de")
    [by_mail] = register(client_record, frozen, 1)
    [by_phone] = register(client_record, frozen, 1, channel="phone", topic=topic)
    [german] = register(other, frozen, 1, channel="post")
    [conflict] = register(other, frozen, 1, kind="competence-conflict", team=back_office)
    case_assign(actor=agent, case=by_phone, owner=agent)
    case_close(actor=agent, case=by_mail)

    assert references(api, status="closed") == [by_mail.reference]
    assert set(references(api, status=["closed", "in-progress"])) == {
        by_mail.reference,
        by_phone.reference,
    }
    assert references(api, channel="post") == [german.reference]
    assert references(api, kind="competence-conflict") == [conflict.reference]
    assert references(api, language="de") == [conflict.reference, german.reference]
    assert references(api, topic="mediprima") == [by_phone.reference]
    assert references(api, team="integration") == [conflict.reference]
    assert references(api, owner="me") == [by_phone.reference]
    assert by_phone.reference not in references(api, owner="nobody")
    assert references(api, client=other.pk) == [conflict.reference, german.reference]
    # Questions are due in 2 working days, the competence conflict in 5.
    assert references(api, due_after="2026-03-06T00:00:00+01:00") == [conflict.reference]
    assert conflict.reference not in references(api, due_before="2026-03-06T00:00:00+01:00")
    assert references(api, received_after="2026-03-02T13:30:00+01:00") == [conflict.reference]
    assert references(api, received_before="2026-03-02T11:30:00+01:00") == [by_mail.reference]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"topic": "no-such-topic"}, 400, "topic"),
        ({"team": "no-such-team"}, 400, "team"),
        ({"status": "lost"}, 422, "status.0"),
        ({"owner": "someone"}, 422, "owner"),
        ({"limit": 0}, 422, "limit"),
        ({"limit": 201}, 422, "limit"),
        ({"due_before": "tomorrow"}, 422, "due_before"),
        ({"due_before": "2026-03-02T10:00:00"}, 422, "due_before"),
        ({"due_after": "9999-12-31T23:59:59-14:00"}, 422, "due_after"),
        ({"client": 2**64}, 422, "client"),
        ({"order": "subject"}, 422, "order"),
    ],
)
def test_bad_filters_name_the_parameter(
    api: Api, params: dict[str, object], status: int, field: str
) -> None:
    response = api.get("/api/v1/cases", **params)
    assert response.status_code == status, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_page_costs_the_same_queries_for_3_or_30_cases(
    api: Api,
    client_record: Client,
    frozen: time_machine.Coordinates,
    django_assert_num_queries: Callable[..., object],
) -> None:
    for count in (3, 27):
        register(client_record, frozen, count)
        api.get("/api/v1/cases")  # the token's last use is noted (at most once a minute)
        # token + groups, one query for the page with clients, topics, owners and teams
        with django_assert_num_queries(3):  # type: ignore[operator]
            assert len(api.get("/api/v1/cases", limit=100).json()["items"]) in (3, 30)
