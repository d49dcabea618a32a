"""Who is calling the API: a personal token, resolved to its owner, whose rights it has.
One access helper for every endpoint, on top of loket/cases/access.py."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from loket.accounts.models import Team, User
from loket.accounts.roles import roles_of
from loket.cases.access import Action, can, visible_cases
from loket.cases.models import Case
from loket.cases.references import parse_reference

from .errors import bad_input, not_found
from .models import ApiToken
from .output import CASE_RELATED
from .services import TokenRefused, api_token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer loket_1a2b3c4d_…``: a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        try:
            api_token = api_token_authenticate(secret=token)
        except TokenRefused as refused:
            raise AuthenticationError(message=str(refused)) from refused
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.owner


def token_of(request: HttpRequest) -> ApiToken:
    token = getattr(request, "api_token", None)
    if not isinstance(token, ApiToken):
        raise RuntimeError("this endpoint is not behind TokenAuth")
    return token


def staff(request: HttpRequest, action: Action) -> User:
    """The token's owner, if their roles allow `action` at all; otherwise 403."""
    user = token_of(request).owner
    if not can(user, action):
        raise PermissionDenied(_("Your account may not do this."))
    return user


def case_for(request: HttpRequest, reference: str, action: Action) -> tuple[User, Case]:
    """The case with this registration number, if the token's owner may see it (else 404,
    so that nobody learns which cases exist) and may do `action` on it (else 403)."""
    user = staff(request, Action.VIEW)
    parsed = str(parse_reference(reference))
    case = visible_cases(user).select_related(*CASE_RELATED).filter(reference=parsed).first()
    if case is None:
        raise not_found(_("There is no case with this registration number that you may see."))
    if not can(user, action):
        raise PermissionDenied(_("Your account may not do this with this case."))
    return user, case


def staff_member(field: str, username: str) -> User:
    """The active staff member with this user name; a 400 naming `field` otherwise."""
    person = User.objects.filter(username=username, is_active=True).prefetch_related("groups")
    found = person.first()
    if found is None or not roles_of(found):
        raise bad_input(field, _("There is no active staff member with this user name."))
    return found


def team_named(field: str, code: str) -> Team:
    """The team with this code; a 400 naming `field` otherwise."""
    team = Team.objects.filter(code=code).first()
    if team is None:
        raise bad_input(field, _("There is no team with this code."))
    return team
