"""Telephone calls as the exchange reports them (charter rule 9: calls are logged with their
outcome). No IVR: loket only listens to the exchange and shows the desk who is calling."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Call(models.Model):
    """One call, from ringing to its end, with what came of it."""

    class State(models.TextChoices):
        RINGING = "ringing", _("ringing")
        ANSWERED = "answered", _("answered")
        ENDED = "ended", _("ended")

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("answered in the call")
        QUESTION_REGISTERED = "question-registered", _("question registered")
        MISSED = "missed", _("missed")
        TRANSFERRED = "transferred", _("transferred")

    call_id = models.CharField(_("call id at the exchange"), max_length=100, unique=True)
    caller_number = models.CharField(
        _("caller's number (E.164)"), max_length=20, blank=True, help_text=_("Empty: withheld.")
    )
    client = models.ForeignKey(
        "cases.Client",
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    started_at = models.DateTimeField(_("started"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["started_at"], name="call_started"),
            models.Index(fields=["agent", "state"], name="call_agent_state"),
            models.Index(fields=["caller_number", "started_at"], name="call_caller_started"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.caller_number or '-'} {self.get_state_display()}"


class CallEvent(models.Model):
    """Each event the exchange sent, once: unique per call and kind, so that a repeated
    event (the exchange retries) changes nothing."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=10, choices=Call.State.choices)
    at = models.DateTimeField(_("when (exchange)"))
    received_at = models.DateTimeField(_("received"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("call event")
        verbose_name_plural = _("call events")
        ordering = ["at", "pk"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["call", "kind"], name="one_event_per_call_and_kind")
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.kind} {self.at:%Y-%m-%d %H:%M:%S}"
