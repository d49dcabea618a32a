"""/api/v1/cases: register, list, read with the timeline, answer, note, forward, send a delay
notice, close. Every change goes through the case and deadline services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from loket.accounts.models import Team, User
from loket.cases.access import Action, can, visible_cases
from loket.cases.models import Case, Client, Topic
from loket.cases.references import InvalidReference, parse_reference
from loket.cases.selectors import case_timeline
from loket.cases.services import (
    case_answer,
    case_close,
    case_forward,
    case_note_add,
    case_register,
    client_create,
)
from loket.deadlines.models import DelayNotice
from loket.deadlines.services import delay_notice_send

from .auth import case_for, staff, staff_member, team_named
from .errors import TOKEN_ERRORS, bad_input, error_responses, naming
from .output import CASE_RELATED, case_detail_out, case_out
from .pagination import Order, case_page
from .schemas import (
    CaseDetailOut,
    CaseIn,
    CaseKindCode,
    CasePageOut,
    ChannelCode,
    CloseIn,
    Code,
    DelayNoticeIn,
    ForwardIn,
    LanguageCode,
    Moment,
    NoteIn,
    ReplyIn,
    RowId,
    StatusCode,
)

router = Router(tags=["cases"])
CHANGE_ERRORS = error_responses(*TOKEN_ERRORS, 409)


class CaseFilters(Schema):
    status: list[StatusCode] = Field(
        default_factory=list, description="One or more; repeat the parameter."
    )
    channel: ChannelCode | None = None
    kind: CaseKindCode | None = None
    language: LanguageCode | None = None
    topic: Code | None = Field(None, description="A topic's code.")
    team: Code | None = Field(None, description="A team's code.")
    owner: Literal["me", "nobody"] | None = Field(
        None, description="`me`: the token owner's cases; `nobody`: unassigned ones."
    )
    client: RowId | None = Field(None, description="A client's id.")
    due_before: Moment | None = None
    due_after: Moment | None = None
    received_before: Moment | None = None
    received_after: Moment | None = None
    order: Order = Field("-received_at", description="`-received_at` (newest first) or `due_at`.")
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(50, ge=1, le=200)


def _filtered(user: User, f: CaseFilters) -> QuerySet[Case]:
    cases = visible_cases(user).select_related(*CASE_RELATED)
    if f.status:
        cases = cases.filter(status__in=f.status)
    for name in ("channel", "kind", "language"):
        if getattr(f, name) is not None:
            cases = cases.filter(**{name: getattr(f, name)})
    if f.topic is not None:
        if not Topic.objects.filter(code=f.topic).exists():
            raise bad_input("topic", _("There is no topic with this code."))
        cases = cases.filter(topic__code=f.topic)
    if f.team is not None:
        if not Team.objects.filter(code=f.team).exists():
            raise bad_input("team", _("There is no team with this code."))
        cases = cases.filter(team__code=f.team)
    if f.owner == "me":
        cases = cases.filter(owner=user)
    elif f.owner == "nobody":
        cases = cases.filter(owner__isnull=True)
    if f.client is not None:
        cases = cases.filter(client_id=f.client)
    bounds = {
        "due_at__lt": f.due_before,
        "due_at__gte": f.due_after,
        "received_at__lt": f.received_before,
        "received_at__gte": f.received_after,
    }
    return cases.filter(**{k: v for k, v in bounds.items() if v is not None})


@router.get("", response={200: CasePageOut, **error_responses(*TOKEN_ERRORS)})
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> CasePageOut:
    """The cases the token's owner may see, filtered, a page at a time (cursor)."""
    user = staff(request, Action.VIEW)
    rows, next_cursor = case_page(
        _filtered(user, filters), order=filters.order, cursor=filters.cursor, limit=filters.limit
    )
    return CasePageOut(items=[case_out(c) for c in rows], next_cursor=next_cursor)


def _detail(case: Case, *, reload: bool = True) -> CaseDetailOut:
    """The case as the API shows it; reloaded after a step changed it."""
    if reload:
        case = Case.objects.select_related(*CASE_RELATED).get(pk=case.pk)
    notices = DelayNotice.objects.filter(case=case).order_by("sent_at", "pk")
    return case_detail_out(case, case_timeline(case), notices)


def _related(user: User, text: str) -> Case:
    try:
        reference = str(parse_reference(text))
    except InvalidReference as error:
        raise bad_input(
            "related_case", _("That is not a registration number, or its check digits are wrong.")
        ) from error
    case = visible_cases(user).filter(reference=reference).first()
    if case is None:
        raise bad_input("related_case", _("There is no case with this number that you may see."))
    return case


@dataclass(frozen=True)
class _Named:
    """What a registration's codes, user names and numbers name, each checked."""

    client: Client | None
    topic: Topic | None
    owner: User | None
    team: Team | None
    related: Case | None


