"""Rate limits for the public forms, counted in Django's cache (local memory in one process,
Redis when several processes serve loket: settings.CACHES).

Fixed windows: each limit counts attempts per identity (an IP address, an e-mail address, a
registration number) in the current window of `seconds`. Identities are hashed before they
become cache keys, so the cache never holds addresses in clear.

The limits can be changed, or lifted (``None``), per name with the setting
``LOKET_PORTAL_RATE_LIMITS = {"ask-ip": (20, 3600), ...}``.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

# name -> (attempts allowed, per so many seconds). Generous for people (a welfare centre's
# staff share one IP address), tight enough that a script gets nowhere.
DEFAULT_LIMITS: dict[str, tuple[int, int] | None] = {
    "ask-ip": (30, 3600),
    "ask-email": (10, 3600),
    "complain-ip": (10, 3600),
    "complain-email": (5, 3600),
    # Every status lookup from one address, found or not.
    "follow-ip": (20, 900),
    # Failed lookups of one registration number, from anywhere: guessing the e-mail address
    # of a known number from many addresses gets nowhere either.
    "follow-reference": (10, 3600),
    # "Did this help?" answers on the FAQ, from one address.
    "faq-feedback-ip": (60, 3600),
}


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    seconds: int


def limit_named(name: str) -> Limit | None:
    """The limit in force for `name` (the setting wins over the default); None if lifted."""
    configured: dict[str, tuple[int, int] | None] = getattr(
        settings, "LOKET_PORTAL_RATE_LIMITS", {}
    )
    value = configured[name] if name in configured else DEFAULT_LIMITS[name]
    if value is None:
        return None
    attempts, seconds = value
    return Limit(name, int(attempts), int(seconds))


def _key(limit: Limit, identity: str) -> str:
    window = int(time.time() // limit.seconds)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"loket:rate:{limit.name}:{window}:{digest}"


def hit(name: str, identity: str) -> bool:
    """Count one attempt of `identity`; False when it goes over the limit."""
    limit = limit_named(name)
    if limit is None:
        return True
    key = _key(limit, identity)
    # add() only creates a missing counter; incr() is atomic in locmem and in Redis.
    cache.add(key, 0, timeout=limit.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, timeout=limit.seconds + 1)
        count = 1
    return count <= limit.attempts


def exceeded(name: str, identity: str) -> bool:
    """Whether `identity` has used up its attempts in this window (without counting one)."""
    limit = limit_named(name)
    if limit is None:
        return False
    return int(cache.get(_key(limit, identity), 0)) >= limit.attempts


def client_ip(request: HttpRequest) -> str:
    """The visitor's address. Behind a proxy, ``LOKET_CLIENT_IP_HEADER`` names the header the
    proxy sets (e.g. ``X-Forwarded-For``); its last entry is the address the proxy saw (the
    entries before it come from the visitor and can be forged)."""
    header = getattr(settings, "LOKET_CLIENT_IP_HEADER", "")
    if header:
        value = request.headers.get(header, "")
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        if entries:
            return entries[-1]
    return str(request.META.get("REMOTE_ADDR", ""))
