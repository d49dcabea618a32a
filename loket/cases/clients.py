"""Staff correct a client's contact details after the client was created: a mistyped name,
the language mails are answered in, the postal address, an e-mail address or phone number
added or removed (the desk's client page). Creating clients stays in services.py."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.accounts.models import User

from .access import Action, can
from .models import Client, ClientEmail, ClientPhone, Event
from .phones import InvalidPhoneNumber, normalise_phone
from .services import client_addresses_lock, normalise_email

# The client's own columns that `client_update` sets, in the order the event lists them.
DETAILS = (
    "name",
    "language",
    "kind",
    "sector",
    "organisation",
    "street",
    "postal_code",
    "city",
    "country",
)
EMAIL_MAX_LENGTH = ClientEmail._meta.get_field("address").max_length or 254
COUNTRY_CODE = re.compile(r"[A-Z]{2}")

Errors = dict[str, list[ValidationError]]


def may_change_clients(user: User) -> bool:
    """Whoever registers questions records who asks, so they also correct the client's
    details: agents, coordinators, administrators. Back-office experts answer what is
    forwarded to them and managers only read (cases/access.py)."""
    return can(user, Action.REGISTER)


def client_update(
    *,
    actor: User,
    client: Client,
    name: str,
    language: str,
    kind: str,
    sector: str,
    organisation: str,
    street: str,
    postal_code: str,
    city: str,
    country: str,
    emails: Sequence[str],
    phones: Sequence[str],
) -> Client:
    """Set the client's details, e-mail addresses and phone numbers to these, and write one
    `CLIENT_CHANGED` event with what really changed: ``{"changed": {field: [old, new]}}``
    (``emails`` and ``phones`` as lists). Nothing changed: no write and no event.

    Addresses are lower-cased and validated, phone numbers normalised to E.164 (Belgian
    when typed without a country code), both without duplicates. An address or number that
    stays keeps its row (and pk: "the first address" is the one with the lowest pk); the
    others are removed, the new ones added after them. Bad input raises a `ValidationError`
    keyed by field, naming each bad value; `PermissionDenied` when the actor may not."""
    if not may_change_clients(actor):
        raise PermissionDenied(_("Your account may not change a client's details."))
    errors: Errors = {}
    details = _details_checked(
        errors,
        name=name, language=language, kind=kind, sector=sector, organisation=organisation,
        street=street, postal_code=postal_code, city=city, country=country,
    )  # fmt: skip
    addresses = _list_checked(errors, "emails", emails, email_addresses_normalised)
    numbers = _list_checked(errors, "phones", phones, phone_numbers_normalised)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        # As the intake does before it looks an address up, so a mail from an address being
        # added here finds this client instead of creating another one (charter rule 8).
        client_addresses_lock(addresses)
        client = Client.objects.select_for_update().get(pk=client.pk)
        changed: dict[str, Any] = {
            field: [getattr(client, field), value]
            for field, value in details.items()
            if getattr(client, field) != value
        }
        if changed:
            for field in changed:
                setattr(client, field, details[field])
            client.save(update_fields=list(changed))
        emails_before, emails_after = _contacts_replace(
            client, ClientEmail, "address", addresses, _stored_email
        )
        if emails_before != emails_after:
            changed["emails"] = [emails_before, emails_after]
        phones_before, phones_after = _contacts_replace(
            client, ClientPhone, "number", numbers, _stored_phone
        )
        if phones_before != phones_after:
            changed["phones"] = [phones_before, phones_after]
        if changed:
            Event.objects.create(
                kind=Event.Kind.CLIENT_CHANGED,
                at=now,
                actor=actor,
                client=client,
                data={"changed": changed},
            )
    return client


def _details_checked(errors: Errors, **values: str) -> dict[str, str]:
    """The client's own fields trimmed (the country upper-cased), each checked against the
    model (length, choices); the problems added to `errors`."""
    details = {field: (values[field] or "").strip() for field in DETAILS}
    details["country"] = details["country"].upper()
    try:
        Client(**details).clean_fields(exclude=["created_at"])
    except ValidationError as error:
        for field, problems in error.error_dict.items():
            errors.setdefault(field, []).extend(problems)
    if not details["name"]:
        errors["name"] = [ValidationError(_("A client needs a name."), code="required")]
    if details["country"] and not COUNTRY_CODE.fullmatch(details["country"]):
        errors["country"] = [
            ValidationError(
                _("%(country)s is not a country code (two letters, such as BE)."),
                params={"country": details["country"]},
                code="invalid",
            )
        ]
    return details


def email_addresses_normalised(typed: Sequence[str]) -> list[str]:
    """The addresses lower-cased and validated, blank ones left out, each once, in the
    order typed; a `ValidationError` naming every one that is not an address."""
    return _normalised(typed, _email_checked)


def phone_numbers_normalised(typed: Sequence[str]) -> list[str]:
    """The numbers in E.164 (Belgian when typed without a country code), blank ones left
    out, each once, in the order typed; a `ValidationError` naming every bad one."""
    return _normalised(typed, _phone_checked)


def _normalised(typed: Sequence[str], checked: Callable[[str], str]) -> list[str]:
    found: list[str] = []
    problems: list[ValidationError] = []
    for text in typed:
        if not text.strip():
            continue
        try:
            found.append(checked(text))
        except ValidationError as problem:
            problems.append(problem)
    if problems:
        raise ValidationError(problems)
    return list(dict.fromkeys(found))


def _list_checked(
    errors: Errors,
    field: str,
    typed: Sequence[str],
    normalised: Callable[[Sequence[str]], list[str]],
) -> list[str]:
    try:
        return normalised(typed)
    except ValidationError as problem:
        errors[field] = problem.error_list
        return []


def _email_checked(text: str) -> str:
    address = normalise_email(text)
    if len(address) > EMAIL_MAX_LENGTH:
        raise ValidationError(
            _("%(address)s is longer than an e-mail address can be.") % {"address": address}
        )
    return address


def _phone_checked(text: str) -> str:
    try:
        return normalise_phone(text)
    except InvalidPhoneNumber as error:
        raise ValidationError(
            _("%(number)s is not a phone number.") % {"number": text.strip()}
        ) from error


def _stored_email(address: str) -> str:
    """A stored address as the form would give it (the admin may have stored it otherwise)."""
    return address.strip().lower()


def _stored_phone(number: str) -> str:
    try:
        return normalise_phone(number)
    except InvalidPhoneNumber:
        return number


def _contacts_replace[Row: (ClientEmail, ClientPhone)](
    client: Client,
    model: type[Row],
    attribute: str,
    wanted: list[str],
    same: Callable[[str], str],
) -> tuple[list[str], list[str]]:
    """Make the client's `model` rows hold exactly `wanted`, and return the values before
    and after, in pk order. A row whose value (as `same` reads it) is wanted stays, written
    in the normalised form if it was stored otherwise; the first such row when two stored
    forms mean the same. The other rows go; the values no row had are added in order."""
    rows = list(model.objects.filter(client=client).order_by("pk"))
    before = [getattr(row, attribute) for row in rows]
    kept: dict[str, Row] = {}
    for row in rows:
        value = same(getattr(row, attribute))
        if value in wanted and value not in kept:
            kept[value] = row
    staying = {row.pk for row in kept.values()}
    gone = [row.pk for row in rows if row.pk not in staying]
    if gone:
        # First: a kept row rewritten to its normalised form must not meet a removed twin.
        model.objects.filter(pk__in=gone).delete()
    rewritten = []
    for value, row in kept.items():
        if getattr(row, attribute) != value:
            setattr(row, attribute, value)
            rewritten.append(row)
    if rewritten:
        model.objects.bulk_update(rewritten, [attribute])
    added = [model(client=client, **{attribute: value}) for value in wanted if value not in kept]
    if added:
        model.objects.bulk_create(added)
    after = [getattr(row, attribute) for row in rows if row.pk in staying]
    return before, after + [getattr(row, attribute) for row in added]
