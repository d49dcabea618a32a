"""Running the task worker (django-tasks-db) inside a process, in threads."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from .scheduler import SchedulerThread

logger = logging.getLogger("loket.worker")


class WorkerThread(threading.Thread):
    """One django-tasks-db worker loop; processes every queue."""

    def __init__(self, *, worker_id: str, interval: float = 1.0) -> None:
        super().__init__(name=f"loket-worker-{worker_id[:8]}", daemon=True)
        self.worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )

    def run(self) -> None:
        try:
            self.worker.run()
        finally:
            close_old_connections()

    def stop(self) -> None:
        self.worker.running = False


def start_background(*, workers: int = 1, schedule: bool = True) -> list[threading.Thread]:
    """Start worker threads (and the scheduler) and return them, already running."""
    threads: list[threading.Thread] = []
    for _ in range(workers):
        threads.append(WorkerThread(worker_id=get_random_string(32)))
    if schedule:
        threads.append(SchedulerThread(worker_id=get_random_string(32)))
    for thread in threads:
        thread.start()
    logger.info("started %d worker thread(s)%s", workers, " and the scheduler" if schedule else "")
    return threads
