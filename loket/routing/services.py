"""Every state change of routing: competences, working patterns, absences, agenda feeds,
forwarding by competence and agenda, and the absences catch-up (charter rule 7). One
transaction each, each writing its `cases.Event` (staff steps with `case=None`)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from loket.accounts.models import Team, User
from loket.accounts.roles import Role
from loket.accounts.services import notify
from loket.cases.models import Case, Event, Topic
from loket.cases.services import CaseError, case_assign, case_forward

from .ical import AgendaEntry, AgendaFeedError, fetch_feed, parse_agenda, read_upload
from .models import Absence, AgendaFeed, Competence, Reassignment, WorkingPattern
from .selectors import Candidate, Suggestion, routing_suggestions

Kind = Event.Kind
LONGEST_ABSENCE = dt.timedelta(days=400)
# A feed is read from a month back (recent history stays right) to a year ahead.
FEED_PAST = dt.timedelta(days=31)
FEED_FUTURE = dt.timedelta(days=366)


def _staff_event(
    kind: str, /, *, actor: User | None, person: User, now: dt.datetime, **data: object
) -> None:
    Event.objects.create(kind=kind, at=now, actor=actor, data={"staff": person.pk, **data})


# --- competences and working patterns -----------------------------------------------------


def competence_set(
    *, actor: User | None, user: User, topic: Topic, level: str | None
) -> Competence | None:
    """Say that `user` can answer `topic` as an expert or a backup, or (level None) no longer
    at all. Coordinators do this in the desk, administrators also in the admin."""
    if level is not None and level not in Competence.Level.values:
        raise ValidationError(_("Unknown level: %(level)s") % {"level": level})
    now = timezone.now()
    with transaction.atomic():
        current = Competence.objects.select_for_update().filter(user=user, topic=topic).first()
        previous = current.level if current else None
        if previous == level:
            return current
        if level is None:
            Competence.objects.filter(user=user, topic=topic).delete()
            current = None
        elif current is None:
            current = Competence.objects.create(user=user, topic=topic, level=level)
        else:
            current.level = level
            current.save(update_fields=["level"])
        _staff_event(
            Kind.STAFF_COMPETENCE_CHANGED,
            actor=actor,
            person=user,
            now=now,
            topic=topic.code,
            level=level,
            previous_level=previous,
        )
    return current


@dataclass(frozen=True)
class Period:
    weekday: int
    start: dt.time
    end: dt.time


def working_pattern_set(
    *, actor: User | None, user: User, periods: Sequence[Period], valid_from: dt.date | None = None
) -> list[WorkingPattern]:
    """Set a person's weekly working pattern (rule 7: part-time days). Without `valid_from`
    it replaces the whole pattern; with it, the pattern in force ends the day before and the
    new one starts that day, so a change announced for next month does not rewrite today.
    No periods at all means: the office hours (full time)."""
    for period in periods:
        if not period.start < period.end:
            raise ValidationError(_("A period must end after it starts."))
        if period.weekday not in range(7):
            raise ValidationError(_("Unknown weekday."))
    ordered = sorted(periods, key=lambda p: (p.weekday, p.start))
    for before, after in itertools.pairwise(ordered):
        if before.weekday == after.weekday and after.start < before.end:
            raise ValidationError(_("Two periods on the same day overlap."))
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one change at a time
        existing = WorkingPattern.objects.filter(user=user)
        if valid_from is None:
            existing.delete()
        else:
            existing.filter(valid_from__gte=valid_from).delete()
            existing.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from)).update(
                valid_until=valid_from - dt.timedelta(days=1)
            )
        created = WorkingPattern.objects.bulk_create(
            WorkingPattern(
                user=user, weekday=p.weekday, start=p.start, end=p.end, valid_from=valid_from
            )
            for p in ordered
        )
        _staff_event(
            Kind.STAFF_WORKING_PATTERN_CHANGED,
            actor=actor,
            person=user,
            now=now,
            valid_from=valid_from.isoformat() if valid_from else None,
            periods=[
                [p.weekday, p.start.isoformat("minutes"), p.end.isoformat("minutes")]
                for p in ordered
            ],
        )
    return created


# --- absences -----------------------------------------------------------------------------


def whole_days(first: dt.date, last: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """From the start of `first` to the end of `last`, in `zone`: an all-day absence."""
    return (
        dt.datetime.combine(first, dt.time(0), tzinfo=zone),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=zone),
    )


def _check_absence(start: dt.datetime, end: dt.datetime, kind: str) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationError(_("An absence needs times with a time zone."))
    if end <= start:
        raise ValidationError(_("An absence must end after it starts."))
    if end - start > LONGEST_ABSENCE:
        raise ValidationError(_("An absence cannot last more than 400 days; enter it in parts."))
    if kind not in Absence.Kind.values:
        raise ValidationError(_("Unknown kind of absence: %(kind)s") % {"kind": kind})


def absence_record(
    *,
    actor: User | None,
    user: User,
    start: dt.datetime,
    end: dt.datetime,
    kind: str = Absence.Kind.LEAVE,
    all_day: bool = False,
    note: str = "",
) -> Absence:
    """Record that `user` is away (rule 7: forward by availability). Their open cases whose
    term falls in the absence are flagged and proposed for reassignment (the catch-up)."""
    _check_absence(start, end, kind)
    now = timezone.now()
    with transaction.atomic():
        absence = Absence.objects.create(
            user=user,
            start=start,
            end=end,
            kind=kind,
            all_day=all_day,
            note=note.strip()[:200],
            source=Absence.Source.MANUAL,
            created_at=now,
        )
        _staff_event(
            Kind.STAFF_ABSENCE_RECORDED,
            actor=actor,
            person=user,
            now=now,
            absence=absence.pk,
            start=start.isoformat(),
            end=end.isoformat(),
            kind=kind,
            source=Absence.Source.MANUAL,
        )
        _catch_up([absence], now=now)
    return absence


def absence_remove(*, actor: User | None, absence: Absence) -> None:
    """Take an absence out of the agenda (it was cancelled). An absence read from a feed
    comes back at the next read: change it in the agenda program instead."""
    if absence.source == Absence.Source.ICAL:
        raise ValidationError(
            _("This absence comes from an agenda feed: change it in the agenda itself.")
        )
    now = timezone.now()
    with transaction.atomic():
        Reassignment.objects.filter(absence=absence, status=Reassignment.Status.OPEN).delete()
        deleted, _rows = Absence.objects.filter(pk=absence.pk).delete()
        if not deleted:
            return
        _staff_event(
            Kind.STAFF_ABSENCE_REMOVED,
            actor=actor,
            person=absence.user,
            now=now,
            absence=absence.pk,
            start=absence.start.isoformat(),
            end=absence.end.isoformat(),
            kind=absence.kind,
        )


# --- agenda feeds -------------------------------------------------------------------------


@dataclass
class RefreshReport:
    added: int = 0
    changed: int = 0
    removed: int = 0
    error: str = ""


def agenda_feed_add(
    *, actor: User, user: User, url: str = "", upload: UploadedFile | None = None
) -> AgendaFeed:
    """Add an agenda feed (an address read periodically, or an uploaded .ics file kept in
    the file storage) and read it at once; a feed that cannot be read is refused."""
    url = url.strip()
    if bool(url) == (upload is not None):
        raise ValidationError(_("Give an agenda address or upload an .ics file (one of both)."))
    now = timezone.now()
    try:
        content = fetch_feed(url) if upload is None else read_upload(upload.chunks())
        zone = timezone.get_default_timezone()
        parse_agenda(content, start=now - FEED_PAST, end=now + FEED_FUTURE, zone=zone)
    except AgendaFeedError as error:
        raise ValidationError(str(error)) from error
    with transaction.atomic():
        feed = AgendaFeed(user=user, url=url, created_at=now)
        if upload is not None:
            upload.seek(0)
            feed.file.save(upload.name or "agenda.ics", upload, save=False)
        feed.save()
        _staff_event(
            Kind.STAFF_AGENDA_FEED_CHANGED,
            actor=actor,
            person=user,
            now=now,
            feed=feed.pk,
            added=True,
        )
    agenda_feed_refresh(actor=actor, feed=feed, content=content)
    return feed


def agenda_feed_remove(*, actor: User, feed: AgendaFeed) -> None:
    """Remove a feed and the absences read from it."""
    now = timezone.now()
    with transaction.atomic():
        Reassignment.objects.filter(absence__feed=feed, status=Reassignment.Status.OPEN).delete()
        if feed.file:
            name, storage = str(feed.file.name), feed.file.storage

            def delete_file() -> None:
                storage.delete(name)

            transaction.on_commit(delete_file)
        deleted, _rows = AgendaFeed.objects.filter(pk=feed.pk).delete()
        if deleted:
            _staff_event(
                Kind.STAFF_AGENDA_FEED_CHANGED,
                actor=actor,
                person=feed.user,
                now=now,
                feed=feed.pk,
                added=False,
            )


def _read(feed: AgendaFeed) -> bytes:
    if feed.url:
        return fetch_feed(feed.url)
    try:
        with feed.file.open("rb") as file:
            return read_upload(file.chunks())
    except OSError as error:
        raise AgendaFeedError(_("The uploaded agenda file is missing.")) from error


def agenda_feed_refresh(
    *, actor: User | None, feed: AgendaFeed, content: bytes | None = None
) -> RefreshReport:
    """Read a feed again and bring its absences in line: new occurrences added, moved ones
    changed, vanished ones (deleted or cancelled in the agenda) removed, all within a month
    back to a year ahead. Reading twice changes nothing. New and moved absences get the
    catch-up. A feed that cannot be read keeps its absences and records the error."""
    now = timezone.now()
    zone = timezone.get_default_timezone()
    start, end = now - FEED_PAST, now + FEED_FUTURE
    try:
        content = content if content is not None else _read(feed)
        entries = parse_agenda(content, start=start, end=end, zone=zone)
    except AgendaFeedError as error:
        with transaction.atomic():
            had_error = AgendaFeed.objects.filter(pk=feed.pk).exclude(last_error="").exists()
            AgendaFeed.objects.filter(pk=feed.pk).update(
                last_error=str(error), last_refreshed_at=now
            )
            if not had_error:
                _staff_event(
                    Kind.STAFF_AGENDA_FEED_REFRESHED,
                    actor=actor,
                    person=feed.user,
                    now=now,
                    feed=feed.pk,
                    error=str(error),
                )
        return RefreshReport(error=str(error))
    with transaction.atomic():
        locked = AgendaFeed.objects.select_for_update().filter(pk=feed.pk).first()
        if locked is None:
            return RefreshReport(error=_("The feed was removed."))
        report, touched = _sync(locked, entries, start=start, end=end, now=now)
        recovered = bool(locked.last_error)
        AgendaFeed.objects.filter(pk=feed.pk).update(last_error="", last_refreshed_at=now)
        if report.added or report.changed or report.removed or recovered:
            _staff_event(
                Kind.STAFF_AGENDA_FEED_REFRESHED,
                actor=actor,
                person=locked.user,
                now=now,
                feed=feed.pk,
                added=report.added,
                changed=report.changed,
                removed=report.removed,
            )
        _catch_up(touched, now=now)
    return report


def _sync(
    feed: AgendaFeed,
    entries: list[AgendaEntry],
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
) -> tuple[RefreshReport, list[Absence]]:
    report = RefreshReport()
    in_window = list(Absence.objects.filter(feed=feed, end__gt=start, start__lt=end))
    # An occurrence may be stored outside the window and have moved into it: match by UID.
    matching = Absence.objects.filter(feed=feed, uid__in={e.uid for e in entries})
    stored = {(a.uid, a.recurrence_id): a for a in [*in_window, *matching]}
    fresh = {(e.uid, e.recurrence_id): e for e in entries}
    touched: list[Absence] = []
    new: list[Absence] = []
    for key, entry in fresh.items():
        absence = stored.get(key)
        if absence is None:
            new.append(
                Absence(
                    user_id=feed.user_id,
                    feed=feed,
                    source=Absence.Source.ICAL,
                    uid=entry.uid,
                    recurrence_id=entry.recurrence_id,
                    start=entry.start,
                    end=entry.end,
                    all_day=entry.all_day,
                    kind=entry.kind,
                    created_at=now,
                )
            )
            continue
        if (absence.start, absence.end, absence.all_day, absence.kind) != (
            entry.start,
            entry.end,
            entry.all_day,
            entry.kind,
        ):
            absence.start, absence.end = entry.start, entry.end
            absence.all_day, absence.kind = entry.all_day, entry.kind
            absence.save(update_fields=["start", "end", "all_day", "kind"])
            # The proposals were made for the old dates; the catch-up makes them anew.
            Reassignment.objects.filter(absence=absence, status=Reassignment.Status.OPEN).delete()
            report.changed += 1
            touched.append(absence)
    gone = [a.pk for a in in_window if (a.uid, a.recurrence_id) not in fresh]
    if gone:
        Reassignment.objects.filter(absence_id__in=gone, status=Reassignment.Status.OPEN).delete()
        Absence.objects.filter(pk__in=gone).delete()
        report.removed = len(gone)
    touched += Absence.objects.bulk_create(new)
    report.added = len(new)
    return report, touched


# --- forwarding by competence and agenda ----------------------------------------------------


def _team_for(suggestion: Suggestion, chosen: Candidate | None) -> Team | None:
    """The topic's team; else the chosen person's back-office team; else the case's."""
    if suggestion.team is not None or chosen is None:
        return suggestion.team
    return chosen.user.teams.filter(kind=Team.Kind.BACK_OFFICE).order_by("pk").first()


