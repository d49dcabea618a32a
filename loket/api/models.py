"""Personal API tokens: how staff and other systems (the telephone exchange, the website,
reporting tools) authenticate to the API. A token acts with exactly its owner's rights."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A bearer token. Only a SHA-256 hash of the secret is stored; the short prefix is kept
    in clear so that people can tell their tokens apart and the lookup needs one index."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for."))
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(_("hash of the secret"), max_length=64)
    created_at = models.DateTimeField(_("created"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (loket_{self.prefix}_…)"

    @property
    def display(self) -> str:
        """The visible part, as people see it in the token: ``loket_1a2b3c4d_…``."""
        return f"loket_{self.prefix}_…"


class ApiTokenEventQuerySet(models.QuerySet["ApiTokenEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("token events are append-only: they are never changed")


class ApiTokenEvent(models.Model):
    """Append-only audit of what happened to a token: who created or revoked it, when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        REVOKED = "revoked", _("revoked")

    token = models.ForeignKey(
        ApiToken, verbose_name=_("API token"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = ApiTokenEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token event")
        verbose_name_plural = _("API token events")
        ordering = ["at", "pk"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["token", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise TypeError("token events are append-only: they are never changed")
        super().save(*args, **kwargs)
