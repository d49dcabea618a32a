"""What every desk view shares: rendering the full page or, for htmx, one partial of it."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from loket.cases.access import Action, can

from ..access import DeskRequest
from ..selectors import unread_count


def render_page(
    request: DeskRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The full page; or, for an htmx request, only `partial` of it (`template#partial`)."""
    context["can_register"] = can(request.user, Action.REGISTER)
    # htmx restoring its history after a back button wants the whole page again.
    if request.htmx and partial and not request.htmx.history_restore_request:
        return render(request, f"{template}#{partial}", context, status=status)
    context["unread_notifications"] = unread_count(request.user)
    return render(request, template, context, status=status)
