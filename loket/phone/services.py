"""Recording what the telephone exchange reports. One transaction per event, writing its
`CallEvent`; a repeated event changes nothing (the exchange may send it again)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.accounts.models import User
from loket.cases.models import Case, Client, ClientPhone
from loket.cases.phones import InvalidPhoneNumber, normalise_phone

from .models import Call, CallEvent

State = Call.State
Outcome = Call.Outcome
# What exchanges send instead of a number when the caller withholds it (SIP and others).
WITHHELD = frozenset({"", "anonymous", "unknown", "private", "withheld", "restricted"})


@dataclass(frozen=True)
class CallRecord:
    call: Call
    recorded: bool  # False: this event of this call was known already; nothing changed


def caller_e164(text: str | None) -> str:
    """The caller's number in E.164, or "" when withheld; ValidationError when it is neither."""
    text = (text or "").strip()
    if text.lower() in WITHHELD:
        return ""
    try:
        return normalise_phone(text)
    except InvalidPhoneNumber as error:
        raise ValidationError({"caller_number": _("That is not a phone number.")}) from error


def _only_client(number: str) -> Client | None:
    """The client with this number, when exactly one has it (a shared switchboard number
    names nobody in particular)."""
    if not number:
        return None
    ids = list(ClientPhone.objects.filter(number=number).values_list("client_id", flat=True)[:2])
    return Client.objects.get(pk=ids[0]) if len(set(ids)) == 1 else None


def _derived_outcome(call: Call) -> str:
    if call.case_id is not None:
        return Outcome.QUESTION_REGISTERED
    return Outcome.ANSWERED if call.answered_at else Outcome.MISSED


def _locked_or_new(call_id: str, number: str, at: dt.datetime) -> Call:
    call = Call.objects.select_for_update().filter(call_id=call_id).first()
    if call is not None:
        return call
    try:
        with transaction.atomic():
            return Call.objects.create(
                call_id=call_id,
                caller_number=number,
                client=_only_client(number),
                state=State.RINGING,
                started_at=at,
            )
    except IntegrityError:
        # The exchange sent two events of a new call at once; the other one created it.
        return Call.objects.select_for_update().get(call_id=call_id)


def call_event_record(
    *,
    actor: User | None,
    call_id: str,
    event: str,
    caller_number: str | None = None,
    agent: User | None = None,
    at: dt.datetime | None = None,
    outcome: str | None = None,
    case: Case | None = None,
) -> CallRecord:
    """Log a call event: ringing, answered or ended (charter rule 9: calls are logged with
    their outcome). Idempotent per call and event. Events may arrive out of order; the call
    takes the furthest state and the outcome follows from what is known: a case registered
    in the call, answered, or missed, unless the exchange says (e.g. transferred)."""
    call_id = call_id.strip()
    if not call_id or len(call_id) > 100:
        raise ValidationError({"call_id": _("Give the exchange's call id (1 to 100 characters).")})
    if event not in State.values:
        raise ValidationError({"event": _("The event is ringing, answered or ended.")})
    if outcome is not None and outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Unknown outcome.")})
    number = caller_e164(caller_number)
    now = timezone.now()
    at = at or now
    with transaction.atomic():
        call = _locked_or_new(call_id, number, at)
        if CallEvent.objects.filter(call=call, kind=event).exists():
            return CallRecord(call=call, recorded=False)
        fields = {"state"}
        if number and not call.caller_number:
            call.caller_number, call.client = number, _only_client(number)
            fields |= {"caller_number", "client"}
        if agent is not None:
            call.agent = agent
            fields.add("agent")
        if at < call.started_at:
            call.started_at = at
            fields.add("started_at")
        if event == State.ANSWERED:
            call.answered_at = at
            fields.add("answered_at")
        if event == State.ENDED:
            call.ended_at = at
            fields.add("ended_at")
        if case is not None:
            call.case = case
            fields.add("case")
        if call.ended_at is not None:
            call.state = State.ENDED
            if event == State.ENDED:
                call.outcome = outcome or _derived_outcome(call)
            elif call.outcome in ("", Outcome.MISSED, Outcome.ANSWERED):
                # A late "answered" after "ended": a derived outcome follows the new facts.
                call.outcome = _derived_outcome(call)
            fields.add("outcome")
        elif call.answered_at is not None:
            call.state = State.ANSWERED
        call.save(update_fields=sorted(fields))
        CallEvent.objects.create(
            call=call,
            kind=event,
            at=at,
            received_at=now,
            agent=agent,
            actor=actor,
            data={
                "caller_number": number,
                "outcome": outcome,
                "case": case.reference if case else None,
            },
        )
    return CallRecord(call=call, recorded=True)
