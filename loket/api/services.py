"""Creating, revoking and checking personal API tokens. Each change writes its
`ApiTokenEvent` in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.accounts.models import User
from loket.accounts.roles import Role, roles_of

from .models import ApiToken, ApiTokenEvent

_SHAPE = re.compile(r"^loket_([0-9a-f]{8})_([A-Za-z0-9_-]{20,100})$")
# Writing last_used_at on every request would turn each read into a write; once a minute
# is precise enough to see which tokens are still in use.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


class TokenRefused(Exception):
    """The presented token does not authenticate anybody; the message says why."""


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret, which is shown once and never stored."""

    token: ApiToken
    secret: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _may_manage(actor: User | None, owner: User) -> bool:
    """People manage their own tokens; administrators manage everybody's."""
    if actor is None:  # the shell, a management command
        return True
    return actor.pk == owner.pk or actor.is_superuser or Role.ADMINISTRATOR in roles_of(actor)


def api_token_check(
    *, owner: User | None, name: str, expires_at: dt.datetime | None, now: dt.datetime
) -> str:
    """The token's name, tidied; `ValidationError` naming the field when the owner, the
    name or the expiry date cannot be (the admin's form asks this before it saves)."""
    errors: dict[str, str] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = _("Say what the token is for.")
    if owner is None or not owner.is_active or not roles_of(owner):
        errors["owner"] = _("Only an active staff member with a role can own an API token.")
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = _("The expiry date must lie in the future.")
    if errors:
        raise ValidationError(errors)
    return name


def api_token_create(
    *,
    actor: User | None,
    owner: User,
    name: str,
    expires_at: dt.datetime | None = None,
) -> IssuedToken:
    """Issue a personal API token for a staff member; it acts with the owner's rights.

    The secret is returned once: only its SHA-256 hash is kept, with a short prefix in clear
    to recognise the token by.
    """
    if not _may_manage(actor, owner):
        raise PermissionDenied(_("Only administrators create tokens for somebody else."))
    now = timezone.now()
    name = api_token_check(owner=owner, name=name, expires_at=expires_at, now=now)
    with transaction.atomic():
        prefix = secrets.token_hex(4)
        while ApiToken.objects.filter(prefix=prefix).exists():
            prefix = secrets.token_hex(4)
        secret = f"loket_{prefix}_{secrets.token_urlsafe(32)}"
        token = ApiToken.objects.create(
            owner=owner,
            name=name[:100],
            prefix=prefix,
            secret_hash=_hash(secret),
            created_at=now,
            expires_at=expires_at,
        )
        ApiTokenEvent.objects.create(
            token=token,
            kind=ApiTokenEvent.Kind.CREATED,
            at=now,
            actor=actor,
            data={
                "owner": owner.pk,
                "name": token.name,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, actor: User | None, token: ApiToken, reason: str = "") -> ApiToken:
    """Revoke a token at once; revoking twice changes nothing and records nothing."""
    if not _may_manage(actor, token.owner):
        raise PermissionDenied(_("Only administrators revoke somebody else's tokens."))
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        ApiTokenEvent.objects.create(
            token=token,
            kind=ApiTokenEvent.Kind.REVOKED,
            at=now,
            actor=actor,
            data={"reason": reason.strip()},
        )
    return token


def api_token_authenticate(*, secret: str, now: dt.datetime | None = None) -> ApiToken:
    """The token this secret belongs to, with its owner and the owner's groups loaded.

    Refused (`TokenRefused`) when unknown, revoked, expired, or when the owner's account is
    disabled. The hashes are compared in constant time. Notes when the token was last used,
    at most once a minute.
    """
    now = now or timezone.now()
    match = _SHAPE.match(secret.strip())
    if match is None:
        raise TokenRefused(_("That is not a loket API token."))
    token = (
        ApiToken.objects.select_related("owner")
        .prefetch_related("owner__groups")
        .filter(prefix=match.group(1))
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret.strip())):
        raise TokenRefused(_("Unknown API token."))
    if token.revoked_at is not None:
        raise TokenRefused(_("This API token was revoked."))
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenRefused(_("This API token has expired."))
    if not token.owner.is_active:
        raise TokenRefused(_("The account that owns this API token is disabled."))
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
