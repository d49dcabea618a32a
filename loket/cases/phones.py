"""Phone numbers, normalised to E.164 so that a caller is recognised however it was typed."""

from __future__ import annotations

import phonenumbers


class InvalidPhoneNumber(ValueError):
    """Not a phone number that can be dialled."""


def normalise_phone(text: str, default_region: str = "BE") -> str:
    """``02 508 85 85`` → ``+3225088585``. Raises `InvalidPhoneNumber` for anything else."""
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneNumber(f"{text!r} is not a phone number") from error
    if not phonenumbers.is_possible_number(number):
        raise InvalidPhoneNumber(f"{text!r} is not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """The international form for people to read: ``+32 2 508 85 85``."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
