"""The desk's queues (reads only): which cases each queue holds, their counts, and one page of
a queue, sorted by due date.

Every query here must stay fast with 100,000 open cases, and the number of queries must not
grow with the number of rows:

- counts stop at `COUNT_CAP` (a longer queue shows "99+", as mail programs do): counting
  every row of a huge queue costs a scan of it and tells the agent nothing more; the
  backlog's real size is for the indicators;
- a page sorted by due date reads each open status separately, in the order of the
  (status, due) indexes, and merges them: one index range per status instead of sorting the
  whole queue.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from loket.accounts.models import User
from loket.cases.access import visible_cases
from loket.cases.models import Case, Channel, Event

COUNT_CAP = 99
PAGE_SIZE = 50
RECENT = dt.timedelta(days=7)
OPEN = tuple(str(status) for status in Case.OPEN_STATUSES)
ROW_RELATIONS = ("client", "topic", "owner", "team")
# What a queue row shows; everything else of these rows stays in the database.
ROW_FIELDS = (
    "reference",
    "kind",
    "channel",
    "subject",
    "language",
    "status",
    "received_at",
    "due_at",
    "client__name",
    "client__organisation",
    "topic__name_nl",
    "topic__name_fr",
    "topic__name_de",
    "topic__name_en",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "team__name",
)


class Queue(StrEnum):
    MINE = "mine"
    TEAM = "team"
    UNASSIGNED = "unassigned"
    DUE_TODAY = "due-today"
    OVERDUE = "overdue"
    FORWARDED = "forwarded"
    DELAY_NOTICE = "delay-notice"
    ANSWERED = "answered"


QUEUE_LABELS: dict[Queue, Promise] = {
    Queue.MINE: _("My cases"),
    Queue.TEAM: _("My team's cases"),
    Queue.UNASSIGNED: _("Unassigned"),
    Queue.DUE_TODAY: _("Due today"),
    Queue.OVERDUE: _("Overdue"),
    Queue.FORWARDED: _("Forwarded to the back office"),
    Queue.DELAY_NOTICE: _("Awaiting a delay notice"),
    Queue.ANSWERED: _("Answered in the last 7 days"),
}


class Sort(StrEnum):
    DUE = "due"
    DUE_LAST = "-due"
    NEWEST = "-received"
    OLDEST = "received"


SORT_LABELS: dict[Sort, Promise] = {
    Sort.DUE: _("due date, soonest first"),
    Sort.DUE_LAST: _("due date, latest first"),
    Sort.NEWEST: _("received, newest first"),
    Sort.OLDEST: _("received, oldest first"),
}


@dataclass(frozen=True)
class QueueFilters:
    """What a queue can be narrowed to; empty means everything."""

    channel: str = ""
    topic: int | None = None
    status: str = ""
    language: str = ""
    kind: str = ""
    sort: Sort = Sort.DUE

    @property
    def narrowed(self) -> bool:
        """Whether anything but the order is chosen (the queue's count no longer applies)."""
        return any((self.channel, self.topic is not None, self.status, self.language, self.kind))

    def as_q(self) -> Q:
        rule = Q()
        for name in ("channel", "status", "language", "kind"):
            value = getattr(self, name)
            if value:
                rule &= Q(**{name: value})
        if self.topic is not None:
            rule &= Q(topic_id=self.topic) | Q(topic__parent_id=self.topic)
        return rule

    def as_dict(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "channel": self.channel,
            "topic": self.topic,
            "status": self.status,
            "language": self.language,
            "kind": self.kind,
            "sort": str(self.sort),
        }
        return {k: v for k, v in values.items() if v not in ("", None)}


@dataclass(frozen=True)
class Moments:
    """The clock read once per page: now and the end of today in the service's time zone."""

    now: dt.datetime
    end_of_today: dt.datetime

    @classmethod
    def at(cls, now: dt.datetime | None = None) -> Moments:
        now = now or timezone.now()
        local = timezone.localtime(now)
        return cls(now, local.replace(hour=23, minute=59, second=59, microsecond=999999))


def _rule(queue: Queue, user: User, moments: Moments) -> tuple[Q, Sequence[str]]:
    """The condition of a queue and the statuses it covers (empty: any status)."""
    now, end_of_today = moments.now, moments.end_of_today
    match queue:
        case Queue.MINE:
            return Q(owner=user), OPEN
        case Queue.TEAM:
            return Q(team_id__in=user.teams.values("pk")), OPEN
        case Queue.UNASSIGNED:
            return Q(owner__isnull=True), OPEN
        case Queue.DUE_TODAY:
            return Q(due_at__gte=now, due_at__lte=end_of_today), OPEN
        case Queue.OVERDUE:
            return Q(due_at__lt=now), OPEN
        case Queue.FORWARDED:
            return Q(), (Case.Status.FORWARDED,)
        case Queue.DELAY_NOTICE:
            # Charter rule 5: the term ends today or has passed, and no delay notice has moved
            # it yet (a notice moves `due_at` away from the charter's term).
            return Q(due_at__lte=end_of_today, due_at=F("charter_due_at")), OPEN
        case Queue.ANSWERED:
            return (
                Q(events__kind=Event.Kind.CASE_ANSWERED, events__at__gte=now - RECENT),
                (),
            )
    raise ValueError(queue)


def _statuses(covered: Sequence[str], filters: QueueFilters) -> list[str]:
    """The statuses to read: the queue's, narrowed by the status filter (may be none)."""
    every = covered or [str(status) for status in Case.Status]
    return [s for s in every if not filters.status or s == filters.status]


def _condition(queue: Queue, user: User, filters: QueueFilters, moments: Moments) -> Q:
    """The queue's rule, its statuses (none when that is every status) and the filters."""
    rule, covered = _rule(queue, user, moments)
    if covered or filters.status:
        rule &= Q(status__in=_statuses(covered, filters))
    return rule & filters.as_q()


def queue_cases(
    user: User,
    queue: Queue,
    filters: QueueFilters,
    moments: Moments,
    *,
    visible: QuerySet[Case] | None = None,
) -> QuerySet[Case]:
    """Every case in the queue that `user` may see (unordered; not for huge pages).
    `visible`: `visible_cases(user)`, when the caller has it already."""
    visible = visible_cases(user).order_by() if visible is None else visible
    return visible.filter(_condition(queue, user, filters, moments))


def _capped_count(queryset: QuerySet[Case], distinct: bool = False) -> int:
    """How many cases, up to `COUNT_CAP` + 1: the ids themselves are read, at most that many
    (cheaper than a COUNT over a sub-select).

    `distinct`: the query joins the events (the answered queue), so a case answered twice
    comes twice. The latest answers are read in the order of the events' (kind, at) index
    and counted once per case: a DISTINCT would make the database pair every case with its
    events first."""
    if not distinct:
        return len(queryset.values_list("pk", flat=True)[: COUNT_CAP + 1])
    latest = queryset.order_by("-events__at").values_list("pk", flat=True)
    return min(len(set(latest[: 2 * (COUNT_CAP + 1)])), COUNT_CAP + 1)


def queue_counts(user: User, moments: Moments) -> dict[Queue, int]:
    """The number of cases in each queue, up to `COUNT_CAP` + 1 (one query per queue)."""
    visible = visible_cases(user).order_by()
    return {
        queue: _capped_count(
            queue_cases(user, queue, QueueFilters(), moments, visible=visible),
            distinct=queue == Queue.ANSWERED,
        )
        for queue in Queue
    }


@dataclass
class QueueRow:
    """One line of a queue, with its labels already in the page's language: a page shows
    fifty of them, and looking each label up in the template costs more than the query."""

    case: Case
    overdue: bool
    due_today: bool
    url: str = ""
    client: str = ""
    channel: str = ""
    topic: str = ""
    status: str = ""
    kind: str = ""
    due: str = ""
    due_iso: str = ""
    owner: str = ""
    team: str = ""


@dataclass
class QueuePage:
    queue: Queue
    filters: QueueFilters
    number: int
    rows: list[QueueRow] = field(default_factory=list)
    has_next: bool = False
    total: int = 0

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def first(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def _by_due(
    queryset: QuerySet[Case],
    groups: Sequence[Q],
    statuses: Sequence[str],
    *,
    latest_first: bool,
    needed: int,
) -> list[int]:
    """The ids of the first `needed` cases by due date: one index range per group and
    status, merged; cases without a term come last."""
    order = ("-due_at", "-pk") if latest_first else ("due_at", "pk")
    parts: list[list[tuple[Any, int]]] = []
    for group in groups:
        for status in statuses:
            part = queryset.filter(group, status=status, due_at__isnull=False).order_by(*order)
            parts.append(list(part.values_list("due_at", "pk")[:needed]))
    merged = heapq.merge(*parts, reverse=latest_first)
    ids = list(dict.fromkeys(pk for _due, pk in merged))[:needed]
    if len(ids) < needed:
        every_group = functools.reduce(operator.or_, groups, Q(pk__in=[]))
        no_term = queryset.filter(every_group, status__in=statuses, due_at__isnull=True)
        ids += list(no_term.order_by("pk").values_list("pk", flat=True)[: needed - len(ids)])
    return ids


def _answered(queryset: QuerySet[Case], needed: int) -> list[int]:
    """The ids of the cases answered most recently first (a case answered twice counts once)."""
    ids: list[int] = []
    rows = queryset.order_by("-events__at", "-pk").values_list("pk", flat=True)
    for pk in rows[: needed * 2]:
        if pk not in ids:
            ids.append(pk)
    return ids[:needed]


def queue_page(
    user: User,
    queue: Queue,
    filters: QueueFilters,
    moments: Moments,
    number: int = 1,
    *,
    total: int | None = None,
) -> QueuePage:
    """One page of a queue with each case's client, topic, owner, team and term, in a
    constant number of queries. `total`: the queue's count when the caller has it already
    (the queue unfiltered), which saves counting it again."""
    number = max(1, number)
    needed = number * PAGE_SIZE + 1
    visible = visible_cases(user).order_by()
    if queue == Queue.ANSWERED:
        ids = _answered(queue_cases(user, queue, filters, moments, visible=visible), needed)
    elif filters.sort in (Sort.NEWEST, Sort.OLDEST):
        order = ("-received_at", "-pk") if filters.sort == Sort.NEWEST else ("received_at", "pk")
        in_queue = queue_cases(user, queue, filters, moments, visible=visible)
        ids = list(in_queue.order_by(*order).values_list("pk", flat=True)[:needed])
    else:
        # Each status (and each of the user's teams) on its own, so that every part reads
        # its index in due order: neither database sorts an index range of an IN list.
        rule, covered = _rule(queue, user, moments)
        groups = [rule]
        if queue == Queue.TEAM:
            groups = [Q(team_id=pk) for pk in user.teams.values_list("pk", flat=True)]
        ids = _by_due(
            visible.filter(filters.as_q()),
            groups,
            _statuses(covered, filters),
            latest_first=filters.sort == Sort.DUE_LAST,
            needed=needed,
        )
    page_ids = ids[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    page = QueuePage(queue=queue, filters=filters, number=number)
    page.has_next = len(ids) > number * PAGE_SIZE
    if total is None or filters.narrowed:
        total = _capped_count(
            queue_cases(user, queue, filters, moments, visible=visible),
            distinct=queue == Queue.ANSWERED,
        )
    page.total = total
    page.rows = term_rows(cases_in_order(page_ids), moments.now)
    return page


def cases_in_order(ids: Iterable[int]) -> list[Case]:
    """The cases with these ids, in this order, with what a row shows (one query)."""
    ids = list(ids)
    if not ids:
        return []
    cases = Case.objects.filter(pk__in=ids).select_related(*ROW_RELATIONS).only(*ROW_FIELDS)
    by_id = {case.pk: case for case in cases}
    return [by_id[pk] for pk in ids if pk in by_id]


def term_rows(cases: list[Case], now: dt.datetime) -> list[QueueRow]:
    """Each case with its labels, whether its term has passed and whether it ends today."""
    end_of_today = Moments.at(now).end_of_today
    labels = {
        "channel": {value: str(label) for value, label in Channel.choices},
        "status": {value: str(label) for value, label in Case.Status.choices},
        "kind": {value: str(label) for value, label in Case.Kind.choices},
    }
    # One reverse() for the page; a registration number needs no escaping in a path.
    url = reverse("desk:case", args=["REFERENCE"])
    rows = []
    for case in cases:
        due = case.due_at
        rows.append(
            QueueRow(
                case=case,
                overdue=case.is_open and due is not None and due < now,
                due_today=case.is_open and due is not None and now <= due <= end_of_today,
                url=url.replace("REFERENCE", case.reference),
                client=str(case.client),
                channel=labels["channel"].get(case.channel, case.channel),
                topic=case.topic.name() if case.topic else "",
                status=labels["status"].get(case.status, case.status),
                kind=labels["kind"][case.kind] if case.kind != Case.Kind.QUESTION else "",
                due=date_format(timezone.localtime(due), "SHORT_DATE_FORMAT") if due else "",
                due_iso=due.isoformat() if due else "",
                owner=str(case.owner) if case.owner else "",
                team=case.team.name if case.team else "",
            )
        )
    return rows
