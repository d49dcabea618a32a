"""Shared pieces of the portal's tests: an empty cache (rate limits and the cached office
calendar must not leak from one test into the next), topics, and small file makers."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from loket.cases.models import Topic

BRUSSELS = ZoneInfo("Europe/Brussels")


def at(text: str) -> dt.datetime:
    """A moment on the charter's clock: ``at("2026-03-02 10:00")``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=BRUSSELS)


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """Outside a request the active language is whatever an earlier test left: start each
    test in the test settings' language (pages still take theirs from the address)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def topics(db: None) -> dict[str, Topic]:
    return {
        "income": Topic.objects.create(
            code="integration-income",
            name_nl="Leefloon",
            name_fr="Revenu d'intégration",
            name_de="Eingliederungseinkommen",
            name_en="Integration income",
        ),
        "medical": Topic.objects.create(
            code="medical-aid",
            name_nl="Dringende medische hulp",
            name_fr="Aide médicale urgente",
            name_de="Dringende medizinische Hilfe",
            name_en="Urgent medical aid",
        ),
        "retired": Topic.objects.create(
            code="old-topic", name_nl="Oud onderwerp", name_fr="Ancien sujet", active=False
        ),
    }


PDF_BYTES = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32
DOC_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX_BYTES = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT_BYTES = zipped(
    {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"}
)


def upload(
    name: str, content: bytes, content_type: str = "application/octet-stream"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def _fresh_calendars() -> None:
    """The deadlines app keeps calendars per process; a rolled-back test's closure day must
    not stay in it for the next test."""
    try:
        from loket.deadlines.cache import invalidate
    except ImportError:  # a deadlines app without that cache
        return
    invalidate()
