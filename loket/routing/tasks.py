"""Agendas read again periodically, and the absences catch-up sweep (the scheduler enqueues
it; settings.LOKET_PERIODIC_TASKS["agenda-refresh"])."""

from __future__ import annotations

import logging

from django.tasks import task

from .models import AgendaFeed
from .services import absence_catch_up, agenda_feed_refresh

logger = logging.getLogger("loket.routing")


@task
def agenda_refresh_task() -> dict[str, int]:
    """Read every agenda feed again (uploaded files too: a recurring leave reaches further
    into the year as time goes by), then flag cases that fall in coming absences."""
    report = {"feeds": 0, "errors": 0, "added": 0, "changed": 0, "removed": 0}
    for feed in AgendaFeed.objects.select_related("user").order_by("pk"):
        try:
            result = agenda_feed_refresh(actor=None, feed=feed)
        except Exception:
            # One feed's surprise must not keep the others stale; the next run tries again.
            logger.exception("reading agenda feed %s failed", feed.pk)
            report["errors"] += 1
            continue
        report["feeds"] += 1
        report["errors"] += bool(result.error)
        report["added"] += result.added
        report["changed"] += result.changed
        report["removed"] += result.removed
    report["proposals"] = absence_catch_up()
    return report
