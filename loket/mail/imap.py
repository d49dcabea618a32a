"""Polling the service's mailboxes over IMAP (charter rule 1: nothing that arrives is lost).

For the messages waiting in the folder, by UID: fetch their bytes without marking them read
(``BODY.PEEK[]``), store them (``inbound_store_many``, up to ``BATCH`` at a time, committed),
and only then move them to the mailbox's folder or mark them read. A message is never
deleted. A connection that drops at any point costs nothing: what was fetched whole is
stored, what was stored stays stored, what was not is still in the folder, and a message
stored but not yet moved is recognised as a duplicate at the next poll, then moved.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import imaplib
import logging
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .models import InboundMail, MailBox
from .services import BATCH, inbound_store_many, mailbox_poll_claim, mailbox_poll_finish

logger = logging.getLogger("loket.mail")
TIMEOUT = 60.0
# A batch is stored once it holds BATCH messages or this many bytes, whichever comes first.
BATCH_BYTES = 20 * 1024 * 1024
# Marks a message copied to the folder when the server cannot MOVE: not fetched again.
STORED_KEYWORD = "$LoketStored"


class ImapError(Exception):
    """The server said no to something the poll needs."""


@dataclass
class PollResult:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    error: str = ""


def mailboxes_poll() -> int:
    """Poll every active mailbox once; returns how many new messages were stored."""
    return sum(mailbox_poll(mailbox).stored for mailbox in MailBox.objects.filter(active=True))


def mailbox_poll(mailbox: MailBox, *, limit: int = 200) -> PollResult:
    """Fetch up to `limit` waiting messages of one mailbox; errors are recorded on the
    mailbox (the admin shows them), never raised: the next poll simply tries again."""
    result = PollResult()
    if not mailbox_poll_claim(mailbox=mailbox):
        result.error = "another worker is polling this mailbox"
        return result
    client: imaplib.IMAP4 | None = None
    try:
        client = _connect(mailbox)
        _poll(client, mailbox, limit, result)
    except Exception as error:  # a dropped connection, a refused login, a full disk
        result.error = f"{type(error).__name__}: {error}"
        logger.warning("polling mailbox %s failed: %s", mailbox, result.error)
    finally:
        if client is not None:
            _logout(client)
        mailbox_poll_finish(mailbox=mailbox, error=result.error)
    return result


def _password(mailbox: MailBox) -> str:
    if mailbox.password_file:
        return Path(mailbox.password_file).read_text(encoding="utf-8").strip()
    return mailbox.password


def _connect(mailbox: MailBox) -> imaplib.IMAP4:
    client: imaplib.IMAP4
    if mailbox.use_tls:
        context = ssl.create_default_context()
        client = imaplib.IMAP4_SSL(mailbox.host, mailbox.port, ssl_context=context, timeout=TIMEOUT)
    else:
        client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT)
    client.login(mailbox.username, _password(mailbox))
    return client


def _logout(client: imaplib.IMAP4) -> None:
    # The connection may be gone already; then there is nothing left to close.
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        client.logout()


def _capabilities(client: imaplib.IMAP4) -> set[str]:
    """What the server offers once logged in (the greeting's list may say less)."""
    data = _ok(client.capability(), "asking for the capabilities")
    first = data[0] if data else b""
    return (
        set(first.decode(errors="replace").upper().split()) if isinstance(first, bytes) else set()
    )


def _quote(name: str) -> str:
    """A folder name as an IMAP string (imaplib sends arguments as they are)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ok(answer: tuple[str, Sequence[object]], what: str) -> Sequence[object]:
    status, data = answer
    if status != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
        raise ImapError(f"{what}: {status} {detail}".strip())
    return data


def _poll(client: imaplib.IMAP4, mailbox: MailBox, limit: int, result: PollResult) -> None:
    _ok(client.select(_quote(mailbox.folder)), f"opening folder {mailbox.folder!r}")
    move = mailbox.after_store == MailBox.AfterStore.MOVE
    can_move = False
    if move:
        client.create(_quote(mailbox.move_to))  # "already exists" is fine
        can_move = "MOVE" in _capabilities(client)
        criteria = f"UNDELETED UNKEYWORD {STORED_KEYWORD}"
    else:
        criteria = "UNSEEN UNDELETED"
    data = _ok(client.uid("SEARCH", criteria), "searching for new messages")
    first = data[0] if data else b""
    uids = first.decode().split() if isinstance(first, bytes) else []
    pending: list[_Fetched] = []
    try:
        for uid in uids[:limit]:
            fetched = _ok(client.uid("FETCH", uid, "(INTERNALDATE BODY.PEEK[])"), "fetching")
            raw, arrived = _message(fetched)
            if raw is None:
                continue  # expunged by someone else since the search
            result.fetched += 1
            pending.append(_Fetched(uid, raw, arrived))
            if len(pending) >= BATCH or sum(len(f.raw) for f in pending) >= BATCH_BYTES:
                batch, pending = pending, []
                _store(mailbox, batch, result)
                _release(client, mailbox, [f.uid for f in batch], can_move=can_move)
    except Exception:
        # The connection dropped (or the server refused) in the middle of a batch: what came
        # whole is stored all the same; it stays in the folder until the next poll.
        _store(mailbox, pending, result)
        raise
    _store(mailbox, pending, result)
    _release(client, mailbox, [f.uid for f in pending], can_move=can_move)


@dataclass(frozen=True)
class _Fetched:
    uid: str
    raw: bytes
    arrived: dt.datetime | None


def _store(mailbox: MailBox, batch: list[_Fetched], result: PollResult) -> None:
    stored = inbound_store_many(
        messages=[(f.raw, f.arrived) for f in batch],
        source=InboundMail.Source.IMAP,
        mailbox=mailbox,
    )
    for _, created in stored:
        if created:
            result.stored += 1
        else:
            result.duplicates += 1


def _release(client: imaplib.IMAP4, mailbox: MailBox, uids: list[str], *, can_move: bool) -> None:
    """Stored and committed: only now may the messages leave the folder (or count as read)."""
    if not uids:
        return
    uid_set = ",".join(uids)
    if mailbox.after_store != MailBox.AfterStore.MOVE:
        _ok(client.uid("STORE", uid_set, "+FLAGS.SILENT", r"(\Seen)"), "marking read")
    elif can_move:
        _ok(client.uid("MOVE", uid_set, _quote(mailbox.move_to)), "moving")
    else:
        _ok(client.uid("COPY", uid_set, _quote(mailbox.move_to)), "copying")
        flags = rf"(\Seen {STORED_KEYWORD})"
        _ok(client.uid("STORE", uid_set, "+FLAGS.SILENT", flags), "marking copied")


def _message(data: Sequence[object]) -> tuple[bytes | None, dt.datetime | None]:
    """The bytes and the arrival time in a FETCH answer."""
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and b"BODY[]" in item[0]:
            arrived = None
            moment = imaplib.Internaldate2tuple(item[0])
            if moment is not None:
                arrived = dt.datetime.fromtimestamp(time.mktime(moment), tz=dt.UTC)
            return bytes(item[1]), arrived
    return None, None
