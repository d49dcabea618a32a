"""Calendars and policies change a few times a year and are read at every registration:
keep them per process. A change saved in this process clears the cache at once (signals
connected in `apps.py`); other processes pick it up within `MAX_AGE` seconds."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import rules
    from .models import DeadlinePolicy, WorkingCalendar

MAX_AGE = 60.0
_lock = threading.Lock()
_generation = 0
_rules: dict[int, tuple[int, float, rules.CalendarRules]] = {}
_policies: dict[tuple[str, int | None], tuple[int, float, DeadlinePolicy | None]] = {}


def _fresh(entry_generation: int, stamp: float) -> bool:
    return entry_generation == _generation and time.monotonic() - stamp < MAX_AGE


def cached_rules(calendar: WorkingCalendar) -> rules.CalendarRules:
    entry = _rules.get(calendar.pk)
    if entry is not None and _fresh(entry[0], entry[1]):
        return entry[2]
    generation = _generation
    value = calendar.load_rules()
    with _lock:
        _rules[calendar.pk] = (generation, time.monotonic(), value)
    return value


def cached_policy(key: tuple[str, int | None], load: Any) -> DeadlinePolicy | None:
    entry = _policies.get(key)
    if entry is not None and _fresh(entry[0], entry[1]):
        return entry[2]
    generation = _generation
    value = load()
    with _lock:
        _policies[key] = (generation, time.monotonic(), value)
    return value


def invalidate(**_signal: Any) -> None:
    """Forget everything (a calendar, period, day, policy or topic was saved or deleted)."""
    global _generation
    with _lock:
        _generation += 1
        _rules.clear()
        _policies.clear()
