"""State changes of terms: changing a case's policy, sending a delay notice, and the watch
that reminds and escalates (charter rules 4-6). Each writes its Event."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from loket.accounts.models import Team, User
from loket.accounts.roles import Role
from loket.accounts.services import notify
from loket.cases.models import Case, Channel, Event, Message
from loket.cases.rules import answer_channel
from loket.cases.services import CaseError
from loket.mail.emails import delay_notice_email, overdue_email, reminder_email
from loket.mail.outbox import new_message_id

from . import rules
from .models import DeadlinePolicy, DelayNotice, Reminder
from .terms import RulesCache, next_reminder, policy_for, terms_for

logger = logging.getLogger("loket.deadlines")


def case_policy_change(
    *, actor: User, case: Case, policy: DeadlinePolicy, reason: str = ""
) -> Case:
    """An agent moves a case to another policy; its charter term is computed again from the
    date received (a promise made by a delay notice stays the watched term)."""
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case.is_open:
            raise CaseError(_("Only an open case can change its deadline policy."))
        previous = case.policy_id
        calendar = policy.calendar.rules()
        terms = terms_for(received_at=case.received_at, policy=policy, calendar=calendar, now=now)
        promised = DelayNotice.objects.filter(case=case).exists()
        case.policy = policy
        case.charter_due_at = terms.charter_due_at
        if not promised:
            case.due_at = terms.charter_due_at
            case.remind_at = terms.remind_at
            case.overdue_since = None if case.due_at > now else case.overdue_since
        case.save(
            update_fields=["policy", "charter_due_at", "due_at", "remind_at", "overdue_since"]
        )
        Event.objects.create(
            kind=Event.Kind.CASE_POLICY_CHANGED,
            at=now,
            actor=actor,
            case=case,
            client_id=case.client_id,
            data={
                "policy": policy.code,
                "previous_policy": previous,
                "reason": reason.strip(),
                "charter_due_at": terms.charter_due_at.isoformat(),
            },
        )
    return case


def delay_notice_send(
    *, actor: User, case: Case, reason: str, new_due_date: dt.date
) -> DelayNotice:
    """Tell the client the term can't be met, why, and the new term (charter rule 5).

    The notice goes out in the client's language on the case's channel (post and fax by
    e-mail when there is an address), the promise is recorded and the watch follows the new
    term. A notice sent after the term it replaces had ended is recorded as late.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Tell the client the reason for the delay."))
    now = timezone.now()
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("client", "policy__calendar")
            .get(pk=case.pk)
        )
        if not case.is_open:
            raise CaseError(_("Only an open case can get a delay notice."))
        if case.due_at is None:
            raise CaseError(_("This case has no term to postpone."))
        policy = case.policy or policy_for(kind=case.kind, topic=case.topic)
        calendar = policy.calendar.rules() if policy else rules.CalendarRules()
        new_due_at = rules.end_of_day(new_due_date, calendar)
        if new_due_at <= case.due_at or new_due_at <= now:
            raise ValidationError(
                _("The new term must be later than the current term and than today.")
            )
        if not rules.is_working_day(new_due_date, calendar):
            raise ValidationError(_("The new term must be a working day."))
        emails = list(case.client.emails.values_list("address", flat=True))
        channel = answer_channel(case.channel, client_has_email=bool(emails))
        late = now > case.due_at
        message = Message.objects.create(
            case=case,
            direction=Message.Direction.OUTBOUND,
            channel=channel,
            author=actor,
            recipient=emails[0] if channel == Channel.EMAIL and emails else "",
            subject=case.subject,
            body=reason,
            at=now,
            message_id=new_message_id(case) if channel == Channel.EMAIL and emails else "",
        )
        notice = DelayNotice.objects.create(
            case=case,
            reason=reason,
            previous_due_at=case.due_at,
            new_due_at=new_due_at,
            sent_at=now,
            late=late,
            channel=channel,
            message=message,
            sent_by=actor,
        )
        if message.message_id:
            delay_notice_email(case=case, message=message, reason=reason, new_due_at=new_due_at)
        case.due_at = new_due_at
        case.overdue_since = None
        case.remind_at = next_reminder(new_due_at, policy, calendar, after=now) if policy else None
        case.save(update_fields=["due_at", "overdue_since", "remind_at"])
        Event.objects.create(
            kind=Event.Kind.CASE_DELAY_NOTICE_SENT,
            at=now,
            actor=actor,
            case=case,
            client_id=case.client_id,
            data={
                "new_due_at": new_due_at.isoformat(),
                "previous_due_at": notice.previous_due_at.isoformat(),
                "late": late,
                "channel": channel,
                "notice": notice.pk,
            },
        )
    return notice


# --- the watch ----------------------------------------------------------------------------


@dataclass
class WatchReport:
    reminded: int = 0
    overdue: int = 0
    internal_overdue: int = 0


def _claim(case: Case, kind: str, term: dt.datetime, at: dt.datetime, now: dt.datetime) -> bool:
    """Record the reminder; False when another worker recorded it first."""
    try:
        with transaction.atomic():
            Reminder.objects.create(case=case, kind=kind, term=term, at=at, created_at=now)
    except IntegrityError:
        return False
    return True


def _coordinators() -> list[User]:
    return list(User.objects.filter(groups__name=Role.COORDINATOR, is_active=True))


