"""The deadline watch as a periodic task (the scheduler enqueues it every few minutes)."""

from __future__ import annotations

from dataclasses import asdict

from django.tasks import task

from .services import deadline_watch


@task
def deadline_watch_task() -> dict[str, int]:
    """One pass of the watch (charter rule 6); returns what it did."""
    return asdict(deadline_watch())
