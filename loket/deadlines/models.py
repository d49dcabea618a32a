"""Calendars, deadline policies, delay notices and the watch's reminders (charter rules 4-6).

The rules themselves are pure functions in `rules.py`; these models are the data an
administrator edits, turned into a `CalendarRules` value by `WorkingCalendar.rules()`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import rules as day_rules


class WorkingCalendar(models.Model):
    """Working days and office hours of an office: weekly periods, a holiday set, and the
    closure days (or re-opened days) an administrator enters per year."""

    class HolidaySet(models.TextChoices):
        LEGAL = "be-legal", _("Belgian legal public holidays")
        FEDERAL = "be-federal", _("Belgian federal administration (legal + staff days off)")
        NONE = "none", _("none")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Brussels")
    holiday_set = models.CharField(
        _("holidays"), max_length=20, choices=HolidaySet.choices, default=HolidaySet.FEDERAL
    )

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def rules(self) -> day_rules.CalendarRules:
        """This calendar as the pure value the deadline functions take. Cached per process
        (see `cache.py`): a registration costs no calendar query."""
        from .cache import cached_rules

        return cached_rules(self)

    def load_rules(self) -> day_rules.CalendarRules:
        """The calendar read from the database (two queries)."""
        weekly: dict[int, list[day_rules.OfficePeriod]] = {}
        for period in self.periods.all():
            weekly.setdefault(period.weekday, []).append(
                day_rules.OfficePeriod(period.start, period.end)
            )
        closed: set[Any] = set()
        reopened: set[Any] = set()
        for day in self.days.all():
            (closed if day.closed else reopened).add(day.date)
        return day_rules.CalendarRules(
            timezone=self.timezone,
            holiday_set=self.holiday_set,
            weekly_hours={d: tuple(sorted(p, key=lambda x: x.start)) for d, p in weekly.items()},
            closure_days=frozenset(closed),
            open_days=frozenset(reopened),
        )


class OfficePeriod(models.Model):
    """One opening period on a weekday: office and phone hours (charter rule 9)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, pgettext_lazy("weekday", "Monday")
        TUESDAY = 1, pgettext_lazy("weekday", "Tuesday")
        WEDNESDAY = 2, pgettext_lazy("weekday", "Wednesday")
        THURSDAY = 3, pgettext_lazy("weekday", "Thursday")
        FRIDAY = 4, pgettext_lazy("weekday", "Friday")
        SATURDAY = 5, pgettext_lazy("weekday", "Saturday")
        SUNDAY = 6, pgettext_lazy("weekday", "Sunday")

    calendar = models.ForeignKey(
        WorkingCalendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="periods",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("office period")
        verbose_name_plural = _("office hours")
        ordering = ["calendar", "weekday", "start"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start and self.end and self.start >= self.end:
            raise ValidationError(_("A period must end after it starts."))


class CalendarDay(models.Model):
    """A date an administrator closes (a bridge day, a strike, a move) or re-opens."""

    calendar = models.ForeignKey(
        WorkingCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"))
    closed = models.BooleanField(
        _("closed"), default=True, help_text=_("Untick to open a day the holiday rules close.")
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closure or opening day")
        verbose_name_plural = _("closure and opening days")
        ordering = ["calendar", "date"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["calendar", "date"], name="one_entry_per_calendar_day")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"


def default_reminders() -> list[int]:
    return [0]


class DeadlinePolicy(models.Model):
    """A term: N working days on a calendar (charter rule 4). A topic or a kind of case
    chooses its policy; `standard` is 2 working days on the federal calendar, target 95%."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    working_days = models.PositiveSmallIntegerField(
        _("working days"), validators=[MaxValueValidator(365)]
    )
    calendar = models.ForeignKey(
        WorkingCalendar,
        verbose_name=_("calendar"),
        on_delete=models.PROTECT,
        related_name="policies",
    )
    cutoff = models.TimeField(
        _("cut-off time"),
        null=True,
        blank=True,
        help_text=_("Questions received after this time count from the next working day."),
    )
    reminder_days_before = models.JSONField(
        _("reminders (working days before the due day)"),
        default=default_reminders,
        blank=True,
        help_text=_("0 is the morning of the due day, 1 the morning of the working day before."),
    )
    internal_margin_days = models.PositiveSmallIntegerField(
        _("back-office margin (working days)"),
        default=1,
        help_text=_("A forwarded case is due in the back office this many working days earlier."),
    )
    target_percent = models.DecimalField(
        _("target (% answered within the term)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("95"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    case_kind = models.CharField(
        _("default for cases of kind"),
        max_length=20,
        blank=True,
        unique=True,
        null=True,
        choices=[
            ("question", _("question")),
            ("complaint", _("complaint")),
            ("competence-conflict", _("competence conflict")),
        ],
    )

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        ordering = ["working_days", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        values = self.reminder_days_before
        if not isinstance(values, list) or not all(
            isinstance(v, int) and 0 <= v <= 30 for v in values
        ):
            raise ValidationError(
                {
                    "reminder_days_before": _(
                        "Give a list of whole numbers from 0 to 30, e.g. [1, 0]."
                    )
                }
            )


class DelayNotice(models.Model):
    """A promise to a client: the term can't be met, this is why, this is the new term
    (charter rule 5). Late when sent after the term it replaces had already run out."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="delay_notices"
    )
    reason = models.TextField(_("reason"))
    previous_due_at = models.DateTimeField(_("term it replaces"))
    new_due_at = models.DateTimeField(_("new term"))
    sent_at = models.DateTimeField(_("sent"))
    late = models.BooleanField(_("sent after the term"), default=False)
    channel = models.CharField(_("channel"), max_length=10)
    message = models.OneToOneField(
        "cases.Message",
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("delay notice")
        verbose_name_plural = _("delay notices")
        ordering = ["sent_at"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["case", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.new_due_at:%Y-%m-%d}"


class Reminder(models.Model):
    """One step of the watch (charter rule 6). Unique per case, kind and planned moment, so
    however many workers run the watch, each reminder is sent once."""

    class Kind(models.TextChoices):
        DUE_SOON = "due-soon", _("term ends soon")
        OVERDUE = "overdue", _("term missed (reactie)")
        INTERNAL_OVERDUE = "internal-overdue", _("back-office term missed")

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    term = models.DateTimeField(_("term"))
    at = models.DateTimeField(_("planned for"))
    created_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["case", "kind", "at"], name="one_reminder_per_moment")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.term:%Y-%m-%d}"
