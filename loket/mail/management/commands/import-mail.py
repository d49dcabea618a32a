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
from loket.mail.services import (
    BATCH,
    inbound_process,
    inbound_process_many,
    inbound_store,
    inbound_store_many,
)
from loket.mail.sources import Found, read_paths


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
        batch: list[Found] = []
        for found in read_paths(paths):
            counts["read"] += 1
            if found.raw is None:
                self.stderr.write(f"{found.label}: could not be read ({found.error})")
                continue
            batch.append(found)
            if len(batch) == BATCH:
                self._import(batch, counts, options, verbose)
                batch = []
        self._import(batch, counts, options, verbose)
        line = summary(counts)
        self.stdout.write(line)
        if "0 lost" not in line.rsplit(",", 1)[-1]:
            raise CommandError("some messages were not stored; see the errors above")

    def _import(
        self, batch: list[Found], counts: Counter[str], options: dict[str, Any], verbose: bool
    ) -> None:
        """Store a batch of messages, then process the new ones together; when the batch
        cannot be stored, each message on its own, so one message never stops the others."""
        acknowledge = not options["no_acknowledgements"]
        try:
            stored = inbound_store_many(
                messages=[(found.raw or b"", None) for found in batch],
                source=InboundMail.Source.IMPORT,
                kind=options["kind"],
                process=False,
            )
            # New, or stored by a run that was stopped before processing it.
            waiting: list[int] = []
            for inbound, created in stored:
                if (created or inbound.state == State.RECEIVED) and inbound.pk not in waiting:
                    waiting.append(inbound.pk)
            done = inbound_process_many(inbound_ids=waiting, acknowledge=acknowledge)
        except Exception:
            for found in batch:
                self._import_one(found, counts, options, verbose)
            return
        processed = dict(zip(waiting, done, strict=True))
        for found, (inbound, _) in zip(batch, stored, strict=True):
            # (a copy met earlier in the batch counts as a duplicate)
            figure = tally(processed.pop(inbound.pk)) if inbound.pk in processed else "duplicates"
            self._count(found, figure, counts, verbose)

    def _import_one(
        self, found: Found, counts: Counter[str], options: dict[str, Any], verbose: bool
    ) -> None:
        try:
            inbound, created = inbound_store(
                raw=found.raw or b"",
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
            return
        self._count(found, figure, counts, verbose)

    def _count(self, found: Found, figure: str, counts: Counter[str], verbose: bool) -> None:
        counts[figure] += 1
        if verbose:
            self.stdout.write(f"{found.label}: {figure}", ending="\n")
            self.stdout.flush()
