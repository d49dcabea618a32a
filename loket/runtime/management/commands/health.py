"""``loket health``: the checks of /health/ready on the command line, with the exit codes of
monitoring plugins (0 ok, 1 warning, 2 failing), for cron, systemd or a container's
HEALTHCHECK."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from loket.runtime.health import Level, health

EXIT_CODES = {Level.OK: 0, Level.WARNING: 1, Level.FAILING: 2}


class Command(BaseCommand):
    help = "Check the database, cache, storage and background work; exit 0, 1 or 2."

    def handle(self, *args: Any, **options: Any) -> None:
        found = health()
        width = max(len(check.name) for check in found.checks)
        for check in found.checks:
            self.stdout.write(f"{check.name:<{width}}  {check.level.value:<7}  {check.detail}")
        self.stdout.write(f"{'status':<{width}}  {found.level.value}")
        raise SystemExit(EXIT_CODES[found.level])
