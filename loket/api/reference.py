"""/api/v1/topics, /policies, /deadlines/calculate and /me: the reference data other systems
need, the charter's deadline calculation, and who a token acts as."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from loket.accounts.roles import roles_of
from loket.cases.access import Action
from loket.cases.models import Topic
from loket.deadlines.models import DeadlinePolicy
from loket.deadlines.rules import compute_term

from .auth import staff, token_of
from .errors import TOKEN_ERRORS, bad_input, error_responses
from .schemas import Code, MeOut, Moment, PolicyOut, TermOut, TopicNamesOut, TopicOut

router = Router(tags=["reference"])


@router.get("/topics", response={200: list[TopicOut], **error_responses(*TOKEN_ERRORS)})
def list_topics(request: HttpRequest) -> list[TopicOut]:
    """Every topic (the taxonomy behind terms, routing and reporting), with its names."""
    staff(request, Action.VIEW)
    topics = Topic.objects.select_related("parent", "policy").order_by("code")
    return [
        TopicOut(
            code=t.code,
            parent=t.parent.code if t.parent else None,
            names=TopicNamesOut(
                nl=t.name_nl, fr=t.name_fr, de=t.name_de or t.name_nl, en=t.name_en or t.name_nl
            ),
            active=t.active,
            policy=t.policy.code if t.policy else None,
        )
        for t in topics
    ]


def _policy_out(policy: DeadlinePolicy) -> PolicyOut:
    return PolicyOut(
        code=policy.code,
        name=policy.name,
        working_days=policy.working_days,
        calendar=policy.calendar.code,
        cutoff=policy.cutoff,
        case_kind=policy.case_kind or None,  # type: ignore[arg-type]
        reminder_days_before=[int(d) for d in policy.reminder_days_before or []],
        internal_margin_days=policy.internal_margin_days,
        target_percent=float(policy.target_percent),
    )


@router.get("/policies", response={200: list[PolicyOut], **error_responses(*TOKEN_ERRORS)})
def list_policies(request: HttpRequest) -> list[PolicyOut]:
    """The deadline policies: N working days on a calendar (charter rule 4)."""
    staff(request, Action.VIEW)
    return [_policy_out(p) for p in DeadlinePolicy.objects.select_related("calendar")]


class TermQuery(Schema):
    policy: Code = Field(description="A policy's code.", examples=["standard"])
    received_at: Moment | None = Field(
        None, description="Default: now.", examples=["2026-03-06T15:00:00+01:00"]
    )


@router.get("/deadlines/calculate", response={200: TermOut, **error_responses(*TOKEN_ERRORS)})
def calculate_deadline(request: HttpRequest, query: Query[TermQuery]) -> TermOut:
    """The term of a question received at `received_at` under a policy: the end of the Nth
    working day after day 0, in Europe/Brussels working days (charter rule 4)."""
    staff(request, Action.VIEW)
    policy = DeadlinePolicy.objects.select_related("calendar").filter(code=query.policy).first()
    if policy is None:
        raise bad_input("policy", _("There is no deadline policy with this code."))
    received_at = query.received_at or timezone.now()
    term = compute_term(received_at, policy.working_days, policy.calendar.rules(), policy.cutoff)
    return TermOut(
        policy=policy.code,
        working_days=policy.working_days,
        received_at=received_at,
        day_zero=term.day_zero,
        due_at=term.due_at,
    )


@router.get("/me", response={200: MeOut, **error_responses(401)})
def me(request: HttpRequest) -> MeOut:
    """Who this token acts as, with which roles and teams."""
    token = token_of(request)
    owner = token.owner
    return MeOut(
        username=owner.username,
        name=str(owner),
        roles=sorted(r.value for r in roles_of(owner)),
        teams=sorted(owner.teams.values_list("code", flat=True)),
        token=token.display,
        token_expires_at=token.expires_at,
    )