def _topic_team(suggestion: Suggestion, team: Team | None) -> bool:
    """No team chosen, or the one the topic's rule names."""
    return team is None or (suggestion.team is not None and team.pk == suggestion.team.pk)


def routing_assign(
    *,
    actor: User,
    case: Case,
    note: str,
    owner: User | None = None,
    team: Team | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Forward a case to the competent and available person the agent picked from the
    suggestions (charter rule 7); when the agent picks nobody and the topic's rule says to
    assign automatically, to the first suggested person. Without anybody, the case goes to
    the topic's team. The choice and its reasons are kept in the case's history.

    `team` is a back-office team the agent chose: it takes the case instead of the topic's
    team, and the automatic rule then applies only when it is the topic's own team (an agent
    who sends the case to another team has decided where it goes)."""
    now = now or timezone.now()
    suggestion = routing_suggestions(case, now=now)
    chosen: Candidate | None = None
    automatic = False
    if owner is not None:
        chosen = next((c for c in suggestion.candidates if c.user.pk == owner.pk), None)
        if chosen is None:
            raise CaseError(_("%(name)s is not competent for this topic.") % {"name": owner})
    elif suggestion.auto_assign and suggestion.available and _topic_team(suggestion, team):
        chosen, automatic = suggestion.available[0], True
    team = team or _team_for(suggestion, chosen)
    if team is None and chosen is None:
        if suggestion.topic is None:
            raise CaseError(_("Forward to a team or a person."))
        raise CaseError(_("No team answers this topic: choose a person."))
    with transaction.atomic():
        case = case_forward(
            actor=actor, case=case, note=note, team=team, owner=chosen.user if chosen else None
        )
        if chosen is not None:
            Event.objects.create(
                kind=Kind.CASE_ASSIGNED,
                at=now,
                actor=actor,
                case=case,
                client_id=case.client_id,
                data={
                    "owner": chosen.user.pk,
                    "team": case.team_id,
                    "routing": "automatic" if automatic else "chosen",
                    "level": chosen.level,
                    "present_days": chosen.present_days,
                    "open_cases": chosen.open_cases,
                    "available": chosen.available,
                },
            )
    return case


# --- the absences catch-up ----------------------------------------------------------------


def _term_q(start: dt.datetime, end: dt.datetime) -> Q:
    """A case's term lies in [start, end]: the back-office term of a forwarded case, else
    the term the client was given."""
    forwarded = Q(status=Case.Status.FORWARDED, internal_due_at__isnull=False)
    return (forwarded & Q(internal_due_at__range=(start, end))) | (
        ~forwarded & Q(due_at__range=(start, end))
    )


def _front_office() -> Team | None:
    return Team.objects.filter(kind=Team.Kind.FRONT_OFFICE).order_by("pk").first()


def _catch_up(absences: Sequence[Absence], *, now: dt.datetime) -> int:
    """Flag the open cases of each absent person whose term falls in the absence, and
    propose each for reassignment to a competent backup who is there in time, or else to the
    front office. Once per case and absence. Coordinators get one notice per absence."""
    made = 0
    for absence in absences:
        cases = list(
            Case.objects.filter(owner_id=absence.user_id, status__in=Case.OPEN_STATUSES)
            .filter(_term_q(absence.start, absence.end))
            .exclude(reassignments__absence=absence)
            # A case already waiting for a decision is not proposed a second time.
            .exclude(reassignments__status=Reassignment.Status.OPEN)
            .select_related("topic", "policy__calendar", "team")
        )
        for case in cases:
            made += _propose(case, absence, now)
        if cases:
            notify(
                users=User.objects.filter(groups__name=Role.COORDINATOR, is_active=True),
                kind="absence-catch-up",
                message=gettext_noop(
                    "%(person)s is away until %(end)s: %(count)s open cases fall due meanwhile."
                ),
                params={"person": str(absence.user), "end": absence.end, "count": str(len(cases))},
            )
    return made


def _propose(case: Case, absence: Absence, now: dt.datetime) -> int:
    forwarded = case.status == Case.Status.FORWARDED and case.internal_due_at is not None
    term = (case.internal_due_at if forwarded else case.due_at) or absence.start
    suggestion = routing_suggestions(case, now=now, exclude=absence.user)
    backup = suggestion.available[0] if suggestion.available else None
    team = _team_for(suggestion, backup) if backup else _front_office()
    proposal = Reassignment.objects.create(
        case=case,
        absence=absence,
        person_id=absence.user_id,
        term=term,
        proposed_owner=backup.user if backup else None,
        proposed_team=team,
        created_at=now,
    )
    Event.objects.create(
        kind=Kind.CASE_REASSIGNMENT_PROPOSED,
        at=now,
        case=case,
        client_id=case.client_id,
        data={
            "reassignment": proposal.pk,
            "absent": absence.user_id,
            "absence": absence.pk,
            "proposed_owner": backup.user.pk if backup else None,
            "proposed_team": team.pk if team else None,
        },
    )
    return 1


def absence_catch_up(*, now: dt.datetime | None = None, days_ahead: int = 14) -> int:
    """The periodic sweep: absences going on or starting within `days_ahead` days, checked
    again for cases that were given to the absent person after the absence was recorded."""
    now = now or timezone.now()
    with transaction.atomic():
        absences = list(
            Absence.objects.filter(
                end__gt=now, start__lt=now + dt.timedelta(days=days_ahead)
            ).select_related("user")
        )
        return _catch_up(absences, now=now)


def reassignment_decide(*, actor: User, reassignment: Reassignment, accept: bool) -> Reassignment:
    """Accept a proposed reassignment (the case goes to the proposed owner or team) or keep
    the case where it is. Either way the proposal is closed and the case's history says so."""
    now = timezone.now()
    with transaction.atomic():
        proposal = (
            Reassignment.objects.select_for_update().select_related("case").get(pk=reassignment.pk)
        )
        if proposal.status != Reassignment.Status.OPEN:
            raise CaseError(_("This proposal was already decided."))
        if accept:
            if not proposal.case.is_open:
                raise CaseError(_("The case is no longer open."))
            case_assign(
                actor=actor,
                case=proposal.case,
                owner=proposal.proposed_owner,
                team=proposal.proposed_team,
            )
        else:
            Event.objects.create(
                kind=Kind.CASE_REASSIGNMENT_DISMISSED,
                at=now,
                actor=actor,
                case=proposal.case,
                client_id=proposal.case.client_id,
                data={"reassignment": proposal.pk},
            )
        proposal.status = Reassignment.Status.ACCEPTED if accept else Reassignment.Status.DISMISSED
        proposal.decided_at, proposal.decided_by = now, actor
        proposal.save(update_fields=["status", "decided_at", "decided_by"])
    return proposal
