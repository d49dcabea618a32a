"""The portal's records in the admin, read-only: they are what clients sent."""

from __future__ import annotations

from django.contrib import admin

from loket.cases.admin import ReadOnlyAdmin

from .models import Attachment, Submission


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin[Submission]):
    list_display = ("submitted_at", "form", "case", "name", "email", "language")
    list_filter = ("form", "language")
    list_select_related = ("case",)
    search_fields = ("case__reference", "name", "email")
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin[Attachment]):
    list_display = ("uploaded_at", "name", "content_type", "size", "message")
    list_select_related = ("message__case",)
    search_fields = ("message__case__reference", "name", "sha256")
    show_full_result_count = False
