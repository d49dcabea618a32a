"""The actions on a case. Each view: parse the form, check access, call one service. Success
answers htmx with the refreshed case and everyone else with a redirect to it; a refusal or
bad input comes back with the form and its errors (422), never a silent loss."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loket.cases.access import Action, visible_cases
from loket.cases.models import Case
from loket.cases.services import (
    case_assign,
    case_close,
    case_forward,
    case_note_add,
    case_reopen,
    case_topic_change,
)
from loket.deadlines.services import case_policy_change, delay_notice_send
from loket.routing.services import routing_assign

from ..access import DeskRequest, case_for, staff_required
from ..forms import (
    CloseForm,
    DelayNoticeForm,
    ForwardForm,
    NoteForm,
    PhoneAnswerForm,
    PolicyForm,
    ReopenForm,
    ReplyForm,
    TopicForm,
)
from ..services import reply_send
from .case import render_case

Perform = Callable[[DeskRequest, Case, dict[str, Any]], object]


def _act(
    request: DeskRequest,
    case: Case,
    *,
    name: str,
    form_class: Callable[..., forms.Form],
    perform: Perform,
    done: str | Callable[[Any], str],
    **form_options: Any,
) -> HttpResponse:
    form = form_class(request.POST, request.FILES, prefix=name, **form_options)
    if form.is_valid():
        try:
            result = perform(request, case, form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(request, done if isinstance(done, str) else done(result))
            return _after(request, case)
    return render_case(request, case, bound={name: form}, status=422)


def _after(request: DeskRequest, case: Case) -> HttpResponse:
    """The case again, as it is now; or the queues when the user may no longer see it (an
    expert who forwarded it to another team)."""
    if not visible_cases(request.user).filter(pk=case.pk).exists():
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("desk:home")
            return response
        return redirect("desk:home")
    if request.htmx:
        return render_case(request, case_for(request, case.reference))
    return redirect("desk:case", reference=case.reference)


@staff_required
@require_POST
def reply(request: DeskRequest, reference: str) -> HttpResponse:
    """Answer the client, with attachments (charter rule 3)."""
    case = case_for(request, reference, Action.ANSWER)
    emails = list(case.client.emails.values_list("address", flat=True))
    return _act(
        request,
        case,
        name="reply",
        form_class=ReplyForm,
        answering=case,
        emails=emails,
        perform=lambda r, c, d: reply_send(
            actor=r.user, case=c, body=d["body"], channel=d["channel"], files=d["attachments"]
        ),
        done=_("The answer is sent."),
    )


@staff_required
@require_POST
def phone_answer(request: DeskRequest, reference: str) -> HttpResponse:
    """Record the answer given by phone."""
    case = case_for(request, reference, Action.ANSWER)
    return _act(
        request,
        case,
        name="phone",
        form_class=PhoneAnswerForm,
        perform=lambda r, c, d: reply_send(actor=r.user, case=c, body=d["body"], channel="phone"),
        done=_("The answer given by phone is recorded."),
    )


@staff_required
@require_POST
def note(request: DeskRequest, reference: str) -> HttpResponse:
    case = case_for(request, reference, Action.NOTE)
    return _act(
        request,
        case,
        name="note",
        form_class=NoteForm,
        perform=lambda r, c, d: case_note_add(actor=r.user, case=c, body=d["body"]),
        done=_("The note is added."),
    )


def _forward(request: DeskRequest, case: Case, data: dict[str, Any]) -> Case:
    """A person picked from the list goes as chosen; otherwise the routing decides with the
    agent's pick from the suggestion (or the topic's rule) and the team they chose."""
    actor, note, team = request.user, data["note"], data["team"]
    if data["person"] is not None:
        return case_forward(actor=actor, case=case, note=note, team=team, owner=data["person"])
    return routing_assign(actor=actor, case=case, note=note, owner=data["owner"], team=team)


def _forwarded(case: Case) -> str:
    if case.owner is not None:
        return _("The case is forwarded to the back office: %(person)s.") % {"person": case.owner}
    return _("The case is forwarded to the back office: the team %(team)s.") % {"team": case.team}


@staff_required
@require_POST
def forward(request: DeskRequest, reference: str) -> HttpResponse:
    """Forward to a back-office person or team, with a note (charter rule 7)."""
    case = case_for(request, reference, Action.FORWARD)
    return _act(
        request, case, name="forward", form_class=ForwardForm, perform=_forward, done=_forwarded
    )


class _NoFields(forms.Form):
    pass


@staff_required
@require_POST
def take_over(request: DeskRequest, reference: str) -> HttpResponse:
    case = case_for(request, reference, Action.ASSIGN)
    return _act(
        request,
        case,
        name="take",
        form_class=_NoFields,
        perform=lambda r, c, d: case_assign(actor=r.user, case=c, owner=r.user),
        done=_("You handle this case now."),
    )


@staff_required
@require_POST
def topic(request: DeskRequest, reference: str) -> HttpResponse:
    case = case_for(request, reference, Action.CHANGE)
    return _act(
        request,
        case,
        name="topic",
        form_class=TopicForm,
        perform=lambda r, c, d: case_topic_change(actor=r.user, case=c, topic=d["topic"]),
        done=_("The topic is changed."),
    )


@staff_required
@require_POST
def policy(request: DeskRequest, reference: str) -> HttpResponse:
    case = case_for(request, reference, Action.CHANGE)
    return _act(
        request,
        case,
        name="policy",
        form_class=PolicyForm,
        perform=lambda r, c, d: case_policy_change(
            actor=r.user, case=c, policy=d["policy"], reason=d["reason"]
        ),
        done=_("The deadline policy is changed and the term computed again."),
    )


@staff_required
@require_POST
def delay_notice(request: DeskRequest, reference: str) -> HttpResponse:
    """Tell the client the reason for the delay and the new term (charter rule 5)."""
    case = case_for(request, reference, Action.DELAY_NOTICE)
    return _act(
        request,
        case,
        name="delay",
        form_class=DelayNoticeForm,
        perform=lambda r, c, d: delay_notice_send(
            actor=r.user, case=c, reason=d["reason"], new_due_date=d["new_due_date"]
        ),
        done=_("The delay notice is sent."),
    )


@staff_required
@require_POST
def close(request: DeskRequest, reference: str) -> HttpResponse:
    case = case_for(request, reference, Action.CLOSE)
    return _act(
        request,
        case,
        name="close",
        form_class=CloseForm,
        perform=lambda r, c, d: case_close(actor=r.user, case=c, reason=d["reason"]),
        done=_("The case is closed."),
    )


@staff_required
@require_POST
def reopen(request: DeskRequest, reference: str) -> HttpResponse:
    case = case_for(request, reference, Action.REOPEN)
    return _act(
        request,
        case,
        name="reopen",
        form_class=ReopenForm,
        perform=lambda r, c, d: case_reopen(actor=r.user, case=c, reason=d["reason"]),
        done=_("The case is reopened, with a new term."),
    )
