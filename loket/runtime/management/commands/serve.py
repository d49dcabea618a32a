"""``loket serve``: the web application (waitress), optionally with a worker in-process."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from waitress import serve

from loket.runtime.workers import start_background
from loket.wsgi import application


class Command(BaseCommand):
    help = "Serve loket over HTTP with waitress; --with-worker also runs tasks and schedules."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8, help="request threads")
        parser.add_argument("--with-worker", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["with_worker"]:
            start_background(workers=1, schedule=True)
        self.stdout.write(f"loket is at http://{options['host']}:{options['port']}/")
        serve(
            application,
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            ident="loket",
        )
