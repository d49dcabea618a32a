"""Reads of cases and clients that are more than one line: timelines, histories, queues."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from loket.accounts.models import User

from .models import Case, Client, Event, Message
from .references import InvalidReference, parse_reference


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a case's history: a message or an event, in time order."""

    at: dt.datetime
    kind: Literal["message", "event"]
    message: Message | None = None
    event: Event | None = None


@dataclass
class CaseHistory:
    case: Case
    timeline: list[TimelineEntry] = field(default_factory=list)


@dataclass
class ClientHistory:
    """Everything a client ever asked, on every channel (charter rule 8)."""

    client: Client
    cases: list[CaseHistory]


def _merge(messages: list[Message], events: list[Event]) -> list[TimelineEntry]:
    entries = [TimelineEntry(at=m.at, kind="message", message=m) for m in messages]
    entries += [TimelineEntry(at=e.at, kind="event", event=e) for e in events]
    # Stable: at equal times an event (registered) comes before the message it concerns.
    entries.sort(key=lambda entry: (entry.at, entry.kind == "message"))
    return entries


def case_timeline(case: Case) -> list[TimelineEntry]:
    """Every message and event of a case in time order, in two queries (charter rule 8)."""
    messages = list(Message.objects.filter(case=case).select_related("author"))
    events = list(Event.objects.filter(case=case).select_related("actor"))
    return _merge(messages, events)


def client_history(client: Client, *, exclude: Case | None = None) -> ClientHistory:
    """The client's cases, newest first, each with its timeline; a constant number of queries
    however many cases the client has (charter rule 8: the client never repeats a question)."""
    queryset = Case.objects.filter(client=client)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    cases = list(queryset.select_related("topic", "owner", "team").order_by("-received_at"))
    ids = [c.pk for c in cases]
    messages: dict[int, list[Message]] = defaultdict(list)
    for message in Message.objects.filter(case_id__in=ids).select_related("author"):
        messages[message.case_id].append(message)
    events: dict[int, list[Event]] = defaultdict(list)
    for event in Event.objects.filter(case_id__in=ids).select_related("actor"):
        events[event.case_id].append(event)  # type: ignore[index]
    return ClientHistory(
        client=client,
        cases=[CaseHistory(case=c, timeline=_merge(messages[c.pk], events[c.pk])) for c in cases],
    )


def client_with_contacts(pk: int) -> Client:
    return Client.objects.prefetch_related(Prefetch("emails"), Prefetch("phones")).get(pk=pk)


def case_by_reference(text: str) -> Case | None:
    """The case with this registration number, or None. A mistyped number (check digits
    wrong) raises `InvalidReference`, so it never finds somebody else's case."""
    reference = parse_reference(text)
    return Case.objects.filter(reference=str(reference)).first()


def is_reference_like(text: str) -> bool:
    try:
        parse_reference(text)
    except InvalidReference:
        return False
    return True


def open_cases() -> QuerySet[Case]:
    return Case.objects.filter(status__in=Case.OPEN_STATUSES)


def queue_page(queryset: QuerySet[Case], *, limit: int = 50) -> list[Case]:
    """A page of a queue, soonest term first (cases without a term last)."""
    return list(
        queryset.select_related("client", "topic", "owner", "team").order_by("due_at", "pk")[:limit]
    )


@dataclass(frozen=True)
class QueueCounts:
    mine: int
    team: int
    unassigned: int
    due_today: int
    overdue: int
    forwarded: int
    answered_recently: int


def queue_counts(user: User, *, now: dt.datetime | None = None) -> QueueCounts:
    """The counts on the desk's home page, in one query."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    end_of_today = local.replace(hour=23, minute=59, second=59, microsecond=999999)
    team_ids = list(user.teams.values_list("pk", flat=True))
    open_q = Q(status__in=Case.OPEN_STATUSES)
    week_ago = now - dt.timedelta(days=7)
    totals = Case.objects.aggregate(
        mine=Count("pk", filter=open_q & Q(owner=user)),
        team=Count("pk", filter=open_q & Q(team_id__in=team_ids)),
        unassigned=Count("pk", filter=open_q & Q(owner__isnull=True)),
        due_today=Count("pk", filter=open_q & Q(due_at__gte=now, due_at__lte=end_of_today)),
        overdue=Count("pk", filter=open_q & Q(due_at__lt=now)),
        forwarded=Count("pk", filter=Q(status=Case.Status.FORWARDED)),
        answered_recently=Count(
            "pk", filter=Q(status=Case.Status.ANSWERED, answered_at__gte=week_ago)
        ),
    )
    return QueueCounts(**totals)
