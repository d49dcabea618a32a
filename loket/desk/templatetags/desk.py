"""Small display helpers for the desk's templates."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse

from .. import navigation, queues

register = template.Library()


@register.filter
def capped(count: int) -> str:
    """A queue count as shown: exact up to the cap, "99+" beyond (counting further costs a
    scan of the whole queue and tells nobody anything more)."""
    return f"{queues.COUNT_CAP}+" if count > queues.COUNT_CAP else str(count)


@register.filter
def first_line(text: str) -> str:
    """An error's first line: what went wrong, without the traceback under it."""
    return (text or "").strip().split("\n", 1)[0]


@register.filter
def negate(number: int) -> int:
    return -number


@register.simple_tag
def optional_url(name: str) -> str:
    """The address of a view another app may provide (routing's suggestions, the FAQ's);
    empty when that app is not installed, so the page simply goes without it."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def desk_links(context: template.Context) -> list[navigation.Link]:
    """The main navigation's links for the person viewing the page."""
    request = context.get("request")
    if request is None:
        return []
    return navigation.desk_links(request.user, request.path)
