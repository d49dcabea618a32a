"""The desk's home: the queues with their counts, one queue's page, filters, and the saved
default queue."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ..access import DeskRequest, may_handle_quarantine, staff_required
from ..forms import QueueForm
from ..models import QueueDefault
from ..queues import QUEUE_LABELS, Moments, Queue, QueueFilters, queue_counts, queue_page
from ..selectors import notifications, quarantine_counts
from ..services import queue_default_save
from .common import render_page

QUEUE_PARAMETERS = ("queue", "channel", "topic", "status", "language", "kind", "sort")


def _default_query(request: DeskRequest) -> QueryDict | None:
    """The saved default queue as query parameters, when the page is opened bare."""
    default = QueueDefault.objects.filter(user=request.user).first()
    if default is None:
        return None
    query = QueryDict(mutable=True)
    query.update({"queue": default.queue, **{k: str(v) for k, v in default.filters.items()}})
    return query


@staff_required
@require_GET
def home(request: DeskRequest) -> HttpResponse:
    """The queues, their counts, and a page of the chosen one (by default the saved one, else
    the user's own cases), sorted by due date."""
    query: QueryDict = request.GET
    if not any(name in query for name in QUEUE_PARAMETERS):
        query = _default_query(request) or query
    form = QueueForm(query)
    valid = form.is_valid()
    queue, filters = form.queue_and_filters() if valid else (None, QueueFilters())
    queue = queue or Queue.MINE
    moments = Moments.at()
    counts = queue_counts(request.user, moments)
    page = queue_page(
        request.user,
        queue,
        filters,
        moments,
        number=form.cleaned_data.get("page") or 1,
        total=counts[queue],
    )
    parameters = {"queue": queue.value, **filters.as_dict()}
    context = {
        "form": form,
        "filter_fields": form.select_fields(),
        "queues": [(q, QUEUE_LABELS[q], counts[q]) for q in Queue],
        "queue": queue,
        "queue_label": QUEUE_LABELS[queue],
        "page": page,
        "parameters": parameters,
        "query": urlencode(parameters),
        "alerts": notifications(request.user, unread_only=True)[:5],
        # Read by the full page only (the template calls it), not by htmx's queue switches.
        "quarantined": quarantine_counts if may_handle_quarantine(request.user) else None,
    }
    return render_page(
        request, "desk/home.html", context, partial="queue-area", status=200 if valid else 400
    )


@staff_required
@require_POST
def default_save(request: DeskRequest) -> HttpResponse:
    """Remember the queue and filters on screen as what the desk opens with."""
    form = QueueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("These filters cannot be saved; check them."))
        return redirect("desk:home")
    queue, filters = form.queue_and_filters()
    queue = queue or Queue.MINE
    queue_default_save(actor=request.user, queue=queue.value, filters=filters.as_dict())
    messages.success(request, _("The desk now opens with this queue."))
    query = urlencode({"queue": queue.value, **filters.as_dict()})
    return redirect(f"{reverse('desk:home')}?{query}")
