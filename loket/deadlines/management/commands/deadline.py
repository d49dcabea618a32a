"""``loket deadline --received 2026-12-24T15:00 --policy standard [--json]``: a term, checked
by hand. ``--received`` may be repeated; ``--received -`` reads one moment per line."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.deadlines import rules
from loket.deadlines.models import DeadlinePolicy


class Command(BaseCommand):
    help = "Print day 0 and the due moment of a question received at a given moment."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--received",
            action="append",
            required=True,
            help="ISO 8601 moment (local time of the policy's calendar unless an offset is "
            "given); repeat it, or give - to read one moment per line from standard input",
        )
        parser.add_argument("--policy", default="standard", help="policy code (default: standard)")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, *args: Any, **options: Any) -> None:
        policy = (
            DeadlinePolicy.objects.select_related("calendar").filter(code=options["policy"]).first()
        )
        if policy is None:
            codes = ", ".join(DeadlinePolicy.objects.values_list("code", flat=True))
            raise CommandError(f"unknown policy {options['policy']!r}; known: {codes}")
        calendar = policy.calendar.rules()
        failures = 0
        for text in self._moments(options["received"]):
            try:
                received = _parse(text, calendar)
            except ValueError as error:
                failures += 1
                self.stderr.write(f"{text!r}: {error}")
                continue
            term = rules.compute_term(received, policy.working_days, calendar, policy.cutoff)
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {
                            "received": received.isoformat(),
                            "day_zero": term.day_zero.isoformat(),
                            "due_at": term.due_at.isoformat(),
                            "policy": policy.code,
                            "calendar": policy.calendar.code,
                        }
                    )
                )
            else:
                self.stdout.write(
                    f"received {received.isoformat()}  day 0 {term.day_zero.isoformat()}  "
                    f"due {term.due_at.isoformat()}  ({policy.code}, {policy.calendar.code})"
                )
        if failures:
            raise CommandError(f"{failures} moment(s) could not be read")

    def _moments(self, values: list[str]) -> Iterator[str]:
        for value in values:
            if value == "-":
                yield from (line.strip() for line in sys.stdin if line.strip())
            else:
                yield value


def _parse(text: str, calendar: rules.CalendarRules) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("not an ISO 8601 date and time, e.g. 2026-12-24T15:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=calendar.zone)
    return moment