def _front_office_mailboxes() -> list[str]:
    return [t.email for t in Team.objects.filter(kind=Team.Kind.FRONT_OFFICE).exclude(email="")]


def _people_for(case: Case) -> list[User]:
    """The owner, or when nobody owns the case, the members of its team."""
    if case.owner is not None:
        return [case.owner]
    if case.team is not None:
        return list(case.team.members.filter(is_active=True))
    return []


def deadline_watch(*, now: dt.datetime | None = None, batch: int = 1000) -> WatchReport:
    """One pass of the watch (charter rule 6): remind owners before terms end, mark missed
    terms overdue and send the "reactie" to the owner and the front office, and tell the
    back office when its internal term passed. Every step is claimed with a unique
    `Reminder` row, so several workers never send the same reminder twice."""
    now = now or timezone.now()
    report = WatchReport()
    cache = RulesCache()
    open_cases = Case.objects.filter(status__in=Case.OPEN_STATUSES)
    related = ("owner", "team", "policy__calendar", "client")

    due_soon = open_cases.filter(remind_at__lte=now, due_at__gt=now).select_related(*related)
    for case in due_soon.order_by("remind_at")[:batch]:
        report.reminded += _remind(case, now, cache)

    missed = open_cases.filter(due_at__lt=now, overdue_since__isnull=True).select_related(*related)
    for case in missed.order_by("due_at")[:batch]:
        report.overdue += _escalate(case, now)

    already = Reminder.objects.filter(
        case=OuterRef("pk"), kind=Reminder.Kind.INTERNAL_OVERDUE, at=OuterRef("internal_due_at")
    )
    internal = (
        Case.objects.filter(status=Case.Status.FORWARDED, internal_due_at__lt=now)
        .exclude(Exists(already))
        .select_related(*related)
    )
    for case in internal.order_by("internal_due_at")[:batch]:
        report.internal_overdue += _internal_escalate(case, now)
    return report


def _remind(case: Case, now: dt.datetime, cache: RulesCache) -> int:
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update()
            .filter(pk=case.pk, status__in=Case.OPEN_STATUSES, remind_at=case.remind_at)
            .first()
        )
        if locked is None or case.remind_at is None or case.due_at is None:
            return 0  # another worker moved it on, or it was answered meanwhile
        sent = _claim(case, Reminder.Kind.DUE_SOON, case.due_at, case.remind_at, now)
        following = (
            next_reminder(
                case.due_at, case.policy, cache(case.policy.calendar), after=case.remind_at
            )
            if case.policy
            else None
        )
        Case.objects.filter(pk=case.pk).update(remind_at=following)
        if not sent:
            return 0
        people = _people_for(case)
        notify(
            users=people,
            kind="due-soon",
            case=case,
            message=gettext_noop("%(reference)s is due %(due)s."),
            params={"reference": case.reference, "due": case.due_at},
        )
        for person in people:
            reminder_email(user=person, case=case)
        Event.objects.create(
            kind=Event.Kind.CASE_REMINDED,
            at=now,
            case=case,
            client_id=case.client_id,
            data={"due_at": case.due_at.isoformat(), "to": [p.pk for p in people]},
        )
    return 1


def _escalate(case: Case, now: dt.datetime) -> int:
    with transaction.atomic():
        updated = Case.objects.filter(
            pk=case.pk,
            status__in=Case.OPEN_STATUSES,
            due_at=case.due_at,
            overdue_since__isnull=True,
        ).update(overdue_since=now, remind_at=None)
        if not updated or case.due_at is None:
            return 0
        if not _claim(case, Reminder.Kind.OVERDUE, case.due_at, case.due_at, now):
            return 0
        people = _people_for(case) + _coordinators()
        notify(
            users=people,
            kind="overdue",
            case=case,
            message=gettext_noop("Term missed: %(reference)s was due %(due)s."),
            params={"reference": case.reference, "due": case.due_at},
        )
        # One "reactie" to the owner and the front office's mailbox together.
        owner_address = [case.owner.email] if case.owner and case.owner.email else []
        language = case.owner.language if case.owner else settings.LANGUAGE_CODE
        overdue_email(to=owner_address + _front_office_mailboxes(), language=language, case=case)
        Event.objects.create(
            kind=Event.Kind.CASE_OVERDUE,
            at=now,
            case=case,
            client_id=case.client_id,
            data={"due_at": case.due_at.isoformat(), "to": sorted({p.pk for p in people})},
        )
    return 1


def _internal_escalate(case: Case, now: dt.datetime) -> int:
    with transaction.atomic():
        if case.internal_due_at is None or not _claim(
            case, Reminder.Kind.INTERNAL_OVERDUE, case.internal_due_at, case.internal_due_at, now
        ):
            return 0
        people = _people_for(case)
        notify(
            users=people,
            kind="internal-overdue",
            case=case,
            message=gettext_noop("The back-office term of %(reference)s passed %(due)s."),
            params={"reference": case.reference, "due": case.internal_due_at},
        )
        Event.objects.create(
            kind=Event.Kind.CASE_INTERNAL_OVERDUE,
            at=now,
            case=case,
            client_id=case.client_id,
            data={"internal_due_at": case.internal_due_at.isoformat()},
        )
    return 1
