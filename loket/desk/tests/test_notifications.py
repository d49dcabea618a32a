"""The deadline watch's reminders and "reactie" notices in the desk (charter rule 6)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client as Browser

from loket.accounts.models import Notification, User
from loket.cases.models import Client
from loket.deadlines.services import deadline_watch

from .conftest import register

pytestmark = pytest.mark.django_db
LIST = "/en/desk/notifications/"
READ = "/en/desk/notifications/read/"


@pytest.fixture
def overdue(client_record: Client, agent: User) -> list[Notification]:
    """The watch ran after two terms passed: a "reactie" for each, for the owner."""
    start = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    with time_machine.travel(start, tick=False):
        register(client_record, subject="Eerste", owner=agent)
        register(client_record, subject="Tweede", owner=agent)
    with time_machine.travel(start + dt.timedelta(days=7), tick=False):
        deadline_watch()
    return list(Notification.objects.filter(user=agent, kind="overdue"))


def test_the_watch_s_notices_are_listed_newest_first(
    client: Browser, agent: User, overdue: list[Notification]
) -> None:
    assert len(overdue) == 2
    client.force_login(agent)
    page = client.get(LIST).content.decode()
    assert page.count('class="notification unread"') == 2 and "2 unread" in page


def test_marking_one_then_all_read(
    client: Browser, agent: User, overdue: list[Notification]
) -> None:
    client.force_login(agent)
    assert client.post(READ, {"notification": overdue[0].pk}).status_code == 302
    assert Notification.objects.filter(user=agent, read_at__isnull=True).count() == 1
    fragment = client.post(READ, {}, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="notifications"')
    assert not Notification.objects.filter(user=agent, read_at__isnull=True).exists()
    assert "1 unread" not in client.get(LIST).content.decode()
    assert client.post(READ, {"notification": "x"}).status_code == 400


def test_nobody_marks_someone_else_s_notices(
    client: Browser, coordinator: User, agent: User, overdue: list[Notification]
) -> None:
    client.force_login(coordinator)
    client.post(READ, {"notification": overdue[0].pk})
    assert Notification.objects.filter(user=agent, read_at__isnull=True).count() == 2
