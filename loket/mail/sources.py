"""Messages read from files for ``loket import-mail``: single messages (.eml), folders of
them, maildirs and mbox files. Every message is given as its bytes exactly as stored on disk
(the mbox ``From `` separator line aside), in a stable order, so a re-run reads the same
messages in the same order and recognises those it stored before."""

from __future__ import annotations

import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_SINGLE = {".eml", ".msg", ".txt", ".mail"}
_MBOX = {".mbox", ".mbx"}
# An mbox separator: "From sender weekday month day hh:mm[:ss] year".
_FROM_LINE = re.compile(rb"^From \S+ +\w{3} \w{3} +\d+ \d+:\d+(:\d+)? ", re.M)


@dataclass(frozen=True)
class Found:
    """One message: where it came from, and its bytes (None with `error` when unreadable)."""

    label: str
    raw: bytes | None
    error: str = ""


def read_paths(paths: list[Path]) -> Iterator[Found]:
    for path in paths:
        if path.is_dir():
            yield from _folder(path)
        else:
            yield from _file(path)


def _is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def _folder(path: Path) -> Iterator[Found]:
    if _is_maildir(path):
        yield from _maildir(path)
        return
    for child in sorted(path.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            yield from _folder(child)
        elif child.is_file():
            yield from _file(child)


def _maildir(path: Path) -> Iterator[Found]:
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.iterkeys()):
        try:
            yield Found(f"{path}:{key}", box.get_bytes(key))
        except (OSError, KeyError) as error:
            yield Found(f"{path}:{key}", None, f"{type(error).__name__}: {error}")
    for name in sorted(box.list_folders()):  # Maildir++ sub-folders (.Sent, .Archive…)
        yield from _maildir(path / f".{name}")


def _is_mbox(path: Path, head: bytes) -> bool:
    if path.suffix.lower() in _MBOX or path.name.lower() == "mbox":
        return True
    if path.suffix.lower() in _SINGLE:
        return False
    return head.startswith(b"From ") and len(_FROM_LINE.findall(head)) > 1


def _file(path: Path) -> Iterator[Found]:
    try:
        with path.open("rb") as opened:
            head = opened.read(1 << 20)
    except OSError as error:
        yield Found(str(path), None, f"{type(error).__name__}: {error}")
        return
    if not _is_mbox(path, head):
        try:
            yield Found(str(path), path.read_bytes())
        except OSError as error:
            yield Found(str(path), None, f"{type(error).__name__}: {error}")
        return
    box = mailbox.mbox(path, factory=None, create=False)
    for index, key in enumerate(box.iterkeys()):
        try:
            yield Found(f"{path}#{index + 1}", box.get_bytes(key))
        except (OSError, KeyError) as error:
            yield Found(f"{path}#{index + 1}", None, f"{type(error).__name__}: {error}")
