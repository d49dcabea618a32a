"""The routing pages of the desk (charter rule 7), under ``/<lang>/desk/routing/``.

The forward suggestion, for the desk's forward form
----------------------------------------------------
``{% url 'routing:suggestions' %}?case=<registration number>[&topic=<topic code>]``

GET. ``case`` is required (typed any way: ``mi 2026 004217 63`` works; a wrong check digit is
a 400). ``topic`` optionally previews another topic than the case's. Access: whoever may
forward the case (loket.cases.access, Action.FORWARD); others get 403, an unknown case 404.
An htmx request (``HX-Request``) gets the fragment only, anything else a full desk page.

The desk's case page renders the same fragment inside its forward form on the server (so it
works without JavaScript): ``{% include "routing/suggestions.html#suggestions" %}`` with
``suggestion`` (``loket.routing.selectors.routing_suggestions``) and ``chosen_owner`` (the
posted ``owner``, to check it again when the form comes back with an error). Another page
may load it with htmx inside its own form::

    <div hx-get="{% url 'routing:suggestions' %}?case={{ case.reference }}"
         hx-trigger="load" hx-include="[name=topic]" hx-swap="innerHTML">…</div>

The fragment is one ``<fieldset class="routing-suggestions" id="routing-suggestions">`` with a
``<legend>``, an optional ``<p class="routing-none" role="status">`` when nobody competent is
available in time (naming the earliest date someone is), and an ``<ol>`` of
``<input type="radio" name="owner" value="<user pk>" id="owner-<pk>">`` each with a
``<label for="owner-<pk>">`` holding the name and the reasons (level, present working days
before the term, absent until …, open cases now), ranked best first; a last radio with
``value=""`` leaves the choice to the topic's rule or team. People not available in time are
listed in a ``<details>`` without radios. The form posts ``owner`` to the desk, which calls
``loket.routing.services.routing_assign(actor=…, case=…, note=…, owner=…, team=…)``: the
person picked, or with ``owner=""`` the topic's rule (its first suggested person when it
assigns automatically, else its team).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loket.accounts.models import User
from loket.cases.models import Case
from loket.cases.references import InvalidReference, parse_reference
from loket.cases.services import CaseError
from loket.desk.access import staff_required

from . import access
from .forms import (
    AbsenceForm,
    AgendaFeedForm,
    CompetenceForm,
    DecisionForm,
    SuggestionQuery,
    WorkingPatternForm,
)
from .models import Absence, AgendaFeed, Competence, Reassignment, TopicRouting
from .selectors import agenda_overview, routing_suggestions, staff_load
from .services import (
    absence_record,
    absence_remove,
    agenda_feed_add,
    agenda_feed_refresh,
    agenda_feed_remove,
    competence_set,
    reassignment_decide,
    working_pattern_set,
)


def _render(
    request: HttpRequest, template: str, partial: str, context: dict[str, Any], **kw: Any
) -> HttpResponse:
    """The partial for htmx, the full page otherwise: one view, two shapes."""
    name = f"{template}#{partial}" if _htmx(request) else template
    user = _user(request)
    navigation = {
        "can_coordinate": access.may_edit_competences(user),
        "can_see_load": access.may_see_load(user),
    }
    return render(request, name, {**navigation, **context}, **kw)


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@staff_required
def suggestions(request: HttpRequest) -> HttpResponse:
    query = SuggestionQuery(request.GET)
    if not query.is_valid():
        return _render(
            request,
            "routing/suggestions.html",
            "suggestions",
            {"errors": query.errors, "query": query},
            status=400,
        )
    try:
        reference = str(parse_reference(query.cleaned_data["case"]))
    except InvalidReference as error:
        return _render(
            request,
            "routing/suggestions.html",
            "suggestions",
            {"reference_error": str(error), "query": query},
            status=400,
        )
    case = get_object_or_404(
        Case.objects.select_related("topic", "policy__calendar", "team"), reference=reference
    )
    if not access.may_see_suggestions(_user(request), case):
        raise PermissionDenied
    suggestion = routing_suggestions(case, now=timezone.now(), topic=query.cleaned_data["topic"])
    # The page's own topic switcher starts at the topic shown.
    switcher = SuggestionQuery(initial={"case": case.reference, "topic": suggestion.topic})
    return _render(
        request,
        "routing/suggestions.html",
        "suggestions",
        {"suggestion": suggestion, "case": case, "query": switcher},
    )


@staff_required
def load(request: HttpRequest) -> HttpResponse:
    if not access.may_see_load(_user(request)):
        raise PermissionDenied
    people, teams = staff_load(now=timezone.now())
    return _render(request, "routing/load.html", "load", {"people": people, "teams": teams})


def _competence_context(form: CompetenceForm) -> dict[str, Any]:
    by_topic: dict[int, dict[str, list[Competence]]] = {}
    for competence in Competence.objects.select_related("user", "topic"):
        by_topic.setdefault(competence.topic_id, {"expert": [], "backup": []})[
            competence.level
        ].append(competence)
    topics = list(form.fields["topic"].queryset)  # type: ignore[attr-defined]
    rules = {r.topic_id: r for r in TopicRouting.objects.select_related("team")}
    rows = [
        (topic, by_topic.get(topic.pk, {"expert": [], "backup": []}), rules.get(topic.pk))
        for topic in topics
    ]
    return {"form": form, "rows": rows}


@staff_required
def competences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not access.may_edit_competences(user):
        raise PermissionDenied
    form = CompetenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        competence_set(
            actor=user, user=data["user"], topic=data["topic"], level=data["level"] or None
        )
        messages.success(request, _("Competence saved."))
        if not _htmx(request):
            return redirect("routing:competences")
        form = CompetenceForm()
    return _render(request, "routing/competences.html", "competences", _competence_context(form))


@staff_required
def catch_up(request: HttpRequest) -> HttpResponse:
    if not access.may_decide_reassignments(_user(request)):
        raise PermissionDenied
    proposals = (
        Reassignment.objects.filter(status=Reassignment.Status.OPEN)
        .select_related("case", "person", "proposed_owner", "proposed_team", "absence")
        .order_by("term", "pk")[:200]
    )
    return _render(request, "routing/catch_up.html", "proposals", {"proposals": proposals})


@require_POST
@staff_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    if not access.may_decide_reassignments(user):
        raise PermissionDenied
    proposal = get_object_or_404(Reassignment, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose to reassign or to keep the owner."))
    try:
        reassignment_decide(
            actor=user, reassignment=proposal, accept=form.cleaned_data["decision"] == "accept"
        )
    except (CaseError, ValidationError) as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Decision saved for %(reference)s.") % {"reference": proposal.case.reference}
        )
    if _htmx(request):
        return catch_up(request)
    return redirect("routing:catch-up")


# --- agendas ------------------------------------------------------------------------------


def _person(request: HttpRequest, user_id: int | None) -> User:
    person = _user(request) if user_id is None else get_object_or_404(User, pk=user_id)
    if not access.may_manage_agenda(_user(request), person):
        raise PermissionDenied
    return person


def _agenda_page(request: HttpRequest, person: User, **forms: Any) -> HttpResponse:
    overview = agenda_overview(person, now=timezone.now())
    today = timezone.localdate()
    initial: dict[str, str] = {}
    for pattern in overview.patterns:  # the form starts from the pattern in force today
        if (pattern.valid_from or today) <= today <= (pattern.valid_until or today):
            text = f"{pattern.start:%H:%M}-{pattern.end:%H:%M}"
            key = f"day_{pattern.weekday}"
            initial[key] = f"{initial[key]}, {text}" if key in initial else text
    context = {
        "overview": overview,
        "own": person.pk == _user(request).pk,
        "absence_form": forms.get("absence_form") or AbsenceForm(),
        "pattern_form": forms.get("pattern_form") or WorkingPatternForm(initial=initial),
        "feed_form": forms.get("feed_form") or AgendaFeedForm(),
    }
    return _render(request, "routing/agenda.html", forms.get("partial", "agenda"), context)


def _back(request: HttpRequest, person: User, partial: str) -> HttpResponse:
    """After a change: htmx gets the section again, a plain form post the page (PRG)."""
    if _htmx(request):
        return _agenda_page(request, person, partial=partial)
    if person.pk == _user(request).pk:
        return redirect("routing:agenda")
    return redirect("routing:agenda-of", user_id=person.pk)


@staff_required
def agenda(request: HttpRequest, user_id: int | None = None) -> HttpResponse:
    return _agenda_page(request, _person(request, user_id))


# The agenda page's sections and the name of each one's form in the page's context.
_FORMS = {"absences": "absence_form", "pattern": "pattern_form", "feeds": "feed_form"}


def _agenda_change(
    request: HttpRequest,
    person: User,
    form: Form,
    *,
    section: str,
    perform: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """One agenda form posted: the service runs with the form's data; a refusal comes back on
    the form, in its section of the page (`<section>_form` in the page's context)."""
    if form.is_valid():
        try:
            perform(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return _back(request, person, section)
    return _agenda_page(request, person, partial=section, **{_FORMS[section]: form})


@require_POST
@staff_required
def absence_add(request: HttpRequest, user_id: int) -> HttpResponse:
    person = _person(request, user_id)
    return _agenda_change(
        request,
        person,
        AbsenceForm(request.POST),
        section="absences",
        perform=lambda d: absence_record(
            actor=_user(request),
            user=person,
            start=d["start"],
            end=d["end"],
            kind=d["kind"],
            all_day=d["all_day"],
            note=d["note"],
        ),
        done=_("Absence recorded."),
    )


@require_POST
@staff_required
def absence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    absence = get_object_or_404(Absence.objects.select_related("user"), pk=pk)
    person = _person(request, absence.user_id)
    try:
        absence_remove(actor=_user(request), absence=absence)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Absence removed."))
    return _back(request, person, "absences")


@require_POST
@staff_required
def pattern_set(request: HttpRequest, user_id: int) -> HttpResponse:
    person = _person(request, user_id)
    return _agenda_change(
        request,
        person,
        WorkingPatternForm(request.POST),
        section="pattern",
        perform=lambda d: working_pattern_set(
            actor=_user(request), user=person, periods=d["periods"], valid_from=d["valid_from"]
        ),
        done=_("Working pattern saved."),
    )


@require_POST
@staff_required
def feed_add(request: HttpRequest, user_id: int) -> HttpResponse:
    person = _person(request, user_id)
    return _agenda_change(
        request,
        person,
        AgendaFeedForm(request.POST, request.FILES),
        section="feeds",
        perform=lambda d: agenda_feed_add(
            actor=_user(request), user=person, url=d["url"], upload=d["file"]
        ),
        done=_("Agenda feed added and read."),
    )


@require_POST
@staff_required
def feed_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    feed = get_object_or_404(AgendaFeed.objects.select_related("user"), pk=pk)
    person = _person(request, feed.user_id)
    if action == "remove":
        agenda_feed_remove(actor=_user(request), feed=feed)
        messages.success(request, _("Agenda feed removed."))
    else:
        report = agenda_feed_refresh(actor=_user(request), feed=feed)
        if report.error:
            messages.error(request, report.error)
        else:
            messages.success(
                request,
                _("Agenda read: %(added)s added, %(changed)s changed, %(removed)s removed.")
                % {"added": report.added, "changed": report.changed, "removed": report.removed},
            )
    return _back(request, person, "feeds")
