"""Who may do what in the knowledge base (DESIGN.md, "The people").

- Every staff member reads the articles, the candidates and the signals in the desk.
- Coordinators and administrators write, publish and archive any article, and decide on
  FAQ candidates. Authors are staff members the administrator gives the permission
  "Can write FAQ articles" (and, to publish, "Can publish FAQ articles"); the owner of an
  article may always write it.
- Agents, experts and coordinators flag the cases they may work on (a manager reads only).
- Administrators set the rules (second-person publishing, review interval).
"""

from __future__ import annotations

from loket.accounts.models import User
from loket.accounts.roles import Role, has_role
from loket.cases.access import Action, can
from loket.cases.models import Case

from .models import Article

EDITORS = (Role.COORDINATOR, Role.ADMINISTRATOR)


def can_write(user: User, article: Article | None = None) -> bool:
    """May write articles (a new one when `article` is None)."""
    if has_role(user, *EDITORS) or user.has_perm("knowledge.write_article"):
        return True
    return article is not None and article.owner_id == user.pk and bool(has_role(user, *Role))


def can_publish(user: User) -> bool:
    return has_role(user, *EDITORS) or user.has_perm("knowledge.publish_article")


def can_decide_candidates(user: User) -> bool:
    return has_role(user, *EDITORS)


def can_flag(user: User, case: Case) -> bool:
    return can(user, Action.NOTE, case)


def can_configure(user: User) -> bool:
    return has_role(user, Role.ADMINISTRATOR)
