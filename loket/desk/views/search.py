"""Search: a registration number goes straight to its case (a mistyped one says so);
other words find clients by name, e-mail or phone, and cases by their subject and messages.
And a client's page: contact details and every case they asked."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET

from loket.cases.models import Client
from loket.cases.search import search_cases

from ..access import DeskRequest, staff_required
from ..forms import SearchForm
from ..queues import cases_in_order
from ..selectors import client_candidates, reference_lookup
from .clients import render_client
from .common import render_page

CASES_PER_PAGE = 25


@staff_required
@require_GET
def search(request: DeskRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    if not form.is_valid():
        status = 400 if request.GET else 200
        return render_page(request, "desk/search.html", {"form": form}, status=status)
    text = form.cleaned_data["q"]
    number = form.cleaned_data.get("page") or 1
    lookup = reference_lookup(request.user, text)
    if lookup.case is not None:
        return redirect("desk:case", reference=lookup.case.reference)
    context: dict[str, object] = {"form": form, "text": text, "lookup": lookup}
    if not lookup.looks_like_reference:
        # The matching ids first, newest first; then only the page's rows with their client:
        # joining the client to every match costs more than the search.
        start = (number - 1) * CASES_PER_PAGE
        ids = search_cases(text, request.user).values_list("pk", flat=True)
        cases = cases_in_order(ids[start : start + CASES_PER_PAGE + 1])
        context |= {
            "clients": client_candidates(request.user, text) if number == 1 else [],
            "cases": cases[:CASES_PER_PAGE],
            "page": number,
            "has_next": len(cases) > CASES_PER_PAGE,
        }
    return render_page(request, "desk/search.html", context, partial="results")


@staff_required
@require_GET
def client_page(request: DeskRequest, pk: int) -> HttpResponse:
    """The client's contact details and every case of theirs the user may see, with their
    messages, newest first (charter rule 8)."""
    client = get_object_or_404(Client.objects.prefetch_related("emails", "phones"), pk=pk)
    return render_client(request, client)
