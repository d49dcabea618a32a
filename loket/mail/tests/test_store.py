"""Raw first (charter rule 1): the bytes are stored and recorded before anything reads them,
storing is safe to repeat after a crash, and what cannot be processed is quarantined with
its bytes and its error, then processed again after a fix."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from loket.accounts.models import User
from loket.cases.models import Case, Event
from loket.mail import storage
from loket.mail.models import InboundMail, raw_mail_name
from loket.mail.selectors import quarantine
from loket.mail.services import inbound_process, inbound_reprocess, inbound_store, inbound_sweep

from .messages import question

pytestmark = pytest.mark.django_db


def test_the_raw_bytes_are_stored_content_addressed_before_parsing() -> None:
    raw = question(subject="Raw first")
    inbound, created = inbound_store(raw=raw, source=InboundMail.Source.IMPORT, process=False)
    sha256 = hashlib.sha256(raw).hexdigest()
    assert created
    assert inbound.sha256 == sha256 and inbound.size == len(raw)
    assert inbound.raw_name == f"mail/raw/{sha256[:2]}/{sha256[2:4]}/{sha256}.eml"
    assert storage.read(inbound.raw_name) == raw
    # Recorded, not yet read: nothing parsed, no case.
    assert inbound.state == InboundMail.State.RECEIVED
    assert inbound.subject == "" and inbound.message_id == ""
    assert Case.objects.count() == 0


def test_the_same_bytes_twice_are_recognised() -> None:
    raw = question()
    first, created = inbound_store(raw=raw, source="import", process=False)
    again, created_again = inbound_store(raw=raw, source="imap", process=False)
    assert created and not created_again
    assert again.pk == first.pk and InboundMail.objects.count() == 1


def test_a_file_torn_by_a_killed_process_is_written_again() -> None:
    raw = question(subject="Torn")
    sha256 = hashlib.sha256(raw).hexdigest()
    name = raw_mail_name(sha256)
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(raw[: len(raw) // 2]))  # what kill -9 leaves
    inbound, created = inbound_store(raw=raw, source="import", process=False)
    assert created
    assert storage.read(inbound.raw_name) == raw


def test_storing_refuses_what_is_no_bytes() -> None:
    with pytest.raises(ValidationError):
        inbound_store(raw="text, not bytes", source="api")  # type: ignore[arg-type]


def test_processing_twice_registers_once() -> None:
    inbound, _ = inbound_store(raw=question(), source="imap", process=False)
    inbound_process(inbound_id=inbound.pk)
    inbound_process(inbound_id=inbound.pk)
    assert Case.objects.count() == 1


def test_the_task_processes_what_the_store_queued(
    django_capture_on_commit_callbacks: object,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        inbound, _ = inbound_store(raw=question(), source="imap")
    inbound.refresh_from_db()
    assert inbound.state == InboundMail.State.PROCESSED and inbound.case is not None


def test_garbage_is_quarantined_with_its_bytes_and_error() -> None:
    garbage = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    inbound, _ = inbound_store(raw=garbage, source="import", process=False)
    inbound = inbound_process(inbound_id=inbound.pk)  # type: ignore[assignment]
    assert inbound.state == InboundMail.State.QUARANTINED
    assert inbound.error.startswith("Not an e-mail message")
    assert "MailParseError" in inbound.traceback
    assert storage.read(inbound.raw_name) == garbage
    assert list(quarantine()) == [inbound]
    event = Event.objects.get(kind=Event.Kind.MAIL_QUARANTINED)
    assert event.data["inbound"] == inbound.pk


def test_quarantined_mail_is_processed_again_after_the_fix(administrator: User) -> None:
    raw = question(subject="Lost file")
    inbound, _ = inbound_store(raw=raw, source="imap", process=False)
    default_storage.delete(inbound.raw_name)  # the storage was not reachable
    inbound = inbound_process(inbound_id=inbound.pk)  # type: ignore[assignment]
    assert inbound.state == InboundMail.State.QUARANTINED
    assert "FileNotFoundError" in inbound.error
    assert Case.objects.count() == 0, "nothing half-registered"

    storage.put(inbound.raw_name, raw, inbound.sha256)  # the fix
    inbound = inbound_reprocess(actor=administrator, inbound=inbound)
    assert inbound.state == InboundMail.State.PROCESSED
    assert inbound.case is not None and inbound.case.subject == "Lost file"
    assert inbound.error == "" and inbound.attempts == 2
    event = Event.objects.get(kind=Event.Kind.MAIL_REPROCESSED)
    assert event.actor == administrator and event.data["previous_state"] == "quarantined"
    with pytest.raises(ValidationError):
        inbound_reprocess(actor=administrator, inbound=inbound)


def test_the_reprocess_command_retries_the_whole_quarantine() -> None:
    raws = [question(subject=f"Lost {n}") for n in range(3)]
    stored = [inbound_store(raw=raw, source="imap", process=False)[0] for raw in raws]
    for inbound in stored:
        default_storage.delete(inbound.raw_name)
        inbound_process(inbound_id=inbound.pk)
    assert quarantine().count() == 3
    for raw, inbound in zip(raws, stored, strict=True):
        storage.put(inbound.raw_name, raw, inbound.sha256)
    out = io.StringIO()
    call_command("reprocess-mail", "--quarantined", stdout=out)
    assert out.getvalue().strip() == (
        "3 processed again: 3 new cases, 0 threaded, 0 quarantined, 0 duplicates, 0 refused"
    )
    assert quarantine().count() == 0 and Case.objects.count() == 3


def test_the_sweep_queues_again_what_a_crashed_worker_left(
    django_capture_on_commit_callbacks: object,
) -> None:
    import datetime as dt

    from django.utils import timezone

    inbound, _ = inbound_store(raw=question(), source="imap", process=False)  # task lost
    assert inbound_sweep() == 0, "too recent: its task may still be on its way"
    assert inbound_sweep(now=timezone.now() + dt.timedelta(minutes=11)) == 1
    inbound.refresh_from_db()
    assert inbound.state == InboundMail.State.PROCESSED  # tasks run at once in the tests
