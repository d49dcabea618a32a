"""Administration: FAQ categories are reference data the administrator keeps here. Articles,
candidates and signals are shown read-only: every change of them goes through a service in
the desk and leaves an event."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Article, Category, FaqCandidate, Signal


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("slug", "name_nl", "name_fr", "position")
    list_editable = ("position",)
    search_fields = ("slug", "name_nl", "name_fr", "name_de", "name_en")


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(ReadOnly, admin.ModelAdmin[Article]):
    list_display = ("slug", "category", "status", "owner", "review_by", "published_at")
    list_filter = ("status", "category")
    search_fields = ("slug", "translations__title")


@admin.register(FaqCandidate)
class FaqCandidateAdmin(ReadOnly, admin.ModelAdmin[FaqCandidate]):
    list_display = ("title", "language", "size", "closeness", "status", "source", "seen_at")
    list_filter = ("status", "language", "source")


@admin.register(Signal)
class SignalAdmin(ReadOnly, admin.ModelAdmin[Signal]):
    list_display = ("case", "kind", "created_by", "created_at")
    list_filter = ("kind",)
