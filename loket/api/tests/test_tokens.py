"""Personal API tokens: stored hashed, shown once, revocable, expiring, with their owner's
rights; created and revoked in the admin."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as Browser
from django.utils import timezone

from loket.accounts.models import User
from loket.api.models import ApiToken, ApiTokenEvent
from loket.api.services import (
    TokenRefused,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)

from .conftest import Api

pytestmark = pytest.mark.django_db


def test_only_a_hash_of_the_secret_is_kept(agent: User) -> None:
    issued = api_token_create(actor=agent, owner=agent, name="Telefooncentrale")
    token = ApiToken.objects.get()
    assert issued.secret.startswith(f"loket_{token.prefix}_") and len(issued.secret) > 50
    assert token.secret_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in str(list(ApiToken.objects.values()))
    event = ApiTokenEvent.objects.get()
    assert (event.kind, event.actor, event.data["name"]) == ("created", agent, "Telefooncentrale")
    assert api_token_authenticate(secret=issued.secret).owner == agent


def test_a_wrong_secret_with_a_real_prefix_is_refused(agent: User) -> None:
    issued = api_token_create(actor=None, owner=agent, name="x")
    forged = issued.secret[:-4] + ("AAAA" if not issued.secret.endswith("AAAA") else "BBBB")
    with pytest.raises(TokenRefused, match="Unknown API token"):
        api_token_authenticate(secret=forged)
    with pytest.raises(TokenRefused, match="not a loket API token"):
        api_token_authenticate(secret="Bearer something")


def test_revoked_expired_and_disabled_tokens_are_refused(agent: User, expert: User) -> None:
    revoked = api_token_create(actor=None, owner=agent, name="old")
    api_token_revoke(actor=agent, token=revoked.token, reason="leaked")
    api_token_revoke(actor=agent, token=revoked.token)  # twice: nothing more happens
    assert ApiTokenEvent.objects.filter(kind="revoked").count() == 1
    with pytest.raises(TokenRefused, match="revoked"):
        api_token_authenticate(secret=revoked.secret)

    soon = timezone.now() + dt.timedelta(days=1)
    expiring = api_token_create(actor=None, owner=agent, name="a day", expires_at=soon)
    assert api_token_authenticate(secret=expiring.secret).owner == agent
    with pytest.raises(TokenRefused, match="expired"):
        api_token_authenticate(secret=expiring.secret, now=soon)

    disabled = api_token_create(actor=None, owner=expert, name="x")
    expert.is_active = False
    expert.save(update_fields=["is_active"])
    with pytest.raises(TokenRefused, match="disabled"):
        api_token_authenticate(secret=disabled.secret)


def test_who_may_create_and_revoke(
    agent: User, expert: User, administrator: User, outsider: User
) -> None:
    with pytest.raises(PermissionDenied):
        api_token_create(actor=expert, owner=agent, name="not mine")
    token = api_token_create(actor=administrator, owner=agent, name="for the agent").token
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=expert, token=token)
    api_token_revoke(actor=administrator, token=token)
    with pytest.raises(ValidationError) as no_role:
        api_token_create(actor=administrator, owner=outsider, name="x")
    assert list(no_role.value.message_dict) == ["owner"]
    with pytest.raises(ValidationError) as no_name:
        api_token_create(actor=agent, owner=agent, name="  ")
    assert list(no_name.value.message_dict) == ["name"]
    with pytest.raises(ValidationError):
        api_token_create(actor=agent, owner=agent, name="x", expires_at=timezone.now())


def test_the_last_use_is_noted_at_most_once_a_minute(agent: User) -> None:
    issued = api_token_create(actor=None, owner=agent, name="x")
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        api_token_authenticate(secret=issued.secret)
        clock.shift(30)
        api_token_authenticate(secret=issued.secret)
        assert ApiToken.objects.get().last_used_at == start
        clock.shift(30)
        api_token_authenticate(secret=issued.secret)
        assert ApiToken.objects.get().last_used_at == start + dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        (None, "Send a loket API token: Authorization: Bearer <token>."),
        ("Basic YWdlbnQ6c2VjcmV0", "Send a loket API token: Authorization: Bearer <token>."),
        ("Bearer loket_00000000_" + "a" * 43, "Unknown API token."),
        ("Bearer nonsense", "That is not a loket API token."),
    ],
)
def test_the_api_says_why_a_token_is_refused(
    client: Browser, agent: User, header: str | None, detail: str
) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"detail": detail, "errors": []}


def test_a_token_follows_its_owners_rights_as_they_are_now(
    api_as: Callable[[User | None], Api], agent: User
) -> None:
    api = api_as(agent)
    assert api.get("/api/v1/cases").status_code == 200
    agent.groups.clear()
    assert api.get("/api/v1/cases").status_code == 403


def test_the_admin_shows_a_new_token_once_and_revokes(
    client: Browser, administrator: User, agent: User
) -> None:
    client.force_login(administrator)
    response = client.post(
        "/en/admin/api/apitoken/add/",
        {"owner": agent.pk, "name": "Rapportering", "expires_at_0": "", "expires_at_1": ""},
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    [secret] = [w for m in shown for w in m.split() if w.startswith("loket_")]
    assert api_token_authenticate(secret=secret).owner == agent
    assert token.name == "Rapportering" and ApiTokenEvent.objects.get().actor == administrator
    page = client.get(f"/en/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert secret not in page and token.prefix in page

    client.post(
        "/en/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(TokenRefused):
        api_token_authenticate(secret=secret)


def test_the_admin_refuses_a_token_for_somebody_without_a_role(
    client: Browser, administrator: User, outsider: User
) -> None:
    client.force_login(administrator)
    response = client.post(
        "/en/admin/api/apitoken/add/",
        {"owner": outsider.pk, "name": "x", "expires_at_0": "", "expires_at_1": ""},
    )
    assert response.status_code == 200  # the form again, with the reason
    assert (
        "Only an active staff member with a role can own an API token." in response.content.decode()
    )
    assert not ApiToken.objects.exists()
