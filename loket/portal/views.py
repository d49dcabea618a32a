"""The public portal's pages. Public: no login, and every page works without JavaScript.
Forms are sent with POST and answered with a redirect (no second case on reload)."""

from __future__ import annotations

import logging

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.middleware import HtmxDetails

from . import ratelimit
from .forms import ComplaintForm, ContactForm, FollowForm, QuestionForm
from .models import Submission
from .selectors import case_status_lookup, phone_hours, reference_identity, service_contact
from .services import portal_complaint_submit, portal_question_submit

logger = logging.getLogger("loket.portal")
CONFIRMATION_SALT = "loket.portal.sent"
# Long enough to print or note the number; the acknowledgement mail keeps it for good.
CONFIRMATION_MAX_AGE = 24 * 3600


class PortalRequest(HttpRequest):
    htmx: HtmxDetails


@require_safe
def root(request: HttpRequest) -> HttpResponse:
    """``/``: the portal's home in the visitor's language (cookie, then Accept-Language)."""
    with translation.override(translation.get_language_from_request(request)):
        response = redirect(reverse("portal:home"))
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@require_safe
def home(request: PortalRequest) -> HttpResponse:
    """How to reach the service, and whether the phone line is open right now (charter
    rule 9). With htmx the open/closed notice refreshes itself while the page stays open."""
    template = "portal/home.html#phone-status" if request.htmx else "portal/home.html"
    return render(request, template, {"hours": phone_hours(), "contact": service_contact()})


def _limited(request: HttpRequest, form: str, email: str) -> bool:
    """Counts this sending against the visitor's address and the e-mail address."""
    by_address = ratelimit.hit(f"{form}-ip", ratelimit.client_ip(request))
    by_email = ratelimit.hit(f"{form}-email", email.strip().lower())
    return not (by_address and by_email)


def _refuse(form: ContactForm, message: str) -> None:
    form.add_error(None, ValidationError(message, code="rate-limit"))


def _sent_url(submission: Submission) -> str:
    return reverse("portal:sent", args=[signing.dumps(submission.pk, salt=CONFIRMATION_SALT)])


def _status(form: ContactForm) -> int:
    if form.caught_in_honeypot:
        logger.info("portal form refused: the honeypot field was filled in")
    return 400


@require_http_methods(["GET", "HEAD", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    """Ask a question: name, e-mail, phone, topic, question, files (charter rules 1, 2)."""
    if request.method != "POST":
        return render(request, "portal/ask.html", {"form": QuestionForm()})
    form = QuestionForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "portal/ask.html", {"form": form}, status=_status(form))
    data = form.cleaned_data
    if _limited(request, "ask", data["email"]):
        _refuse(form, _("You sent many questions in a short time. Please try again in an hour."))
        return render(request, "portal/ask.html", {"form": form}, status=429)
    try:
        submission = portal_question_submit(
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            topic=data["topic"],
            question=data["question"],
            attachments=data["attachments"],
            language=translation.get_language(),
            visit=data["visit"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return render(request, "portal/ask.html", {"form": form}, status=400)
    return redirect(_sent_url(submission))


@require_http_methods(["GET", "HEAD", "POST"])
def complain(request: HttpRequest) -> HttpResponse:
    """File a complaint, optionally about an earlier question (charter rule 11)."""
    if request.method != "POST":
        return render(request, "portal/complain.html", {"form": ComplaintForm()})
    form = ComplaintForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/complain.html", {"form": form}, status=_status(form))
    data = form.cleaned_data
    if _limited(request, "complain", data["email"]):
        _refuse(form, _("You sent many complaints in a short time. Please try again in an hour."))
        return render(request, "portal/complain.html", {"form": form}, status=429)
    try:
        submission = portal_complaint_submit(
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            complaint=data["complaint"],
            earlier_reference=data["earlier_reference"],
            language=translation.get_language(),
        )
    except ValidationError as error:
        form.add_error(None, error)
        return render(request, "portal/complain.html", {"form": form}, status=400)
    return redirect(_sent_url(submission))


@require_safe
def sent(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation: the registration number and the term (charter rules 2 and 4), fixed
    when the form was kept, whether or not the worker has registered the case yet. Only the
    sender has the signed link, so nobody learns a number by trying links."""
    try:
        pk = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
        submission = Submission.objects.only("form", "reference", "submitted_at", "due_at").get(
            pk=pk
        )
    except (signing.BadSignature, Submission.DoesNotExist):
        return render(request, "portal/sent.html", {"sent": None}, status=404)
    return render(request, "portal/sent.html", {"sent": submission})


@require_http_methods(["GET", "HEAD", "POST"])
def follow(request: PortalRequest) -> HttpResponse:
    """Follow a case with its number and the e-mail address (no login). Wrong, mistyped and
    other people's numbers get one and the same answer; attempts are rate-limited."""
    template = "portal/follow.html#lookup" if request.htmx else "portal/follow.html"
    if request.method != "POST":
        initial = {"reference": request.GET.get("reference", "")[:40]}
        return render(request, template, {"form": FollowForm(initial=initial)})
    form = FollowForm(request.POST)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    reference, email = form.cleaned_data["reference"], form.cleaned_data["email"]
    reference_key = reference_identity(reference)
    if not ratelimit.hit("follow-ip", ratelimit.client_ip(request)) or ratelimit.exceeded(
        "follow-reference", reference_key
    ):
        form.add_error(
            None,
            ValidationError(
                _("Too many attempts. Please wait a quarter of an hour and try again."),
                code="rate-limit",
            ),
        )
        return render(request, template, {"form": form}, status=429)
    result = case_status_lookup(reference=reference, email=email)
    if result is None:
        ratelimit.hit("follow-reference", reference_key)
    return render(request, template, {"form": form, "searched": True, "result": result})


@require_safe
def faq_coming(request: HttpRequest) -> HttpResponse:
    """Stands in for the FAQ until the knowledge base is installed (charter rule 10)."""
    return render(request, "portal/faq_coming.html", {"contact": service_contact()})
