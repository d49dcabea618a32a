"""Which policy a case follows and what its terms are (charter rules 4-6). Reads only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from loket.cases.models import Case, Topic

from . import rules
from .cache import cached_policy
from .models import DeadlinePolicy, WorkingCalendar


@dataclass(frozen=True)
class CaseTerms:
    charter_due_at: dt.datetime
    remind_at: dt.datetime | None


class RulesCache:
    """Calendar rules per calendar, built once per operation (a watch pass, a demo load)."""

    def __init__(self) -> None:
        self._rules: dict[int, rules.CalendarRules] = {}

    def __call__(self, calendar: WorkingCalendar) -> rules.CalendarRules:
        if calendar.pk not in self._rules:
            self._rules[calendar.pk] = calendar.rules()
        return self._rules[calendar.pk]


def policy_for(*, kind: str, topic: Topic | None) -> DeadlinePolicy | None:
    """The policy of a new case: a complaint or a competence conflict follows its kind's
    policy (the legal 5 working days can't be overridden by a topic); a question follows its
    topic's policy, or the nearest parent topic's, or the default policy for questions."""
    return cached_policy((kind, topic.pk if topic else None), lambda: _policy_for(kind, topic))


def _policy_for(kind: str, topic: Topic | None) -> DeadlinePolicy | None:
    policies = DeadlinePolicy.objects.select_related("calendar")
    if kind != Case.Kind.QUESTION:
        policy = policies.filter(case_kind=kind).first()
        if policy is not None:
            return policy
    seen: set[int] = set()
    while topic is not None and topic.pk not in seen:
        seen.add(topic.pk)
        if topic.policy_id is not None:
            return policies.get(pk=topic.policy_id)
        topic = topic.parent
    return (
        policies.filter(Q(case_kind=Case.Kind.QUESTION) | Q(code="standard"))
        .order_by("case_kind")
        .first()
    )


def reminder_moments(
    due_at: dt.datetime, policy: DeadlinePolicy, calendar: rules.CalendarRules
) -> list[dt.datetime]:
    """When the owner is reminded before the term ends: the office's opening on the due day
    and on the working days before it that the policy names (default: the due day's morning)."""
    due_day = due_at.astimezone(calendar.zone).date()
    moments = {
        rules.opening_of(rules.subtract_working_days(due_day, int(days), calendar), calendar)
        for days in policy.reminder_days_before or []
    }
    return sorted(m for m in moments if m < due_at)


def next_reminder(
    due_at: dt.datetime,
    policy: DeadlinePolicy,
    calendar: rules.CalendarRules,
    *,
    after: dt.datetime,
) -> dt.datetime | None:
    """The first reminder moment strictly after `after`, or None."""
    return next((m for m in reminder_moments(due_at, policy, calendar) if m > after), None)


def terms_for(
    *,
    received_at: dt.datetime,
    policy: DeadlinePolicy,
    calendar: rules.CalendarRules,
    now: dt.datetime,
) -> CaseTerms:
    """The charter term of a case received at `received_at`, and its first reminder."""
    due = rules.due_at(received_at, policy.working_days, calendar, policy.cutoff)
    return CaseTerms(due, next_reminder(due, policy, calendar, after=now))


def internal_term(
    *,
    due_at: dt.datetime,
    policy: DeadlinePolicy,
    calendar: rules.CalendarRules,
    now: dt.datetime,
) -> dt.datetime:
    """The back office's term for a forwarded case: `internal_margin_days` working days
    before the client's term, but never already past when it is forwarded."""
    due_day = due_at.astimezone(calendar.zone).date()
    day = rules.subtract_working_days(due_day, policy.internal_margin_days, calendar)
    internal = rules.end_of_day(day, calendar)
    return internal if internal > now else due_at


def proposed_new_term(case: Case, *, now: dt.datetime) -> dt.date:
    """The date a delay notice proposes: the policy's number of working days after the later
    of today and the current term (the desk's date picker starts there)."""
    policy = case.policy or policy_for(kind=case.kind, topic=case.topic)
    calendar = policy.calendar.rules() if policy else rules.CalendarRules()
    days = policy.working_days if policy else 2
    start = max(now, case.due_at or now).astimezone(calendar.zone).date()
    return rules.add_working_days(start, max(days, 1), calendar)
