"""The case core (DESIGN.md, "Domain model"): clients, topics, cases, messages, events."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from loket.accounts.models import Language


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")
    WEB = "web", _("web form")
    POST = "post", _("post")
    FAX = "fax", _("fax")
    SOCIAL = "social", _("social media")
    COUNTER = "counter", _("counter")


class Topic(models.Model):
    """The taxonomy that drives deadline policy, routing and reporting. A tree."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_de = models.CharField(_("name (German)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    policy = models.ForeignKey(
        "deadlines.DeadlinePolicy",
        verbose_name=_("deadline policy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="topics",
        help_text=_("Empty: the parent topic's policy, else the policy of the kind of case."),
    )

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name()

    def name(self, language: str | None = None) -> str:
        """The name in the given (or the active) language, falling back to Dutch."""
        language = (language or get_language() or "nl")[:2]
        return str(getattr(self, f"name_{language}", "") or self.name_nl)


class Client(models.Model):
    """A person or an organisation (a welfare centre, a lawyer…) who asks the service."""

    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        ORGANISATION = "organisation", _("organisation")

    class Sector(models.TextChoices):
        CITIZEN = "citizen", _("citizen")
        WELFARE_CENTRE = "welfare-centre", _("public social welfare centre")
        LAWYER = "lawyer", _("lawyer")
        ADMINISTRATION = "administration", _("other administration")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PERSON)
    sector = models.CharField(
        _("sector"), max_length=20, choices=Sector.choices, default=Sector.CITIZEN
    )
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.NL
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="BE")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})" if self.organisation else self.name

    @property
    def has_postal_address(self) -> bool:
        return bool(self.street and self.city)


class ClientEmail(models.Model):
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="emails"
    )
    address = models.EmailField(_("e-mail address"), db_index=True)

    class Meta:
        verbose_name = _("e-mail address")
        verbose_name_plural = _("e-mail addresses")
        ordering = ["pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["client", "address"], name="client_email_once")
        ]

    def __str__(self) -> str:
        return self.address


class ClientPhone(models.Model):
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(_("phone number (E.164)"), max_length=20, db_index=True)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["client", "number"], name="client_phone_once")
        ]

    def __str__(self) -> str:
        return self.number


