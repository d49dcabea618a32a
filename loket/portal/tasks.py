"""The portal's background work: the acknowledgement of what was sent with its forms."""

from __future__ import annotations

from django.tasks import task

from loket.cases.models import Case

from .services import portal_acknowledgement_send


@task(queue_name="mail")
def portal_acknowledgement_task(case_id: int, to: str) -> str:
    """Render and queue the acknowledgement of a case registered from a portal form."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:  # deleted since (the task commits with the case, never without it)
        return "no such case"
    return "queued" if portal_acknowledgement_send(case=case, to=to) else "already queued"
