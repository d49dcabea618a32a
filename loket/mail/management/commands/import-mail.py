"""``loket import-mail PATH...``: register the messages of .eml files, folders of them,
maildirs and mbox files, as if they had arrived by mail (migrations, tests, a mailbox
exported by hand). Ends with one line that accounts for every message read:

    N read, N new cases, N threaded, N quarantined, N duplicates, 0 lost

A re-run after an interruption (even ``kill -9``) reads the same messages again: those it
stored before are recognised as duplicates, or processed now if the run was killed between
storing and processing them; nothing is lost and nothing is registered twice.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.cases.models import Case
from loket.mail.management.tally import State, summary, tally
from loket.mail.models import InboundMail
from loket.mail.services import inbound_process, inbound_store
from loket.mail.sources import read_paths


class Command(BaseCommand):
    help = "Register the mail in .eml files, folders of them, maildirs and mbox files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument(
            "--kind",
            choices=[Case.Kind.QUESTION, Case.Kind.COMPLAINT],
            default=Case.Kind.QUESTION,
            help="what a message that continues no case opens (default: a question)",
        )
        parser.add_argument(
            "--no-acknowledgements",
            action="store_true",
            help="register without acknowledging (an archive brought over)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["paths"]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(f"no such file or folder: {', '.join(missing)}")
        verbose = options["verbosity"] >= 2
        counts: Counter[str] = Counter()
        for found in read_paths(paths):
            counts["read"] += 1
            if found.raw is None:
                self.stderr.write(f"{found.label}: could not be read ({found.error})")
                continue
            try:
                inbound, created = inbound_store(
                    raw=found.raw,
                    source=InboundMail.Source.IMPORT,
                    kind=options["kind"],
                    process=False,
                )
                if not created and inbound.state != State.RECEIVED:
                    figure = "duplicates"
                else:  # new, or stored by a run that was stopped before processing it
                    processed = inbound_process(
                        inbound_id=inbound.pk, acknowledge=not options["no_acknowledgements"]
                    )
                    figure = tally(processed)
            except Exception as error:  # one message must not stop the others
                self.stderr.write(f"{found.label}: not stored ({type(error).__name__}: {error})")
                continue
            counts[figure] += 1
            if verbose:
                self.stdout.write(f"{found.label}: {figure}", ending="\n")
                self.stdout.flush()
        line = summary(counts)
        self.stdout.write(line)
        if "0 lost" not in line.rsplit(",", 1)[-1]:
            raise CommandError("some messages were not stored; see the errors above")
