"""Routing by competence and agenda (charter rule 7): who can answer which topic, who works
when, who is away, and the proposals to move cases away from absent owners."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Weekday(models.IntegerChoices):
    MONDAY = 0, pgettext_lazy("weekday", "Monday")
    TUESDAY = 1, pgettext_lazy("weekday", "Tuesday")
    WEDNESDAY = 2, pgettext_lazy("weekday", "Wednesday")
    THURSDAY = 3, pgettext_lazy("weekday", "Thursday")
    FRIDAY = 4, pgettext_lazy("weekday", "Friday")
    SATURDAY = 5, pgettext_lazy("weekday", "Saturday")
    SUNDAY = 6, pgettext_lazy("weekday", "Sunday")


class Competence(models.Model):
    """A staff member can answer questions on a topic (and its sub-topics), as the expert or
    as a backup who takes over when the experts are away."""

    class Level(models.TextChoices):
        EXPERT = "expert", _("expert")
        BACKUP = "backup", _("backup")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="competences",
    )
    topic = models.ForeignKey(
        "cases.Topic", verbose_name=_("topic"), on_delete=models.CASCADE, related_name="competences"
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)

    class Meta:
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        ordering = ["topic", "level", "user"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["user", "topic"], name="one_competence_per_topic")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.topic} ({self.get_level_display()})"


class TopicRouting(models.Model):
    """How forwarded questions on a topic are routed: the back-office team that answers it,
    how many present working days a person needs before the back-office term, and whether
    the first suggested person gets the case without the agent choosing."""

    topic = models.OneToOneField(
        "cases.Topic", verbose_name=_("topic"), on_delete=models.CASCADE, related_name="routing"
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    auto_assign = models.BooleanField(
        _("assign automatically"),
        default=False,
        help_text=_("Forwarded cases go to the first suggested person without asking."),
    )
    days_needed = models.PositiveSmallIntegerField(
        _("present working days needed"),
        default=1,
        help_text=_("Working days a person must be present before the back-office term."),
    )

    class Meta:
        verbose_name = _("topic routing rule")
        verbose_name_plural = _("topic routing rules")
        ordering = ["topic"]

    def __str__(self) -> str:
        return str(self.topic)


class WorkingPattern(models.Model):
    """One working period on a weekday, in local time. A weekday without a period in a
    person's valid pattern is a part-time day off; without any pattern, the office hours."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="working_patterns",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("working period")
        verbose_name_plural = _("working pattern")
        ordering = ["user", "weekday", "start"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="working_period_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start and self.end and self.start >= self.end:
            raise ValidationError(_("A period must end after it starts."))


class AgendaFeed(models.Model):
    """A person's agenda in iCalendar form: a URL read periodically, or an uploaded .ics."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="agenda_feeds",
    )
    url = models.URLField(_("address (URL)"), max_length=1000, blank=True)
    file = models.FileField(_("uploaded .ics file"), upload_to="agendas/%Y/", blank=True)
    created_at = models.DateTimeField(_("added"))
    last_refreshed_at = models.DateTimeField(_("last read"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("agenda feed")
        verbose_name_plural = _("agenda feeds")
        ordering = ["user", "pk"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(file=""), name="agenda_feed_has_url_or_file"
            )
        ]

    def __str__(self) -> str:
        return self.url or str(self.file.name)


class Absence(models.Model):
    """A time a person is not there: leave, training, illness, a meeting. Entered in the
    desk, or read from an agenda feed (then keyed by the event's UID and recurrence id, so
    reading the feed again updates the same rows). An event's title is never kept."""

    class Kind(models.TextChoices):
        LEAVE = "leave", _("leave")
        TRAINING = "training", _("training")
        ILLNESS = "illness", _("illness")
        MEETING = "meeting", _("meeting")

    class Source(models.TextChoices):
        MANUAL = "manual", _("entered in the desk")
        ICAL = "ical", _("agenda feed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="absences",
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    all_day = models.BooleanField(_("whole days"), default=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LEAVE)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    feed = models.ForeignKey(
        AgendaFeed,
        verbose_name=_("agenda feed"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="absences",
    )
    uid = models.CharField(_("event UID"), max_length=500, blank=True)
    recurrence_id = models.CharField(_("recurrence id"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["user", "start"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["user", "end"], name="absence_user_end"),
            models.Index(fields=["start", "end"], name="absence_start_end"),
        ]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="absence_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["feed", "uid", "recurrence_id"],
                condition=Q(feed__isnull=False),
                name="one_absence_per_feed_occurrence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()} {timezone.localtime(self.start):%Y-%m-%d}"


class Reassignment(models.Model):
    """A case whose term falls in its owner's absence, proposed for another owner: a backup
    who is there in time, or else the front office (the absences catch-up)."""

    class Status(models.TextChoices):
        OPEN = "open", _("to decide")
        ACCEPTED = "accepted", _("reassigned")
        DISMISSED = "dismissed", _("kept")

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="reassignments"
    )
    absence = models.ForeignKey(
        Absence, verbose_name=_("absence"), on_delete=models.CASCADE, related_name="reassignments"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("absent owner"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    term = models.DateTimeField(_("term"))
    proposed_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("proposed team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("proposed"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("proposed reassignment")
        verbose_name_plural = _("proposed reassignments")
        ordering = ["term", "pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "term"], name="reassignment_status_term")
        ]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["case", "absence"], name="one_proposal_per_absence")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} ← {self.person_id}"
