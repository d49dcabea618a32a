"""/api/v1/status: the public status lookup, as on the portal and with the same protections
(the portal's selector and rate limits). No token: the registration number and the e-mail
address used are the key. A wrong number, a mistyped one and a wrong address get the same
answer, so nobody can probe which cases exist."""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from loket.cases.services import normalise_email
from loket.portal import ratelimit
from loket.portal.selectors import case_status_lookup

from .errors import ApiError, bad_input, error_responses, not_found
from .schemas import StatusDelayOut, StatusIn, StatusOut

router = Router(tags=["public"])


def _too_many(limit_name: str) -> ApiError:
    limit = ratelimit.limit_named(limit_name)
    seconds = limit.seconds if limit else 60
    wait = max(1, seconds - int(time.time()) % seconds)
    return ApiError(
        429, _("Too many lookups; try again later."), headers={"Retry-After": str(wait)}
    )


@router.post("/status", auth=None, response={200: StatusOut, **error_responses(400, 404, 422, 429)})
def status_lookup(request: HttpRequest, payload: StatusIn) -> StatusOut:
    """Where a case stands: status, date received, due date, a delay notice's reason and new
    term, when it was answered. Give the registration number and the e-mail address used."""
    try:
        email = normalise_email(payload.email)
    except ValidationError as error:
        raise bad_input("email", _("That is not an e-mail address.")) from error
    # Every lookup counts against the caller's address; failed ones also against the number,
    # so guessing the address of a known number from many places gets nowhere either.
    reference_key = "".join(payload.reference.split()).upper()
    if not ratelimit.hit("follow-ip", ratelimit.client_ip(request)):
        raise _too_many("follow-ip")
    if ratelimit.exceeded("follow-reference", reference_key):
        raise _too_many("follow-reference")
    found = case_status_lookup(reference=payload.reference, email=email)
    if found is None:
        ratelimit.hit("follow-reference", reference_key)
        raise not_found(_("We know no case with this registration number and this e-mail address."))
    delay = (
        StatusDelayOut(reason=found.delay_reason, new_due_at=found.delay_new_due_at)
        if found.delay_reason is not None and found.delay_new_due_at is not None
        else None
    )
    return StatusOut(
        reference=found.reference,
        kind=found.kind,  # type: ignore[arg-type]
        status=found.status,  # type: ignore[arg-type]
        status_label=found.status_text,
        received_at=found.received_at,
        due_at=found.due_at,
        delay_notice=delay,
        answered_at=found.answered_at,
        closed_at=found.closed_at,
    )
