"""Dates as people write them in each of the four languages."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone, translation


def when(moment: dt.datetime, language: str, *, with_time: bool = True) -> str:
    """A moment in the service's time zone, formatted for `language` (nl, fr, de, en)."""
    with translation.override(language):
        local = timezone.localtime(moment)
        if with_time:
            return formats.date_format(local, "DATETIME_FORMAT")
        return formats.date_format(local.date(), "DATE_FORMAT")
