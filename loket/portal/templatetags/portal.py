"""The public layout's footer: contact details and phone hours on every public page (the
FAQ's pages too), read from the cached office calendar."""

from __future__ import annotations

from typing import Any

from django import template

from ..selectors import phone_hours, service_contact

register = template.Library()


@register.inclusion_tag("portal/_footer.html", takes_context=True)
def portal_footer(context: template.Context) -> dict[str, Any]:
    # The home page has just computed both; the other pages compute them here.
    return {
        "hours": context.get("hours") or phone_hours(),
        "contact": context.get("contact") or service_contact(),
    }


@register.simple_tag
def service_name() -> str:
    return service_contact().name
