"""``loket worker``: runs queued tasks and the periodic scheduler until stopped."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from loket.runtime.workers import start_background


class Command(BaseCommand):
    help = "Run the task worker (all queues) and the periodic scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--threads", type=int, default=2, help="worker threads (default 2)")
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="only run tasks; another process enqueues the periodic ones",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        threads = start_background(workers=options["threads"], schedule=not options["no_scheduler"])
        self.stdout.write(f"worker running ({options['threads']} threads); Ctrl+C stops it")
        stop.wait()
        for thread in threads:
            thread.stop()  # type: ignore[attr-defined]
        for thread in threads:
            thread.join(timeout=30)
