from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from loket.accounts.models import Team, User
from loket.accounts.roles import Role, has_role, roles_of
from loket.accounts.services import staff_create

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_with_permissions() -> None:
    groups = {g.name: g for g in Group.objects.prefetch_related("permissions")}
    assert set(groups) >= {r.value for r in Role}
    perms = {name: {p.codename for p in g.permissions.all()} for name, g in groups.items()}
    assert {"register_case", "answer_case", "forward_case"} <= perms[Role.AGENT]
    assert "view_all_cases" not in perms[Role.AGENT]
    assert "register_case" not in perms[Role.EXPERT] and "answer_case" in perms[Role.EXPERT]
    assert {"view_all_cases", "view_reports"} <= perms[Role.COORDINATOR]
    assert "answer_case" not in perms[Role.MANAGER]


def test_staff_hold_their_roles_and_permissions(agent: User, expert: User, manager: User) -> None:
    assert roles_of(agent) == {Role.AGENT} and has_role(agent, Role.AGENT, Role.COORDINATOR)
    assert agent.has_perm("cases.register_case") and not agent.has_perm("cases.view_all_cases")
    assert expert.has_perm("cases.answer_case") and not expert.has_perm("cases.register_case")
    assert manager.has_perm("cases.view_reports") and not manager.is_staff


def test_administrator_gets_the_admin_site(
    administrator: User, coordinator: User, agent: User
) -> None:
    assert administrator.is_staff and administrator.is_superuser
    assert coordinator.is_staff and not coordinator.is_superuser
    assert not agent.is_staff


def test_staff_create_checks_password_and_name(front_office: Team) -> None:
    with pytest.raises(ValidationError):
        staff_create(username="jan", password="123", roles=[Role.AGENT])
    with pytest.raises(ValidationError):
        staff_create(username="jan", password="a-long-enough-passphrase", roles=[])
    staff_create(
        username="jan",
        password="a-long-enough-passphrase",
        roles=[Role.AGENT],
        teams=[front_office],
    )
    with pytest.raises(ValidationError):
        staff_create(username="jan", password="a-long-enough-passphrase", roles=[Role.AGENT])


def test_createstaff_command(front_office: Team, tmp_path: object) -> None:
    from pathlib import Path

    password_file = Path(str(tmp_path)) / "password"
    password_file.write_text("a-long-enough-passphrase\n")
    call_command(
        "createstaff",
        "els",
        "--role",
        "agent",
        "--role",
        "coordinator",
        "--team",
        "front-office",
        "--password-file",
        str(password_file),
    )
    els = User.objects.get(username="els")
    assert roles_of(els) == {Role.AGENT, Role.COORDINATOR}
    assert list(els.teams.all()) == [front_office]
    assert els.check_password("a-long-enough-passphrase")
    with pytest.raises(CommandError, match="unknown team"):
        call_command(
            "createstaff",
            "piet",
            "--role",
            "agent",
            "--team",
            "nope",
            "--password-file",
            str(password_file),
        )


def test_notifications_are_written_in_each_users_language_and_marked_read(
    agent: User, coordinator: User
) -> None:
    import datetime as dt

    from django.utils import timezone

    from loket.accounts.models import Notification
    from loket.accounts.services import notifications_mark_read, notify

    coordinator.language = "fr"
    coordinator.save(update_fields=["language"])
    agent.language = "en"
    agent.save(update_fields=["language"])
    moment = dt.datetime(2026, 12, 2, 23, 59, tzinfo=timezone.get_current_timezone())
    count = notify(
        users=[agent, coordinator, agent, None],
        kind="overdue",
        message="Term missed: %(reference)s was due %(due)s.",
        params={"reference": "MI-2026-000001-92", "due": moment},
    )
    assert count == 2
    texts = dict(Notification.objects.values_list("user__username", "text"))
    assert "MI-2026-000001-92" in texts["agent"] and "Dec. 2, 2026" in texts["agent"]
    assert "2 décembre 2026" in texts["coordinator"]
    assert texts["agent"].startswith("Term missed: MI-2026-000001-92 was due")
    assert texts["coordinator"].startswith("Délai dépassé : MI-2026-000001-92 arrivait")
    assert notifications_mark_read(user=agent) == 1
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
