"""What the public portal keeps besides the case itself: the form as the client filled it in
(charter rule 1: nothing that arrives is lost) and the files attached to a question."""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loket.accounts.models import Language


class Submission(models.Model):
    """One form sent on the portal, as typed, kept before anything else happens (charter
    rule 1: nothing that arrives is lost), like an inbound mail. The client's request stores
    it with its registration number and its term already fixed, and shows both at once
    (rule 2); the worker registers the case from it a moment later, in batches (issue 6:
    the form's throughput). The desk sees the name and phone number the client gave even
    when the case went to an existing client record (whose contact details a web form,
    unauthenticated, must never change)."""

    class Form(models.TextChoices):
        QUESTION = "question", _("question")
        COMPLAINT = "complaint", _("complaint")

    class State(models.TextChoices):
        RECEIVED = "received", _("received, to be registered")
        REGISTERED = "registered", _("registered")
        FAILED = "failed", _("could not be registered")

    form = models.CharField(_("form"), max_length=10, choices=Form.choices)
    reference = models.CharField(_("registration number"), max_length=24, unique=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RECEIVED
    )
    case = models.OneToOneField(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="portal_submission",
        verbose_name=_("case"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone number (E.164)"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    topic = models.ForeignKey(
        "cases.Topic",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("topic"),
    )
    text = models.TextField(_("text"), blank=True)
    earlier_reference = models.CharField(
        _("earlier registration number given"), max_length=24, blank=True
    )
    visit = models.CharField(_("visit"), max_length=64, blank=True)
    submitted_at = models.DateTimeField(_("sent"))
    due_at = models.DateTimeField(_("answer due by"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    error = models.TextField(_("why it could not be registered"), blank=True)

    class Meta:
        verbose_name = _("portal form")
        verbose_name_plural = _("portal forms")
        ordering = ["-submitted_at"]
        indexes: ClassVar[list[models.Index]] = [
            # The worker's queue: only the few waiting rows are in this index.
            models.Index(
                fields=["id"],
                condition=models.Q(state="received"),
                name="portal_submission_waiting",
            ),
            # The desk's quarantine: the few forms that could not be registered.
            models.Index(
                fields=["-submitted_at"],
                condition=models.Q(state="failed"),
                name="portal_submission_failed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_form_display()} {self.name}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """A random name in a folder per month: the client's file name is data, never a path."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"portal/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file a client attached to a question on the portal, stored through Django's storage
    API (a folder by default, object storage at scale) when the form is sent, and linked to
    the case's question when the case is registered."""

    submission = models.ForeignKey(
        Submission,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("portal form"),
    )
    # The case's question, once the worker has registered it.
    message = models.ForeignKey(
        "cases.Message",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="portal_attachments",
        verbose_name=_("message"),
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["message", "pk"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["sha256"])]

    def __str__(self) -> str:
        return self.name
