"""The watch walks a case through reminder, missed term, delay notice and the new term, with
exactly one mail and one event per step, even with two workers running it at once."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connections

from loket.accounts.models import Notification, Team, User
from loket.accounts.roles import Role
from loket.accounts.services import staff_create
from loket.cases.models import Case, Event
from loket.cases.services import case_forward, case_register, client_create
from loket.deadlines.models import DelayNotice, Reminder
from loket.deadlines.services import deadline_watch, delay_notice_send
from loket.mail.models import OutboundMail

BRUSSELS = ZoneInfo("Europe/Brussels")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BRUSSELS)


def two_workers_watch() -> None:
    """Two watch passes at the same moment, in two threads, as two workers would."""
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            deadline_watch()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def events(case: Case, kind: str) -> int:
    return Event.objects.filter(case=case, kind=kind).count()


def sent(kind: str) -> list[OutboundMail]:
    return list(OutboundMail.objects.filter(kind=kind, status="sent").order_by("pk"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reminder_breach_delay_notice_and_new_term_once_each_with_two_workers() -> None:
    front = Team.objects.create(
        code="front-office", name="FrontOffice", kind="front", email="frontoffice@loket.example"
    )
    agent = staff_create(
        username="an",
        password="x",
        roles=[Role.AGENT],
        teams=[front],
        email="an@loket.example",
        language="nl",
        check_password=False,
    )
    coordinator = staff_create(
        username="nathalie",
        password="x",
        roles=[Role.COORDINATOR],
        teams=[front],
        email="nathalie@loket.example",
        check_password=False,
    )
    client = client_create(actor=None, name="OCMW Gent", emails=["info@ocmw-gent.example.be"])

    with time_machine.travel(at("2026-11-30T10:00"), tick=False):  # a Monday
        case = case_register(
            actor=agent,
            client=client,
            channel="email",
            subject="Leefloon",
            body="Hoe berekenen we het leefloon?",
            owner=agent,
            team=front,
        )
    assert case.due_at == at("2026-12-02T23:59:59")  # 2 working days: Tue 1, Wed 2
    assert case.remind_at == at("2026-12-02T08:30")  # the morning of the due day

    with time_machine.travel(at("2026-12-01T12:00"), tick=False):
        two_workers_watch()
    assert Reminder.objects.count() == 0 and mail.outbox == []

    with time_machine.travel(at("2026-12-02T09:00"), tick=False):
        two_workers_watch()
    assert events(case, "case.reminded") == 1
    assert len(mail.outbox) == 1 and len(sent("deadline-reminder")) == 1
    reminder = mail.outbox[0]
    assert reminder.to == ["an@loket.example"]
    assert case.reference in reminder.subject
    assert f"Herinnering: {case.reference} moet uiterlijk op" in reminder.subject  # owner: nl
    assert reminder.extra_headers["Auto-Submitted"] == "auto-generated"
    assert Notification.objects.filter(user=agent, kind="due-soon").count() == 1

    with time_machine.travel(at("2026-12-03T08:00"), tick=False):  # the term has passed
        two_workers_watch()
    case.refresh_from_db()
    assert case.overdue_since == at("2026-12-03T08:00")
    assert events(case, "case.overdue") == 1
    assert len(mail.outbox) == 2 and len(sent("deadline-overdue")) == 1
    reactie = mail.outbox[1]
    assert sorted(reactie.to) == ["an@loket.example", "frontoffice@loket.example"]
    assert Notification.objects.filter(kind="overdue", user__in=[agent, coordinator]).count() == 2

    with time_machine.travel(at("2026-12-03T10:00"), tick=False):
        notice = delay_notice_send(
            actor=agent,
            case=case,
            reason="We wachten op gegevens van de RSZ.",
            new_due_date=dt.date(2026, 12, 8),
        )
    assert notice.late is True  # sent after the term it replaces
    assert events(case, "case.delay-notice-sent") == 1
    assert len(mail.outbox) == 3 and len(sent("delay-notice")) == 1
    to_client = mail.outbox[2]
    assert to_client.to == ["info@ocmw-gent.example.be"]
    assert "We wachten op gegevens van de RSZ." in to_client.body
    assert "8 december 2026" in to_client.body  # in the client's language (nl)
    assert f"Uw vraag {case.reference}: we hebben meer tijd nodig" in to_client.subject
    assert "De reden: We wachten op gegevens van de RSZ." in to_client.body
    case.refresh_from_db()
    assert (case.due_at, case.overdue_since) == (at("2026-12-08T23:59:59"), None)
    assert case.charter_due_at == at("2026-12-02T23:59:59")  # the charter's term stays measured

    with time_machine.travel(at("2026-12-08T09:00"), tick=False):
        two_workers_watch()
        two_workers_watch()
    assert events(case, "case.reminded") == 2 and len(mail.outbox) == 4

    with time_machine.travel(at("2026-12-09T08:00"), tick=False):
        two_workers_watch()
    assert events(case, "case.overdue") == 2 and len(mail.outbox) == 5
    assert Reminder.objects.filter(case=case).count() == 4


@pytest.mark.django_db
def test_a_notice_before_the_term_is_on_time_and_bad_notices_are_refused(
    agent: User, client_record: object
) -> None:
    from django.core.exceptions import ValidationError

    with time_machine.travel(at("2026-11-30T10:00"), tick=False):
        case = case_register(actor=agent, client=client_record, channel="email", subject="Vraag")  # type: ignore[arg-type]
    with time_machine.travel(at("2026-12-01T10:00"), tick=False):
        with pytest.raises(ValidationError):
            delay_notice_send(actor=agent, case=case, reason=" ", new_due_date=dt.date(2026, 12, 8))
        with pytest.raises(ValidationError):  # not later than the current term
            delay_notice_send(actor=agent, case=case, reason="x", new_due_date=dt.date(2026, 12, 2))
        with pytest.raises(ValidationError):  # a Saturday
            delay_notice_send(actor=agent, case=case, reason="x", new_due_date=dt.date(2026, 12, 5))
        notice = delay_notice_send(
            actor=agent, case=case, reason="Advies nodig", new_due_date=dt.date(2026, 12, 7)
        )
    assert notice.late is False
    assert DelayNotice.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_forwarded_case_gets_an_internal_term_and_the_back_office_is_told_when_it_passes(
    agent: User, expert: User, back_office: Team, client_record: object
) -> None:
    with time_machine.travel(at("2026-11-30T10:00"), tick=False):
        case = case_register(actor=agent, client=client_record, channel="email", subject="Vraag")  # type: ignore[arg-type]
        case = case_forward(
            actor=agent, case=case, team=back_office, owner=expert, note="Graag advies"
        )
    assert case.internal_due_at == at("2026-12-01T23:59:59")  # one working day before the term
    with time_machine.travel(at("2026-12-02T08:00"), tick=False):
        first = deadline_watch()
        second = deadline_watch()
    assert (first.internal_overdue, second.internal_overdue) == (1, 0)
    assert Notification.objects.filter(user=expert, kind="internal-overdue").count() == 1
    assert events(case, "case.internal-overdue") == 1


@pytest.mark.django_db
def test_answered_and_closed_cases_are_not_watched(agent: User, client_record: object) -> None:
    from loket.cases.services import case_answer

    with time_machine.travel(at("2026-11-30T10:00"), tick=False):
        case = case_register(actor=agent, client=client_record, channel="email", subject="Vraag")  # type: ignore[arg-type]
        case_answer(actor=agent, case=case, body="Antwoord")
    with time_machine.travel(at("2026-12-10T08:00"), tick=False):
        report = deadline_watch()
    assert (report.reminded, report.overdue) == (0, 0)
