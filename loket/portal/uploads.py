"""Which files a client may attach to a question: the type is read from the file's first
bytes (and, for zip-based documents, from its contents), never taken from the name or the
browser's word alone. Pure functions over a file object; no database."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_FILES = 5


@dataclass(frozen=True)
class FileKind:
    code: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("pdf", "application/pdf", (".pdf",))
JPEG = FileKind("jpeg", "image/jpeg", (".jpg", ".jpeg"))
PNG = FileKind("png", "image/png", (".png",))
DOC = FileKind("doc", "application/msword", (".doc",))
DOCX = FileKind(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
ODT = FileKind("odt", "application/vnd.oasis.opendocument.text", (".odt",))
KINDS = (PDF, JPEG, PNG, DOC, DOCX, ODT)
ACCEPT = ",".join(extension for kind in KINDS for extension in kind.extensions)

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 (and other Office binaries)
_ZIP = b"PK\x03\x04"


def _zip_kind(stream: IO[bytes]) -> FileKind | None:
    """docx or odt, from the zip's table of contents (nothing is extracted but odt's short
    `mimetype` entry, so a zip bomb costs nothing)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if (
                "mimetype" in names
                and archive.getinfo("mimetype").file_size < 100
                and archive.read("mimetype").strip() == ODT.content_type.encode()
            ):
                return ODT
            if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
                return DOCX
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    return None


def detect_kind(stream: IO[bytes]) -> FileKind | None:
    """The kind of file from its contents, or None when it is none of the accepted kinds."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(_OLE2):
            return DOC
        if head.startswith(_ZIP):
            return _zip_kind(stream)
        return None
    finally:
        stream.seek(0)


def check_upload(name: str, size: int, stream: IO[bytes]) -> FileKind:
    """The file's kind if it may be attached; else a ValidationError that names the file."""
    if size > MAX_FILE_SIZE:
        raise ValidationError(
            _("%(name)s is larger than 10 MB.") % {"name": name}, code="file_too_large"
        )
    if size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="file_empty")
    kind = detect_kind(stream)
    extension = PurePath(name).suffix.lower()
    if kind is None or extension not in kind.extensions:
        raise ValidationError(
            _(
                "%(name)s cannot be attached: send a PDF, JPEG, PNG, Word (doc, docx) or "
                "OpenDocument text (odt) file whose name ends in its type."
            )
            % {"name": name},
            code="file_type",
        )
    return kind
