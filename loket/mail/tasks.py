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
