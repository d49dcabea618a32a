"""Calls in the admin, read-only: they are what the exchange reported."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Call, CallEvent


class CallEventInline(admin.TabularInline[CallEvent, Call]):
    model = CallEvent
    extra = 0
    can_delete = False
    fields = ("kind", "at", "received_at", "agent", "actor", "data")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Call)
class CallAdmin(admin.ModelAdmin[Call]):
    list_display = (
        "call_id",
        "caller_number",
        "client",
        "agent",
        "state",
        "outcome",
        "started_at",
        "case",
    )
    list_filter = ("state", "outcome")
    search_fields = ("call_id", "caller_number", "client__name", "agent__username")
    date_hierarchy = "started_at"
    inlines = (CallEventInline,)
    list_select_related = ("client", "agent", "case")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
