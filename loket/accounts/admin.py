from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "language", "is_active")
    list_filter = ("groups", "is_active", "language")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Preferences"), {"fields": ("language",)}),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ("name", "code", "kind", "email")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    filter_horizontal = ("members",)
    prepopulated_fields = {"code": ("name",)}
