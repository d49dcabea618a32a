"""The case page: the case, its term, its timeline, the client beside it, and the forms of
the actions the user may take on it; a reply template filled in; a file of a message."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from loket.cases.access import Action, can, visible_cases
from loket.cases.models import Case
from loket.cases.rules import can_move
from loket.knowledge.selectors import article_reply_text, public_articles
from loket.portal.models import Attachment as PortalAttachment
from loket.routing.selectors import routing_suggestions

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
    TemplateChoiceForm,
    TopicForm,
)
from ..models import Attachment
from ..selectors import CaseFile, case_file, reply_draft
from .common import render_page

Status = Case.Status


# The actions shown as a link until asked for (one click, or `?action=` without JavaScript):
# the page stays short and quick, the daily ones come first.
FOLDED = {
    "phone": _("Record the answer given by phone"),
    "delay": _("Send a delay notice"),
    "topic": _("Change the topic"),
    "policy": _("Change the deadline policy"),
}


def action_forms(
    request: DeskRequest, case: Case, file: CaseFile, *, draft: str = "", asked: str = ""
) -> tuple[dict[str, forms.Form | bool], list[tuple[str, str]]]:
    """The forms of the actions this user may take on this case in its current status, and
    the folded ones as (name, label). A term that ends today or has passed unfolds the delay
    notice: loket prompts for it (charter rule 5)."""
    user = request.user
    allowed = {action for action in Action if can(user, action)}
    makers: dict[str, Callable[[], forms.Form | bool]] = {}
    if Action.ANSWER in allowed and can_move(case.status, Status.ANSWERED):
        makers["reply"] = lambda: ReplyForm(
            prefix="reply", answering=case, emails=file.emails, initial={"body": draft}
        )
        makers["template"] = lambda: TemplateChoiceForm(language=case.language)
        makers["phone"] = lambda: PhoneAnswerForm(prefix="phone")
    if Action.NOTE in allowed:
        makers["note"] = lambda: NoteForm(prefix="note")
    if Action.FORWARD in allowed and can_move(case.status, Status.FORWARDED):
        makers["forward"] = lambda: ForwardForm(prefix="forward")
    if Action.ASSIGN in allowed and case.is_open and case.owner_id != user.pk:
        makers["take"] = lambda: True
    if Action.DELAY_NOTICE in allowed and case.is_open and case.due_at:
        proposed = file.term.proposed_new_term
        makers["delay"] = lambda: DelayNoticeForm(
            prefix="delay", initial={"new_due_date": proposed}
        )
    if Action.CHANGE in allowed and case.is_open:
        makers["topic"] = lambda: TopicForm(prefix="topic", initial={"topic": case.topic_id})
        makers["policy"] = lambda: PolicyForm(prefix="policy", initial={"policy": case.policy_id})
    if Action.CLOSE in allowed and can_move(case.status, Status.CLOSED):
        makers["close"] = lambda: CloseForm(prefix="close")
    if Action.REOPEN in allowed and can_move(case.status, Status.REOPENED):
        makers["reopen"] = lambda: ReopenForm(prefix="reopen")
    unfolded = {asked}
    if file.term.due_today or file.term.overdue:
        unfolded.add("delay")
    found: dict[str, forms.Form | bool] = {}
    folded: list[tuple[str, str]] = []
    for name, make in makers.items():
        if name in FOLDED and name not in unfolded:
            folded.append((name, str(FOLDED[name])))
            continue
        found[name] = made = make()
        if name == asked and isinstance(made, forms.Form):
            # Asked for on purpose: the cursor goes straight to its first field.
            next(iter(made.fields.values())).widget.attrs["autofocus"] = True
    return found, folded


def render_case(
    request: DeskRequest,
    case: Case,
    *,
    bound: dict[str, forms.Form] | None = None,
    draft: str = "",
    status: int = 200,
    partial: str = "case",
) -> HttpResponse:
    """The case page, or its `partial` for htmx; `bound` forms (with their errors) replace
    the empty ones."""
    now = timezone.now()
    file = case_file(request.user, case, now)
    asked = request.GET.get("action", "")
    found, folded = action_forms(request, case, file, draft=draft, asked=asked)
    for name, form in (bound or {}).items():
        found[name] = form
        folded = [(n, label) for n, label in folded if n != name]
    context = {"case": case, "file": file, "forms": found, "folded": folded, "draft": draft}
    forward = found.get("forward")
    whole_case = partial == "case" or not request.htmx  # not for a reply template's partial
    if isinstance(forward, ForwardForm) and whole_case and (asked == "forward" or forward.is_bound):
        # Who can answer, inside the forward form, rendered here when asked for (the link in
        # <noscript>: it works without JavaScript, rule 7) or when the form comes back with an
        # error; otherwise htmx loads the same fieldset after the page, which stays quick.
        context["suggestion"] = routing_suggestions(case, now=now)
        context["chosen_owner"] = forward.chosen_owner()
    return render_page(request, "desk/case.html", context, partial=partial, status=status)


@staff_required
@require_GET
def case_page(request: DeskRequest, reference: str) -> HttpResponse:
    case = case_for(request, reference)
    return render_case(request, case, draft=_inserted_article(request, case))


def _inserted_article(request: DeskRequest, case: Case) -> str:
    """An FAQ article inserted without JavaScript: the knowledge base recorded its use and
    sent the agent back here with `faq_article`; its text starts the reply."""
    number = request.GET.get("faq_article", "")
    if not number.isdigit() or not can(request.user, Action.ANSWER, case):
        return ""
    article = public_articles().filter(pk=int(number)).first()
    return article_reply_text(article, case.language)[1] if article else ""


@staff_required
@require_GET
def reply_template(request: DeskRequest, reference: str) -> HttpResponse:
    """A reply template filled in for this case, in the reply form: the reply partial for
    htmx, else the case page with the draft in place."""
    case = case_for(request, reference, Action.ANSWER)
    form = TemplateChoiceForm(request.GET, language=case.language)
    if not form.is_valid():
        return render_case(request, case, bound={"template": form}, status=422, partial="reply")
    draft = reply_draft(form.cleaned_data["template"], case, request.user)
    return render_case(request, case, draft=draft, partial="reply")


@staff_required
@require_GET
def attachment_download(request: DeskRequest, pk: int) -> FileResponse:
    """A file of a message, for those who may see its case; always as a download, never
    shown inline (a file from outside must not run in the desk's origin)."""
    attachment = get_object_or_404(Attachment.objects.select_related("message"), pk=pk)
    if not visible_cases(request.user).filter(pk=attachment.message.case_id).exists():
        raise Http404
    return _download(attachment.file, attachment.filename, attachment.content_type)


@staff_required
@require_GET
def portal_attachment_download(request: DeskRequest, pk: int) -> FileResponse:
    """A file a client sent with the portal's question form, for those who may see its case,
    always as a download (like `attachment_download`). A file whose case is not registered
    yet belongs to no case anybody may see."""
    attachment = get_object_or_404(PortalAttachment, pk=pk)
    message = attachment.message_id
    if message is None or not visible_cases(request.user).filter(messages=message).exists():
        raise Http404
    return _download(attachment.file, attachment.name, attachment.content_type)


def _download(file: FieldFile, name: str, content_type: str) -> FileResponse:
    """A stored file as a download under its client-given name; gone from storage: 404."""
    try:
        handle = file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=content_type or "application/octet-stream",
    )
