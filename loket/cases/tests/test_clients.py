"""Staff correct a client's contact details (loket/cases/clients.py): what is normalised,
which rows stay, the one event with exactly what changed, and what is refused."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from loket.accounts.models import User
from loket.cases.clients import client_update, may_change_clients
from loket.cases.models import Client, ClientEmail, ClientPhone, Event

pytestmark = pytest.mark.django_db


def as_typed(client: Client) -> dict[str, Any]:
    """The client's details as the desk's form would send them back untouched."""
    return {
        "name": client.name,
        "language": client.language,
        "kind": client.kind,
        "sector": client.sector,
        "organisation": client.organisation,
        "street": client.street,
        "postal_code": client.postal_code,
        "city": client.city,
        "country": client.country,
        "emails": list(client.emails.values_list("address", flat=True)),
        "phones": list(client.phones.values_list("number", flat=True)),
    }


def update(actor: User, client: Client, **changes: Any) -> Client:
    return client_update(actor=actor, client=client, **{**as_typed(client), **changes})


def addresses(client: Client) -> list[tuple[int, str]]:
    return list(client.emails.order_by("pk").values_list("pk", "address"))


def numbers(client: Client) -> list[str]:
    return list(client.phones.order_by("pk").values_list("number", flat=True))


def changes(client: Client) -> list[dict[str, Any]]:
    return [
        event.data for event in Event.objects.filter(client=client, kind=Event.Kind.CLIENT_CHANGED)
    ]


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_addresses_and_phones_are_normalised_and_deduplicated(
    agent: User, client_record: Client
) -> None:
    emails = [" Info@OCMW-Gent.example.be ", "", "SOCIAAL@ocmw-gent.example.be"]
    phones = ["09 266 99 00", "+32 9 266 99 00", "  ", "0470 12 34 56", "0032 470 12 34 56"]
    update(agent, client_record, emails=[*emails, "sociaal@OCMW-gent.example.be"], phones=phones)

    assert [address for _pk, address in addresses(client_record)] == [
        "info@ocmw-gent.example.be",
        "sociaal@ocmw-gent.example.be",
    ]
    assert numbers(client_record) == ["+3292669900", "+32470123456"]


def test_details_are_trimmed_and_the_country_upper_cased(
    agent: User, client_record: Client
) -> None:
    updated = update(agent, client_record, name="  OCMW Gent (sociale dienst) ", country="be")

    client_record.refresh_from_db()
    assert (client_record.name, client_record.country) == ("OCMW Gent (sociale dienst)", "BE")
    assert updated.name == client_record.name
    assert changes(client_record) == [
        {"changed": {"name": ["OCMW Gent", "OCMW Gent (sociale dienst)"]}}
    ]


def test_an_address_that_stays_keeps_its_row_the_new_ones_come_after(
    agent: User, client_record: Client
) -> None:
    ClientEmail.objects.create(client=client_record, address="oud@ocmw-gent.example.be")
    (first_pk, first), (old_pk, _old) = addresses(client_record)

    update(
        agent,
        client_record,
        emails=["nieuw@ocmw-gent.example.be", first],  # typed in another order: the pk counts
    )

    assert addresses(client_record)[0] == (first_pk, "info@ocmw-gent.example.be")
    assert [address for _pk, address in addresses(client_record)] == [
        "info@ocmw-gent.example.be",
        "nieuw@ocmw-gent.example.be",
    ]
    assert not ClientEmail.objects.filter(pk=old_pk).exists()


def test_one_event_with_exactly_what_changed(agent: User, client_record: Client) -> None:
    ClientPhone.objects.create(client=client_record, number="+32470123456")

    update(
        agent,
        client_record,
        name="OCMW Gent",  # the same
        language="fr",
        street="Onderbergen 88",
        emails=[],
        phones=["+32470123456", "02 508 85 85"],
    )

    (event,) = Event.objects.filter(client=client_record, kind=Event.Kind.CLIENT_CHANGED)
    assert (event.actor, event.case) == (agent, None)
    assert event.data == {
        "changed": {
            "language": ["nl", "fr"],
            "street": ["Onderbergen 86", "Onderbergen 88"],
            "emails": [["info@ocmw-gent.example.be"], []],
            "phones": [["+3292669900", "+32470123456"], ["+32470123456", "+3225088585"]],
        }
    }
    client_record.refresh_from_db()
    assert (client_record.language, client_record.street) == ("fr", "Onderbergen 88")


def test_nothing_changed_writes_nothing(agent: User, client_record: Client) -> None:
    events = Event.objects.count()
    typed = as_typed(client_record)
    # As people type the same again: other spacing, upper case, the local phone form.
    typed |= {
        "name": " OCMW Gent ",
        "country": "be",
        "emails": ["INFO@ocmw-gent.example.be", "info@ocmw-gent.example.be"],
        "phones": ["09 266 99 00"],
    }

    with CaptureQueriesContext(connection) as queries:
        client_update(actor=agent, client=client_record, **typed)

    assert writes(queries) == []
    assert Event.objects.count() == events


def test_an_address_stored_otherwise_is_rewritten_in_place(
    agent: User, client_record: Client
) -> None:
    """The admin may have stored an address with capitals, or twice in two spellings: the
    first row stays, in the normalised form, and its twin goes."""
    (first_pk, _first), *_ = addresses(client_record)
    ClientEmail.objects.filter(pk=first_pk).update(address="Info@OCMW-Gent.example.be")
    ClientEmail.objects.create(client=client_record, address="info@ocmw-gent.example.be")

    update(agent, client_record, emails=["info@ocmw-gent.example.be"])

    assert addresses(client_record) == [(first_pk, "info@ocmw-gent.example.be")]
    assert changes(client_record) == [
        {
            "changed": {
                "emails": [
                    ["Info@OCMW-Gent.example.be", "info@ocmw-gent.example.be"],
                    ["info@ocmw-gent.example.be"],
                ]
            }
        }
    ]


@pytest.mark.parametrize(
    "typed,field,message",
    [
        ({"name": "   "}, "name", "A client needs a name."),
        ({"emails": ["info@ocmw-gent"]}, "emails", "info@ocmw-gent is not an e-mail address."),
        ({"phones": ["12"]}, "phones", "12 is not a phone number."),
        ({"phones": [" bel me "]}, "phones", "bel me is not a phone number."),
        ({"language": "xx"}, "language", "Value 'xx' is not a valid choice."),
        ({"kind": "robot"}, "kind", "Value 'robot' is not a valid choice."),
        ({"country": "B1"}, "country", "B1 is not a country code (two letters, such as BE)."),
        ({"country": "BEL"}, "country", "BEL is not a country code (two letters, such as BE)."),
        ({"city": "G" * 101}, "city", "Ensure this value has at most 100 characters"),
        (
            {"emails": ["a" * 250 + "@x.be"]},
            "emails",
            "is longer than an e-mail address can be.",
        ),
    ],
)
def test_bad_input_is_refused_by_field_naming_the_value_and_keeps_everything(
    agent: User, client_record: Client, typed: dict[str, Any], field: str, message: str
) -> None:
    before = as_typed(client_record)

    with pytest.raises(ValidationError) as refusal:
        update(agent, client_record, **{**typed, "street": "Elders 1"})

    assert list(refusal.value.message_dict) == [field]
    assert any(message in text for text in refusal.value.message_dict[field])
    client_record.refresh_from_db()
    assert as_typed(client_record) == before
    assert changes(client_record) == []


def test_every_bad_value_is_named(agent: User, client_record: Client) -> None:
    with pytest.raises(ValidationError) as refusal:
        update(
            agent,
            client_record,
            name="",
            emails=["goed@example.be", "fout", "ook fout"],
            phones=["abc", "09 266 99 00", "12"],
        )

    assert refusal.value.message_dict == {
        "name": ["A client needs a name."],
        "emails": ["fout is not an e-mail address.", "ook fout is not an e-mail address."],
        "phones": ["abc is not a phone number.", "12 is not a phone number."],
    }


def test_the_client_is_read_under_a_row_lock(agent: User, client_record: Client) -> None:
    locked: list[type[object]] = []
    real = QuerySet.select_for_update

    def spy(queryset: QuerySet[Any], *args: Any, **kwargs: Any) -> QuerySet[Any]:
        locked.append(queryset.model)
        return real(queryset, *args, **kwargs)

    with (
        mock.patch.object(QuerySet, "select_for_update", spy),
        CaptureQueriesContext(connection) as queries,
    ):
        update(agent, client_record, city="Gent-Centrum")

    assert Client in locked
    if connection.features.has_select_for_update:  # PostgreSQL; SQLite locks the database
        reads = [q["sql"] for q in queries.captured_queries if "cases_client" in q["sql"]]
        assert any("FOR UPDATE" in sql for sql in reads)


@pytest.mark.parametrize(
    "person,allowed",
    [
        ("agent", True),
        ("coordinator", True),
        ("administrator", True),
        ("expert", False),
        ("manager", False),
        ("outsider", False),
    ],
)
def test_who_may_change_a_client(
    request: pytest.FixtureRequest, client_record: Client, person: str, allowed: bool
) -> None:
    actor: User = request.getfixturevalue(person)
    assert may_change_clients(actor) is allowed
    if allowed:
        update(actor, client_record, name="OCMW Gent-Centrum")
        client_record.refresh_from_db()
        assert client_record.name == "OCMW Gent-Centrum"
    else:
        with pytest.raises(PermissionDenied):
            update(actor, client_record, name="OCMW Gent-Centrum")
        client_record.refresh_from_db()
        assert client_record.name == "OCMW Gent"
        assert changes(client_record) == []
