"""Reads for the desk's pages beyond the queues: a case with everything around it, the
client panel, finding a client, and the notifications. Each in a constant number of
queries, however long the history."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from loket.accounts.models import Notification, Team, User
from loket.accounts.roles import Role
from loket.cases.access import visible_cases
from loket.cases.models import Case, Channel, Client, Event, Message
from loket.cases.phones import InvalidPhoneNumber, normalise_phone
from loket.cases.references import InvalidReference, parse_reference
from loket.cases.selectors import TimelineEntry, case_timeline
from loket.deadlines import rules
from loket.deadlines.models import DelayNotice
from loket.deadlines.terms import proposed_new_term
from loket.mail.models import InboundMail
from loket.portal.models import Attachment as PortalAttachment
from loket.portal.models import Submission as PortalSubmission

from .models import Attachment, ReplyTemplate
from .replies import fill

OTHER_CASES_SHOWN = 20
CANDIDATES_SHOWN = 10
CASES_PER_CANDIDATE = 3
_REFERENCE_SHAPE = re.compile(r"^[A-Z]{1,6}\d{8,}$")
_SEPARATORS = re.compile(r"[\s\-./_]+")


@dataclass(frozen=True)
class Term:
    """The term of a case as the desk shows it (charter rules 4 and 5)."""

    due_at: dt.datetime | None
    charter_due_at: dt.datetime | None
    internal_due_at: dt.datetime | None
    working_days_left: int | None
    overdue: bool
    due_today: bool
    proposed_new_term: dt.date | None


@dataclass(frozen=True)
class MessageFile:
    """A file of a message as the case page lists it, whoever sent it: the desk's own (a
    reply's, a scanned letter), an inbound e-mail's, or one sent with the portal's form.
    `note` says what a mail's file is besides a file (shown inside the mail, cut short)."""

    name: str
    size: int
    url: str
    note: str = ""


@dataclass(frozen=True)
class MailOfMessage:
    """The inbound e-mail a message came from: its HTML as the sender wrote it (`html_url`
    empty when it had none) and its bytes as they arrived (charter rule 1)."""

    html_url: str
    raw_url: str


@dataclass
class MessageFiles:
    """What the timeline shows under a message: its files, and the e-mail it came as."""

    files: list[MessageFile] = field(default_factory=list)
    mail: MailOfMessage | None = None


@dataclass(frozen=True)
class Line:
    """One line of the timeline as the page shows it, its labels and moment already in the
    page's language (a long history would otherwise cost more to show than to read)."""

    css: str
    label: str
    at: dt.datetime
    at_text: str
    who: str
    channel: str = ""
    body: str = ""
    note: bool = False
    anchor: str = ""
    detail: str = ""
    files: tuple[MessageFile, ...] = ()
    mail: MailOfMessage | None = None


def timeline_lines(timeline: list[TimelineEntry], files: dict[int, MessageFiles]) -> list[Line]:
    directions = {value: str(label) for value, label in Message.Direction.choices}
    channels = {value: str(label) for value, label in Channel.choices}
    kinds = {value: str(label) for value, label in Event.Kind.choices}
    system = str(_("loket"))
    lines = []
    for entry in timeline:
        at_text = date_format(timezone.localtime(entry.at), "DATETIME_FORMAT")
        if entry.message is not None:
            message = entry.message
            found = files.get(message.pk) or MessageFiles()
            lines.append(
                Line(
                    css=f"message message-{message.direction}",
                    label=directions.get(message.direction, message.direction),
                    at=entry.at,
                    at_text=at_text,
                    who=str(message.author) if message.author else message.sender,
                    channel=channels.get(message.channel, message.channel),
                    body=message.body,
                    note=message.direction == Message.Direction.NOTE,
                    anchor=f"message-{message.pk}",
                    files=tuple(found.files),
                    mail=found.mail,
                )
            )
        elif entry.event is not None:
            event = entry.event
            reason = event.data.get("reason", "") if isinstance(event.data, dict) else ""
            lines.append(
                Line(
                    css=f"event event-{event.kind.replace('.', '-')}",
                    label=kinds.get(event.kind, event.kind),
                    at=entry.at,
                    at_text=at_text,
                    who=str(event.actor) if event.actor else system,
                    detail=str(reason or ""),
                )
            )
    return lines


@dataclass
class CaseFile:
    """A case with everything the desk shows around it (charter rule 8)."""

    case: Case
    term: Term
    timeline: list[Line]
    delay_notices: list[DelayNotice]
    other_cases: list[Case]
    more_other_cases: bool
    emails: list[str]
    phones: list[str]


