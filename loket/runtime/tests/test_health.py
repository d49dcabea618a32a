"""The health endpoints and `loket health`: the parts requests need fail readiness (503, exit
2), signs of stalled background work warn (200, exit 1), and nothing personal is shown."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client as Browser
from django.test import override_settings
from django.utils import timezone
from pytest_django.fixtures import Settings

from loket.mail.models import MailBox, OutboundMail
from loket.runtime import health as health_module
from loket.runtime.health import Level, health
from loket.runtime.scheduler import schedule_tick
from loket.runtime.tests.tasks import probe

pytestmark = pytest.mark.django_db
JOBS = {"probe": ("loket.runtime.tests.tasks.probe", 60)}
DATABASE_QUEUE = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}
}


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LOKET_PERIODIC_TASKS = JOBS
    return settings.MEDIA_ROOT  # type: ignore[no-any-return]


def levels(found: Any) -> dict[str, str]:
    return {check.name: check.level.value for check in found.checks}


def ready(client: Browser) -> tuple[int, dict[str, Any]]:
    answer = client.get("/health/ready")
    assert answer["Content-Type"] == "application/json"
    assert "no-cache" in answer["Cache-Control"]
    return answer.status_code, answer.json()


def test_live_answers_without_touching_the_database(
    client: Browser, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        answer = client.get("/health/live")
    assert answer.status_code == 200 and answer.content == b"ok\n"
    assert client.post("/health/live").status_code == 405


def test_a_running_installation_is_ready_and_says_what_it_checked(client: Browser) -> None:
    schedule_tick(worker_id="w")
    status, body = ready(client)
    assert status == 200 and body["status"] == "ok"
    assert [c["name"] for c in body["checks"]] == [
        "database", "migrations", "cache", "storage", "scheduler", "outbox", "quarantine",
    ]  # fmt: skip
    assert all(c["status"] == "ok" for c in body["checks"])
    assert body["checks"][0]["detail"].endswith(" ms")
    # The storage probe leaves nothing behind.
    assert not list((Path(health_module.default_storage.location) / "health").iterdir())


def test_no_scheduler_is_a_warning_not_a_failure(client: Browser) -> None:
    status, body = ready(client)
    assert status == 200 and body["status"] == "warning"
    [scheduler] = [c for c in body["checks"] if c["name"] == "scheduler"]
    assert scheduler == {"name": "scheduler", "status": "warning",
                         "detail": "no periodic task was ever enqueued"}  # fmt: skip
    start = timezone.now()
    schedule_tick(worker_id="w", now=start)
    assert levels(health(now=start + dt.timedelta(seconds=179)))["scheduler"] == "ok"
    late = health(now=start + dt.timedelta(minutes=10))
    assert levels(late)["scheduler"] == "warning"
    assert "last periodic task enqueued 10 min ago" in [c.detail for c in late.checks]


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_queue_nobody_takes_is_a_warning() -> None:
    schedule_tick(worker_id="w")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        probe.enqueue()
        assert levels(health())["queue"] == "ok"
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        schedule_tick(worker_id="w")
        found = health()
    assert levels(found)["queue"] == "warning" and found.level == Level.WARNING
    assert "oldest task waiting 6 min" in [c.detail for c in found.checks]


def test_failing_mailboxes_unsent_mail_and_quarantine_are_warnings() -> None:
    schedule_tick(worker_id="w")
    MailBox.objects.create(name="vraag", host="imap.example", username="u", password="p",
                           last_error="abort: socket error: EOF")  # fmt: skip
    MailBox.objects.create(name="klacht", host="imap.example", username="k", password="p")
    OutboundMail.objects.create(
        kind="answer", to=["a@example.be"], subject="Antwoord",
        status=OutboundMail.Status.GAVE_UP, created_at=timezone.now(),
    )  # fmt: skip
    found = health()
    assert found.level == Level.WARNING and found.ready
    details = {check.name: check.detail for check in found.checks}
    assert details["mailboxes"] == "1 of 2 failed at their last poll"
    assert details["outbox"] == "1 e-mails given up in the last 7 days"
    assert details["quarantine"] == "0 e-mails, 0 portal forms"
    assert "EOF" not in str(details) and "imap.example" not in str(details)


def test_an_unreachable_cache_makes_the_installation_not_ready(client: Browser) -> None:
    # A real Redis client against a port where nothing listens.
    unreachable = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                               "LOCATION": "redis://127.0.0.1:1/0"}}  # fmt: skip
    with override_settings(CACHES=unreachable):
        status, body = ready(client)
    assert status == 503 and body["status"] == "failing"
    [cache] = [c for c in body["checks"] if c["name"] == "cache"]
    assert cache == {"name": "cache", "status": "failing", "detail": "ConnectionError"}


def test_a_storage_that_cannot_be_written_makes_it_not_ready(
    client: Browser, settings: Settings, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    settings.MEDIA_ROOT = blocked / "media"
    status, body = ready(client)
    assert status == 503
    [storage] = [c for c in body["checks"] if c["name"] == "storage"]
    assert storage["status"] == "failing" and str(tmp_path) not in storage["detail"]


def test_a_migration_not_applied_makes_it_not_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health_module, "_migrated", False)
    latest = MigrationRecorder.Migration.objects.filter(app="runtime").latest("id")
    latest.delete()  # as after a deploy whose `loket migrate` did not run yet
    found = health()
    assert not found.ready
    assert [c.detail for c in found.checks if c.name == "migrations"] == [
        "1 migrations not applied: run `loket migrate`"
    ]
    # The background checks wait for the schema they read.
    assert "scheduler" not in levels(found)


def test_the_command_prints_the_checks_with_monitoring_exit_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as warned:
        call_command("health")
    assert warned.value.code == 1  # no scheduler yet
    assert "scheduler   warning  no periodic task was ever enqueued" in capsys.readouterr().out
    schedule_tick(worker_id="w")
    with pytest.raises(SystemExit) as fine:
        call_command("health")
    assert fine.value.code == 0
    assert capsys.readouterr().out.splitlines()[-1] == "status      ok"
