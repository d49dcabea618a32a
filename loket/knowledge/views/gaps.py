"""Finding gaps in the desk: FAQ candidates to accept or dismiss, signals with their counts,
flagging a case with one action, and the administrator's rules."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from loket.cases.access import Action
from loket.desk.access import DeskRequest, case_for, staff_required
from loket.desk.views.common import render_page

from ..access import can_configure, can_decide_candidates, can_flag
from ..forms import CandidateDecisionForm, CandidateFilterForm, PolicyForm, SignalForm
from ..models import FaqCandidate, Signal
from ..selectors import (
    decided_candidates,
    proposed_candidates,
    recent_signals,
    signal_counts,
    suggestion_figures,
)
from ..services import (
    case_signal,
    faq_candidate_accept,
    faq_candidate_dismiss,
    knowledge_policy,
    knowledge_policy_change,
)


@staff_required
def candidates(request: DeskRequest) -> HttpResponse:
    form = CandidateFilterForm(request.GET)
    return render_page(
        request,
        "knowledge/desk/candidates.html",
        {
            "form": form,
            "proposed": proposed_candidates(form.language_code()),
            "decided": decided_candidates(),
            "may_decide": can_decide_candidates(request.user),
            "decision_form": CandidateDecisionForm(),
            "suggestions": suggestion_figures(),
        },
        partial="proposed",
    )


@staff_required
@require_POST
def candidate_decide(request: DeskRequest, pk: int) -> HttpResponse:
    if not can_decide_candidates(request.user):
        raise PermissionDenied
    candidate = get_object_or_404(FaqCandidate, pk=pk)
    form = CandidateDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or to dismiss the candidate."))
        return redirect("knowledge_desk:candidates")
    try:
        if form.cleaned_data["decision"] == "accept":
            article = faq_candidate_accept(actor=request.user, candidate=candidate)
            messages.success(request, _("A draft article was made for the candidate."))
            return redirect("knowledge_desk:article", pk=article.pk)
        faq_candidate_dismiss(
            actor=request.user, candidate=candidate, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The candidate is dismissed."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("knowledge_desk:candidates")


@staff_required
def signals(request: DeskRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in Signal.Kind.values:
        kind = ""
    return render_page(
        request,
        "knowledge/desk/signals.html",
        {"counts": signal_counts(), "signals": recent_signals(kind), "kind": kind},
        partial="list",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def case_flag(request: DeskRequest, reference: str) -> HttpResponse:
    """Flag a case as an FAQ candidate or a problem signal (one form, one click)."""
    case = case_for(request, reference, Action.NOTE)
    if not can_flag(request.user, case):
        raise PermissionDenied
    form = SignalForm(request.POST or None)
    flagged = None
    if request.method == "POST" and form.is_valid():
        flagged = case_signal(
            actor=request.user,
            case=case,
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
        )
        if not request.htmx:
            messages.success(request, _("The case is flagged. Thank you."))
            return redirect("knowledge_desk:case-flag", reference=case.reference)
        form = SignalForm()
    status = 400 if form.errors else 200
    return render_page(
        request,
        "knowledge/desk/flag.html",
        {
            "case": case,
            "form": form,
            "flagged": flagged,
            "existing": list(case.signals.select_related("created_by")),
        },
        partial="flag",
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def policy(request: DeskRequest) -> HttpResponse:
    """The administrator's rules: second-person publishing, months between reviews."""
    if not can_configure(request.user):
        raise PermissionDenied
    current = knowledge_policy()
    form = PolicyForm(
        request.POST or None,
        initial={
            "second_person_publishing": current.second_person_publishing,
            "review_months": current.review_months,
        },
    )
    if request.method == "POST" and form.is_valid():
        knowledge_policy_change(
            actor=request.user,
            second_person_publishing=form.cleaned_data["second_person_publishing"],
            review_months=form.cleaned_data["review_months"],
        )
        messages.success(request, _("The rules are saved."))
        return redirect("knowledge_desk:policy")
    status = 400 if form.errors else 200
    return render_page(
        request, "knowledge/desk/policy.html", {"form": form, "policy": current}, status=status
    )
