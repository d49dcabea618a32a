"""Model objects into the API's shapes. Plain functions over loaded objects: they never
query, so a list costs what its one query costs (load related objects before calling)."""

from __future__ import annotations

from collections.abc import Iterable

from loket.cases.models import Case, Client, Event, Message
from loket.cases.selectors import TimelineEntry
from loket.deadlines.models import DelayNotice

from .schemas import (
    CaseDetailOut,
    CaseOut,
    ClientOut,
    ClientRefOut,
    DelayNoticeOut,
    EventOut,
    MessageOut,
    TimelineEntryOut,
)

# What `case_out` reads besides the case itself; pass to select_related.
CASE_RELATED = ("client", "topic", "owner", "team", "policy", "related_case")


def case_fields(case: Case) -> dict[str, object]:
    return {
        "reference": case.reference,
        "kind": case.kind,
        "channel": case.channel,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "subject": case.subject,
        "language": case.language,
        "topic": case.topic.code if case.topic else None,
        "client": ClientRefOut(id=case.client.pk, name=case.client.name),
        "received_at": case.received_at,
        "registered_at": case.registered_at,
        "policy": case.policy.code if case.policy else None,
        "charter_due_at": case.charter_due_at,
        "due_at": case.due_at,
        "internal_due_at": case.internal_due_at,
        "overdue_since": case.overdue_since,
        "owner": case.owner.username if case.owner else None,
        "team": case.team.code if case.team else None,
        "forwarded_at": case.forwarded_at,
        "answered_at": case.answered_at,
        "closed_at": case.closed_at,
        "related_case": case.related_case.reference if case.related_case else None,
    }


def case_out(case: Case) -> CaseOut:
    return CaseOut(**case_fields(case))  # type: ignore[arg-type]


def message_out(message: Message) -> MessageOut:
    return MessageOut(
        id=message.pk,
        direction=message.direction,  # type: ignore[arg-type]
        channel=message.channel,  # type: ignore[arg-type]
        author=message.author.username if message.author else None,
        sender=message.sender,
        recipient=message.recipient,
        subject=message.subject,
        body=message.body,
        at=message.at,
    )


def event_out(event: Event) -> EventOut:
    return EventOut(
        id=event.pk,
        kind=event.kind,
        actor=event.actor.username if event.actor else None,
        data=event.data if isinstance(event.data, dict) else {"value": event.data},
        at=event.at,
    )


def timeline_out(entries: Iterable[TimelineEntry]) -> list[TimelineEntryOut]:
    return [
        TimelineEntryOut(
            at=entry.at,
            type=entry.kind,
            message=message_out(entry.message) if entry.message else None,
            event=event_out(entry.event) if entry.event else None,
        )
        for entry in entries
    ]


def delay_notice_out(notice: DelayNotice) -> DelayNoticeOut:
    return DelayNoticeOut(
        reason=notice.reason,
        previous_due_at=notice.previous_due_at,
        new_due_at=notice.new_due_at,
        sent_at=notice.sent_at,
        late=notice.late,
        channel=notice.channel,
    )


def case_detail_out(
    case: Case, timeline: Iterable[TimelineEntry], notices: Iterable[DelayNotice]
) -> CaseDetailOut:
    return CaseDetailOut(
        **case_fields(case),  # type: ignore[arg-type]
        delay_notices=[delay_notice_out(n) for n in notices],
        timeline=timeline_out(timeline),
    )


def client_out(client: Client) -> ClientOut:
    """Needs the client's e-mails and phones prefetched."""
    return ClientOut(
        id=client.pk,
        kind=client.kind,  # type: ignore[arg-type]
        sector=client.sector,  # type: ignore[arg-type]
        name=client.name,
        organisation=client.organisation,
        language=client.language,  # type: ignore[arg-type]
        emails=[e.address for e in client.emails.all()],
        phones=[p.number for p in client.phones.all()],
        street=client.street,
        postal_code=client.postal_code,
        city=client.city,
        country=client.country,
        created_at=client.created_at,
    )
