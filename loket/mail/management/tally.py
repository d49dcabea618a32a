"""How the mail commands account for every message they handle (charter rule 1)."""

from __future__ import annotations

from collections import Counter

from loket.mail.models import InboundMail

Outcome = InboundMail.Outcome
State = InboundMail.State


def tally(inbound: InboundMail | None) -> str:
    """Which figure of the summary a processed message counts in."""
    if inbound is None or inbound.state == State.RECEIVED:
        return "lost"
    if inbound.state == State.QUARANTINED:
        return "quarantined"
    if inbound.outcome == Outcome.NEW_CASE:
        return "new"
    if inbound.outcome == Outcome.THREADED:
        return "threaded"
    return "duplicates"  # the same message again, or loket's own mail come back


def summary(counts: Counter[str]) -> str:
    read = counts["read"]
    lost = read - sum(counts[k] for k in ("new", "threaded", "quarantined", "duplicates"))
    return (
        f"{read} read, {counts['new']} new cases, {counts['threaded']} threaded, "
        f"{counts['quarantined']} quarantined, {counts['duplicates']} duplicates, {lost} lost"
    )
