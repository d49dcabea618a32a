"""E-mail intake throughput (issue: the e-mail channel), end to end: 1,000 generated mails,
10% with an attachment and 10% replies to earlier ones, each stored raw (content-addressed,
through the storage API), recorded, parsed, registered or threaded, with its acknowledgement
queued, through the real path of a mailbox poll (loket/mail/imap.py): the mails arrive in
batches of `services.BATCH`, `inbound_store_many` stores each batch and queues
`inbound_process_many_task`, which runs inline (django.tasks' ImmediateBackend) as soon as
the store commits.

A warm-up of 100 other mails comes first, not counted: the first mails of a process compile
the mail templates, load the translations and fill the URL resolver, once per process (a
worker pays that once, not per mail; it would cost the 1,000 counted mails about 0.4 ms each).

The headline figure ends where the issue's definition does, with the acknowledgement queued:
the outbox row written and its sending task enqueued (kept in a list here, as a worker would
find it in the queue). Two more figures, over 300 more mails each: mails stored one at a
time (`inbound_store`, one `inbound_process_task` each: what a mail costs when it arrives
alone), and the batches again with the sending task also run inline to an in-memory mail
backend. Target: at least 400 mails/s on SQLite and 250 on PostgreSQL on a 2-core machine."""

from __future__ import annotations

import datetime as dt
import gc
import logging
import random
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from django.tasks import Task, TaskResult, TaskResultStatus
from django.tasks.backends.immediate import ImmediateBackend

TOTAL = 1000
WARM_UP = 100
BODIES = {
    "nl": "Goedendag, ik heb een vraag over het leefloon. Hoe berekenen we het leefloon voor een "
    "samenwonende? Welke documenten moet ik bezorgen aan het OCMW? Alvast bedankt.",
    "fr": "Bonjour, j'ai une question concernant le revenu d'intégration. Quels documents dois-je "
    "envoyer au CPAS de ma commune ? Merci d'avance pour votre réponse.",
    "de": "Guten Tag, ich habe eine Frage zum Eingliederungseinkommen. Welche Unterlagen muss ich "
    "dem ÖSHZ schicken? Vielen Dank im Voraus für Ihre Antwort.",
    "en": "Hello, I have a question about the integration income. Which documents should I send "
    "to the social welfare centre? Thank you in advance for your answer.",
}
Timer = Callable[..., float]


def generate(known_addresses: list[str], *, seed: int = 4) -> list[bytes]:
    """The mix: 10% replies (References to an earlier mail of the batch), 10% with a 40 kB
    attachment, a third from clients loket already knows, the rest from new senders."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    mails: list[bytes] = []
    originals: list[tuple[str, str, str]] = []  # message-id, sender, subject
    for n in range(TOTAL):
        message = EmailMessage()
        message["To"] = "vraag@loket.localhost"
        message["Date"] = format_datetime(now)
        message["Message-ID"] = f"<bench.{n}.{rng.random():.8f}@mail.example.be>"
        language = rng.choice(list(BODIES))
        if n % 10 == 9 and originals:
            root, sender, subject = rng.choice(originals)
            message["From"] = sender
            message["Subject"] = f"Re: {subject}"
            message["In-Reply-To"] = root
            message["References"] = root
            message.set_content("Nog een aanvulling bij mijn vraag: zie hieronder.\n\n> ...")
        else:
            if known_addresses and rng.random() < 0.33:
                sender = rng.choice(known_addresses)
            else:
                sender = f"Client {n} <client.{n}.{rng.randrange(10**6)}@example.be>"
            subject = f"Vraag {n} over het leefloon"
            message["From"] = sender
            message["Subject"] = subject
            message.set_content(BODIES[language])
            if n % 10 == 4:
                content = b"%PDF-1.4\n" + rng.randbytes(40_000)
                message.add_attachment(
                    content, maintype="application", subtype="pdf", filename=f"attest-{n}.pdf"
                )
            originals.append((message["Message-ID"], sender, subject))
        mails.append(message.as_bytes())
    return mails


class IntakeInline(ImmediateBackend):
    """Runs every task at once, except the outbox's sending, which is queued (kept)."""

    queued: list[TaskResult[Any, Any]] = []

    def enqueue(self, task: Task[Any, Any], args: Any, kwargs: Any) -> TaskResult[Any, Any]:
        from loket.mail.tasks import mail_deliver

        if task.func is mail_deliver.func:
            queued: TaskResult[Any, Any] = TaskResult(
                task=task, id=str(len(self.queued)), status=TaskResultStatus.READY,
                enqueued_at=None, started_at=None, last_attempted_at=None, finished_at=None,
                args=args, kwargs=kwargs, backend=self.alias, errors=[], worker_ids=[],
            )  # fmt: skip
            self.queued.append(queued)
            return queued
        return super().enqueue(task, args, kwargs)


