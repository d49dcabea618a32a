"""The portal's records in the admin, read-only: they are what clients sent. A form whose case
could not be registered shows under the state filter, with its error, and can be registered
again after a fix."""

from __future__ import annotations

from typing import cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from loket.accounts.models import User
from loket.cases.admin import ReadOnlyAdmin

from .models import Attachment, Submission
from .registration import portal_submission_retry


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin[Submission]):
    list_display = ("submitted_at", "reference", "form", "state", "case_link", "name", "email")
    list_filter = ("state", "form", "language")
    list_select_related = ("case",)
    search_fields = ("reference", "name", "email")
    show_full_result_count = False
    actions = ("register_again",)

    @admin.display(description=_("case"))
    def case_link(self, submission: Submission) -> str:
        if submission.case is None:
            return "—"
        url = reverse("desk:case", args=[submission.case.reference])
        return format_html('<a href="{}">{}</a>', url, submission.case.reference)

    @admin.action(description=_("Register again (after a fix)"))
    def register_again(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        chosen = list(queryset.filter(state=Submission.State.FAILED))
        actor = cast(User, request.user)
        done = sum(
            portal_submission_retry(actor=actor, submission=submission).state
            == Submission.State.REGISTERED
            for submission in chosen
        )
        if done:
            self.message_user(
                request,
                ngettext("%(count)d form registered.", "%(count)d forms registered.", done)
                % {"count": done},
                messages.SUCCESS,
            )
        if failed := len(chosen) - done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d form still could not be registered: see its error.",
                    "%(count)d forms still could not be registered: see their errors.",
                    failed,
                )
                % {"count": failed},
                messages.WARNING,
            )


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin[Attachment]):
    list_display = ("uploaded_at", "name", "content_type", "size", "submission")
    list_select_related = ("submission",)
    search_fields = ("submission__reference", "name", "sha256")
    show_full_result_count = False
