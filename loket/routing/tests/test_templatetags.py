"""The end of an absence as people read it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import translation

from loket.routing.templatetags.routing import absence_end

BRUSSELS = ZoneInfo("Europe/Brussels")


def test_a_whole_day_absence_ends_on_its_last_day_not_at_midnight_after_it() -> None:
    end = dt.datetime(2026, 12, 7, 0, 0, tzinfo=BRUSSELS)
    assert absence_end(end) == "Dec. 6, 2026 (whole day)"


def test_an_absence_ending_during_the_day_shows_its_time() -> None:
    end = dt.datetime(2026, 12, 7, 12, 30, tzinfo=BRUSSELS)
    assert absence_end(end) == "Dec. 7, 2026, 12:30 p.m."


def test_midnight_is_local_midnight_and_the_words_follow_the_language() -> None:
    end_utc = dt.datetime(2026, 12, 6, 23, 0, tzinfo=dt.UTC)  # 7 December, 00:00 in Brussels
    with translation.override("nl"):
        assert absence_end(end_utc) == "6 december 2026 (hele dag)"


def test_no_end_shows_nothing() -> None:
    assert absence_end(None) == ""
