"""Real mail servers on loopback for the e-mail channel's tests (STYLE.md: real components
where the user has them): Debian's Dovecot for IMAP, started from the throwaway
configuration in ``dovecot/``, and aiosmtpd for SMTP. A missing Dovecot fails the tests that
need it with a message saying what to install; it never skips them."""

from __future__ import annotations

import contextlib
import grp
import imaplib
import os
import pwd
import selectors
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from loket.deadlines.cache import invalidate

HERE = Path(__file__).parent
DOVECOT = Path(os.environ.get("LOKET_DOVECOT", shutil.which("dovecot") or "/usr/sbin/dovecot"))
IMAP_USER, IMAP_PASSWORD = "vraag", "imap-test-secret"
STARTUP_SECONDS = 20


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    """Policies and calendars are kept per process (loket/deadlines/cache.py); what a test
    rolled back (or a flush removed) must not reach the next test."""
    invalidate()
    yield
    invalidate()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Dovecot:
    host: str
    port: int
    user: str
    password: str

    def connect(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(self.user, self.password)
        return client

    def deliver(self, *messages: bytes, folder: str = "INBOX") -> None:
        """Put messages in a folder, as the mail server does when mail arrives."""
        client = self.connect()
        try:
            for raw in messages:
                status, data = client.append(folder, None, None, raw)
                assert status == "OK", data
        finally:
            client.logout()

    def messages(self, folder: str = "INBOX") -> list[tuple[bytes, str]]:
        """(raw bytes, flags) of every message in a folder, in order."""
        client = self.connect()
        try:
            status, _ = client.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return []
            _, data = client.uid("SEARCH", "ALL")
            found = []
            for uid in (data[0] or b"").split():
                _, fetched = client.uid("FETCH", uid.decode(), "(FLAGS BODY.PEEK[])")
                head, raw = fetched[0]  # type: ignore[misc]
                found.append((bytes(raw), head.decode()))
            return found
        finally:
            client.logout()

    def empty(self) -> None:
        """Every folder emptied and removed, INBOX emptied: each test starts clean."""
        client = self.connect()
        try:
            _, listed = client.list()
            for line in listed:
                name = line.decode().rsplit(' "/" ', 1)[-1].strip('"') if line else ""
                if not name:
                    continue
                client.select(f'"{name}"')
                _, found = client.search(None, "ALL")
                if found and found[0]:
                    client.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                    client.expunge()
                client.close()
                if name != "INBOX":
                    client.delete(f'"{name}"')
        finally:
            client.logout()


def _accounts() -> dict[str, str]:
    """Who Dovecot's processes and the mail user run as: the current user; as root, Debian's
    unprivileged dovenull/dovecot users (Dovecot refuses to log users in as root)."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(os.getegid()).gr_name
        return {"login_user": me, "internal_user": me, "internal_group": group,
                "uid": str(os.geteuid()), "gid": str(os.getegid())}  # fmt: skip
    try:
        internal = pwd.getpwnam("dovecot")
        pwd.getpwnam("dovenull")
    except KeyError as missing:
        pytest.fail(f"running as root needs Debian's dovecot users ({missing}): "
                    "apt-get install dovecot-imapd")  # fmt: skip
    return {"login_user": "dovenull", "internal_user": "dovecot",
            "internal_group": grp.getgrgid(internal.pw_gid).gr_name,
            "uid": str(internal.pw_uid), "gid": str(internal.pw_gid)}  # fmt: skip


def _wait_until_listening(process: subprocess.Popen[bytes], port: int) -> str:
    """Dovecot logs to stderr; it listens once its master says it is starting up."""
    assert process.stderr is not None
    log: list[str] = []
    watcher = selectors.DefaultSelector()
    watcher.register(process.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if not watcher.select(timeout=deadline - time.monotonic()):
            break
        line = process.stderr.readline().decode(errors="replace")
        if not line:
            break
        log.append(line)
        if "starting up" in line:
            with socket.create_connection(("127.0.0.1", port), timeout=STARTUP_SECONDS):
                return "".join(log)
    pytest.fail(f"Dovecot did not start on port {port}:\n{''.join(log)}")


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[Dovecot]:
    if not DOVECOT.exists():
        pytest.fail(
            f"{DOVECOT} is missing: the mail tests run a real IMAP server, Debian's Dovecot "
            "(apt-get install dovecot-imapd)"
        )
    root = Path(tempfile.mkdtemp(prefix="loket-dovecot-"))
    root.chmod(0o755)  # Dovecot's unprivileged processes read their configuration here
    accounts = _accounts()
    port = free_port()
    (root / "mail").mkdir()
    (root / "state").mkdir()
    home = root / "mail" / IMAP_USER
    home.mkdir()
    os.chown(home, int(accounts["uid"]), int(accounts["gid"]))
    (root / "passwd").write_text(
        f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}:{accounts['uid']}:{accounts['gid']}::{home}\n"
    )
    config = Template((HERE / "dovecot" / "dovecot.conf.template").read_text()).substitute(
        root=root, port=port, instance=f"loket-test-{os.getpid()}", **accounts
    )
    (root / "dovecot.conf").write_text(config)
    process = subprocess.Popen(  # noqa: S603 - our own binary and configuration
        [str(DOVECOT), "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_until_listening(process, port)
        # The log is no longer read: send it nowhere, so a full pipe never blocks Dovecot.
        threading.Thread(target=_drain, args=(process,), daemon=True).start()
        yield Dovecot("127.0.0.1", port, IMAP_USER, IMAP_PASSWORD)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


def _drain(process: subprocess.Popen[bytes]) -> None:
    assert process.stderr is not None
    with contextlib.suppress(OSError, ValueError):
        for _ in iter(process.stderr.readline, b""):
            pass


@pytest.fixture
def dovecot(dovecot_server: Dovecot) -> Dovecot:
    dovecot_server.empty()
    return dovecot_server


class CuttingProxy:
    """A TCP relay to the IMAP server that drops the connection once the server has sent
    `budget` bytes: a real dropped connection, in the middle of a message."""

    def __init__(self, target_port: int, budget: int) -> None:
        self.target_port = target_port
        self.budget = budget
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.cut = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            client, _ = self.listener.accept()
            server = socket.create_connection(("127.0.0.1", self.target_port))
            watcher = selectors.DefaultSelector()
            watcher.register(client, selectors.EVENT_READ, server)
            watcher.register(server, selectors.EVENT_READ, client)
            sent = 0
            ended = False
            while sent < self.budget and not ended:
                for key, _ in watcher.select(timeout=10):
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        ended = True
                        break
                    if key.fileobj is server:
                        data = data[: self.budget - sent]
                        sent += len(data)
                    key.data.sendall(data)
            # Set before closing: the client sees the cut as soon as the socket closes, and
            # the test may look at `cut` before this thread runs again.
            if not ended:
                self.cut.set()
            client.close()
            server.close()

    def close(self) -> None:
        self.listener.close()


@dataclass
class SentMail:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class SmtpServer:
    host: str
    port: int
    received: list[SentMail] = field(default_factory=list)

    @property
    def mailers(self) -> dict[str, Any]:
        """The MAILERS setting that sends through this server."""
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": self.host, "port": self.port, "timeout": 10},
            }
        }


class _Collector:
    def __init__(self, received: list[SentMail]) -> None:
        self.received = received

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.received.append(
            SentMail(str(envelope.mail_from), [str(r) for r in envelope.rcpt_tos], content)
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on loopback that keeps every message it receives."""
    server = SmtpServer("127.0.0.1", free_port())
    controller = Controller(_Collector(server.received), hostname=server.host, port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
