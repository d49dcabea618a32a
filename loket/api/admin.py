"""Tokens in the admin: create one (its secret is shown once, then never again) and revoke.
Nothing else about a token can be changed: a token with other rights is a new token."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, ApiTokenEvent
from .services import api_token_check, api_token_create, api_token_revoke


class ApiTokenForm(forms.ModelForm[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ("owner", "name", "expires_at")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is None:
            api_token_check(
                owner=cleaned.get("owner"),
                name=cleaned.get("name", ""),
                expires_at=cleaned.get("expires_at"),
                now=timezone.now(),
            )
        return cleaned


class ApiTokenEventInline(admin.TabularInline[ApiTokenEvent, ApiToken]):
    model = ApiTokenEvent
    extra = 0
    can_delete = False
    fields = ("kind", "at", "actor", "data")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    form = ApiTokenForm
    list_display = (
        "name",
        "display",
        "owner",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "owner__username")
    actions = ("revoke",)
    inlines = (ApiTokenEventInline,)

    def get_inlines(self, request: HttpRequest, obj: ApiToken | None) -> Any:
        return self.inlines if obj is not None else ()

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return ()
        return (
            "owner",
            "name",
            "display",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        )

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return ("owner", "name", "expires_at")
        return self.get_readonly_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return  # nothing of a token changes; revoking is an action
        issued = api_token_create(
            actor=request.user,  # type: ignore[arg-type]
            owner=obj.owner,
            name=obj.name,
            expires_at=obj.expires_at,
        )
        # The admin goes on with `obj` (the change page's link, the message): make it the
        # token the service created.
        obj.pk = issued.token.pk
        obj.__dict__.update(issued.token.__dict__)
        messages.warning(
            request,
            gettext("The new token is %(secret)s — copy it now: it is not shown again.")
            % {"secret": issued.secret},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.select_related("owner"):
            api_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
        self.message_user(request, gettext("Revoked."), messages.SUCCESS)

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False  # revoke instead: the audit keeps what the token was
