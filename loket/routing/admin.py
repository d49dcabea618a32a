"""The admin: administrators edit competences and the topics' routing rules; agendas and
the catch-up are read here and changed in the desk (so every change writes its Event)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from loket.accounts.models import User

from .models import Absence, AgendaFeed, Competence, Reassignment, TopicRouting, WorkingPattern
from .services import competence_set


@admin.register(Competence)
class CompetenceAdmin(admin.ModelAdmin[Competence]):
    list_display = ("user", "topic", "level")
    list_filter = ("level", "topic")
    search_fields = ("user__username", "user__first_name", "user__last_name", "topic__code")
    list_select_related = ("user", "topic")

    def save_model(self, request: HttpRequest, obj: Competence, form: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        if change and {"user", "topic"} & set(form.changed_data):
            # Moving a competence to another person or topic ends the old one.
            previous = Competence.objects.select_related("user", "topic").filter(pk=obj.pk).first()
            if previous is not None:
                competence_set(actor=actor, user=previous.user, topic=previous.topic, level=None)
        saved = competence_set(actor=actor, user=obj.user, topic=obj.topic, level=obj.level)
        if saved is not None:
            obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Competence) -> None:
        competence_set(actor=request.user, user=obj.user, topic=obj.topic, level=None)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Competence]) -> None:
        for competence in queryset.select_related("user", "topic"):
            self.delete_model(request, competence)


@admin.register(TopicRouting)
class TopicRoutingAdmin(admin.ModelAdmin[TopicRouting]):
    list_display = ("topic", "team", "auto_assign", "days_needed")
    list_filter = ("auto_assign", "team")


class ReadOnlyAdmin[M: Any](admin.ModelAdmin[M]):
    """Shown for reference; changed in the desk only, where each change writes its Event."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkingPattern)
class WorkingPatternAdmin(ReadOnlyAdmin[WorkingPattern]):
    list_display = ("user", "weekday", "start", "end", "valid_from", "valid_until")
    list_filter = ("weekday",)
    search_fields = ("user__username", "user__last_name")


@admin.register(Absence)
class AbsenceAdmin(ReadOnlyAdmin[Absence]):
    list_display = ("user", "start", "end", "kind", "source")
    list_filter = ("kind", "source")
    search_fields = ("user__username", "user__last_name")
    date_hierarchy = "start"
    exclude = ("note",)  # the person's own words stay in the desk


@admin.register(AgendaFeed)
class AgendaFeedAdmin(ReadOnlyAdmin[AgendaFeed]):
    list_display = ("user", "__str__", "last_refreshed_at", "last_error")


@admin.register(Reassignment)
class ReassignmentAdmin(ReadOnlyAdmin[Reassignment]):
    list_display = ("case", "person", "term", "proposed_owner", "proposed_team", "status")
    list_filter = ("status",)
    raw_id_fields = ("case",)
