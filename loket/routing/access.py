"""Who may do what in routing (DESIGN.md, "The people"): coordinators and administrators
edit competences and anyone's agenda and decide the catch-up; managers also read the load;
every staff member manages their own agenda. Forwarding follows loket.cases.access."""

from __future__ import annotations

from loket.accounts.models import User
from loket.accounts.roles import Role, has_role, roles_of
from loket.cases.access import Action, can
from loket.cases.models import Case

COORDINATING = (Role.COORDINATOR, Role.ADMINISTRATOR)


def may_edit_competences(user: User) -> bool:
    return has_role(user, *COORDINATING)


def may_see_load(user: User) -> bool:
    return has_role(user, *COORDINATING, Role.MANAGER)


def may_decide_reassignments(user: User) -> bool:
    return has_role(user, *COORDINATING)


def may_manage_agenda(user: User, person: User) -> bool:
    """A staff member manages their own agenda; coordinators anyone's (sick leave is often
    phoned in and entered by the coordinator)."""
    if user.pk == person.pk:
        return bool(roles_of(user))
    return has_role(user, *COORDINATING)


def may_see_suggestions(user: User, case: Case) -> bool:
    return can(user, Action.FORWARD, case)
