"""A client's page: their contact details, every case of theirs the user may see, and the
form that corrects the details. The page itself is reached from the search (search.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loket.cases.clients import client_update, may_change_clients
from loket.cases.models import Client

from ..access import DeskRequest, staff_required
from ..client_history import client_history
from ..forms import ClientChangeForm
from ..selectors import client_cases, messages_of
from .common import render_page

CASES_PER_PAGE = 20
FORM_PREFIX = "client"


def render_client(
    request: DeskRequest,
    client: Client,
    *,
    change_form: ClientChangeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The client's page (charter rule 8: their history, newest first). The form to change
    their details is folded behind a link until asked for (`?action=change`, which works
    without JavaScript) or when it comes back with errors."""
    may_change = may_change_clients(request.user)
    if change_form is None and may_change and request.GET.get("action") == "change":
        change_form = ClientChangeForm(
            prefix=FORM_PREFIX, initial=ClientChangeForm.initial_for(client)
        )
        # Asked for on purpose: the cursor goes straight to its first field.
        change_form.fields["name"].widget.attrs["autofocus"] = True
    paginator = Paginator(client_cases(request.user, client), CASES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    cases = list(page.object_list)
    found = messages_of(case.pk for case in cases)
    events, event_count = client_history(client)
    context = {
        "events": events,
        "event_count": event_count,
        "client": client,
        "page": page,
        "history": [(case, found[case.pk]) for case in cases],
        "may_change": may_change,
        "change_form": change_form,
    }
    return render_page(request, "desk/client.html", context, status=status)


@staff_required
@require_POST
def client_change(request: DeskRequest, pk: int) -> HttpResponse:
    """Correct the client's name, language, address, e-mail addresses and phone numbers."""
    client = get_object_or_404(Client.objects.prefetch_related("emails", "phones"), pk=pk)
    if not may_change_clients(request.user):
        raise PermissionDenied
    form = ClientChangeForm(request.POST, prefix=FORM_PREFIX)
    if form.is_valid():
        try:
            client_update(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal)  # keyed by field: each error goes to its field
        else:
            messages.success(request, _("The contact details are saved."))
            return redirect("desk:client", pk=client.pk)
    return render_client(request, client, change_form=form, status=422)
