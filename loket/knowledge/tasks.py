"""The knowledge base's periodic work (settings.LOKET_PERIODIC_TASKS): the weekly gap finder
and the daily review reminders."""

from __future__ import annotations

from dataclasses import asdict

from django.tasks import task

from .services import faq_candidates_find, review_reminders_send


@task
def gap_finder_task() -> dict[str, int]:
    """Group the last weeks' questions and propose FAQ candidates (charter rule 10)."""
    return asdict(faq_candidates_find())


@task
def review_reminders_task() -> int:
    """Remind owners of articles whose review date has come (charter rule 10)."""
    return review_reminders_send()
