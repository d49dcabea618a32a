"""The shapes the API reads and writes (the OpenAPI document is generated from these).

Every text field has a length that fits its column and refuses NUL characters and lone
surrogates, which PostgreSQL cannot store: bad input is a 422 naming the field, not a 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, StringConstraints

from loket.cases.phones import InvalidPhoneNumber, normalise_phone
from loket.cases.services import normalise_email

# The choices of the models, as literals so that the OpenAPI document lists them
# (tests/test_schemas.py checks they stay equal to the models' choices).
ChannelCode = Literal["email", "phone", "web", "post", "fax", "social", "counter"]
CaseKindCode = Literal["question", "complaint", "competence-conflict"]
StatusCode = Literal["registered", "in-progress", "forwarded", "answered", "closed", "reopened"]
LanguageCode = Literal["nl", "fr", "de", "en"]
ClientKindCode = Literal["person", "organisation"]
SectorCode = Literal["citizen", "welfare-centre", "lawyer", "administration", "other"]
DirectionCode = Literal["in", "out", "note"]

# Dates the calendars can compute with (Gregorian Easter, time-zone offsets that fit).
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("must be valid Unicode text (no lone surrogates)") from error
    return value


def _in_range(value: dt.datetime) -> dt.datetime:
    if not EARLIEST <= value < LATEST:
        raise ValueError("must lie between 1900 and 2200")
    return value


def _date_in_range(value: dt.date) -> dt.date:
    if not EARLIEST.date() <= value < LATEST.date():
        raise ValueError("must lie between 1900 and 2200")
    return value


def _email(value: str) -> str:
    try:
        return normalise_email(value)
    except ValidationError as error:
        raise ValueError("is not an e-mail address") from error


def _phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except InvalidPhoneNumber as error:
        raise ValueError("is not a phone number") from error


Text = Annotated[str, AfterValidator(_storable)]
Line300 = Annotated[str, StringConstraints(max_length=300), AfterValidator(_storable)]
Line200 = Annotated[str, StringConstraints(max_length=200), AfterValidator(_storable)]
Line100 = Annotated[str, StringConstraints(max_length=100), AfterValidator(_storable)]
Line20 = Annotated[str, StringConstraints(max_length=20), AfterValidator(_storable)]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_storable),
]
Subject = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(_storable),
]
LongText = Annotated[str, StringConstraints(max_length=100_000), AfterValidator(_storable)]
NonEmptyText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100_000),
    AfterValidator(_storable),
]
Reason = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_storable)]
Code = Annotated[str, StringConstraints(pattern=r"^[-a-zA-Z0-9_]{1,80}$")]
Username = Annotated[str, StringConstraints(pattern=r"^[\w.@+-]{1,150}$")]
ReferenceText = Annotated[str, StringConstraints(max_length=40), AfterValidator(_storable)]
Email = Annotated[
    str,
    StringConstraints(min_length=3, max_length=254),
    AfterValidator(_storable),
    AfterValidator(_email),
]
Phone = Annotated[
    str,
    StringConstraints(min_length=2, max_length=40),
    AfterValidator(_storable),
    AfterValidator(_phone),
]
Moment = Annotated[AwareDatetime, AfterValidator(_in_range)]
Day = Annotated[dt.date, AfterValidator(_date_in_range)]
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


# --- errors -------------------------------------------------------------------------------


class FieldErrorOut(Schema):
    field: str | None = Field(description="The field at fault, e.g. `subject` or `status`.")
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


# --- clients ------------------------------------------------------------------------------


class ClientRefOut(Schema):
    id: int
    name: str


class ClientOut(Schema):
    id: int
    kind: ClientKindCode
    sector: SectorCode
    name: str
    organisation: str
    language: LanguageCode
    emails: list[str]
    phones: list[str] = Field(description="E.164, e.g. +3292669900.")
    street: str
    postal_code: str
    city: str
    country: str
    created_at: dt.datetime


class ClientIn(Schema):
    name: Name
    kind: ClientKindCode = "person"
    sector: SectorCode = "citizen"
    organisation: Line200 = ""
    language: LanguageCode = "nl"
    emails: list[Email] = Field(default_factory=list, max_length=10)
    phones: list[Phone] = Field(default_factory=list, max_length=10)
    street: Line200 = ""
    postal_code: Line20 = ""
    city: Line100 = ""
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = "BE"


# --- cases --------------------------------------------------------------------------------


class CaseOut(Schema):
    reference: str = Field(description="The registration number, e.g. MI-2026-004217-40.")
    kind: CaseKindCode
    channel: ChannelCode
    status: StatusCode
    status_label: str
    subject: str
    language: LanguageCode
    topic: str | None
    client: ClientRefOut
    received_at: dt.datetime
    registered_at: dt.datetime
    policy: str | None
    charter_due_at: dt.datetime | None
    due_at: dt.datetime | None
    internal_due_at: dt.datetime | None
    overdue_since: dt.datetime | None
    owner: str | None = Field(description="The owner's user name.")
    team: str | None = Field(description="The team's code.")
    forwarded_at: dt.datetime | None
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    related_case: str | None


class DelayNoticeOut(Schema):
    reason: str
    previous_due_at: dt.datetime
    new_due_at: dt.datetime
    sent_at: dt.datetime
    late: bool
    channel: str


class MessageOut(Schema):
    id: int
    direction: DirectionCode
    channel: ChannelCode
    author: str | None
    sender: str
    recipient: str
    subject: str
    body: str
    at: dt.datetime


class EventOut(Schema):
    id: int
    kind: str
    actor: str | None
    data: dict[str, Any]
    at: dt.datetime


class TimelineEntryOut(Schema):
    at: dt.datetime
    type: Literal["message", "event"]
    message: MessageOut | None
    event: EventOut | None


class CaseDetailOut(CaseOut):
    delay_notices: list[DelayNoticeOut]
    timeline: list[TimelineEntryOut]


class CaseHistoryOut(CaseOut):
    timeline: list[TimelineEntryOut]


class ClientHistoryOut(Schema):
    client: ClientOut
    cases: list[CaseHistoryOut] = Field(description="Newest first, those you may see.")


class CasePageOut(Schema):
    items: list[CaseOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class CaseIn(Schema):
    client_id: RowId | None = Field(None, description="An existing client; or give `client`.")
    client: ClientIn | None = Field(None, description="A new client; or give `client_id`.")
    channel: ChannelCode
    subject: Subject
    body: LongText = ""
    kind: CaseKindCode = "question"
    topic: Code | None = None
    language: LanguageCode | None = None
    received_at: Moment | None = Field(
        None, description="When it reached the service (a letter's arrival); default now."
    )
    owner: Username | None = None
    team: Code | None = None
    sender: Line300 = ""
    related_case: ReferenceText | None = Field(
        None, description="The registration number of the case this one is about."
    )


class ReplyIn(Schema):
    body: NonEmptyText
    channel: ChannelCode | None = Field(
        None, description="Default: the channel the question came in (charter rule 3)."
    )


class NoteIn(Schema):
    body: NonEmptyText


class ForwardIn(Schema):
    note: NonEmptyText
    team: Code | None = None
    owner: Username | None = None


class CloseIn(Schema):
    reason: Reason = ""


class DelayNoticeIn(Schema):
    reason: NonEmptyText
    new_due_date: Day


# --- reference data -------------------------------------------------------------------------


class TopicNamesOut(Schema):
    nl: str
    fr: str
    de: str
    en: str


class TopicOut(Schema):
    code: str
    parent: str | None
    names: TopicNamesOut
    active: bool
    policy: str | None


class PolicyOut(Schema):
    code: str
    name: str
    working_days: int
    calendar: str
    cutoff: dt.time | None
    case_kind: CaseKindCode | None
    reminder_days_before: list[int]
    internal_margin_days: int
    target_percent: float


class TermOut(Schema):
    policy: str
    working_days: int
    received_at: dt.datetime
    day_zero: dt.date = Field(description="The day the term counts from (charter rule 4).")
    due_at: dt.datetime


class MeOut(Schema):
    username: str
    name: str
    roles: list[str]
    teams: list[str]
    token: str
    token_expires_at: dt.datetime | None


# --- calls ----------------------------------------------------------------------------------

CallEventCode = Literal["ringing", "answered", "ended"]
CallOutcomeCode = Literal["answered", "question-registered", "missed", "transferred"]


class CallEventIn(Schema):
    call_id: Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,100}$")] = Field(
        description="The exchange's identifier of the call (printable ASCII)."
    )
    event: CallEventCode
    caller_number: (
        Annotated[str, StringConstraints(max_length=40), AfterValidator(_storable)] | None
    ) = Field(None, description="As the exchange sends it; null or empty when withheld.")
    agent: Username | None = Field(None, description="The user name of the agent who took it.")
    at: Moment | None = Field(None, description="When it happened; default now.")
    outcome: CallOutcomeCode | None = Field(
        None, description="On `ended`: overrides the outcome loket derives (e.g. transferred)."
    )
    reference: ReferenceText | None = Field(
        None, description="On `ended`: the case registered during the call."
    )


class CallOut(Schema):
    call_id: str
    state: CallEventCode
    caller_number: str
    agent: str | None
    started_at: dt.datetime
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None
    outcome: CallOutcomeCode | None
    case: str | None


class CallAnswerOut(Schema):
    recorded: bool = Field(description="False when this event of this call was already known.")
    call: CallOut
    client: ClientOut | None = Field(description="The caller, when one client has the number.")
    clients: list[ClientOut] = Field(description="Every client with the caller's number.")
    open_cases: list[CaseOut]


# --- public status --------------------------------------------------------------------------


class StatusIn(Schema):
    reference: ReferenceText = Field(examples=["MI-2026-004217-40"])
    email: Annotated[str, StringConstraints(max_length=254), AfterValidator(_storable)] = Field(
        examples=["info@ocmw-gent.example.be"]
    )


class StatusDelayOut(Schema):
    reason: str
    new_due_at: dt.datetime


class StatusOut(Schema):
    reference: str
    kind: CaseKindCode
    status: StatusCode
    status_label: str
    received_at: dt.datetime
    due_at: dt.datetime | None
    delay_notice: StatusDelayOut | None
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
