"""Staff pages of inbound mail: its HTML (sanitised, `cid:` images from its attachments), its
files, and its raw bytes. Only for staff who may see the mail's case; the raw bytes of mail
that became no case (quarantined, ignored) only for administrators."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from loket.accounts.roles import Role, has_role
from loket.cases.access import visible_cases
from loket.desk.access import DeskRequest, staff_required

from .models import InboundAttachment, InboundMail
from .selectors import message_attachments
from .selectors import message_html as html_of

# Images a browser shows without running anything (never SVG: it may carry scripts).
_SHOWN_INLINE = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"}


def _staff[**P, R](view: Callable[P, R]) -> Callable[P, R]:
    """The desk's rule (`staff_required`: logged in, holding a staff role) for file views."""
    return cast("Callable[P, R]", staff_required(cast("Callable[..., HttpResponse]", view)))


def _check(request: DeskRequest, inbound: InboundMail) -> None:
    """404 unless the user may see the mail's case; mail without a case: administrators."""
    if inbound.case_id is None:
        if not has_role(request.user, Role.ADMINISTRATOR):
            raise Http404
        return
    if not visible_cases(request.user).filter(pk=inbound.case_id).exists():
        raise Http404


def _file(name: str, *, filename: str, content_type: str, download: bool) -> FileResponse:
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return FileResponse(
        handle, as_attachment=download, filename=filename, content_type=content_type
    )


@staff_required
def message_html(request: DeskRequest, message_pk: int) -> HttpResponse:
    """The mail as its sender wrote it in HTML; htmx gets the fragment for the case page."""
    inbound = get_object_or_404(
        InboundMail.objects.select_related("case_message", "case"), case_message_id=message_pk
    )
    _check(request, inbound)
    attachments = message_attachments(inbound.case_message) if inbound.case_message else []
    context = {
        "inbound": inbound,
        "message": inbound.case_message,
        "html": html_of(inbound, attachments),
        "attachments": [a for a in attachments if not (a.inline and a.content_id)],
    }
    template = "mail/desk/message.html"
    return render(request, f"{template}#mail" if request.htmx else template, context)


@_staff
def attachment(request: DeskRequest, pk: int) -> FileResponse:
    """A file of an inbound mail, always as a download: a file from outside must not run in
    the desk's origin."""
    found = get_object_or_404(InboundAttachment.objects.select_related("inbound"), pk=pk)
    _check(request, found.inbound)
    content_type = found.content_type or "application/octet-stream"
    return _file(found.storage_name, filename=found.filename, content_type=content_type,
                 download=True)  # fmt: skip


@_staff
def inline(request: DeskRequest, inbound_pk: int, content_id: str) -> FileResponse:
    """An image the mail's HTML shows by `cid:`; anything but a plain image is downloaded."""
    inbound = get_object_or_404(InboundMail, pk=inbound_pk)
    _check(request, inbound)
    wanted = content_id.strip().strip("<>").lower()
    found = next(
        (a for a in inbound.attachments.all() if a.content_id.strip("<>").lower() == wanted), None
    )
    if found is None:
        raise Http404
    shown = found.content_type.lower() in _SHOWN_INLINE
    return _file(found.storage_name, filename=found.filename,
                 content_type=found.content_type if shown else "application/octet-stream",
                 download=not shown)  # fmt: skip


@_staff
def raw(request: DeskRequest, pk: int) -> FileResponse:
    """The message exactly as it arrived (charter rule 1), as an .eml file."""
    inbound = get_object_or_404(InboundMail, pk=pk)
    _check(request, inbound)
    return _file(inbound.raw_name, filename=f"incoming-{inbound.pk}.eml",
                 content_type="message/rfc822", download=True)  # fmt: skip
