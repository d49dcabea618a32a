"""The portal's background work: the cases of the forms sent, and their acknowledgements."""

from __future__ import annotations

import time

from django.db import connection
from django.tasks import task

from loket.cases.models import Case

from .models import Submission
from .registration import BATCH, portal_submissions_register
from .services import portal_acknowledgement_send

# Batches one task registers at most before it lets the worker take other work (mail is
# sent from the same queue); the forms still waiting are taken by the tasks queued after.
BATCHES_PER_TASK = 20
SQLITE_PAUSE = 0.03  # seconds between two batches, on SQLite


@task(queue_name="mail")
def portal_registration_task(submission_id: int | None = None) -> str:
    """Register the forms waiting, oldest first and in batches, until none waits (or a
    while has passed). Queued by the first form of each short window, run when the window
    closes (services.GATHER), and by the periodic pass."""
    registered = 0
    for n in range(BATCHES_PER_TASK):
        if n and connection.vendor == "sqlite":
            # SQLite lets one writer in at a time, and a writer that found it busy sleeps
            # before it tries again: without a pause the next batch would take the lock
            # again at once and the forms being sent would wait for the whole backlog.
            time.sleep(SQLITE_PAUSE)
        batch = portal_submissions_register(limit=BATCH)
        registered += len(batch)
        if len(batch) < BATCH:
            break
    else:
        # More forms wait than one task takes: the rest have no task of their own (a task
        # registers a whole window's forms), so this one queues its successor.
        portal_registration_task.enqueue()
    if registered:
        return f"{registered} registered"
    if submission_id is None:
        return "nothing waiting"
    mine = Submission.objects.filter(pk=submission_id).values_list("state", flat=True).first()
    return f"nothing waiting (this form: {mine or 'gone'})"


@task(queue_name="mail")
def portal_acknowledgement_task(case_id: int, to: str) -> str:
    """Render and queue the acknowledgement of a case registered from a portal form. Kept
    for the tasks queued before forms were registered by the worker (the registration now
    queues the acknowledgement with the case)."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:  # deleted since (the task commits with the case, never without it)
        return "no such case"
    return "queued" if portal_acknowledgement_send(case=case, to=to) else "already queued"
