"""Public exports of the working calendars."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .ical import calendar_ics
from .models import WorkingCalendar


def calendar_export(request: HttpRequest, code: str) -> HttpResponse:
    """``/calendars/<code>.ics``: last year to next year's days off, for any agenda program."""
    calendar = get_object_or_404(WorkingCalendar, code=code)
    year = timezone.localdate().year
    body = calendar_ics(calendar, start=dt.date(year - 1, 1, 1), end=dt.date(year + 1, 12, 31))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{calendar.code}.ics"'
    return response
