from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from loket.accounts.models import Team, User
from loket.cases.models import Client
from loket.cases.services import case_answer, case_forward, case_register
from loket.deadlines.indicators import Ratio, term_indicators
from loket.deadlines.models import DeadlinePolicy
from loket.deadlines.services import delay_notice_send

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=BRUSSELS)


def test_indicators_count_on_time_late_open_informed_and_front_office(
    agent: User, back_office: Team, client_record: Client
) -> None:
    def register(day: int) -> object:
        with time_machine.travel(at(day), tick=False):
            return case_register(
                actor=agent, client=client_record, channel="email", subject="Vraag"
            )

    on_time = register(2)  # Mon 2 Nov 2026: the 2nd is a federal day off, so due Wed 4 Nov
    late = register(2)
    informed = register(9)  # due Wed 11 Nov? 11 Nov is a holiday: due Thu 12 Nov
    uninformed_open = register(9)
    forwarded = register(16)  # due Wed 18 Nov
    with time_machine.travel(at(3), tick=False):
        case_answer(actor=agent, case=on_time, body="Antwoord")  # type: ignore[arg-type]
    with time_machine.travel(at(10), tick=False):
        delay_notice_send(
            actor=agent, case=informed, reason="Advies gevraagd", new_due_date=dt.date(2026, 11, 20)
        )  # type: ignore[arg-type]
    with time_machine.travel(at(16, 12), tick=False):
        case_forward(actor=agent, case=forwarded, team=back_office, note="Advies")  # type: ignore[arg-type]
        case_answer(actor=agent, case=late, body="Laat antwoord")  # type: ignore[arg-type]
        case_answer(actor=agent, case=forwarded, body="Antwoord van de BackOffice")  # type: ignore[arg-type]
    with time_machine.travel(at(19), tick=False):
        case_answer(actor=agent, case=informed, body="Antwoord na uitstel")  # type: ignore[arg-type]

    standard = DeadlinePolicy.objects.get(code="standard")
    result = term_indicators(start=at(1, 0), end=at(30, 0), policy=standard, now=at(25))
    assert result.received == 5
    assert result.answered_on_time == Ratio(2, 5)  # on_time and forwarded
    assert result.answered_late == 2  # late, informed
    assert result.open_past_due == 1  # uninformed_open
    assert result.informed_on_time == Ratio(1, 3)
    assert result.answered_by_front_office == Ratio(3, 4)
    assert result.answered_on_time.percent == Decimal("40.0")
    assert result.target_percent == Decimal("95") and result.meets_target is False
    assert Ratio(0, 0).percent is None
    assert uninformed_open is not None
