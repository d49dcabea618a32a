"""Administration of the reference data (topics, clients); cases are read-only here because
every change of a case goes through a service and leaves an event."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Case, Client, ClientEmail, ClientPhone, Event, Message, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin[Topic]):
    list_display = ("code", "name_nl", "name_fr", "parent", "active")
    list_filter = ("active", "parent")
    search_fields = ("code", "name_nl", "name_fr", "name_de", "name_en")


class ClientEmailInline(admin.TabularInline[ClientEmail, Client]):
    model = ClientEmail
    extra = 1


class ClientPhoneInline(admin.TabularInline[ClientPhone, Client]):
    model = ClientPhone
    extra = 1


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin[Client]):
    list_display = ("name", "organisation", "sector", "language", "city")
    list_filter = ("sector", "language", "kind")
    search_fields = ("name", "organisation", "emails__address", "phones__number")
    inlines = (ClientEmailInline, ClientPhoneInline)


class ReadOnlyAdmin[T: Any](admin.ModelAdmin[T]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MessageInline(admin.TabularInline[Message, Case]):
    model = Message
    fields = ("at", "direction", "channel", "author", "sender", "recipient", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin[Case]):
    list_display = ("reference", "subject", "client", "channel", "status", "received_at", "due_at")
    list_filter = ("status", "channel", "kind", "language", "topic")
    search_fields = ("reference", "subject", "client__name")
    list_select_related = ("client",)
    date_hierarchy = "received_at"
    inlines = (MessageInline,)
    show_full_result_count = False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin[Event]):
    list_display = ("at", "kind", "actor", "case")
    list_filter = ("kind",)
    list_select_related = ("actor", "case")
    search_fields = ("case__reference",)
    show_full_result_count = False
