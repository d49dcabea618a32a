"""Which files may be attached: the type comes from the contents, and must match the name."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from loket.portal.uploads import (
    DOC,
    DOCX,
    JPEG,
    MAX_FILE_SIZE,
    ODT,
    PDF,
    PNG,
    FileKind,
    check_upload,
    detect_kind,
)

from .conftest import DOC_BYTES, DOCX_BYTES, JPEG_BYTES, ODT_BYTES, PDF_BYTES, PNG_BYTES, zipped


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("brief.pdf", PDF_BYTES, PDF),
        ("Scan.JPG", JPEG_BYTES, JPEG),
        ("foto.jpeg", JPEG_BYTES, JPEG),
        ("scherm.png", PNG_BYTES, PNG),
        ("oud.doc", DOC_BYTES, DOC),
        ("nieuw.docx", DOCX_BYTES, DOCX),
        ("open.odt", ODT_BYTES, ODT),
    ],
)
def test_each_accepted_kind_is_recognised_by_its_contents(
    name: str, content: bytes, kind: FileKind
) -> None:
    stream = io.BytesIO(content)
    assert check_upload(name, len(content), stream) == kind
    assert stream.tell() == 0  # the file can be stored from its start afterwards


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.exe", b"MZ\x90\x00" + b"\x00" * 60),
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 60),  # a program named like a PDF
        ("foto.pdf", PNG_BYTES),  # a real image, but its name says PDF
        ("brief.png", PDF_BYTES),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("archief.docx", zipped({"readme.txt": b"not a document"})),
        ("rekenblad.odt", zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})),
        ("kapot.docx", b"PK\x03\x04 this is no zip at all"),
        ("zonder-extensie", PDF_BYTES),
    ],
)
def test_other_files_and_disguised_ones_are_refused_naming_the_file(
    name: str, content: bytes
) -> None:
    with pytest.raises(ValidationError) as refused:
        check_upload(name, len(content), io.BytesIO(content))
    assert refused.value.code == "file_type"
    assert name in refused.value.messages[0]


def test_a_file_over_10_mb_is_refused_before_it_is_read() -> None:
    with pytest.raises(ValidationError) as refused:
        check_upload("groot.pdf", MAX_FILE_SIZE + 1, io.BytesIO(PDF_BYTES))
    assert refused.value.code == "file_too_large"
    assert refused.value.messages == ["groot.pdf is larger than 10 MB."]
    assert check_upload("net.pdf", MAX_FILE_SIZE, io.BytesIO(PDF_BYTES)) == PDF


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        check_upload("leeg.pdf", 0, io.BytesIO(b""))
    assert refused.value.code == "file_empty"


def test_detection_alone_ignores_the_name() -> None:
    assert detect_kind(io.BytesIO(PNG_BYTES)) == PNG
    assert detect_kind(io.BytesIO(b"")) is None
