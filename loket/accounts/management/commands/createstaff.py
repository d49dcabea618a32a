"""``loket createstaff USERNAME --role agent --team front-office``: a staff member."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.accounts.models import Team
from loket.accounts.roles import Role
from loket.accounts.services import staff_create

ROLE_NAMES = {
    "agent": Role.AGENT,
    "expert": Role.EXPERT,
    "coordinator": Role.COORDINATOR,
    "manager": Role.MANAGER,
    "administrator": Role.ADMINISTRATOR,
}


class Command(BaseCommand):
    help = "Create a staff member with roles and teams."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", action="append", choices=sorted(ROLE_NAMES), required=True)
        parser.add_argument("--team", action="append", default=[], help="team code")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--language", choices=["nl", "fr", "de", "en"], default="nl")
        parser.add_argument(
            "--password-file", help="read the password from this file instead of asking"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        teams = list(Team.objects.filter(code__in=options["team"]))
        missing = set(options["team"]) - {t.code for t in teams}
        if missing:
            raise CommandError(f"unknown team(s): {', '.join(sorted(missing))}")
        if options["password_file"]:
            with open(options["password_file"], encoding="utf-8") as handle:
                password = handle.read().strip()
        else:
            password = getpass.getpass("Password: ")
        try:
            user = staff_create(
                username=options["username"],
                password=password,
                roles=[ROLE_NAMES[r] for r in options["role"]],
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
                language=options["language"],
                teams=teams,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"created {user.username} ({', '.join(options['role'])})")
