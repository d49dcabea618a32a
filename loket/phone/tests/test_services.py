"""call_event_record: every call logged with its outcome (charter rule 9), each event of a
call recorded once however often the exchange sends it."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from loket.accounts.models import User
from loket.cases.models import Client
from loket.cases.services import case_register, client_create
from loket.phone.models import Call, CallEvent
from loket.phone.services import call_event_record

pytestmark = pytest.mark.django_db


def at(minutes: int) -> dt.datetime:
    return dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)


def test_a_call_answered_and_ended(client_record: Client, agent: User) -> None:
    first = call_event_record(
        actor=None, call_id="x-1", event="ringing", caller_number="09 266 99 00", at=at(0)
    )
    assert first.recorded and first.call.client == client_record
    assert first.call.caller_number == "+3292669900" and first.call.state == Call.State.RINGING
    call_event_record(actor=None, call_id="x-1", event="answered", agent=agent, at=at(1))
    ended = call_event_record(actor=None, call_id="x-1", event="ended", at=at(5)).call
    assert (ended.state, ended.outcome, ended.agent) == ("ended", "answered", agent)
    assert (ended.started_at, ended.answered_at, ended.ended_at) == (at(0), at(1), at(5))
    kinds = list(CallEvent.objects.filter(call=ended).values_list("kind", flat=True))
    assert kinds == ["ringing", "answered", "ended"]


def test_a_repeated_event_changes_nothing(agent: User) -> None:
    call_event_record(actor=None, call_id="x-2", event="ringing", caller_number="", at=at(0))
    call_event_record(actor=None, call_id="x-2", event="answered", agent=agent, at=at(1))
    again = call_event_record(actor=None, call_id="x-2", event="answered", at=at(3))
    assert not again.recorded
    assert again.call.answered_at == at(1) and again.call.agent == agent
    assert CallEvent.objects.filter(call__call_id="x-2").count() == 2


def test_a_missed_call_and_a_withheld_number() -> None:
    call_event_record(actor=None, call_id="x-3", event="ringing", caller_number="anonymous")
    call = call_event_record(actor=None, call_id="x-3", event="ended").call
    assert (call.caller_number, call.client, call.outcome) == ("", None, "missed")


def test_the_exchange_names_a_transfer_and_a_registered_question(
    client_record: Client, agent: User
) -> None:
    call_event_record(actor=None, call_id="x-4", event="answered", agent=agent)
    transferred = call_event_record(actor=None, call_id="x-4", event="ended", outcome="transferred")
    assert transferred.call.outcome == "transferred"
    case = case_register(actor=agent, client=client_record, channel="phone", subject="Vraag")
    call_event_record(actor=None, call_id="x-5", event="answered", agent=agent)
    registered = call_event_record(actor=None, call_id="x-5", event="ended", case=case).call
    assert (registered.outcome, registered.case) == ("question-registered", case)


def test_events_out_of_order(agent: User) -> None:
    ended = call_event_record(actor=None, call_id="x-6", event="ended", at=at(4)).call
    assert (ended.state, ended.outcome) == ("ended", "missed")
    late = call_event_record(actor=None, call_id="x-6", event="answered", agent=agent, at=at(1))
    assert (late.call.state, late.call.outcome, late.call.started_at) == (
        "ended",
        "answered",
        at(1),
    )
    ringing = call_event_record(actor=None, call_id="x-6", event="ringing", at=at(0)).call
    assert ringing.started_at == at(0) and ringing.state == "ended"


def test_a_number_shared_by_two_clients_names_neither(client_record: Client) -> None:
    client_create(actor=None, name="OCMW Gent, dienst schulden", phones=["+32 9 266 99 00"])
    call = call_event_record(
        actor=None, call_id="x-7", event="ringing", caller_number="+3292669900"
    ).call
    assert call.client is None and call.caller_number == "+3292669900"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"call_id": "  "}, "call_id"),
        ({"event": "on-hold"}, "event"),
        ({"caller_number": "12"}, "caller_number"),
        ({"outcome": "lost"}, "outcome"),
    ],
)
def test_bad_events_name_the_field(values: dict[str, str], field: str) -> None:
    arguments = {"call_id": "x-8", "event": "ringing"} | values
    with pytest.raises(ValidationError) as raised:
        call_event_record(actor=None, **arguments)  # type: ignore[arg-type]
    assert list(raised.value.message_dict) == [field]
    assert not Call.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_new_call_reported_by_six_threads_at_once_is_one_call() -> None:
    start = threading.Barrier(6)
    results: list[bool] = []
    errors: list[BaseException] = []

    def report() -> None:
        try:
            start.wait()
            results.append(
                call_event_record(
                    actor=None, call_id="race", event="ringing", at=timezone.now()
                ).recorded
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=report) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [False] * 5 + [True]
    assert Call.objects.count() == 1 and CallEvent.objects.count() == 1
