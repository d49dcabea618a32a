"""Template helpers of the knowledge base's desk pages."""

from __future__ import annotations

from django import template

from loket.accounts.models import User

from ..access import can_configure

register = template.Library()


@register.filter
def may_configure(user: User) -> bool:
    """Whether the user may change the knowledge base's rules (administrators)."""
    return bool(getattr(user, "is_authenticated", False)) and can_configure(user)
