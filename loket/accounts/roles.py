"""Staff roles. Each role is a Django group with permissions; a person may hold several."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The people of DESIGN.md who work in loket. The value is the group's name."""

    AGENT = "front-office agent", _("front-office agent")
    EXPERT = "back-office expert", _("back-office expert")
    COORDINATOR = "coordinator", _("coordinator")
    MANAGER = "manager", _("manager")
    ADMINISTRATOR = "administrator", _("administrator")


def roles_of(user: object) -> set[Role]:
    """The roles a user holds, read from the groups prefetched or loaded on the user."""
    if not getattr(user, "is_authenticated", False):
        return set()
    names = {group.name for group in user.groups.all()}  # type: ignore[attr-defined]
    return {role for role in Role if role.value in names}


def has_role(user: object, *roles: Role) -> bool:
    """Whether the user holds any of the given roles."""
    return bool(roles_of(user) & set(roles))
