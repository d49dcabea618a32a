"""`loket import-mail`: .eml files, folders, maildirs and mbox files; one summary line that
accounts for every message; a re-run after `kill -9` loses nothing and duplicates nothing;
the shared real-world corpus goes through without a crash and with 0 lost."""

from __future__ import annotations

import hashlib
import io
import mailbox
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from loket.cases.models import Case
from loket.mail import storage
from loket.mail.models import InboundMail, OutboundMail, raw_mail_name

from .messages import question

CORPUS = Path(__file__).parents[3].parent / "shared" / "mail-corpus"
SUMMARY = re.compile(
    r"^(\d+) read, (\d+) new cases, (\d+) threaded, (\d+) quarantined, (\d+) duplicates, "
    r"(\d+) lost$"
)


def import_mail(*args: str) -> tuple[str, tuple[int, ...]]:
    out = io.StringIO()
    call_command("import-mail", *args, stdout=out, stderr=io.StringIO())
    last = out.getvalue().strip().splitlines()[-1]
    match = SUMMARY.match(last)
    assert match, f"not a summary line: {last!r}"
    return last, tuple(int(n) for n in match.groups())


@pytest.mark.django_db
def test_eml_files_folders_maildirs_and_mbox_files(tmp_path: Path) -> None:
    folder = tmp_path / "folder" / "nested"
    folder.mkdir(parents=True)
    (folder / "a.eml").write_bytes(question(subject="Uit een map", sender="a@example.be"))
    (tmp_path / "folder" / "b.eml").write_bytes(question(subject="B", sender="b@example.be"))
    (tmp_path / "folder" / "notes.txt").write_bytes(b"\x00\x01 no mail at all")
    maildir = mailbox.Maildir(tmp_path / "Maildir", create=True)
    maildir.add(question(subject="Uit een maildir", sender="c@example.be"))
    maildir.add_folder("Archive").add(question(subject="Gearchiveerd", sender="d@example.be"))
    box = mailbox.mbox(tmp_path / "export.mbox", create=True)
    for n in range(3):
        box.add(question(subject=f"Uit mbox {n}", sender=f"m{n}@example.be"))
    box.flush()
    single = tmp_path / "single.eml"
    single.write_bytes(question(subject="Los", sender="e@example.be"))

    line, _ = import_mail(str(tmp_path / "folder"), str(tmp_path / "Maildir"),
                          str(tmp_path / "export.mbox"), str(single))  # fmt: skip
    assert line == "9 read, 8 new cases, 0 threaded, 1 quarantined, 0 duplicates, 0 lost"
    subjects = set(Case.objects.values_list("subject", flat=True))
    assert {"Uit een maildir", "Gearchiveerd", "Uit mbox 2", "Los"} <= subjects
    assert set(InboundMail.objects.values_list("source", flat=True)) == {"import"}

    again, _ = import_mail(str(tmp_path))
    assert again == "9 read, 0 new cases, 0 threaded, 0 quarantined, 9 duplicates, 0 lost"


@pytest.mark.django_db
def test_the_same_bytes_twice_in_one_import_count_once(tmp_path: Path) -> None:
    raw = question(subject="Twee keer")
    (tmp_path / "a.eml").write_bytes(raw)
    (tmp_path / "b.eml").write_bytes(raw)
    (tmp_path / "c.eml").write_bytes(question(subject="Een keer"))
    line, _ = import_mail(str(tmp_path))
    assert line == "3 read, 2 new cases, 0 threaded, 0 quarantined, 1 duplicates, 0 lost"
    assert sorted(Case.objects.values_list("subject", flat=True)) == ["Een keer", "Twee keer"]


@pytest.mark.django_db
def test_a_message_that_cannot_be_stored_stops_none_of_the_others(tmp_path: Path) -> None:
    blocked = question(subject="Geen plaats")
    # Its place in the storage is taken by a folder: writing it fails, as a broken disk would.
    place = Path(default_storage.path(raw_mail_name(hashlib.sha256(blocked).hexdigest())))
    place.mkdir(parents=True, exist_ok=True)
    try:
        for name, raw in (("a", question(subject="Een")), ("b", blocked),
                          ("c", question(subject="Twee"))):  # fmt: skip
            (tmp_path / f"{name}.eml").write_bytes(raw)
        out, err = io.StringIO(), io.StringIO()
        with pytest.raises(CommandError, match="not stored"):
            call_command("import-mail", str(tmp_path), stdout=out, stderr=err)
    finally:
        shutil.rmtree(place)
    assert out.getvalue().strip().splitlines()[-1] == (
        "3 read, 2 new cases, 0 threaded, 0 quarantined, 0 duplicates, 1 lost"
    )
    assert "b.eml: not stored (IsADirectoryError" in err.getvalue()
    assert sorted(Case.objects.values_list("subject", flat=True)) == ["Een", "Twee"]


