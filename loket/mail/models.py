"""The e-mail channel's records.

The outbox: every e-mail loket sends is a row first, sent by a task after the commit,
retried on failure, and visible to administrators (nothing is sent twice, nothing is lost).
The intake: the mailboxes loket polls, and every message that arrived, raw bytes first
(charter rule 1), with what became of it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundMail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed, will retry")
        GAVE_UP = "gave-up", _("failed for good")

    kind = models.CharField(_("kind"), max_length=40)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbound_mails",
    )
    case_message = models.ForeignKey(
        "cases.Message",
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbound_mails",
    )
    to = models.JSONField(_("to"))
    from_address = models.CharField(_("from"), max_length=300)
    subject = models.CharField(_("subject"), max_length=500)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    language = models.CharField(_("language"), max_length=2)
    message_id = models.CharField(_("Message-ID"), max_length=300, unique=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # A delivery report (bounce) came back for it: sent, but never arrived.
    delivery_failed_at = models.DateTimeField(_("delivery failed"), null=True, blank=True)
    delivery_error = models.TextField(_("delivery report"), blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {', '.join(self.to)}"


class MailBox(models.Model):
    """An IMAP mailbox loket polls (vraag@, klacht@): what arrives there is registered."""

    class Receives(models.TextChoices):
        QUESTIONS = "question", _("questions")
        COMPLAINTS = "complaint", _("complaints")

    class AfterStore(models.TextChoices):
        MOVE = "move", _("move to a folder")
        MARK_SEEN = "seen", _("mark as read")

    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("IMAP server"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993)
    use_tls = models.BooleanField(_("TLS"), default=True, help_text=_("IMAP over TLS (port 993)."))
    username = models.CharField(_("user name"), max_length=200)
    password = models.CharField(_("password"), max_length=200, blank=True)
    password_file = models.CharField(
        _("password file"),
        max_length=500,
        blank=True,
        help_text=_("A file holding the password (a mounted secret); used when it is filled in."),
    )
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    receives = models.CharField(
        _("receives"), max_length=10, choices=Receives.choices, default=Receives.QUESTIONS
    )
    after_store = models.CharField(
        _("once a message is safely stored"),
        max_length=5,
        choices=AfterStore.choices,
        default=AfterStore.MOVE,
        help_text=_("Messages are never deleted."),
    )
    move_to = models.CharField(_("move to folder"), max_length=200, default="loket", blank=True)
    active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    # One poll at a time per mailbox, whatever the number of workers: a short lease.
    poll_lease_until = models.DateTimeField(
        _("polling locked until"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.password and not self.password_file:
            raise ValidationError(_("Give a password or a password file."))
        if self.after_store == self.AfterStore.MOVE and not self.move_to.strip():
            raise ValidationError({"move_to": _("Name the folder to move messages to.")})


def raw_mail_name(sha256: str) -> str:
    """Where the raw bytes live in the storage: content-addressed, so storing twice is a no-op."""
    return f"mail/raw/{sha256[:2]}/{sha256[2:4]}/{sha256}.eml"


class InboundMail(models.Model):
    """One message that arrived, recorded as soon as its raw bytes are stored, before
    anything reads it (charter rule 1); parsing and the case work follow in a task."""

    class Source(models.TextChoices):
        IMAP = "imap", _("mailbox")
        IMPORT = "import", _("import")
        API = "api", _("API")

    class State(models.TextChoices):
        RECEIVED = "received", _("received, not processed yet")
        PROCESSED = "processed", _("processed")
        QUARANTINED = "quarantined", _("quarantined")
        IGNORED = "ignored", _("ignored")

    class Outcome(models.TextChoices):
        NEW_CASE = "new-case", _("registered as a new case")
        THREADED = "threaded", _("added to a case")
        DUPLICATE = "duplicate", _("a copy of a message already registered")
        LOOP = "loop", _("loket's own e-mail, come back")

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    mailbox = models.ForeignKey(
        MailBox,
        verbose_name=_("mailbox"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_mails",
    )
    # The kind of case it opens when it threads to none (the mailbox's, else a question).
    kind = models.CharField(_("opens a"), max_length=20, default="question")
    received_at = models.DateTimeField(_("received"))
    stored_at = models.DateTimeField(_("stored"))
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.RECEIVED
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    reason = models.CharField(_("what happened"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    traceback = models.TextField(_("traceback"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("processing attempts"), default=0)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    # What parsing found; filled in when it is processed.
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True, db_index=True)
    sender = models.CharField(_("from"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    html = models.TextField(_("HTML (sanitised)"), blank=True)
    notes = models.JSONField(_("what parsing repaired or cut"), default=list, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_mails",
    )
    case_message = models.OneToOneField(
        "cases.Message",
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_mail",
    )
    acknowledgement = models.ForeignKey(
        OutboundMail,
        verbose_name=_("acknowledgement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        verbose_name = _("incoming e-mail")
        verbose_name_plural = _("incoming e-mails")
        ordering = ["-received_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["state", "received_at"], name="inbound_state_received"),
            # The rate limit of acknowledgements per sender (no two robots in a loop).
            models.Index(fields=["sender", "acknowledged_at"], name="inbound_sender_acknowledged"),
        ]

    def __str__(self) -> str:
        return self.subject or self.sha256[:12]

    @property
    def raw_name(self) -> str:
        return raw_mail_name(self.sha256)


def attachment_name(sha256: str) -> str:
    return f"mail/files/{sha256[:2]}/{sha256[2:4]}/{sha256}"


class InboundAttachment(models.Model):
    """A file of an inbound mail (an attachment, an inline image, a forwarded message),
    stored content-addressed through the storage API and linked to the case's message."""

    inbound = models.ForeignKey(
        InboundMail,
        verbose_name=_("incoming e-mail"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    case_message = models.ForeignKey(
        "cases.Message",
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mail_attachments",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=150)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_id = models.CharField(_("Content-ID"), max_length=300, blank=True)
    inline = models.BooleanField(_("inline"), default=False)
    truncated = models.BooleanField(_("cut at the size limit"), default=False)

    class Meta:
        verbose_name = _("attachment of an incoming e-mail")
        verbose_name_plural = _("attachments of incoming e-mails")
        ordering = ["inbound", "position"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["inbound", "position"], name="inbound_attachment_once")
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def storage_name(self) -> str:
        return attachment_name(self.sha256)
