from __future__ import annotations

import importlib
from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _keep_case_search(using: str = "default", **kwargs: Any) -> None:
    """After every migrate: put back the case search's SQLite triggers if a schema change
    rebuilt a table without them (SQLite drops a table's triggers with the table), so the
    desk's search never silently misses new cases."""
    connection = connections[using]
    if ("cases", "0005_case_search") in MigrationRecorder(connection).applied_migrations():
        importlib.import_module("loket.cases.migrations.0005_case_search").install(connection)


class DeskConfig(AppConfig):
    name = "loket.desk"
    label = "desk"
    verbose_name = _("Desk")

    def ready(self) -> None:
        post_migrate.connect(_keep_case_search, sender=self, dispatch_uid="desk-case-search")
