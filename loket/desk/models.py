"""What the desk keeps of its own: reply templates, attachments of messages, and each staff
member's default queue."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from loket.accounts.models import Language

from .replies import unknown_placeholders


class ReplyTemplate(models.Model):
    """A reply the front office gives often, in one language. The body may hold placeholders
    such as ``{{ client_name }}``, filled in by plain replacement (never the template engine:
    the text is typed by administrators, and a template language would run it)."""

    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders: {{ client_name }}, {{ reference }}, {{ subject }}, {{ due_date }}, "
            "{{ received_date }}, {{ agent_name }}."
        ),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["language", "name"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["name", "language"], name="reply_template_name_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    def clean(self) -> None:
        unknown = unknown_placeholders(self.body)
        if unknown:
            names = ", ".join("{{ " + name + " }}" for name in unknown)
            raise ValidationError(
                {"body": gettext("Unknown placeholders: %(names)s.") % {"names": names}}
            )


def attachment_path(instance: Attachment, filename: str) -> str:
    """A folder per file, so two files with the same name never overwrite each other."""
    now = timezone.now()
    return f"desk/attachments/{now:%Y/%m}/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    """A file that belongs to a message: a reply's attachment, or the scan of a letter or a
    fax. Stored through Django's storage API (a folder by default, object storage at scale)."""

    message = models.ForeignKey(
        "cases.Message",
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=500)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["message", "pk"]

    def __str__(self) -> str:
        return self.filename


class QueueDefault(models.Model):
    """The queue and filters a staff member sees first when opening the desk."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="desk_queue_default",
    )
    queue = models.CharField(_("queue"), max_length=20)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    saved_at = models.DateTimeField(_("saved"))

    class Meta:
        verbose_name = _("default queue")
        verbose_name_plural = _("default queues")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.queue}"
