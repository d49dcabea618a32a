"""How an absence's end reads: an absence stored as whole days ends at midnight after its
last day, which people read as "until and including" that last day."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def absence_end(value: dt.datetime | None) -> str:
    """ "6 December (whole day)" for an end at local midnight, else the date and time."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if local.time() == dt.time(0, 0):
        last_day = local.date() - dt.timedelta(days=1)
        return _("%(date)s (whole day)") % {"date": formats.date_format(last_day, "DATE_FORMAT")}
    return formats.date_format(local, "DATETIME_FORMAT")
