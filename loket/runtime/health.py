"""How the installation is doing, for load balancers, monitoring and the operator: the parts
a request needs (database, cache, file storage) and the signs that background work stalls
(no scheduler, a queue that waits, a mailbox that fails, mail that cannot be sent, what sits
in quarantine). Each check is a few milliseconds on an indexed read; none reads personal data.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.crypto import get_random_string

from loket.desk.selectors import quarantine_counts
from loket.mail.models import MailBox, OutboundMail

from .models import ScheduleSlot

logger = logging.getLogger("loket.health")

# A task still ready this long after it could run means no worker takes the queue.
QUEUE_PATIENCE = dt.timedelta(minutes=5)
# Mail that failed for good is worth a look for this long.
UNSENT_WINDOW = dt.timedelta(days=7)


class Level(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"  # background work needs a look; requests are still served
    FAILING = "failing"  # a part requests need is down: not ready


@dataclass(frozen=True)
class Check:
    name: str
    level: Level
    detail: str


@dataclass(frozen=True)
class Health:
    checks: list[Check]

    @property
    def level(self) -> Level:
        levels = {check.level for check in self.checks}
        for level in (Level.FAILING, Level.WARNING):
            if level in levels:
                return level
        return Level.OK

    @property
    def ready(self) -> bool:
        return self.level != Level.FAILING


class Problem(Exception):
    """A failed check whose text is safe to show (counts, never hosts or paths)."""


def _timed(name: str, probe: Callable[[], None]) -> Check:
    """A part requests need: ok with its time, or failing with the kind of error (its text
    may name hosts and paths, so it goes to the log, not to the answer)."""
    started = time.perf_counter()
    try:
        probe()
    except Problem as problem:
        logger.warning("health check %s failed: %s", name, problem)
        return Check(name, Level.FAILING, str(problem))
    except Exception as error:
        logger.warning("health check %s failed", name, exc_info=error)
        return Check(name, Level.FAILING, type(error).__name__)
    return Check(name, Level.OK, f"{(time.perf_counter() - started) * 1000:.1f} ms")


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


_migrated = False  # once every migration is applied, a process need not ask again


def _migrations() -> None:
    global _migrated
    if _migrated:
        return
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise Problem(f"{len(pending)} migrations not applied: run `loket migrate`")
    _migrated = True


def _cache() -> None:
    """A value of its own (probes of several processes at once never meet), set, read, gone."""
    token = get_random_string(16)
    key = f"loket:health:{token}"
    cache.set(key, token, timeout=30)
    try:
        if cache.get(key) != token:
            raise Problem("the cache did not keep a value")
    finally:
        cache.delete(key)


def _storage() -> None:
    """Write, read and delete a few bytes: a full disk or a read-only mount fails here, before
    a raw e-mail would."""
    name = default_storage.save(f"health/{get_random_string(16)}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != b"ok":
                raise Problem("the storage did not keep the bytes")
    finally:
        default_storage.delete(name)


def _age(since: dt.timedelta) -> str:
    seconds = int(since.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def _scheduler(now: dt.datetime) -> Check | None:
    """Some worker runs the scheduler: its shortest job is claimed at every interval."""
    intervals = [seconds for _path, seconds in settings.LOKET_PERIODIC_TASKS.values()]
    if not intervals:
        return None
    last = ScheduleSlot.objects.order_by("-claimed_at").values_list("claimed_at", flat=True)
    latest = last.first()
    if latest is None:
        return Check("scheduler", Level.WARNING, "no periodic task was ever enqueued")
    allowed = dt.timedelta(seconds=2 * min(intervals) + 60)
    level = Level.OK if now - latest <= allowed else Level.WARNING
    return Check("scheduler", level, f"last periodic task enqueued {_age(now - latest)} ago")


def _queue(now: dt.datetime) -> Check | None:
    """The database queue's oldest task that could run: waiting long means no worker."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return None
    from django_tasks_db.models import DBTaskResult

    waiting = (
        DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", "run_after")
    )
    oldest = waiting.first()
    if oldest is None:
        return Check("queue", Level.OK, "no task waiting")
    enqueued_at, run_after = oldest
    # A task without a date to wait for has the far-future "no date" as its run_after.
    could_run = enqueued_at if run_after.year == 9999 else max(enqueued_at, run_after)
    waited = max(now - could_run, dt.timedelta(0))
    level = Level.WARNING if waited > QUEUE_PATIENCE else Level.OK
    return Check("queue", level, f"oldest task waiting {_age(waited)}")


def _mailboxes() -> Check | None:
    active = MailBox.objects.filter(active=True)
    total = active.count()
    if not total:
        return None
    failing = active.exclude(last_error="").count()
    level = Level.WARNING if failing else Level.OK
    return Check("mailboxes", level, f"{failing} of {total} failed at their last poll")


def _outbox(now: dt.datetime) -> Check:
    unsent = OutboundMail.objects.filter(
        status=OutboundMail.Status.GAVE_UP, created_at__gte=now - UNSENT_WINDOW
    ).count()
    level = Level.WARNING if unsent else Level.OK
    return Check("outbox", level, f"{unsent} e-mails given up in the last 7 days")


def _quarantine() -> Check:
    waiting = quarantine_counts()
    level = Level.WARNING if waiting else Level.OK
    return Check("quarantine", level, f"{waiting.mails} e-mails, {waiting.forms} portal forms")


def _background(name: str, check: Callable[[], Check | None]) -> Check | None:
    """A sign of background work; a check that cannot be read is itself a warning."""
    try:
        return check()
    except Exception as error:
        logger.warning("health check %s could not be read", name, exc_info=error)
        return Check(name, Level.WARNING, f"could not be read: {type(error).__name__}")


def health(*, now: dt.datetime | None = None) -> Health:
    """Every check; the background ones only when the database answers and is migrated."""
    moment = now or timezone.now()
    checks = [_timed("database", _database)]
    if checks[0].level == Level.OK:
        checks.append(_timed("migrations", _migrations))
    checks += [_timed("cache", _cache), _timed("storage", _storage)]
    if all(check.level == Level.OK for check in checks[:2]):
        background: list[tuple[str, Callable[[], Check | None]]] = [
            ("scheduler", lambda: _scheduler(moment)),
            ("queue", lambda: _queue(moment)),
            ("mailboxes", _mailboxes),
            ("outbox", lambda: _outbox(moment)),
            ("quarantine", _quarantine),
        ]
        found = [_background(name, check) for name, check in background]
        checks += [check for check in found if check is not None]
    return Health(checks)
