"""/api/v1/clients: find a client by e-mail, phone or name, register one, read one and their
history (charter rule 8: whoever takes a question sees what the client asked before)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from loket.cases.access import Action, visible_cases
from loket.cases.models import Case, Client
from loket.cases.selectors import client_history
from loket.cases.services import client_create

from .auth import staff
from .errors import TOKEN_ERRORS, bad_input, error_responses, not_found
from .output import CASE_RELATED, case_fields, client_out, timeline_out
from .schemas import (
    CaseHistoryOut,
    ClientHistoryOut,
    ClientIn,
    ClientOut,
    Email,
    Line200,
    Phone,
    RowId,
)

router = Router(tags=["clients"])


class ClientSearch(Schema):
    email: Email | None = Field(None, description="Exactly this address (any case).")
    phone: Phone | None = Field(None, description="The number in any notation; matched as E.164.")
    name: Line200 | None = Field(None, description="Part of the name or the organisation.")
    limit: int = Field(20, ge=1, le=100)


def _with_contacts(clients: QuerySet[Client]) -> QuerySet[Client]:
    return clients.prefetch_related("emails", "phones")


@router.get("", response={200: list[ClientOut], **error_responses(*TOKEN_ERRORS)})
def search_clients(request: HttpRequest, search: Query[ClientSearch]) -> list[ClientOut]:
    """Clients with this e-mail address, phone number and/or name (all given must match)."""
    staff(request, Action.VIEW)
    name = (search.name or "").strip()
    if not (search.email or search.phone or name):
        raise bad_input("name", _("Search by e-mail, phone or name."))
    clients = Client.objects.all()
    if search.email:
        clients = clients.filter(emails__address=search.email)
    if search.phone:
        clients = clients.filter(phones__number=search.phone)
    if name:
        clients = clients.filter(Q(name__icontains=name) | Q(organisation__icontains=name))
    found = _with_contacts(clients.distinct().order_by("name", "pk"))[: search.limit]
    return [client_out(c) for c in found]


@router.post("", response={201: ClientOut, **error_responses(*TOKEN_ERRORS)})
def create_client(request: HttpRequest, payload: ClientIn) -> Status[ClientOut]:
    """Register a client with their e-mail addresses and phone numbers."""
    user = staff(request, Action.REGISTER)
    client = client_create(actor=user, **payload.model_dump())
    return Status(201, client_out(_with_contacts(Client.objects.filter(pk=client.pk)).get()))


def _client(client_id: int) -> Client:
    client = _with_contacts(Client.objects.filter(pk=client_id)).first()
    if client is None:
        raise not_found(_("There is no client with this id."))
    return client


@router.get("/{client_id}", response={200: ClientOut, **error_responses(*TOKEN_ERRORS)})
def get_client(request: HttpRequest, client_id: RowId) -> ClientOut:
    staff(request, Action.VIEW)
    return client_out(_client(client_id))


@router.get(
    "/{client_id}/history", response={200: ClientHistoryOut, **error_responses(*TOKEN_ERRORS)}
)
def get_client_history(request: HttpRequest, client_id: RowId) -> ClientHistoryOut:
    """The client's cases that you may see, newest first, each with its timeline, in a
    constant number of queries (charter rule 8)."""
    user = staff(request, Action.VIEW)
    client = _client(client_id)
    visible = {
        c.pk: c
        for c in visible_cases(user, Case.objects.filter(client=client)).select_related(
            *CASE_RELATED
        )
    }
    history = client_history(client)
    return ClientHistoryOut(
        client=client_out(client),
        cases=[
            CaseHistoryOut(
                **case_fields(visible[h.case.pk]),  # type: ignore[arg-type]
                timeline=timeline_out(h.timeline),
            )
            for h in history.cases
            if h.case.pk in visible
        ],
    )
