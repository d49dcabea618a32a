"""A client's own history on their page: when loket first knew them, and every correction of
their contact details, who made it and what it changed (the `client.*` events)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from loket.accounts.models import User
from loket.cases.models import Client, Event

SHOWN = 20
LIST_LABELS: dict[str, Promise] = {
    "emails": _("E-mail addresses"),
    "phones": _("Phone numbers"),
}


@dataclass(frozen=True)
class Change:
    label: str | Promise
    before: str
    after: str


@dataclass(frozen=True)
class ClientEvent:
    at: dt.datetime
    actor: User | None
    label: str | Promise
    changes: list[Change]


def _field(name: str) -> Field[Any, Any]:
    found = Client._meta.get_field(name)
    if not isinstance(found, Field):
        raise FieldDoesNotExist(name)  # a relation, not one of the client's own fields
    return found


def _shown(field: str, value: Any) -> str:
    """A stored value as people read it: a choice by its label, lists one after another."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if field in LIST_LABELS:
        return str(value)
    choices = dict(_field(field).flatchoices)
    return str(choices.get(value, value))


def _label(field: str) -> str | Promise:
    if field in LIST_LABELS:
        return LIST_LABELS[field]
    return _field(field).verbose_name


def _changes(data: dict[str, Any]) -> list[Change]:
    """``{"changed": {field: [before, after]}}`` as `client_update` writes it."""
    found = []
    for field, pair in (data.get("changed") or {}).items():
        try:
            before, after = pair
            found.append(Change(_label(field), _shown(field, before), _shown(field, after)))
        except (TypeError, ValueError, FieldDoesNotExist):
            continue  # written by another version of loket: the event shows without it
    return found


def client_history(client: Client, *, limit: int = SHOWN) -> tuple[list[ClientEvent], int]:
    """The newest `limit` events of the client, and how many there are: two queries."""
    events = Event.objects.filter(client=client, case__isnull=True).select_related("actor")
    total = events.count()
    newest = events.order_by("-at", "-pk")[:limit]
    shown = [
        ClientEvent(
            at=event.at,
            actor=event.actor,
            label=event.get_kind_display(),
            changes=_changes(event.data),
        )
        for event in newest
    ]
    return shown, total
