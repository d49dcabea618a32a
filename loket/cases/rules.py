"""The case's own rules, as pure functions: which status may follow which, which channel
answers which. No database."""

from __future__ import annotations

from .models import Case, Channel

Status = Case.Status

# Which status may follow which (DESIGN.md: registered → in progress → forwarded → answered →
# closed, reopened by a client reply). A case may be answered more than once.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.REGISTERED: frozenset(
        {Status.IN_PROGRESS, Status.FORWARDED, Status.ANSWERED, Status.CLOSED}
    ),
    Status.IN_PROGRESS: frozenset({Status.FORWARDED, Status.ANSWERED, Status.CLOSED}),
    Status.FORWARDED: frozenset(
        {Status.IN_PROGRESS, Status.FORWARDED, Status.ANSWERED, Status.CLOSED}
    ),
    Status.ANSWERED: frozenset({Status.ANSWERED, Status.CLOSED, Status.REOPENED}),
    Status.CLOSED: frozenset({Status.REOPENED}),
    Status.REOPENED: frozenset(
        {Status.IN_PROGRESS, Status.FORWARDED, Status.ANSWERED, Status.CLOSED}
    ),
}


def can_move(current: str, new: str) -> bool:
    """Whether a case in status `current` may go to status `new`."""
    return new in TRANSITIONS.get(current, frozenset())


def answer_channel(question_channel: str, *, client_has_email: bool) -> str:
    """The channel an answer goes out on (charter rule 3: the same channel back).

    A web-form question is answered by e-mail. Post and fax are answered by e-mail "in a
    spirit of sustainable development", or by letter when the client has no e-mail address.
    """
    if question_channel == Channel.WEB:
        return Channel.EMAIL
    if question_channel in (Channel.POST, Channel.FAX):
        return Channel.EMAIL if client_has_email else Channel.POST
    return question_channel
