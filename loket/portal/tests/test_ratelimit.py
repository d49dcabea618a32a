"""Rate limits: counted per identity and window in the cache, liftable by a setting."""

from __future__ import annotations

import time_machine
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from loket.portal import ratelimit

from .conftest import at


def test_attempts_beyond_the_limit_are_refused_until_the_window_ends() -> None:
    with override_settings(LOKET_PORTAL_RATE_LIMITS={"follow-ip": (3, 900)}):
        with time_machine.travel(at("2026-03-02 10:00:00"), tick=False):
            assert [ratelimit.hit("follow-ip", "192.0.2.1") for _ in range(4)] == [
                True,
                True,
                True,
                False,
            ]
            assert ratelimit.exceeded("follow-ip", "192.0.2.1")
            # Another visitor has their own count.
            assert ratelimit.hit("follow-ip", "192.0.2.2")
            assert not ratelimit.exceeded("follow-ip", "192.0.2.2")
        with time_machine.travel(at("2026-03-02 10:15:00"), tick=False):
            assert not ratelimit.exceeded("follow-ip", "192.0.2.1")
            assert ratelimit.hit("follow-ip", "192.0.2.1")


def test_peeking_does_not_count() -> None:
    with override_settings(LOKET_PORTAL_RATE_LIMITS={"follow-reference": (1, 3600)}):
        for _ in range(5):
            assert not ratelimit.exceeded("follow-reference", "MI2026000001XX")
        assert ratelimit.hit("follow-reference", "MI2026000001XX")
        assert ratelimit.exceeded("follow-reference", "MI2026000001XX")


def test_a_lifted_limit_never_refuses() -> None:
    with override_settings(LOKET_PORTAL_RATE_LIMITS={"ask-ip": None}):
        assert all(ratelimit.hit("ask-ip", "192.0.2.1") for _ in range(500))
        assert not ratelimit.exceeded("ask-ip", "192.0.2.1")


def test_the_defaults_apply_without_the_setting() -> None:
    limit = ratelimit.limit_named("ask-email")
    assert (
        limit is not None
        and (limit.attempts, limit.seconds) == ratelimit.DEFAULT_LIMITS["ask-email"]
    )


def test_identities_are_hashed_in_the_cache() -> None:
    ratelimit.hit("ask-email", "jan@example.be")
    keys = list(cache._cache.keys())  # type: ignore[attr-defined]  # locmem's own store
    assert keys and not any("jan@example.be" in key for key in keys)


def test_the_client_address_comes_from_the_proxy_header_only_when_configured() -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert ratelimit.client_ip(request) == "10.0.0.5"
    with override_settings(LOKET_CLIENT_IP_HEADER="X-Forwarded-For"):
        # The last entry is what the trusted proxy saw; the first can be forged.
        assert ratelimit.client_ip(request) == "203.0.113.9"
