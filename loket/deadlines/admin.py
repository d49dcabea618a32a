from __future__ import annotations

from django.contrib import admin

from .models import CalendarDay, DeadlinePolicy, DelayNotice, OfficePeriod, WorkingCalendar


class OfficePeriodInline(admin.TabularInline[OfficePeriod, WorkingCalendar]):
    model = OfficePeriod
    extra = 0


class CalendarDayInline(admin.TabularInline[CalendarDay, WorkingCalendar]):
    model = CalendarDay
    extra = 1


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(admin.ModelAdmin[WorkingCalendar]):
    list_display = ("name", "code", "holiday_set", "timezone")
    inlines = (OfficePeriodInline, CalendarDayInline)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin[CalendarDay]):
    list_display = ("date", "calendar", "closed", "reason")
    list_filter = ("calendar", "closed")
    date_hierarchy = "date"


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin[DeadlinePolicy]):
    list_display = ("name", "code", "working_days", "calendar", "case_kind", "target_percent")


@admin.register(DelayNotice)
class DelayNoticeAdmin(admin.ModelAdmin[DelayNotice]):
    list_display = ("case", "sent_at", "previous_due_at", "new_due_at", "late")
    list_filter = ("late",)
    raw_id_fields = ("case", "message")
    readonly_fields = (
        "case",
        "reason",
        "previous_due_at",
        "new_due_at",
        "sent_at",
        "late",
        "channel",
        "message",
        "sent_by",
    )