def _named(user: User, payload: CaseIn) -> _Named:
    """Everything the payload refers to, or a 400 naming the field that refers to nothing;
    checked before anything is written."""
    if (payload.client_id is None) == (payload.client is None):
        raise bad_input("client_id", _("Give either client_id or a new client, not both."))
    client = None
    if payload.client_id is not None:
        client = Client.objects.filter(pk=payload.client_id).first()
        if client is None:
            raise bad_input("client_id", _("There is no client with this id."))
    topic = None
    if payload.topic is not None:
        topic = Topic.objects.filter(code=payload.topic, active=True).first()
        if topic is None:
            raise bad_input("topic", _("There is no active topic with this code."))
    if (payload.owner or payload.team) and not can(user, Action.ASSIGN):
        raise PermissionDenied(_("Your account may not assign cases."))
    if payload.received_at is not None and payload.received_at > timezone.now() + dt.timedelta(
        minutes=5
    ):
        raise bad_input("received_at", _("The date received cannot be in the future."))
    return _Named(
        client=client,
        topic=topic,
        owner=staff_member("owner", payload.owner) if payload.owner else None,
        team=team_named("team", payload.team) if payload.team else None,
        related=_related(user, payload.related_case) if payload.related_case else None,
    )


@router.post("", response={201: CaseDetailOut, **error_responses(*TOKEN_ERRORS)})
def create_case(request: HttpRequest, payload: CaseIn) -> Status[CaseDetailOut]:
    """Register a question, complaint or competence conflict that came in on any channel
    (charter rules 1 and 2): an existing client (`client_id`) or a new one (`client`)."""
    user = staff(request, Action.REGISTER)
    named = _named(user, payload)
    # One transaction: a case that cannot be registered leaves no new client behind.
    with transaction.atomic():
        client = named.client
        if client is None and payload.client is not None:
            with naming("client"):
                client = client_create(actor=user, **payload.client.model_dump())
        assert client is not None  # noqa: S101 - _named() checked that one of the two is given
        case = case_register(
            actor=user,
            client=client,
            channel=payload.channel,
            subject=payload.subject,
            body=payload.body,
            kind=payload.kind,
            topic=named.topic,
            language=payload.language,
            received_at=payload.received_at,
            owner=named.owner,
            team=named.team,
            sender=payload.sender,
            related_case=named.related,
        )
    return Status(201, _detail(case))


@router.get("/{reference}", response={200: CaseDetailOut, **error_responses(*TOKEN_ERRORS)})
def get_case(request: HttpRequest, reference: str) -> CaseDetailOut:
    """A case with its delay notices and its whole timeline: every message and step, in
    time order (charter rule 8)."""
    _user, case = case_for(request, reference, Action.VIEW)
    return _detail(case, reload=False)


@router.post("/{reference}/replies", response={201: CaseDetailOut, **CHANGE_ERRORS})
def reply(request: HttpRequest, reference: str, payload: ReplyIn) -> Status[CaseDetailOut]:
    """Answer the client, by default on the channel the question came in (charter rule 3)."""
    user, case = case_for(request, reference, Action.ANSWER)
    with naming("body"):
        case_answer(actor=user, case=case, body=payload.body, channel=payload.channel)
    return Status(201, _detail(case))


@router.post("/{reference}/notes", response={201: CaseDetailOut, **CHANGE_ERRORS})
def add_note(request: HttpRequest, reference: str, payload: NoteIn) -> Status[CaseDetailOut]:
    """An internal note: staff see it in the timeline, the client never does."""
    user, case = case_for(request, reference, Action.NOTE)
    with naming("body"):
        case_note_add(actor=user, case=case, body=payload.body)
    return Status(201, _detail(case))


@router.post("/{reference}/forward", response={200: CaseDetailOut, **CHANGE_ERRORS})
def forward(request: HttpRequest, reference: str, payload: ForwardIn) -> CaseDetailOut:
    """Forward to a back-office team or person with a note (charter rule 7)."""
    user, case = case_for(request, reference, Action.FORWARD)
    if payload.team is None and payload.owner is None:
        raise bad_input("team", _("Forward to a team or a person."))
    team = team_named("team", payload.team) if payload.team else None
    owner = staff_member("owner", payload.owner) if payload.owner else None
    with naming("note"):
        case_forward(actor=user, case=case, note=payload.note, team=team, owner=owner)
    return _detail(case)


@router.post("/{reference}/delay-notice", response={200: CaseDetailOut, **CHANGE_ERRORS})
def delay_notice(request: HttpRequest, reference: str, payload: DelayNoticeIn) -> CaseDetailOut:
    """Tell the client why the term can't be met and the new term (charter rule 5)."""
    user, case = case_for(request, reference, Action.DELAY_NOTICE)
    with naming("new_due_date"):
        delay_notice_send(
            actor=user, case=case, reason=payload.reason, new_due_date=payload.new_due_date
        )
    return _detail(case)


@router.post("/{reference}/close", response={200: CaseDetailOut, **CHANGE_ERRORS})
def close(request: HttpRequest, reference: str, payload: CloseIn) -> CaseDetailOut:
    """Close the case; whoever handled it closes it (charter rule 7)."""
    user, case = case_for(request, reference, Action.CLOSE)
    case_close(actor=user, case=case, reason=payload.reason)
    return _detail(case)
