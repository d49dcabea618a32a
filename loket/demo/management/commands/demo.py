"""``loket demo [--cases N] [--if-empty]``: a believable service to try loket with."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from loket.cases.models import Case
from loket.demo.build import build_demo
from loket.demo.content import DEMO_PASSWORD, STAFF


class Command(BaseCommand):
    help = "Load demo data: topics, teams, staff, clients and cases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=400)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when cases exist already"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Case.objects.exists():
            self.stdout.write("demo data: the database has cases already; nothing loaded")
        else:
            started = time.perf_counter()
            summary = build_demo(
                cases=options["cases"], seed=options["seed"], progress=self.stdout.write
            )
            self.stdout.write(
                f"demo data: {summary.cases} cases, {summary.clients} clients, "
                f"{summary.staff} staff in {time.perf_counter() - started:.1f}s"
            )
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {DEMO_PASSWORD}):"))
        for username, first, last, _language, roles, teams in STAFF:
            self.stdout.write(
                f"  {username:<14} {first} {last}: {', '.join(roles)}"
                f"{' (' + ', '.join(teams) + ')' if teams else ''}"
            )
