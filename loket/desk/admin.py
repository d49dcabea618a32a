"""Reply templates are edited by administrators; attachments are read-only here (they belong
to messages, which only services write)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Attachment, ReplyTemplate


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin[ReplyTemplate]):
    list_display = ("name", "language", "active")
    list_filter = ("language", "active")
    search_fields = ("name", "body")


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin[Attachment]):
    list_display = ("filename", "content_type", "size", "uploaded_at", "message")
    list_select_related = ("message",)
    readonly_fields = (
        "message",
        "file",
        "filename",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
