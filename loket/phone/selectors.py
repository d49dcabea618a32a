"""Who is calling: the clients with the caller's number and their open cases (charter rule 8:
whoever takes a call sees the client's history)."""

from __future__ import annotations

from django.db.models import F, Max

from loket.accounts.models import User
from loket.cases.access import visible_cases
from loket.cases.models import Case, Client


def callers(number: str, *, limit: int = 10) -> list[Client]:
    """The clients with this E.164 number, the one who asked most recently first, with their
    e-mail addresses and phone numbers loaded."""
    if not number:
        return []
    return list(
        Client.objects.filter(phones__number=number)
        .annotate(last_case=Max("cases__received_at"))
        .order_by(F("last_case").desc(nulls_last=True), "pk")
        .prefetch_related("emails", "phones")[:limit]
    )


def open_cases_of(
    clients: list[Client], user: User, *, related: tuple[str, ...] = (), limit: int = 20
) -> list[Case]:
    """The open cases of these clients that `user` may see, newest first."""
    if not clients:
        return []
    cases = visible_cases(user).filter(
        client__in=[c.pk for c in clients], status__in=Case.OPEN_STATUSES
    )
    return list(cases.select_related(*related).order_by("-received_at", "-pk")[:limit])