def working_days_left(due_at: dt.datetime, now: dt.datetime, calendar: rules.CalendarRules) -> int:
    """Working days from today to the due day (0: due today); negative once the term has
    passed: minus the working days since the due day (charter rule 4)."""
    today = now.astimezone(calendar.zone).date()
    due_day = due_at.astimezone(calendar.zone).date()
    if due_at < now:
        return -rules.working_days_between(due_day, today, calendar)
    return rules.working_days_between(today, due_day, calendar)


def case_term(case: Case, now: dt.datetime) -> Term:
    calendar = case.policy.calendar.rules() if case.policy else rules.CalendarRules()
    left = working_days_left(case.due_at, now, calendar) if case.due_at else None
    return Term(
        due_at=case.due_at,
        charter_due_at=case.charter_due_at,
        internal_due_at=case.internal_due_at if case.status == Case.Status.FORWARDED else None,
        working_days_left=left if case.is_open else None,
        overdue=case.is_open and case.due_at is not None and case.due_at < now,
        due_today=case.is_open and left == 0 and case.due_at is not None and case.due_at >= now,
        proposed_new_term=proposed_new_term(case, now=now)
        if case.is_open and case.due_at
        else None,
    )


def files_by_message(message_ids: Iterable[int]) -> dict[int, MessageFiles]:
    """Every file of these messages, by message, from the three places files are kept (the
    desk's attachments, inbound mail, the portal's form), and the e-mail each inbound mail
    was: one query per place however many messages and files, none without messages (the
    case page calls it once for its whole timeline)."""
    ids = list(message_ids)
    found: dict[int, MessageFiles] = defaultdict(MessageFiles)
    if not ids:
        return found
    desk = Attachment.objects.filter(message_id__in=ids).order_by("pk")
    for pk, message_id, name, size in desk.values_list("pk", "message_id", "filename", "size"):
        url = reverse("desk:attachment", args=[pk])
        found[message_id].files.append(MessageFile(name, size, url))
    _add_mail_files(ids, found)
    portal = PortalAttachment.objects.filter(message_id__in=ids).order_by("pk")
    for pk, message_id, name, size in portal.values_list("pk", "message_id", "name", "size"):
        url = reverse("desk:portal-attachment", args=[pk])
        found[message_id].files.append(MessageFile(name, size, url))
    return found


def _add_mail_files(ids: list[int], found: dict[int, MessageFiles]) -> None:
    """The inbound mails of these messages with their files, in one query: the mail joined
    to its files (a mail without files is one row whose file columns are empty)."""
    rows = (
        InboundMail.objects.filter(case_message_id__in=ids)
        .annotate(has_html=~Q(html=""))
        .order_by("pk", "attachments__position")
        .values_list(
            "case_message_id", "pk", "has_html", "attachments__pk",
            "attachments__filename", "attachments__size", "attachments__inline",
            "attachments__truncated",
        )
    )  # fmt: skip
    inside, cut = str(_("shown inside the e-mail")), str(_("cut at the size limit"))
    for message_id, inbound, has_html, pk, name, size, inline, truncated in rows:
        entry = found[message_id]
        if entry.mail is None:
            entry.mail = MailOfMessage(
                html_url=reverse("mail:message", args=[message_id]) if has_html else "",
                raw_url=reverse("mail:raw", args=[inbound]),
            )
        if pk is not None:
            note = ", ".join(text for text, on in ((inside, inline), (cut, truncated)) if on)
            url = reverse("mail:attachment", args=[pk])
            entry.files.append(MessageFile(name, size, url, note))


def client_other_cases(user: User, client: Client, exclude: Case | None) -> list[Case]:
    """The client's other cases that `user` may see, newest first, one more than shown (so
    the page can say there are more)."""
    cases = visible_cases(user).filter(client=client).select_related("topic")
    if exclude is not None:
        cases = cases.exclude(pk=exclude.pk)
    return list(cases.order_by("-received_at", "-pk")[: OTHER_CASES_SHOWN + 1])


def case_file(user: User, case: Case, now: dt.datetime) -> CaseFile:
    """Everything the case page shows, in a fixed number of queries (charter rule 8)."""
    timeline = case_timeline(case)
    message_ids = [entry.message.pk for entry in timeline if entry.message is not None]
    others = client_other_cases(user, case.client, case)
    return CaseFile(
        case=case,
        term=case_term(case, now),
        timeline=timeline_lines(timeline, files_by_message(message_ids)),
        delay_notices=list(DelayNotice.objects.filter(case=case).select_related("sent_by")),
        other_cases=others[:OTHER_CASES_SHOWN],
        more_other_cases=len(others) > OTHER_CASES_SHOWN,
        emails=list(case.client.emails.values_list("address", flat=True)),
        phones=list(case.client.phones.values_list("number", flat=True)),
    )


def reply_templates(language: str) -> QuerySet[ReplyTemplate]:
    return ReplyTemplate.objects.filter(language=language, active=True).order_by("name")


