"""Registering many clients and cases at once (the mail intake's batches): the same records
and events as one by one, numbers consecutive in the given order, and nothing written when
one of them is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from loket.cases.models import Case, Channel, Client, ClientEmail, Event, Message
from loket.cases.references import parse_reference
from loket.cases.services import (
    CaseDetails,
    ClientDetails,
    case_register,
    case_register_many,
    client_create_many,
)

pytestmark = pytest.mark.django_db


def test_client_create_many_checks_and_writes_each_client_with_its_event() -> None:
    clients = client_create_many(
        actor=None,
        clients=[
            ClientDetails(name=" An Peeters ", emails=["An.Peeters@Example.be"], language="nl"),
            ClientDetails(name="CPAS de Liège", language="fr", phones=["04 220 58 11"]),
        ],
    )
    assert [c.name for c in clients] == ["An Peeters", "CPAS de Liège"]
    assert all(c.pk is not None for c in clients)
    assert list(ClientEmail.objects.values_list("address", flat=True)) == ["an.peeters@example.be"]
    assert clients[1].phones.get().number == "+3242205811"
    events = Event.objects.filter(kind=Event.Kind.CLIENT_CREATED).order_by("pk")
    assert [(e.client_id, e.data["name"]) for e in events] == [(c.pk, c.name) for c in clients]


def test_client_create_many_writes_nothing_when_one_is_refused() -> None:
    with pytest.raises(ValidationError):
        client_create_many(
            actor=None,
            clients=[
                ClientDetails(name="Fine"),
                ClientDetails(name="X", emails=["not-an-address"]),
            ],
        )
    assert Client.objects.count() == 0 and Event.objects.count() == 0


def test_case_register_many_numbers_cases_in_order_like_one_by_one(client_record: Client) -> None:
    received = timezone.now() - dt.timedelta(hours=2)
    first = case_register(actor=None, client=client_record, channel=Channel.PHONE, subject="Eén")
    cases = case_register_many(
        actor=None,
        cases=[
            CaseDetails(
                client=client_record,
                channel=Channel.EMAIL,
                subject=f"Vraag {n}",
                received_at=received,
                body="De vraag zelf." if n == 1 else "",
            )
            for n in range(3)
        ],
    )
    numbers = [parse_reference(c.reference).sequence for c in [first, *cases]]
    assert numbers == [1, 2, 3, 4]
    assert [c.subject for c in Case.objects.order_by("pk")] == ["Eén", "Vraag 0", "Vraag 1",
                                                                 "Vraag 2"]  # fmt: skip
    for case in cases:
        assert case.received_at == received and case.due_at is not None
        assert case.status == Case.Status.REGISTERED and case.policy is not None
    # The question kept as the first message when it has a body, as case_register does.
    assert list(Message.objects.filter(case__in=cases).values_list("body", flat=True)) == [
        "De vraag zelf."
    ]
    events = Event.objects.filter(kind=Event.Kind.CASE_REGISTERED, case__in=cases).order_by("pk")
    assert [e.data["reference"] for e in events] == [c.reference for c in cases]
    assert events[0].data["due_at"] == cases[0].due_at.isoformat()  # type: ignore[union-attr]


def test_case_register_many_hands_out_no_number_when_one_is_refused(
    client_record: Client,
) -> None:
    with pytest.raises(ValidationError):
        case_register_many(
            actor=None,
            cases=[
                CaseDetails(client=client_record, channel=Channel.EMAIL, subject="Fine"),
                CaseDetails(client=client_record, channel=Channel.EMAIL, subject="   "),
            ],
        )
    assert Case.objects.count() == 0
    case = case_register(actor=None, client=client_record, channel=Channel.EMAIL, subject="Next")
    assert parse_reference(case.reference).sequence == 1
