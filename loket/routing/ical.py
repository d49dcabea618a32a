"""Reading a person's agenda from iCalendar (RFC 5545): which events are absences.

`parse_agenda` is a plain function from the bytes of an .ics file to `AgendaEntry` values,
tested with files shaped like the ones Outlook/Exchange, Google and Apple publish. The
`icalendar` library parses them (time zones: VTIMEZONE blocks, Olson and Windows names) and
`recurring-ical-events` expands recurring events with their EXDATEs and RECURRENCE-ID
overrides. Storing the entries is a service (`services.agenda_feed_refresh`).

Which events are absences, in order:

1. A cancelled event (STATUS:CANCELLED, also a cancelled occurrence) never is, nor is a
   tentative one (STATUS:TENTATIVE): only what is sure keeps work away from someone.
2. When Outlook/Exchange says how the time is shown (X-MICROSOFT-CDO-BUSYSTATUS, or else
   X-MICROSOFT-CDO-INTENDEDSTATUS), that decides: OOF (out of office) and BUSY are absences,
   FREE, TENTATIVE and WORKINGELSEWHERE are not.
3. Otherwise an all-day event is an absence (leave is entered as all-day events, and
   Google marks them "free" by default, so their TRANSP cannot be trusted), and a timed event
   is one when it is shown busy (TRANSP:OPAQUE, the RFC's default), not when TRANSPARENT.

The kind of absence: "leave" for whole days and out-of-office time, "meeting" for other
busy time, unless the title names a training or an illness in one of the four languages.
The title is only read for that; it is never stored (an agenda is personal).

All-day events are whole days in the service's time zone; floating times (no time zone)
are read in the service's time zone too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

import icalendar
import recurring_ical_events
from django.utils.translation import gettext as _

MAX_FEED_BYTES = 5 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 20

LEAVE, TRAINING, ILLNESS, MEETING = "leave", "training", "illness", "meeting"
_ABSENT_STATUSES = {"OOF": LEAVE, "BUSY": MEETING}
_TRAINING = re.compile(
    r"training|opleiding|cursus|vorming|formation|cours\b|schulung|fortbildung|seminar|course",
    re.IGNORECASE,
)
_ILLNESS = re.compile(r"ziek|malad|krank|sick|illness", re.IGNORECASE)


class AgendaFeedError(ValueError):
    """The feed could not be read or parsed; the message says why, for the person."""


@dataclass(frozen=True, slots=True)
class AgendaEntry:
    """One occurrence of an event that is an absence. `uid` and `recurrence_id` identify it
    across reads: a moved occurrence keeps its recurrence id, so it updates, not duplicates."""

    uid: str
    recurrence_id: str
    start: dt.datetime  # aware, UTC
    end: dt.datetime  # aware, UTC, after start
    all_day: bool
    kind: str


def absence_kind(event: icalendar.Event, *, all_day: bool) -> str | None:
    """The kind of absence this event is, or None when it is no absence (see the rules)."""
    status = str(event.get("STATUS", "")).upper()
    if status in {"CANCELLED", "TENTATIVE"}:
        return None
    shown_as = str(
        event.get("X-MICROSOFT-CDO-BUSYSTATUS") or event.get("X-MICROSOFT-CDO-INTENDEDSTATUS") or ""
    ).upper()
    if shown_as:
        kind = _ABSENT_STATUSES.get(shown_as)
        if kind is None:
            return None
        if all_day:
            kind = LEAVE
    elif all_day:
        kind = LEAVE
    elif str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return None
    else:
        kind = MEETING
    title = str(event.get("SUMMARY", ""))
    if _ILLNESS.search(title):
        return ILLNESS
    if _TRAINING.search(title):
        return TRAINING
    return kind


def _moment(value: dt.date | dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=zone)  # a floating time: the service's wall clock
        return value.astimezone(dt.UTC)
    return dt.datetime.combine(value, dt.time(0), tzinfo=zone).astimezone(dt.UTC)


def _recurrence_key(value: dt.date | dt.datetime, zone: dt.tzinfo) -> str:
    if isinstance(value, dt.datetime):
        return _moment(value, zone).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")


def _recurring_uids(calendar: icalendar.Calendar) -> set[str]:
    """UIDs of series: events with a rule or extra dates, or with overridden occurrences."""
    return {
        str(event.get("UID", ""))
        for event in calendar.walk("VEVENT")
        if event.get("RRULE") or event.get("RDATE") or event.get("RECURRENCE-ID")
    }


def _uid(event: icalendar.Event) -> str:
    uid = str(event.get("UID", "")).strip()
    if uid:
        return uid[:500]
    # Some exports leave UID out; the event's own times stand in for it.
    fingerprint = f"{event.get('DTSTART').to_ical()!r}{event.get('DTEND')!r}"
    return "no-uid-" + hashlib.sha256(fingerprint.encode()).hexdigest()[:32]


def parse_agenda(
    content: bytes, *, start: dt.datetime, end: dt.datetime, zone: dt.tzinfo
) -> list[AgendaEntry]:
    """The absences in [start, end) of an iCalendar file, one entry per occurrence, sorted
    by start. Raises `AgendaFeedError` when the file is no calendar or a broken one."""
    try:
        calendar = icalendar.Calendar.from_ical(content)
        if not isinstance(calendar, icalendar.Calendar):
            raise AgendaFeedError(_("The file holds no calendar (BEGIN:VCALENDAR)."))
        series = _recurring_uids(calendar)
        occurrences = list(
            recurring_ical_events.of(calendar).between(
                start.astimezone(dt.UTC), end.astimezone(dt.UTC)
            )
        )
        entries: dict[tuple[str, str], AgendaEntry] = {}
        for event in occurrences:
            entry = _entry(event, series, zone)
            if entry is not None:
                entries[(entry.uid, entry.recurrence_id)] = entry
    except AgendaFeedError:
        raise
    except Exception as error:
        # A feed comes from outside and can be broken in any way the libraries notice;
        # whatever they raise is the feed's error, shown to its owner, never a crash.
        raise AgendaFeedError(
            _("This is not a readable iCalendar file: %(error)s") % {"error": error}
        ) from error
    return sorted(entries.values(), key=lambda e: (e.start, e.uid, e.recurrence_id))


def _entry(event: icalendar.Event, series: set[str], zone: dt.tzinfo) -> AgendaEntry | None:
    first = event.get("DTSTART")
    if first is None:
        return None
    all_day = not isinstance(first.dt, dt.datetime)
    kind = absence_kind(event, all_day=all_day)
    if kind is None:
        return None
    begin = _moment(event.start, zone)
    finish = _moment(event.end, zone)
    if finish <= begin:
        return None  # a zero-length event takes no time
    uid = _uid(event)
    recurrence = event.get("RECURRENCE-ID")
    key = _recurrence_key(recurrence.dt, zone) if uid in series and recurrence else ""
    return AgendaEntry(uid, key, begin, finish, all_day, kind)


def fetch_feed(url: str) -> bytes:
    """The bytes behind an agenda address (http, https, or webcal which is https), at most
    `MAX_FEED_BYTES`. Raises `AgendaFeedError` with a reason a person understands."""
    parsed = urllib.parse.urlsplit(url.strip())
    if parsed.scheme == "webcal":
        parsed = parsed._replace(scheme="https")
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise AgendaFeedError(_("An agenda address starts with https://, http:// or webcal://."))
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        urllib.parse.urlunsplit(parsed),
        headers={"User-Agent": "loket agenda reader", "Accept": "text/calendar, */*"},
    )
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
            content: bytes = response.read(MAX_FEED_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise AgendaFeedError(
            _("The agenda address answered with error %(status)s.") % {"status": error.code}
        ) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise AgendaFeedError(
            _("The agenda address could not be reached: %(reason)s") % {"reason": reason}
        ) from error
    if len(content) > MAX_FEED_BYTES:
        raise AgendaFeedError(_("The agenda is larger than 5 MB."))
    return content


def read_upload(chunks: Iterable[bytes]) -> bytes:
    """An uploaded file's bytes, refusing more than `MAX_FEED_BYTES`."""
    content = b""
    for chunk in chunks:
        content += chunk
        if len(content) > MAX_FEED_BYTES:
            raise AgendaFeedError(_("The agenda is larger than 5 MB."))
    return content
