"""Staff accounts: creating them with their roles and teams."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loket.i18n import when

from .models import Notification, Team, User
from .roles import Role

if TYPE_CHECKING:
    from loket.cases.models import Case


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


def notify(
    *,
    users: Iterable[User | None],
    kind: str,
    message: str,
    params: dict[str, str | dt.datetime],
    case: Case | None = None,
) -> int:
    """Put a notice in each user's desk (a reminder, a missed term), in the user's language:
    `message` is a msgid marked with gettext_noop, filled with `params` (moments formatted
    for the user's language). Call it inside the
    caller's transaction, so the notice exists exactly when the step that caused it does."""
    now = timezone.now()
    unique = {user.pk: user for user in users if user is not None}
    notices = []
    for user in unique.values():
        with translation.override(user.language):
            values = {
                k: when(v, user.language) if isinstance(v, dt.datetime) else v
                for k, v in params.items()
            }
            text = translation.gettext(message) % values
        notices.append(
            Notification(user=user, case=case, kind=kind, text=text[:500], created_at=now)
        )
    Notification.objects.bulk_create(notices)
    return len(notices)


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all of them, or those with the given ids)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