@pytest.mark.django_db
def test_a_missing_path_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("import-mail", str(tmp_path / "nowhere"))


@pytest.mark.django_db
def test_imported_mail_keeps_its_date_and_old_mail_is_not_acknowledged(tmp_path: Path) -> None:
    import datetime as dt

    old = dt.datetime(2019, 5, 2, 9, 30, tzinfo=dt.UTC)
    (tmp_path / "old.eml").write_bytes(question(date=old))
    line, _ = import_mail(str(tmp_path))
    assert line.endswith("0 lost")
    case = Case.objects.get()
    assert case.received_at == old
    inbound = InboundMail.objects.get()
    assert inbound.acknowledgement is None and "too long ago" in inbound.reason


@pytest.mark.django_db
def test_complaints_and_no_acknowledgements_on_request(tmp_path: Path) -> None:
    (tmp_path / "k.eml").write_bytes(question(subject="Klacht"))
    import_mail("--kind", "complaint", "--no-acknowledgements", str(tmp_path))
    assert Case.objects.get().kind == Case.Kind.COMPLAINT
    assert OutboundMail.objects.count() == 0


def _command_environment() -> dict[str, str]:
    """The subprocess uses this test's database and media folder."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{settings['NAME']}"
    else:
        host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or "5432"
        url = f"postgres://{settings['USER']}@{host}:{port}/{settings['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "loket.test_settings"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_kill_9_in_the_middle_then_a_rerun_loses_nothing_and_duplicates_nothing(
    tmp_path: Path,
) -> None:
    count = 300
    raws = []
    for n in range(count):
        files = [("bijlage.pdf", "application/pdf", b"%PDF " + bytes([n % 256]) * 5000)]
        raw = question(subject=f"Vraag {n}", sender=f"client{n}@example.be",
                       attachments=files if n % 10 == 0 else [])  # fmt: skip
        raws.append(raw)
        (tmp_path / f"{n:04d}.eml").write_bytes(raw)
    process = subprocess.Popen(  # noqa: S603 - loket's own command
        [sys.executable, "-m", "loket", "import-mail", "-v", "2", str(tmp_path)],
        env=_command_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    for done, _line in enumerate(process.stdout, start=1):  # a line per message done
        if done == 120:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    stored_before = InboundMail.objects.count()
    assert 120 <= stored_before < count, "killed in the middle"

    line, (read, new, threaded, quarantined, duplicates, lost) = import_mail(str(tmp_path))
    errors = set(InboundMail.objects.exclude(error="").values_list("error", flat=True)[:3])
    assert (read, threaded, quarantined, lost) == (count, 0, 0, 0), errors
    assert new + duplicates == count
    assert duplicates >= 120, line
    # Every message exactly once, whole, registered once and acknowledged once.
    assert InboundMail.objects.count() == count
    assert InboundMail.objects.exclude(state=InboundMail.State.PROCESSED).count() == 0
    assert Case.objects.count() == count
    assert sorted(Case.objects.values_list("subject", flat=True)) == sorted(
        f"Vraag {n}" for n in range(count)
    )
    assert OutboundMail.objects.filter(kind="acknowledgement").count() == count
    for raw in raws[::7]:
        inbound = InboundMail.objects.get(sha256=hashlib.sha256(raw).hexdigest())
        assert storage.read(inbound.raw_name) == raw


@pytest.mark.django_db
def test_the_real_world_corpus_goes_through_with_nothing_lost() -> None:
    assert CORPUS.is_dir(), f"the mail corpus is missing: expected it at {CORPUS}"
    line, (read, new, _, quarantined, _, lost) = import_mail(str(CORPUS))
    files = [p for p in CORPUS.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert read == len(files) >= 270
    assert lost == 0, line
    assert new > 200 and quarantined <= 2, line  # SOURCES.md is no mail
    # Every distinct message is recorded once (the corpus holds a few byte-for-byte copies).
    distinct = {hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    assert set(InboundMail.objects.values_list("sha256", flat=True)) == distinct
    assert InboundMail.objects.filter(state=InboundMail.State.RECEIVED).count() == 0


@pytest.mark.django_db
def test_a_message_stored_by_a_killed_run_but_never_processed_is_processed_now(
    tmp_path: Path,
) -> None:
    from loket.mail.services import inbound_store

    raw = question(subject="Opgeslagen, niet verwerkt")
    (tmp_path / "a.eml").write_bytes(raw)
    inbound_store(raw=raw, source="import", process=False)  # the run died right after this
    line, _ = import_mail(str(tmp_path))
    assert line == "1 read, 1 new cases, 0 threaded, 0 quarantined, 0 duplicates, 0 lost"
    assert Case.objects.get().subject == "Opgeslagen, niet verwerkt"
