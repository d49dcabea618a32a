"""The desk's main navigation: the links a staff member's rights open, on every desk page
(the queues, routing's and the knowledge base's pages alike). Each right is asked of the app
that owns it (loket/cases/access.py, loket/routing/access.py, loket/knowledge/access.py), so
a link is shown exactly when its page would let the person in."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from loket.accounts.models import User
from loket.accounts.roles import roles_of
from loket.cases.access import Action, can
from loket.knowledge import access as knowledge
from loket.routing import access as routing

from .access import may_handle_quarantine


@dataclass(frozen=True)
class Link:
    name: str  # the URL's name, also the link's id in the page (nav-<name>)
    label: str | Promise
    url: str
    current: bool


def desk_links(user: User, path: str) -> list[Link]:
    """The links for `user`, in the order of the day's work; the one whose page (or a page
    under it) is `path` is marked current."""
    if not roles_of(user):
        return []
    shown: list[tuple[str, str | Promise, bool]] = [
        ("desk:home", _("Queues"), True),
        ("desk:register", _("Register a question"), can(user, Action.REGISTER)),
        ("routing:agenda", _("My agenda"), routing.may_manage_agenda(user, user)),
        ("routing:competences", _("Competences"), routing.may_edit_competences(user)),
        ("routing:catch-up", _("Absences catch-up"), routing.may_decide_reassignments(user)),
        ("routing:load", _("Load"), routing.may_see_load(user)),
        ("knowledge_desk:articles", _("FAQ articles"), True),
        (
            "knowledge_desk:candidates",
            _("FAQ candidates"),
            knowledge.can_decide_candidates(user),
        ),
        ("knowledge_desk:signals", _("Signals"), knowledge.can_decide_candidates(user)),
        ("desk:quarantine", _("Quarantine"), may_handle_quarantine(user)),
    ]
    found = [(name, label, reverse(name)) for name, label, allowed in shown if allowed]
    # The current page's link: the one whose address is the longest start of `path` (the
    # knowledge base's articles are its root, its candidates one level down); the queues are
    # the desk's root, so only the queues page itself is theirs.
    home = reverse("desk:home")
    starts = [url for _name, _label, url in found if path.startswith(url) and url != home]
    current = max(starts, key=len) if starts else (home if path == home else "")
    return [Link(name.replace(":", "-"), label, url, url == current) for name, label, url in found]
