"""The desk shell: the home page with the user's queues and their counts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from loket.accounts.roles import roles_of
from loket.cases.selectors import queue_counts

from .access import staff_required

QUEUES = (
    ("mine", _("My cases")),
    ("team", _("My team's cases")),
    ("unassigned", _("Unassigned")),
    ("due_today", _("Due today")),
    ("overdue", _("Overdue")),
    ("forwarded", _("Forwarded to the back office")),
    ("answered_recently", _("Answered in the last 7 days")),
)


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    counts = queue_counts(request.user)  # type: ignore[arg-type]
    queues = [(key, label, getattr(counts, key)) for key, label in QUEUES]
    template = "desk/home.html#queues" if request.headers.get("HX-Request") else "desk/home.html"
    return render(
        request,
        template,
        {"queues": queues, "roles": sorted(r.label for r in roles_of(request.user))},
    )
