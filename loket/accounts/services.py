"""Staff accounts: creating them with their roles and teams."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Team, User
from .roles import Role


def staff_create(
    *,
    username: str,
    password: str,
    roles: Iterable[Role],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "nl",
    teams: Iterable[Team] = (),
    check_password: bool = True,
) -> User:
    """Create a staff member with roles (groups) and teams. Administrators and coordinators
    also get the admin site (``is_staff``)."""
    roles = list(roles)
    if not roles:
        raise ValidationError(_("A staff member needs at least one role."))
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("The user name %(username)s is taken.") % {"username": username})
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        language=language,
        is_staff=bool({Role.ADMINISTRATOR, Role.COORDINATOR} & set(roles)),
        is_superuser=Role.ADMINISTRATOR in roles,
    )
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save()
        user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
        user.teams.set(list(teams))
    return user
