"""The charter's indicators for a period and a policy, each with numerator and denominator,
computed in the database (charter rules 4, 5, 7 and 12)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from loket.cases.models import Case

from .models import DeadlinePolicy, DelayNotice


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * 100 / self.denominator).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class TermIndicators:
    received: int
    answered_on_time: Ratio  # of the cases whose outcome is known: answered, or open past due
    answered_late: int
    open_past_due: int
    informed_on_time: Ratio  # late cases whose delay notice went out before the term
    answered_by_front_office: Ratio  # of the answered cases
    target_percent: Decimal | None

    @property
    def meets_target(self) -> bool | None:
        if self.target_percent is None or self.answered_on_time.percent is None:
            return None
        return self.answered_on_time.percent >= self.target_percent


def term_indicators(
    *,
    start: dt.datetime,
    end: dt.datetime,
    policy: DeadlinePolicy | None = None,
    now: dt.datetime | None = None,
) -> TermIndicators:
    """For the cases received in [start, end) (under `policy`, or all): how many were
    answered within the charter's term, late, or are open past it; how many late ones were
    told in time; and the front office's share of answers. One query."""
    now = now or timezone.now()
    cases = Case.objects.filter(received_at__gte=start, received_at__lt=end)
    if policy is not None:
        cases = cases.filter(policy=policy)
    noticed_in_time = DelayNotice.objects.filter(
        case=OuterRef("pk"), sent_at__lte=OuterRef("charter_due_at")
    )
    on_time = Q(answered_at__isnull=False, answered_at__lte=F("charter_due_at"))
    late = Q(answered_at__isnull=False, answered_at__gt=F("charter_due_at"))
    open_past = Q(answered_at__isnull=True, charter_due_at__lt=now) & ~Q(status=Case.Status.CLOSED)
    totals = cases.annotate(noticed=Exists(noticed_in_time)).aggregate(
        received=Count("pk"),
        on_time=Count("pk", filter=on_time),
        late=Count("pk", filter=late),
        open_past=Count("pk", filter=open_past),
        late_informed=Count("pk", filter=(late | open_past) & Q(noticed=True)),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        front_office=Count(
            "pk", filter=Q(answered_at__isnull=False, answered_by_front_office=True)
        ),
    )
    decided = totals["on_time"] + totals["late"] + totals["open_past"]
    return TermIndicators(
        received=totals["received"],
        answered_on_time=Ratio(totals["on_time"], decided),
        answered_late=totals["late"],
        open_past_due=totals["open_past"],
        informed_on_time=Ratio(totals["late_informed"], totals["late"] + totals["open_past"]),
        answered_by_front_office=Ratio(totals["front_office"], totals["answered"]),
        target_percent=policy.target_percent if policy else None,
    )
