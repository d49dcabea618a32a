"""Agendas from iCalendar files shaped like Outlook/Exchange, Google and Apple publish them:
which events become absences, and reading a feed (an address, an upload) again and again."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from loket.accounts.models import User
from loket.cases.models import Event
from loket.routing.ical import AgendaFeedError, parse_agenda
from loket.routing.models import Absence, AgendaFeed
from loket.routing.services import agenda_feed_add, agenda_feed_refresh, agenda_feed_remove
from loket.routing.tasks import agenda_refresh_task

DATA = Path(__file__).parent / "data"
BRU = ZoneInfo("Europe/Brussels")
YEAR = (dt.datetime(2026, 1, 1, tzinfo=BRU), dt.datetime(2027, 1, 1, tzinfo=BRU))
NOW = dt.datetime(2026, 3, 1, 10, 0, tzinfo=BRU)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BRU)


def parse(name: str, start: dt.datetime = YEAR[0], end: dt.datetime = YEAR[1]) -> list[Any]:
    return parse_agenda((DATA / name).read_bytes(), start=start, end=end, zone=BRU)


def local(entry: Any) -> tuple[dt.datetime, dt.datetime, bool, str]:
    return (entry.start.astimezone(BRU), entry.end.astimezone(BRU), entry.all_day, entry.kind)


# --- parsing (no database) ----------------------------------------------------------------


def test_outlook_out_of_office_and_busy_count_free_and_tentative_do_not() -> None:
    entries = parse("outlook-exchange.ics")
    assert [local(e) for e in entries] == [
        (at("2026-03-10 09:00"), at("2026-03-10 16:00"), False, "meeting"),  # BUSY
        (at("2026-03-16 00:00"), at("2026-03-21 00:00"), False, "leave"),  # OOF, a week
        (at("2026-03-25 00:00"), at("2026-03-27 00:00"), True, "training"),  # all-day OOF
    ]
    # Exchange's long UIDs are folded over two lines in the file; they come back whole.
    assert all(e.uid.startswith("040000008200E00074C5B7101A82E008") for e in entries)
    assert all(len(e.uid) > 75 for e in entries)
    assert {e.recurrence_id for e in entries} == {""}


def test_google_all_day_leave_counts_though_google_marks_it_free() -> None:
    entries = parse("google-all-day.ics")
    assert [local(e) for e in entries] == [
        (at("2026-04-06 00:00"), at("2026-04-18 00:00"), True, "leave"),
        # 07:00Z is 09:00 in Brussels in summer time.
        (at("2026-04-22 09:00"), at("2026-04-22 17:00"), False, "training"),
    ]
    uids = {e.uid for e in entries}
    assert "7ab8cd9ef0gh1ij2kl3mn4op5q@google.com" not in uids  # STATUS:CANCELLED
    assert "9gh8ij7kl6mn5op4qr3st2uv1w@google.com" not in uids  # a reminder shown free


def test_a_weekly_part_time_day_off_with_an_exdate_and_a_moved_occurrence() -> None:
    entries = [e for e in parse("part-time-wednesdays.ics") if e.uid.startswith("ouderschap")]
    days = [e.start.astimezone(BRU).date() for e in entries]
    assert dt.date(2026, 2, 18) not in days  # EXDATE: that Wednesday was worked
    assert dt.date(2026, 2, 25) not in days  # moved by its RECURRENCE-ID override ...
    assert dt.date(2026, 2, 26) in days  # ... to the Thursday
    moved = next(e for e in entries if e.start.astimezone(BRU).date() == dt.date(2026, 2, 26))
    assert moved.recurrence_id == "20260225"  # keyed by the occurrence it replaces
    wednesdays = [d for d in days if d != dt.date(2026, 2, 26)]
    assert all(d.weekday() == 2 for d in wednesdays)
    assert (wednesdays[0], wednesdays[-1], len(days)) == (
        dt.date(2026, 1, 7),
        dt.date(2026, 6, 24),
        24,  # 25 Wednesdays from 7 January to 24 June, one of them worked
    )
    assert all(e.all_day and e.kind == "leave" for e in entries)
    assert len({e.recurrence_id for e in entries}) == len(entries)  # one key per occurrence


def test_a_cancelled_occurrence_of_a_recurring_training_is_left_out() -> None:
    entries = [e for e in parse("part-time-wednesdays.ics") if e.uid.startswith("weekly")]
    assert [local(e)[:2] for e in entries] == [
        (at("2026-03-02 09:00"), at("2026-03-02 12:30")),
        (at("2026-03-09 09:00"), at("2026-03-09 12:30")),
        (at("2026-03-23 09:00"), at("2026-03-23 12:30")),  # 16 March: STATUS:CANCELLED
    ]
    assert {e.kind for e in entries} == {"training"}
    assert [e.recurrence_id for e in entries] == [
        "20260302T080000Z",
        "20260309T080000Z",
        "20260323T080000Z",
    ]


def test_an_event_in_new_york_time_lands_at_the_right_brussels_hour() -> None:
    (entry,) = parse("new-york.ics")
    # New York is on summer time from 8 March 2026, Brussels only from 29 March: 5 hours.
    assert local(entry) == (at("2026-03-09 14:00"), at("2026-03-09 22:00"), False, "training")
    assert entry.start == dt.datetime(2026, 3, 9, 13, 0, tzinfo=dt.UTC)


def test_only_occurrences_in_the_window_are_read() -> None:
    entries = parse("part-time-wednesdays.ics", at("2026-03-01 00:00"), at("2026-04-01 00:00"))
    assert {e.start.astimezone(BRU).month for e in entries} == {3}
    assert len([e for e in entries if e.uid.startswith("ouderschap")]) == 4  # 4, 11, 18, 25


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"this is not a calendar",
        b"<html><body>Log in to see this agenda</body></html>",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:2026zz\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    ],
)
def test_what_is_no_calendar_is_refused_with_a_reason(content: bytes) -> None:
    with pytest.raises(AgendaFeedError):
        parse_agenda(content, start=YEAR[0], end=YEAR[1], zone=BRU)


def test_floating_times_and_missing_uids_are_read_in_the_service_time_zone() -> None:
    content = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\n"
        b"DTSTAMP:20260101T000000Z\r\nDTSTART:20260310T090000\r\nDURATION:PT2H\r\n"
        b"SUMMARY:Ziek\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (entry,) = parse_agenda(content, start=YEAR[0], end=YEAR[1], zone=BRU)
    assert local(entry) == (at("2026-03-10 09:00"), at("2026-03-10 11:00"), False, "illness")
    assert entry.uid.startswith("no-uid-")
    assert parse_agenda(content, start=YEAR[0], end=YEAR[1], zone=BRU)[0].uid == entry.uid


# --- feeds in the database ------------------------------------------------------------------


class FeedServer:
    """A real HTTP server on loopback serving one agenda, whose content a test can change."""

    def __init__(self) -> None:
        self.content = b""
        self.status = 200
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(server.status)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.end_headers()
                self.wfile.write(server.content)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/agenda.ics"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def rows(user: User) -> list[tuple[str, str, dt.datetime, dt.datetime, str]]:
    return list(
        Absence.objects.filter(user=user)
        .order_by("start", "uid")
        .values_list("uid", "recurrence_id", "start", "end", "kind")
    )


OUTLOOK = (DATA / "outlook-exchange.ics").read_bytes()


def outlook_after_changes() -> bytes:
    """The week of leave deleted in Outlook, and the meeting moved an hour later."""
    text = OUTLOOK.decode()
    start = (
        text.index("BEGIN:VEVENT\r\nDESCRIPTION:\\n")
        if "\r\n" in text
        else text.index("BEGIN:VEVENT\nDESCRIPTION:\\n")
    )
    end = text.index("END:VEVENT", start) + len("END:VEVENT") + 1
    text = text[:start] + text[end:].lstrip()
    text = text.replace("20260310T090000", "20260310T100000")
    return text.encode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_reading_a_feed_twice_changes_nothing_and_removed_events_disappear(
    expert: User, feed_server: FeedServer
) -> None:
    feed_server.content = OUTLOOK
    feed = agenda_feed_add(actor=expert, user=expert, url=feed_server.url)
    first = rows(expert)
    assert [r[4] for r in first] == ["meeting", "leave", "training"]
    ids = set(Absence.objects.values_list("pk", flat=True))
    assert AgendaFeed.objects.get().last_refreshed_at == NOW

    again = agenda_feed_refresh(actor=None, feed=feed)
    assert (again.added, again.changed, again.removed, again.error) == (0, 0, 0, "")
    assert rows(expert) == first and set(Absence.objects.values_list("pk", flat=True)) == ids
    refreshed = Event.objects.filter(kind=Event.Kind.STAFF_AGENDA_FEED_REFRESHED)
    assert refreshed.count() == 1  # nothing changed the second time: no event either

    feed_server.content = outlook_after_changes()
    report = agenda_feed_refresh(actor=None, feed=feed)
    assert (report.added, report.changed, report.removed) == (0, 1, 1)
    after = rows(expert)
    assert [r[4] for r in after] == ["meeting", "training"]
    assert after[0][2] == at("2026-03-10 10:00")  # the same row, moved
    assert Absence.objects.filter(pk__in=ids).count() == 2
    assert refreshed.count() == 2
    assert refreshed.last().data == {  # type: ignore[union-attr]
        "staff": expert.pk,
        "feed": feed.pk,
        "added": 0,
        "changed": 1,
        "removed": 1,
    }


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_feed_that_fails_keeps_its_absences_and_says_why(
    expert: User, feed_server: FeedServer
) -> None:
    feed_server.content = OUTLOOK
    feed = agenda_feed_add(actor=expert, user=expert, url=feed_server.url)
    feed_server.status = 404
    report = agenda_feed_refresh(actor=None, feed=feed)
    assert "404" in report.error
    feed.refresh_from_db()
    assert "404" in feed.last_error
    assert Absence.objects.filter(feed=feed).count() == 3
    feed_server.status, feed_server.content = 200, b"<html>moved</html>"
    assert "not a readable iCalendar" in agenda_feed_refresh(actor=None, feed=feed).error
    feed_server.content = OUTLOOK
    assert agenda_feed_refresh(actor=None, feed=feed).error == ""
    feed.refresh_from_db()
    assert feed.last_error == ""


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_an_unreadable_feed_is_refused_when_added(expert: User, feed_server: FeedServer) -> None:
    feed_server.content = b"nothing to see"
    with pytest.raises(ValidationError, match="not a readable iCalendar"):
        agenda_feed_add(actor=expert, user=expert, url=feed_server.url)
    with pytest.raises(ValidationError, match="https://"):
        agenda_feed_add(actor=expert, user=expert, url="file:///etc/passwd")
    with pytest.raises(ValidationError, match="one of both"):
        agenda_feed_add(actor=expert, user=expert)
    assert not AgendaFeed.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_an_uploaded_ics_is_kept_in_the_file_storage_and_read_again(
    expert: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    upload = SimpleUploadedFile(
        "wednesdays.ics", (DATA / "part-time-wednesdays.ics").read_bytes(), "text/calendar"
    )
    feed = agenda_feed_add(actor=expert, user=expert, upload=upload)
    assert feed.file.name.startswith("agendas/2026/")
    assert (media / feed.file.name).exists()
    # From a month back (29 January) on: 20 Wednesdays (18 February worked, 25 February
    # moved to the Thursday) and 3 Monday trainings (16 March cancelled).
    stored = Absence.objects.filter(feed=feed)
    assert stored.count() == 23
    assert agenda_feed_refresh(actor=None, feed=feed).added == 0
    path = media / feed.file.name
    with django_capture_on_commit_callbacks(execute=True):
        agenda_feed_remove(actor=expert, feed=feed)
    assert not Absence.objects.exists() and not path.exists()


@pytest.mark.django_db
def test_the_periodic_task_reads_every_feed_as_the_year_goes_by(expert: User, media: Path) -> None:
    upload = SimpleUploadedFile("wednesdays.ics", (DATA / "part-time-wednesdays.ics").read_bytes())
    with time_machine.travel(at("2025-02-01 10:00"), tick=False):
        feed = agenda_feed_add(actor=expert, user=expert, upload=upload)
    # Read a year ahead: up to 2 February 2026, the first four Wednesdays of the series.
    assert Absence.objects.filter(feed=feed).count() == 4
    with time_machine.travel(at("2026-02-15 10:00"), tick=False):
        result = agenda_refresh_task.enqueue()
    assert result.return_value == {
        "feeds": 1,
        "errors": 0,
        "added": 23,  # 20 Wednesdays from 4 February to 24 June, and 3 Monday trainings
        "changed": 0,
        "removed": 0,
        "proposals": 0,
    }
    # 7 and 14 January are more than a month back: history, kept as they were.
    assert Absence.objects.filter(feed=feed).count() == 27
    assert settings.LOKET_PERIODIC_TASKS["agenda-refresh"][0] == (
        "loket.routing.tasks.agenda_refresh_task"
    )