def reply_draft(template: ReplyTemplate, case: Case, agent: User) -> str:
    """The template's text for this case, its placeholders filled in the case's language."""
    from loket.i18n import when

    return fill(
        template.body,
        {
            "client_name": str(case.client),
            "reference": case.reference,
            "subject": case.subject,
            "due_date": when(case.due_at, case.language, with_time=False) if case.due_at else "",
            "received_date": when(case.received_at, case.language, with_time=False),
            "agent_name": agent.get_full_name() or agent.username,
        },
    )


def forward_teams() -> QuerySet[Team]:
    return Team.objects.filter(kind=Team.Kind.BACK_OFFICE).order_by("name")


def forward_people() -> QuerySet[User]:
    """Back-office experts a case can be forwarded to by name."""
    return (
        User.objects.filter(is_active=True, groups__name=Role.EXPERT)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


# --- finding clients ----------------------------------------------------------------------


@dataclass
class Candidate:
    """A client who may be the caller, with their latest cases (charter rule 8)."""

    client: Client
    recent_cases: list[Case] = field(default_factory=list)


def client_candidates(user: User, text: str) -> list[Candidate]:
    """Clients found by phone number, e-mail address or name; each with the latest cases
    `user` may see (three queries however many cases they have)."""
    text = " ".join((text or "").split())
    if len(text) < 2:
        return []
    rule = Q(name__icontains=text) | Q(organisation__icontains=text)
    if "@" in text:
        rule |= Q(emails__address__icontains=text.lower())
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 6:
        with contextlib.suppress(InvalidPhoneNumber):
            rule |= Q(phones__number=normalise_phone(text))
        # People read out a number without its prefix: match its last digits too.
        rule |= Q(phones__number__endswith=digits[-8:])
    ids = list(
        Client.objects.filter(rule)
        .order_by("name", "pk")
        .values_list("pk", flat=True)
        .distinct()[:CANDIDATES_SHOWN]
    )
    clients = Client.objects.filter(pk__in=ids).prefetch_related("emails", "phones")
    by_id = {client.pk: Candidate(client) for client in clients}
    ranked = (
        visible_cases(user)
        .filter(client_id__in=ids)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("client_id")], order_by=[F("received_at").desc()]
            )
        )
        .filter(rank__lte=CASES_PER_CANDIDATE)
        .select_related("topic")
        .order_by("client_id", "rank")
    )
    for case in ranked if ids else []:
        by_id[case.client_id].recent_cases.append(case)
    return [by_id[pk] for pk in ids if pk in by_id]


# --- search by registration number --------------------------------------------------------


@dataclass(frozen=True)
class ReferenceLookup:
    """What a search that looks like a registration number found."""

    looks_like_reference: bool
    case: Case | None = None
    mistyped: bool = False
    reference: str = ""


def reference_lookup(user: User, text: str) -> ReferenceLookup:
    """A registration number goes straight to its case; a mistyped one (check digits wrong,
    charter rule 2) is reported as such, never matched to somebody else's case."""
    compact = _SEPARATORS.sub("", text or "").upper()
    if not _REFERENCE_SHAPE.match(compact):
        return ReferenceLookup(looks_like_reference=False)
    try:
        reference = str(parse_reference(compact))
    except InvalidReference:
        return ReferenceLookup(looks_like_reference=True, mistyped=True, reference=text.strip())
    case = visible_cases(user).filter(reference=reference).first()
    return ReferenceLookup(looks_like_reference=True, case=case, reference=reference)


# --- notifications ------------------------------------------------------------------------


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    found = Notification.objects.filter(user=user).select_related("case")
    if unread_only:
        found = found.filter(read_at__isnull=True)
    return found.order_by("-created_at", "-pk")


def client_cases(user: User, client: Client) -> QuerySet[Case]:
    """Every case of the client that `user` may see, newest first."""
    return (
        visible_cases(user)
        .filter(client=client)
        .select_related("topic", "owner", "team")
        .order_by("-received_at", "-pk")
    )


def messages_of(case_ids: Iterable[int]) -> dict[int, list[Message]]:
    found: dict[int, list[Message]] = defaultdict(list)
    for message in Message.objects.filter(case_id__in=list(case_ids)).select_related("author"):
        found[message.case_id].append(message)
    return found


@dataclass(frozen=True)
class QuarantineCounts:
    mails: int
    forms: int

    def __bool__(self) -> bool:
        return bool(self.mails or self.forms)


def quarantine_counts() -> QuarantineCounts:
    """How many e-mails wait in quarantine and how many portal forms could not be
    registered: two counts, each read from a small index."""
    return QuarantineCounts(
        mails=InboundMail.objects.filter(state=InboundMail.State.QUARANTINED).count(),
        forms=PortalSubmission.objects.filter(state=PortalSubmission.State.FAILED).count(),
    )
