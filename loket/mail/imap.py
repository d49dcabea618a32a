"""Polling the service's mailboxes over IMAP (charter rule 1: nothing that arrives is lost).

For each message waiting in the folder, by UID: fetch its bytes without marking it read
(``BODY.PEEK[]``), store them (``inbound_store``, committed), and only then move it to the
mailbox's folder or mark it read. A message is never deleted. A connection that drops at any
point costs nothing: what was stored stays stored, what was not is still in the folder, and a
message stored but not yet moved is recognised as a duplicate at the next poll, then moved.
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
from .services import inbound_store, mailbox_poll_claim, mailbox_poll_finish

logger = logging.getLogger("loket.mail")
TIMEOUT = 60.0
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
    for uid in uids[:limit]:
        fetched = _ok(client.uid("FETCH", uid, "(INTERNALDATE BODY.PEEK[])"), "fetching")
        raw, arrived = _message(fetched)
        if raw is None:
            continue  # expunged by someone else since the search
        result.fetched += 1
        _, created = inbound_store(
            raw=raw, source=InboundMail.Source.IMAP, mailbox=mailbox, received_at=arrived
        )
        if created:
            result.stored += 1
        else:
            result.duplicates += 1
        # Stored and committed: only now may the message leave the folder.
        if not move:
            _ok(client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)"), "marking read")
        elif can_move:
            _ok(client.uid("MOVE", uid, _quote(mailbox.move_to)), "moving")
        else:
            _ok(client.uid("COPY", uid, _quote(mailbox.move_to)), "copying")
            flags = rf"(\Seen {STORED_KEYWORD})"
            _ok(client.uid("STORE", uid, "+FLAGS.SILENT", flags), "marking copied")


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
