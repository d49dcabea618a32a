"""The scheduler's claims: one row per periodic job and time slot."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduleSlot(models.Model):
    """Claimed by the first scheduler that reaches a job's slot; the unique constraint makes
    sure that however many workers run, each slot enqueues its job once."""

    job = models.CharField(_("job"), max_length=100)
    slot = models.BigIntegerField(_("time slot"))
    claimed_at = models.DateTimeField(_("claimed"))
    claimed_by = models.CharField(_("claimed by"), max_length=64)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["job", "slot"], name="one_claim_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.job}@{self.slot}"
