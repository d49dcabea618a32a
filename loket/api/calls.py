"""/api/v1/calls/events: the telephone exchange reports ringing, answered and ended, and
learns who is calling (charter rules 8 and 9)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from loket.cases.access import Action, visible_cases
from loket.cases.references import InvalidReference, parse_reference
from loket.phone.models import Call
from loket.phone.selectors import callers, open_cases_of
from loket.phone.services import call_event_record

from .auth import staff, staff_member
from .errors import TOKEN_ERRORS, bad_input, error_responses
from .output import CASE_RELATED, case_out, client_out
from .schemas import CallAnswerOut, CallEventIn, CallOut

router = Router(tags=["calls"])


def _call_out(call: Call) -> CallOut:
    return CallOut(
        call_id=call.call_id,
        state=call.state,  # type: ignore[arg-type]
        caller_number=call.caller_number,
        agent=call.agent.username if call.agent else None,
        started_at=call.started_at,
        answered_at=call.answered_at,
        ended_at=call.ended_at,
        outcome=call.outcome or None,  # type: ignore[arg-type]
        case=call.case.reference if call.case else None,
    )


@router.post("/events", response={200: CallAnswerOut, **error_responses(*TOKEN_ERRORS)})
def call_event(request: HttpRequest, payload: CallEventIn) -> CallAnswerOut:
    """Record a call event and answer with the caller's client record and open cases, so
    the desk shows who is calling. Sending the same event of the same call again changes
    nothing and gives the same answer (`recorded` is then false)."""
    user = staff(request, Action.REGISTER)
    agent = staff_member("agent", payload.agent) if payload.agent else None
    case = None
    if payload.reference:
        if payload.event != "ended":
            raise bad_input("reference", _("A case is linked when the call ends."))
        try:
            reference = str(parse_reference(payload.reference))
        except InvalidReference as error:
            raise bad_input("reference", _("That is not a registration number.")) from error
        case = visible_cases(user).filter(reference=reference).first()
        if case is None:
            raise bad_input("reference", _("There is no case with this number you may see."))
    if payload.outcome and payload.event != "ended":
        raise bad_input("outcome", _("The outcome is given when the call ends."))
    record = call_event_record(
        actor=user,
        call_id=payload.call_id,
        event=payload.event,
        caller_number=payload.caller_number,
        agent=agent,
        at=payload.at,
        outcome=payload.outcome,
        case=case,
    )
    call = Call.objects.select_related("agent", "case").get(pk=record.call.pk)
    clients = callers(call.caller_number)
    client = next((c for c in clients if c.pk == call.client_id), None)
    return CallAnswerOut(
        recorded=record.recorded,
        call=_call_out(call),
        client=client_out(client) if client else None,
        clients=[client_out(c) for c in clients],
        open_cases=[case_out(c) for c in open_cases_of(clients, user, related=CASE_RELATED)],
    )
