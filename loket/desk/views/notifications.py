"""The reminders and "reactie" notices the deadline watch leaves for each staff member
(charter rule 6), and marking them read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from loket.accounts.services import notifications_mark_read

from ..access import DeskRequest, staff_required
from ..forms import NotificationsReadForm
from ..selectors import notifications
from .common import render_page


@staff_required
@require_GET
def notification_list(request: DeskRequest) -> HttpResponse:
    return _list(request)


def _list(request: DeskRequest) -> HttpResponse:
    paginator = Paginator(notifications(request.user), 50)
    page = paginator.get_page(request.GET.get("page"))
    return render_page(request, "desk/notifications.html", {"page": page}, partial="notifications")


@staff_required
@require_POST
def notifications_read(request: DeskRequest) -> HttpResponse:
    """Mark one notice read (`notification`), or all of them."""
    form = NotificationsReadForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    one = form.cleaned_data.get("notification")
    notifications_mark_read(user=request.user, ids=[one] if one else None)
    if request.htmx:
        return _list(request)
    return redirect("desk:notifications")
