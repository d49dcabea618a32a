"""What arrived and could not become a case: e-mails in quarantine and portal forms that
could not be registered. Nothing is dropped (charter rule 1); administrators read why, fix the
cause, and process them again here."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from loket.mail.models import InboundMail
from loket.mail.selectors import quarantine
from loket.mail.services import inbound_reprocess
from loket.portal.models import Submission
from loket.portal.registration import portal_submission_retry
from loket.portal.selectors import failed_submissions

from ..access import DeskRequest, may_handle_quarantine, staff_required
from .common import render_page

PER_PAGE = 25


def _require(request: DeskRequest) -> None:
    if not may_handle_quarantine(request.user):
        raise PermissionDenied


def _refused_or[T](request: DeskRequest, again: Callable[[], T]) -> T | None:
    """What the service did, or None when it refused (no longer in quarantine: another tab,
    a double click), its reason then said on the page."""
    try:
        return again()
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return None


@staff_required
@require_GET
def quarantine_page(request: DeskRequest) -> HttpResponse:
    """Both lists, newest first, each with its own pages (`mail` and `forms` in the query)."""
    _require(request)
    mails = Paginator(quarantine(), PER_PAGE).get_page(request.GET.get("mail"))
    forms = Paginator(failed_submissions(), PER_PAGE).get_page(request.GET.get("forms"))
    return render_page(request, "desk/quarantine.html", {"mails": mails, "forms": forms})


@staff_required
@require_POST
def mail_again(request: DeskRequest, pk: int) -> HttpResponse:
    """Process a quarantined e-mail again; it becomes a case, or stays with its new error."""
    _require(request)
    inbound = get_object_or_404(InboundMail, pk=pk)
    done = _refused_or(request, lambda: inbound_reprocess(actor=request.user, inbound=inbound))
    if done is not None:
        _tell_mail(request, done)
    return redirect("desk:quarantine")


def _tell_mail(request: DeskRequest, done: InboundMail) -> None:
    if done.state == InboundMail.State.QUARANTINED:
        messages.warning(request, _("The e-mail is still in quarantine: see its error."))
    elif done.case is not None:
        processed = _("The e-mail is processed: case %(reference)s.")
        messages.success(request, processed % {"reference": done.case.reference})
    else:  # no case of its own: a duplicate, loket's own mail come back, an auto-reply…
        outcome = done.reason or done.get_outcome_display() or done.get_state_display()
        messages.success(request, _("The e-mail is processed: %(outcome)s.") % {"outcome": outcome})


@staff_required
@require_POST
def form_again(request: DeskRequest, pk: int) -> HttpResponse:
    """Register a portal form again, with the number the client was given."""
    _require(request)
    submission = get_object_or_404(Submission, pk=pk)
    done = _refused_or(
        request, lambda: portal_submission_retry(actor=request.user, submission=submission)
    )
    if done is not None and done.state == Submission.State.REGISTERED:
        registered = _("The form is registered: case %(reference)s.")
        messages.success(request, registered % {"reference": done.reference})
    elif done is not None:
        messages.warning(request, _("The form still could not be registered: see its error."))
    return redirect("desk:quarantine")
