from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from loket.accounts.models import User

from .models import InboundMail, MailBox, OutboundMail
from .services import inbound_reprocess


@admin.register(OutboundMail)
class OutboundMailAdmin(admin.ModelAdmin[OutboundMail]):
    list_display = (
        "created_at",
        "kind",
        "subject",
        "status",
        "attempts",
        "sent_at",
        "delivery_failed_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("subject", "message_id", "case__reference")
    readonly_fields = [f.name for f in OutboundMail._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MailBoxForm(forms.ModelForm[MailBox]):
    """The password is never shown again; left empty, the stored one is kept."""

    password = forms.CharField(
        label=_("password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = MailBox
        fields = (
            "name", "receives", "active", "host", "port", "use_tls", "username", "password",
            "password_file", "folder", "after_store", "move_to",
        )  # fmt: skip

    def clean_password(self) -> str:
        given = self.cleaned_data.get("password") or ""
        return given or (self.instance.password if self.instance.pk else "")


@admin.register(MailBox)
class MailBoxAdmin(admin.ModelAdmin[MailBox]):
    form = MailBoxForm
    list_display = ("name", "username", "host", "receives", "active", "last_polled_at", "problem")
    list_filter = ("active", "receives")
    readonly_fields = ("last_polled_at", "last_error", "last_error_at")
    fieldsets = (
        (None, {"fields": ("name", "receives", "active")}),
        (_("Server"), {"fields": ("host", "port", "use_tls", "username", "password",
                                  "password_file", "folder")}),
        (_("After storing"), {"fields": ("after_store", "move_to")}),
        (_("Last poll"), {"fields": ("last_polled_at", "last_error", "last_error_at")}),
    )  # fmt: skip

    @admin.display(description=_("last error"))
    def problem(self, mailbox: MailBox) -> str:
        return mailbox.last_error[:80]


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin[InboundMail]):
    """Every message that arrived; the quarantine is the "quarantined" filter."""

    list_display = ("received_at", "state", "sender", "subject", "case_link", "mailbox", "source")
    list_filter = ("state", "outcome", "source", "mailbox")
    search_fields = ("subject", "sender", "message_id", "sha256", "case__reference")
    list_select_related = ("case", "mailbox")
    actions = ("reprocess",)
    readonly_fields = (
        *(f.name for f in InboundMail._meta.fields if f.name != "html"),
        "raw_link",
    )
    exclude = ("html",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # charter rule 1: what arrived is kept

    @admin.display(description=_("case"))
    def case_link(self, inbound: InboundMail) -> str:
        if inbound.case is None:
            return "—"
        url = reverse("desk:case", args=[inbound.case.reference])
        return format_html('<a href="{}">{}</a>', url, inbound.case.reference)

    @admin.display(description=_("the e-mail as it arrived"))
    def raw_link(self, inbound: InboundMail) -> str:
        url = reverse("mail:raw", args=[inbound.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Download (.eml)"))

    @admin.action(description=_("Process again (after a fix)"))
    def reprocess(self, request: HttpRequest, queryset: QuerySet[InboundMail]) -> None:
        chosen = queryset.filter(
            state__in=[InboundMail.State.QUARANTINED, InboundMail.State.IGNORED]
        )
        done = failed = 0
        for inbound in chosen:
            result = inbound_reprocess(actor=cast(User, request.user), inbound=inbound)
            if result.state == InboundMail.State.QUARANTINED:
                failed += 1
            else:
                done += 1
        skipped = queryset.count() - done - failed
        if done:
            self.message_user(
                request,
                ngettext("%(count)d e-mail processed.", "%(count)d e-mails processed.", done)
                % {"count": done},
                messages.SUCCESS,
            )
        if failed:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail is still quarantined: see its error.",
                    "%(count)d e-mails are still quarantined: see their errors.",
                    failed,
                )
                % {"count": failed},
                messages.WARNING,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail was not quarantined nor ignored; left alone.",
                    "%(count)d e-mails were not quarantined nor ignored; left alone.",
                    skipped,
                )
                % {"count": skipped},
                messages.INFO,
            )
