"""Registering a question taken in at the desk: by phone (with the caller's history on screen),
by post or fax (with the scan and the date received), at the counter or from social media."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from loket.cases.access import Action
from loket.cases.models import Client

from ..access import DeskRequest, require, staff_required
from ..forms import RegisterForm
from ..selectors import Candidate, client_candidates, client_other_cases
from ..services import NewClient, desk_case_register
from .common import render_page


def _chosen(request: DeskRequest, form: RegisterForm) -> Candidate | None:
    """The client picked in the form (or in the link that opened it), with their history."""
    value = form.data.get("client") if form.is_bound else request.GET.get("client")
    if not value or not str(value).isdigit():
        return None
    client = Client.objects.prefetch_related("emails", "phones").filter(pk=int(value)).first()
    if client is None:
        return None
    return Candidate(client, client_other_cases(request.user, client, exclude=None)[:5])


@staff_required
@require_http_methods(["GET", "POST"])
def register(request: DeskRequest) -> HttpResponse:
    """The registration form. "Find" looks the caller up without registering anything, so
    it works without JavaScript too; htmx does the same as one types."""
    require(request, Action.REGISTER)
    if request.method == "GET":
        form = RegisterForm(initial={"client": request.GET.get("client")})
        return _page(request, form, find=request.GET.get("find", ""))
    form = RegisterForm(request.POST, request.FILES)
    if "find" in request.POST.get("action", ""):
        return _page(request, form, find=request.POST.get("find", ""))
    if form.is_valid():
        data = form.cleaned_data
        new_client = None
        if not data["client"]:
            new_client = NewClient(
                name=data["new_name"],
                language=data["new_language"] or "nl",
                email=data["new_email"],
                phone=data["new_phone"],
                kind=Client.Kind.ORGANISATION if data["new_organisation"] else Client.Kind.PERSON,
                organisation=data["new_organisation"],
            )
        try:
            case = desk_case_register(
                actor=request.user,
                channel=data["channel"],
                subject=data["subject"],
                body=data["body"],
                client=data["client"],
                new_client=new_client,
                topic=data["topic"],
                kind=data["kind"],
                received_at=data["received_at"],
                take=data["take"],
                scan=data["scan"],
                answer=data["answer"],
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(
                request,
                _("Registered as %(reference)s. Give the client this number.")
                % {"reference": case.reference},
            )
            return redirect("desk:case", reference=case.reference)
    return _page(request, form, find=request.POST.get("find", ""), status=422)


def _page(
    request: DeskRequest, form: RegisterForm, *, find: str, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "find": find,
        "candidates": client_candidates(request.user, find) if find else [],
        "chosen": _chosen(request, form),
    }
    return render_page(request, "desk/register.html", context, status=status)


@staff_required
@require_GET
def client_lookup(request: DeskRequest) -> HttpResponse:
    """The clients that match what was typed, each with their latest cases (htmx fragment;
    without JavaScript the registration form's "Find" button does the same)."""
    require(request, Action.REGISTER)
    find = request.GET.get("find", "")
    if not request.htmx:
        return redirect(f"{reverse('desk:register')}?{urlencode({'find': find})}")
    context = {"find": find, "candidates": client_candidates(request.user, find)}
    return render_page(request, "desk/register.html", context, partial="candidates")
