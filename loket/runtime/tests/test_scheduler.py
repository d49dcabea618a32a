from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from loket.runtime.models import ScheduleSlot
from loket.runtime.scheduler import schedule_tick

pytestmark = pytest.mark.django_db
JOBS = {"probe": ("loket.runtime.tests.tasks.probe", 60)}


@override_settings(LOKET_PERIODIC_TASKS=JOBS)
def test_two_workers_enqueue_a_slot_once(django_capture_on_commit_callbacks: object) -> None:
    from loket.runtime.tests import tasks

    tasks.RUNS.clear()
    now = timezone.now().replace(second=5)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        first = schedule_tick(worker_id="a", now=now)
        second = schedule_tick(worker_id="b", now=now + dt.timedelta(seconds=10))
        third = schedule_tick(worker_id="b", now=now + dt.timedelta(seconds=60))
    assert (first, second, third) == (["probe"], [], ["probe"])
    assert len(tasks.RUNS) == 2
    assert ScheduleSlot.objects.filter(job="probe").count() == 2
