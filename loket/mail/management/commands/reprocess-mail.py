"""``loket reprocess-mail [ID...] [--quarantined]``: process quarantined (or ignored)
incoming mail again, after the fix that was missing (a restored file, a new setting)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.mail.management.tally import tally
from loket.mail.models import InboundMail
from loket.mail.selectors import quarantine
from loket.mail.services import inbound_reprocess


class Command(BaseCommand):
    help = "Process quarantined or ignored incoming e-mail again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", type=int, metavar="ID")
        parser.add_argument("--quarantined", action="store_true", help="every quarantined e-mail")

    def handle(self, *args: Any, **options: Any) -> None:
        ids: list[int] = options["ids"]
        if not ids and not options["quarantined"]:
            raise CommandError("name the e-mails (their numbers) or give --quarantined")
        chosen = InboundMail.objects.filter(pk__in=ids) if ids else quarantine()
        found = list(chosen.order_by("pk"))
        unknown = sorted(set(ids) - {m.pk for m in found})
        if unknown:
            raise CommandError(f"no incoming e-mail numbered {', '.join(map(str, unknown))}")
        counts: Counter[str] = Counter()
        for inbound in found:
            try:
                counts[tally(inbound_reprocess(actor=None, inbound=inbound))] += 1
            except Exception as error:  # report it, go on with the others
                self.stderr.write(f"#{inbound.pk}: {error}")
                counts["refused"] += 1
        self.stdout.write(
            f"{len(found)} processed again: {counts['new']} new cases, "
            f"{counts['threaded']} threaded, {counts['quarantined']} quarantined, "
            f"{counts['duplicates']} duplicates, {counts['refused']} refused"
        )
