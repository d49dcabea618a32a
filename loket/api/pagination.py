"""Cursor pagination of case lists: a page ends at a (sort value, pk) position and the next
page starts strictly after it, so pages stay stable while cases are added or change status.
The cursor is signed: a tampered or foreign cursor is a 400, never a wrong page."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core import signing
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _

from loket.cases.models import Case

from .errors import bad_input

Order = Literal["due_at", "-received_at"]
_SALT = "loket.api.cursor"


def _ordering(order: Order) -> tuple[OrderBy | str, ...]:
    if order == "due_at":
        # Cases without a term come last, in registration order.
        return (F("due_at").asc(nulls_last=True), "pk")
    return ("-received_at", "-pk")


def _position(case: Case, order: Order) -> tuple[dt.datetime | None, int]:
    return (case.due_at if order == "due_at" else case.received_at), case.pk


def cursor_encode(case: Case, order: Order) -> str:
    value, pk = _position(case, order)
    return signing.dumps([order, value.isoformat() if value else None, pk], salt=_SALT)


def _cursor_decode(cursor: str, order: Order) -> tuple[dt.datetime | None, int]:
    try:
        saved_order, value, pk = signing.loads(cursor, salt=_SALT)
        moment = dt.datetime.fromisoformat(value) if value is not None else None
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise bad_input("cursor", _("This cursor is not one loket gave out.")) from error
    if saved_order != order or not isinstance(pk, int):
        raise bad_input("cursor", _("This cursor belongs to another sort order."))
    if order == "-received_at" and moment is None:
        raise bad_input("cursor", _("This cursor is not one loket gave out."))
    return moment, pk


def _after(order: Order, value: dt.datetime | None, pk: int) -> Q:
    if order == "due_at":
        if value is None:
            return Q(due_at__isnull=True, pk__gt=pk)
        return Q(due_at__gt=value) | Q(due_at=value, pk__gt=pk) | Q(due_at__isnull=True)
    return Q(received_at__lt=value) | Q(received_at=value, pk__lt=pk)


def case_page(
    queryset: QuerySet[Case], *, order: Order, cursor: str | None, limit: int
) -> tuple[list[Case], str | None]:
    """One page of `queryset` in `order` after `cursor`, and the cursor of the next page."""
    if cursor:
        queryset = queryset.filter(_after(order, *_cursor_decode(cursor, order)))
    rows = list(queryset.order_by(*_ordering(order))[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], cursor_encode(rows[limit - 1], order)
