"""Who sees which case and who may do what with it: one place for the desk, the API and
every other front end (DESIGN.md, "The people").

- Coordinators, managers and administrators see every case.
- Front-office agents see all front-office work: every case except complaints (the
  coordinator owns those), and the complaints they own.
- Back-office experts see what is forwarded to their teams and what they own.
- Managers read; they act on nothing.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet

from loket.accounts.models import User
from loket.accounts.roles import Role, roles_of

from .models import Case


class Action(StrEnum):
    VIEW = "view"
    REGISTER = "register"
    ANSWER = "answer"
    NOTE = "note"
    FORWARD = "forward"
    ASSIGN = "assign"  # take over, or give to someone
    CHANGE = "change"  # topic, policy
    DELAY_NOTICE = "delay-notice"
    CLOSE = "close"
    REOPEN = "reopen"


ACTIONS_BY_ROLE: dict[Role, frozenset[Action]] = {
    Role.AGENT: frozenset(Action),
    Role.COORDINATOR: frozenset(Action),
    Role.ADMINISTRATOR: frozenset(Action),
    Role.EXPERT: frozenset(
        {
            Action.VIEW,
            Action.ANSWER,
            Action.NOTE,
            Action.ASSIGN,
            Action.DELAY_NOTICE,
            Action.CLOSE,
            Action.FORWARD,
        }
    ),
    Role.MANAGER: frozenset({Action.VIEW}),
}
SEES_EVERYTHING = {Role.COORDINATOR, Role.MANAGER, Role.ADMINISTRATOR}


def visible_cases(user: User, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """The cases `user` may see (one filter, usable in any query)."""
    queryset = Case.objects.all() if queryset is None else queryset
    roles = roles_of(user)
    if roles & SEES_EVERYTHING:
        return queryset
    rule = Q(pk__in=[])
    if Role.AGENT in roles:
        rule |= ~Q(kind=Case.Kind.COMPLAINT) | Q(owner=user)
    if Role.EXPERT in roles:
        rule |= Q(team__in=user.teams.all()) | Q(owner=user)
    return queryset.filter(rule)


def can(user: User, action: Action, case: Case | None = None) -> bool:
    """Whether `user` may do `action` (on `case`, when given: it must also be visible)."""
    allowed = (
        set().union(*(ACTIONS_BY_ROLE[r] for r in roles_of(user))) if roles_of(user) else set()
    )
    if action not in allowed:
        return False
    if case is None:
        return True
    return visible_cases(user).filter(pk=case.pk).exists()
