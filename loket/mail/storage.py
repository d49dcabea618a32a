"""Content-addressed files through Django's storage API: raw mail and attachments.

A file is named by the SHA-256 of its bytes, so storing the same bytes twice is a no-op and
two messages with the same attachment share one file. Storing is safe to repeat after a crash
(charter rule 1): a file left half-written by a killed process has the right name but the
wrong bytes, so an existing file is checked against its hash and written again if it fails.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


class StorageMismatch(OSError):
    """The storage holds other bytes under a content address than the address says."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _intact(name: str, sha256: str) -> bool:
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as stored:
        for chunk in iter(lambda: stored.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest() == sha256


def put(name: str, data: bytes, sha256: str) -> None:
    """Make `name` hold exactly `data` (whose hash is `sha256`); returns once it does."""
    if default_storage.exists(name):
        if _intact(name, sha256):
            return
        default_storage.delete(name)  # torn by a process killed while writing it
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:
        # Another process stored the same bytes at the same moment; the storage gave this
        # copy another name. One copy is enough, if it is whole.
        default_storage.delete(saved)
        if not _intact(name, sha256):
            raise StorageMismatch(f"{name} does not hold the bytes its name promises")


def read(name: str) -> bytes:
    with default_storage.open(name, "rb") as stored:
        return bytes(stored.read())
