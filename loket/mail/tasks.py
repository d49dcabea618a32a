"""Sending queued mail, with retries."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .models import OutboundMail

logger = logging.getLogger("loket.mail")
RETRY_DELAYS = (60, 300, 1800, 7200, 21600)  # seconds; then it gives up and shows as failed


def _attach_message_files(email: EmailMultiAlternatives, message_id: int | None) -> None:
    """Attach the files stored with the case message (loket/desk's attachments)."""
    if message_id is None:
        return
    from loket.desk.models import Attachment

    for attachment in Attachment.objects.filter(message_id=message_id).order_by("pk"):
        with attachment.file.open("rb") as handle:
            email.attach(attachment.filename, handle.read(), attachment.content_type)


@task(queue_name="mail")
def mail_deliver(outbound_id: int) -> str:
    """Send one queued mail. Safe to run twice: a sent mail is not sent again."""
    with transaction.atomic():
        outbound = OutboundMail.objects.select_for_update().filter(pk=outbound_id).first()
        if outbound is None or outbound.status in (
            OutboundMail.Status.SENT,
            OutboundMail.Status.GAVE_UP,
        ):
            return "nothing to do"
        email = EmailMultiAlternatives(
            subject=outbound.subject,
            body=outbound.text,
            from_email=outbound.from_address,
            to=outbound.to,
            headers={"Message-ID": outbound.message_id, **outbound.headers},
            connection=mailers.default,
        )
        if outbound.html:
            email.attach_alternative(outbound.html, "text/html")
        outbound.attempts += 1
        try:
            # The files attached to the answer this mail carries (the desk stores them); a
            # file gone from storage fails the attempt like a refused connection would.
            _attach_message_files(email, outbound.case_message_id)
            email.send()
        except (smtplib.SMTPException, OSError) as error:
            outbound.last_error = f"{type(error).__name__}: {error}"
            retry = outbound.attempts <= len(RETRY_DELAYS)
            outbound.status = OutboundMail.Status.FAILED if retry else OutboundMail.Status.GAVE_UP
            outbound.save(update_fields=["attempts", "last_error", "status"])
            logger.warning(
                "mail %s not sent (attempt %s): %s", outbound.pk, outbound.attempts, error
            )
            if retry:
                delay = dt.timedelta(seconds=RETRY_DELAYS[outbound.attempts - 1])
                transaction.on_commit(
                    lambda: mail_deliver.using(run_after=timezone.now() + delay).enqueue(
                        outbound_id
                    )
                )
            return "failed"
        outbound.status = OutboundMail.Status.SENT
        outbound.sent_at = timezone.now()
        outbound.last_error = ""
        outbound.save(update_fields=["attempts", "last_error", "status", "sent_at"])
    return "sent"


@task(queue_name="mail")
def inbound_process_task(inbound_id: int) -> str:
    """Process one stored inbound message (services.inbound_process)."""
    from .services import inbound_process

    inbound = inbound_process(inbound_id=inbound_id)
    return inbound.state if inbound is not None else "gone"


@task(queue_name="mail")
def inbound_process_many_task(inbound_ids: list[int]) -> dict[str, int]:
    """Process stored inbound messages together (services.inbound_process_many); returns
    how many ended in each state."""
    from .services import inbound_process_many

    states: dict[str, int] = {}
    for inbound in inbound_process_many(inbound_ids=inbound_ids):
        state = inbound.state if inbound is not None else "gone"
        states[state] = states.get(state, 0) + 1
    return states


@task(queue_name="mail")
def mail_poll_task() -> dict[str, int]:
    """The periodic mail pass: poll every active mailbox over IMAP, then queue again the
    stored messages and the outgoing mail whose tasks were lost (a crashed worker)."""
    from .imap import mailboxes_poll
    from .services import inbound_sweep, outbox_sweep

    stored = mailboxes_poll()
    return {"stored": stored, "requeued": inbound_sweep(), "resent": outbox_sweep()}