class ReferenceSequence(models.Model):
    """The last registration number handed out per prefix and year; read under a row lock."""

    prefix = models.CharField(_("prefix"), max_length=6)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["prefix", "year"], name="one_sequence_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class Case(models.Model):
    """One question, complaint or competence conflict, from registration to closing."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("question")
        COMPLAINT = "complaint", _("complaint")
        COMPETENCE_CONFLICT = "competence-conflict", _("competence conflict")

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        IN_PROGRESS = "in-progress", _("in progress")
        FORWARDED = "forwarded", _("forwarded")
        ANSWERED = "answered", _("answered")
        CLOSED = "closed", _("closed")
        REOPENED = "reopened", _("reopened")

    OPEN_STATUSES: ClassVar[tuple[str, ...]] = (
        Status.REGISTERED,
        Status.IN_PROGRESS,
        Status.FORWARDED,
        Status.REOPENED,
    )

    reference = models.CharField(_("registration number"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.QUESTION)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="cases"
    )
    subject = models.CharField(_("subject"), max_length=300)
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED
    )
    # A letter arrives before it is registered; its term counts from its arrival (rule 4).
    received_at = models.DateTimeField(_("received"))
    registered_at = models.DateTimeField(_("registered"))
    policy = models.ForeignKey(
        "deadlines.DeadlinePolicy",
        verbose_name=_("deadline policy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # The charter's term under the policy; the indicators measure against it (rule 4).
    charter_due_at = models.DateTimeField(_("term under the charter"), null=True, blank=True)
    # The term being watched: the charter's, or the new term a delay notice promised (rule 5).
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # When the watch next reminds the owner (rule 6); None when no reminder is pending.
    remind_at = models.DateTimeField(_("next reminder"), null=True, blank=True)
    internal_due_at = models.DateTimeField(_("back-office term"), null=True, blank=True)
    overdue_since = models.DateTimeField(_("overdue since"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_cases",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    forwarded_at = models.DateTimeField(_("first forwarded"), null=True, blank=True)
    answered_at = models.DateTimeField(_("first answered"), null=True, blank=True)
    # Charter rule 7: the share the front office answers without forwarding (target 80%).
    answered_by_front_office = models.BooleanField(
        _("answered by the front office without forwarding"), null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    related_case = models.ForeignKey(
        "self",
        verbose_name=_("related case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="related_cases",
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "due_at"], name="case_status_due"),
            models.Index(fields=["owner", "status", "due_at"], name="case_owner_status_due"),
            models.Index(fields=["team", "status", "due_at"], name="case_team_status_due"),
            models.Index(fields=["client", "received_at"], name="case_client_received"),
            models.Index(fields=["received_at"], name="case_received"),
            models.Index(fields=["status", "remind_at"], name="case_status_remind"),
            models.Index(fields=["status", "internal_due_at"], name="case_status_internal_due"),
        ]
        permissions = [
            ("register_case", "Can register a case"),
            ("answer_case", "Can answer a case"),
            ("forward_case", "Can forward a case to the back office"),
            ("close_case", "Can close a case"),
            ("view_all_cases", "Can see every case"),
            ("view_reports", "Can read the indicators"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Message(models.Model):
    """Everything said in a case, in or out, on a channel; a note is seen by staff only."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("from the client")
        OUTBOUND = "out", _("to the client")
        NOTE = "note", _("internal note")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="messages"
    )
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sender = models.CharField(_("from"), max_length=300, blank=True)
    recipient = models.CharField(_("to"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    at = models.DateTimeField(_("at"))
    # The e-mail Message-ID, for threading replies (In-Reply-To / References).
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["at", "pk"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.at:%Y-%m-%d %H:%M}"


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("events are append-only: they are never changed")


class Event(models.Model):
    """Append-only history of every step: who did what, when. Timeline, audit, indicators."""

    class Kind(models.TextChoices):
        CLIENT_CREATED = "client.created", _("client created")
        CLIENT_CHANGED = "client.changed", _("client's details changed")
        CASE_REGISTERED = "case.registered", _("registered")
        CASE_ASSIGNED = "case.assigned", _("assigned")
        CASE_FORWARDED = "case.forwarded", _("forwarded to the back office")
        CASE_ANSWERED = "case.answered", _("answered")
        CASE_CLOSED = "case.closed", _("closed")
        CASE_REOPENED = "case.reopened", _("reopened")
        CASE_NOTE_ADDED = "case.note-added", _("note added")
        CASE_MESSAGE_RECEIVED = "case.message-received", _("message received")
        CASE_TOPIC_CHANGED = "case.topic-changed", _("topic changed")
        CASE_POLICY_CHANGED = "case.policy-changed", _("deadline policy changed")
        CASE_REMINDED = "case.reminded", _("reminder sent")
        CASE_OVERDUE = "case.overdue", _("term missed")
        CASE_INTERNAL_OVERDUE = "case.internal-overdue", _("back-office term missed")
        CASE_DELAY_NOTICE_SENT = "case.delay-notice-sent", _("delay notice sent")
        # Routing by competence and agenda (charter rule 7): staff steps have no case.
        STAFF_COMPETENCE_CHANGED = "staff.competence-changed", _("competence changed")
        STAFF_WORKING_PATTERN_CHANGED = (
            "staff.working-pattern-changed",
            _("working pattern changed"),
        )
        STAFF_ABSENCE_RECORDED = "staff.absence-recorded", _("absence recorded")
        STAFF_ABSENCE_REMOVED = "staff.absence-removed", _("absence removed")
        STAFF_AGENDA_FEED_CHANGED = "staff.agenda-feed-changed", _("agenda feed added or removed")
        STAFF_AGENDA_FEED_REFRESHED = "staff.agenda-feed-refreshed", _("agenda feed read")
        CASE_REASSIGNMENT_PROPOSED = "case.reassignment-proposed", _("reassignment proposed")
        CASE_REASSIGNMENT_DISMISSED = "case.reassignment-dismissed", _("reassignment declined")
        # The knowledge base (charter rule 10): article steps have no case.
        ARTICLE_CREATED = "article.created", _("FAQ article created")
        ARTICLE_CHANGED = "article.changed", _("FAQ article changed")
        ARTICLE_SUBMITTED = "article.submitted", _("FAQ article sent for review")
        ARTICLE_PUBLISHED = "article.published", _("FAQ article published")
        ARTICLE_ARCHIVED = "article.archived", _("FAQ article archived")
        ARTICLE_RESTORED = "article.restored", _("FAQ article taken out of the archive")
        ARTICLE_REVIEW_DUE = "article.review-due", _("FAQ article review reminder sent")
        ARTICLE_REVIEWED = "article.reviewed", _("FAQ article reviewed")
        CASE_ANSWERED_WITH_ARTICLE = "case.answered-with-article", _("answered with an FAQ article")
        CASE_SIGNALLED = "case.signalled", _("flagged for the knowledge base")
        FAQ_CANDIDATE_PROPOSED = "faq-candidate.proposed", _("FAQ candidate proposed")
        FAQ_CANDIDATE_ACCEPTED = "faq-candidate.accepted", _("FAQ candidate accepted")
        FAQ_CANDIDATE_DISMISSED = "faq-candidate.dismissed", _("FAQ candidate dismissed")
        KNOWLEDGE_POLICY_CHANGED = "knowledge.policy-changed", _("knowledge base settings changed")
        # The e-mail channel: a mail loket sent could not be delivered; inbound mail that
        # could not be processed was quarantined, or processed again after a fix.
        CASE_DELIVERY_FAILED = "case.delivery-failed", _("e-mail not delivered")
        MAIL_QUARANTINED = "mail.quarantined", _("incoming e-mail quarantined")
        MAIL_REPROCESSED = "mail.reprocessed", _("incoming e-mail processed again")
        # The portal: a form kept but whose case could not be registered, and tried again.
        PORTAL_FORM_FAILED = "portal.form-failed", _("portal form could not be registered")
        PORTAL_FORM_RETRIED = "portal.form-retried", _("portal form registered again")

    kind = models.CharField(_("what"), max_length=40, choices=Kind.choices)
    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["at", "pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["case", "at"]),
            models.Index(fields=["kind", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise TypeError("events are append-only: they are never changed")
        super().save(*args, **kwargs)
