"""The one place that says who may use the desk, and which case a request may touch. Every
rule itself lives in loket/cases/access.py (`visible_cases`, `can`), shared with the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponseBase

from loket.accounts.models import User
from loket.accounts.roles import Role, has_role, roles_of
from loket.cases.access import Action, can, visible_cases
from loket.cases.models import Case

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    class DeskRequest(HttpRequest):
        """A request that passed `staff_required`: a staff member, and htmx's details."""

        user: User
        htmx: HtmxDetails
else:
    DeskRequest = HttpRequest

CASE_RELATIONS = ("client", "topic", "owner", "team", "policy__calendar", "related_case")


def staff_required[View: Callable[..., HttpResponseBase]](view: View) -> View:
    """Logged in and holding at least one staff role; otherwise 403 (or the login page)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # The roles are read once per request; every later check uses this prefetch.
        if isinstance(request.user, User):
            prefetch_related_objects([request.user], "groups")
        if not roles_of(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return cast("View", wrapped)


def may_handle_quarantine(user: object) -> bool:
    """E-mails in quarantine and portal forms that could not be registered: administrators
    (who keep the mailboxes) read them, raw bytes included, and process them again."""
    return has_role(user, Role.ADMINISTRATOR)


def require(request: DeskRequest, action: Action) -> None:
    """403 unless the user's roles allow `action` at all (registering, for instance)."""
    if not can(request.user, action):
        raise PermissionDenied


def case_for(request: DeskRequest, reference: str, action: Action = Action.VIEW) -> Case:
    """The case with this registration number, if the user may see it (else 404, so a case
    outside one's work doesn't even show that it exists) and may do `action` (else 403).
    Read for writing: the service re-reads it under a lock."""
    case = (
        visible_cases(request.user)
        .select_related(*CASE_RELATIONS)
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise Http404
    # Visibility was checked by the query above; what remains is the role's permission.
    if not can(request.user, action):
        raise PermissionDenied
    return case
