"""The periodic scheduler: enqueues each periodic task once per interval, whatever the number
of workers that run it (DESIGN.md, "Background work")."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduleSlot

logger = logging.getLogger("loket.scheduler")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str  # dotted path to a django.tasks Task
    every: dt.timedelta


def periodic_jobs() -> list[PeriodicJob]:
    """The jobs from ``settings.LOKET_PERIODIC_TASKS``: ``{name: (task path, seconds)}``."""
    return [
        PeriodicJob(name=name, task=path, every=dt.timedelta(seconds=seconds))
        for name, (path, seconds) in settings.LOKET_PERIODIC_TASKS.items()
    ]


def slot_of(moment: dt.datetime, every: dt.timedelta) -> int:
    return int(moment.timestamp() // every.total_seconds())


def schedule_tick(*, worker_id: str, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every job whose current slot nobody has claimed yet; returns what it enqueued."""
    now = now or timezone.now()
    enqueued: list[str] = []
    for job in periodic_jobs():
        slot = slot_of(now, job.every)
        try:
            with transaction.atomic():
                ScheduleSlot.objects.create(
                    job=job.name, slot=slot, claimed_at=now, claimed_by=worker_id
                )
                task: Task[..., object] = import_string(job.task)
                transaction.on_commit(task.enqueue)
        except IntegrityError:
            continue  # another worker claimed this slot
        enqueued.append(job.name)
    # Old claims are of no further use; keep a day's worth for the record.
    ScheduleSlot.objects.filter(claimed_at__lt=now - dt.timedelta(days=1)).delete()
    return enqueued


class SchedulerThread(threading.Thread):
    """Ticks every `interval` seconds until stopped."""

    def __init__(self, *, worker_id: str, interval: float = 15.0) -> None:
        super().__init__(name="loket-scheduler", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                close_old_connections()
                schedule_tick(worker_id=self.worker_id)
            except Exception:
                logger.exception("scheduler tick failed; trying again at the next tick")
            finally:
                close_old_connections()
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()