def _intake(
    mails: list[bytes], backend: str, *, one_at_a_time: bool = False
) -> tuple[float, float]:
    """Seconds of wall clock and of this process's CPU (the figure a busy machine blurs)."""
    from django.test.utils import override_settings

    from loket.mail.models import InboundMail
    from loket.mail.services import BATCH, inbound_store, inbound_store_many

    with override_settings(
        TASKS={"default": {"BACKEND": backend, "QUEUES": ["default", "mail"]}},
        MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}},
    ):
        started, cpu = time.perf_counter(), time.process_time()
        if one_at_a_time:
            for raw in mails:
                inbound_store(raw=raw, source=InboundMail.Source.IMAP)
        else:
            for start in range(0, len(mails), BATCH):
                batch = mails[start : start + BATCH]
                inbound_store_many(
                    messages=[(raw, None) for raw in batch], source=InboundMail.Source.IMAP
                )
        return time.perf_counter() - started, time.process_time() - cpu


def _check(first_inbound: int, total: int, acknowledgements_queued: int | None) -> tuple[int, int]:
    """Every mail went through: registered or threaded, each new case acknowledged (later
    runs write again to senders of the first, and the hourly limit per sender may refuse
    an acknowledgement: they don't count them)."""
    from loket.mail.models import InboundMail

    outcomes = list(
        InboundMail.objects.filter(pk__gt=first_inbound).values_list("outcome", flat=True)
    )
    new = outcomes.count(InboundMail.Outcome.NEW_CASE)
    threaded = outcomes.count(InboundMail.Outcome.THREADED)
    acknowledged = new if acknowledgements_queued is None else acknowledgements_queued
    if len(outcomes) != total or new + threaded != total or acknowledged != new:
        raise RuntimeError(f"not every mail went through: {outcomes.count('')} left aside")
    return new, threaded


def _last_inbound() -> int:
    from loket.mail.models import InboundMail

    return InboundMail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def run_database(vendor: str, timed: Timer) -> None:
    from loket.cases.models import ClientEmail
    from loket.mail.models import OutboundMail

    # One log line per task start and end would drown the figures; warnings still show.
    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    # What the benchmarks before this one left in memory is not the intake's to sweep: set
    # it aside, so the garbage collector's passes cost what the intake itself allocates.
    gc.collect()
    gc.freeze()
    known = list(ClientEmail.objects.order_by("pk").values_list("address", flat=True)[:500])
    _intake(generate(known, seed=3)[:WARM_UP], "bench.mail.IntakeInline")
    mails = generate(known)
    acknowledgements = OutboundMail.objects.filter(kind="acknowledgement")
    first_inbound = _last_inbound()
    before = acknowledgements.count()
    queued = len(IntakeInline.queued)
    elapsed, cpu = _intake(mails, "bench.mail.IntakeInline")
    new, threaded = _check(first_inbound, TOTAL, len(IntakeInline.queued) - queued)
    acknowledged = acknowledgements.count() - before
    print(
        f"  mail intake ({vendor}): {TOTAL / elapsed:.0f} mails/s end to end over {TOTAL} mails "
        f"({new} new cases, {threaded} threaded, {acknowledged} acknowledgements queued; "
        f"CPU {cpu / TOTAL * 1000:.2f} ms per mail)",
        flush=True,
    )
    alone = generate(known, seed=6)[:300]
    first_inbound = _last_inbound()
    elapsed, cpu = _intake(alone, "bench.mail.IntakeInline", one_at_a_time=True)
    _check(first_inbound, len(alone), None)
    print(
        f"  mail intake one mail at a time ({vendor}): {len(alone) / elapsed:.0f} mails/s "
        f"over {len(alone)} more mails (CPU {cpu / len(alone) * 1000:.2f} ms per mail)",
        flush=True,
    )
    more = generate(known, seed=5)[:300]
    elapsed, cpu = _intake(more, "django.tasks.backends.immediate.ImmediateBackend")
    print(
        f"  mail intake with the acknowledgement also sent (to memory) ({vendor}): "
        f"{len(more) / elapsed:.0f} mails/s over {len(more)} more mails "
        f"(CPU {cpu / len(more) * 1000:.2f} ms per mail)",
        flush=True,
    )
    gc.unfreeze()


def run_pure(timed: Timer) -> None:
    from loket.mail.parsing import parse_mail

    mails = generate([])
    started = time.perf_counter()
    for raw in mails:
        parse_mail(raw)
    elapsed = time.perf_counter() - started
    print(f"  parse_mail: {TOTAL / elapsed:.0f} mails/s over the intake mix", flush=True)
