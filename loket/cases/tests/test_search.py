"""Case search (loket/cases/search.py) on the database the suite runs on: SQLite FTS5 with
its triggers, or PostgreSQL's GIN indexes."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.utils import timezone

from loket.accounts.models import Team, User
from loket.cases.models import Case, Client, Message
from loket.cases.search import (
    ACCENTED,
    PLAIN,
    fts5_query,
    search_cases,
    search_words,
    tsquery,
)
from loket.cases.services import case_forward, case_note_add, case_register

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("loket.cases.migrations.0005_case_search")


def found(text: str, user: User) -> list[str]:
    return list(search_cases(text, user).values_list("subject", flat=True))


@pytest.fixture
def cases(client_record: Client) -> dict[str, Case]:
    def register(subject: str, body: str, **extra: object) -> Case:
        return case_register(
            actor=None,
            client=client_record,
            channel="email",
            subject=subject,
            body=body,
            **extra,  # type: ignore[arg-type]
        )

    return {
        "income": register("Berekening leefloon", "Hoe berekenen we het leefloon?"),
        "french": register("Revenu d'intégration", "Le montant pour un étudiant ?"),
        "fund": register("Stookoliefonds", "Bewijs van inkomen voor de verwarmingstoelage"),
    }


def test_words_are_folded_split_and_limited() -> None:
    assert search_words("  Intégration, LEEFLOON! leefloon ") == ["integration", "leefloon"]
    assert search_words("") == []
    assert len(search_words(" ".join(f"w{n}" for n in range(20)))) == 8
    # Nothing typed is read as query syntax by either engine.
    assert fts5_query(search_words('a" OR b* NEAR(c')) == '"a"* "or"* "b"* "near"* "c"*'
    assert tsquery(search_words("a & !b | c:*")) == "a:* & b:* & c:*"
    assert len(ACCENTED) == len(PLAIN)


def test_subject_and_message_words_are_found(cases: dict[str, Case], agent: User) -> None:
    assert found("leefloon", agent) == ["Berekening leefloon"]
    assert found("verwarmingstoelage", agent) == ["Stookoliefonds"]  # only in the message
    assert found("LEEFLO", agent) == ["Berekening leefloon"]  # a prefix, any case
    assert found("integration", agent) == ["Revenu d'intégration"]  # accents folded
    assert found("étudiant montant", agent) == ["Revenu d'intégration"]  # every word
    assert found("étudiant leefloon", agent) == []
    assert found("   ", agent) == []


def test_later_messages_notes_and_changes_are_found(
    cases: dict[str, Case], agent: User, back_office: Team
) -> None:
    case = cases["fund"]
    case_note_add(actor=agent, case=case, body="Dossier nagevraagd bij de mazoutleverancier")
    assert found("mazoutleverancier", agent) == ["Stookoliefonds"]
    case_forward(actor=agent, case=case, team=back_office, note="Graag advies over de plafonds")
    assert found("plafonds", agent) == ["Stookoliefonds"]
    # A message edited or removed (retention, a correction) no longer matches.
    message = Message.objects.get(case=case, body__contains="mazoutleverancier")
    Message.objects.filter(pk=message.pk).update(body="Dossier nagevraagd")
    assert found("mazoutleverancier", agent) == []
    Message.objects.filter(case=case, body__contains="plafonds").delete()
    assert found("plafonds", agent) == []
    assert found("verwarmingstoelage", agent) == ["Stookoliefonds"]
    Case.objects.filter(pk=case.pk).update(subject="Verwarmingstoelage 2026")
    assert found("2026", agent) == ["Verwarmingstoelage 2026"]
    case.delete()
    assert found("verwarmingstoelage", agent) == []


def test_only_cases_the_user_may_see_are_found(
    client_record: Client, agent: User, expert: User, coordinator: User, outsider: User
) -> None:
    case_register(
        actor=None,
        client=client_record,
        channel="web",
        subject="Klacht over de wachttijd",
        kind="complaint",
        owner=coordinator,
    )
    assert found("wachttijd", coordinator) == ["Klacht over de wachttijd"]
    assert found("wachttijd", agent) == []  # complaints belong to the coordinator
    assert found("wachttijd", expert) == []
    assert found("wachttijd", outsider) == []


def test_the_most_recently_registered_first(client_record: Client, agent: User) -> None:
    for days in (3, 1, 2):  # letters registered in this order, whenever they arrived
        case_register(
            actor=None,
            client=client_record,
            channel="post",
            subject=f"Brief {days}",
            body="Vraag over de subsidie",
            received_at=timezone.now() - dt.timedelta(days=days),
        )
    assert found("subsidie", agent) == ["Brief 2", "Brief 1", "Brief 3"]


def test_the_engine_keeps_its_index(
    cases: dict[str, Case], agent: User, client_record: Client
) -> None:
    """SQLite: a later migration that rebuilds a table drops its triggers; after every
    migrate they are put back and the index rebuilt from the cases themselves.
    PostgreSQL: the query repeats the indexed expressions exactly, so the planner uses the
    GIN indexes."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER cases_case_search_case_insert")
        case_register(actor=None, client=client_record, channel="email", subject="Nieuw GPMI")
        assert found("gpmi", agent) == []  # missed while the trigger was gone
        assert MIGRATION.install(connection) is True
        assert found("gpmi", agent) == ["Nieuw GPMI"]
        assert found("leefloon", agent) == ["Berekening leefloon"]
        assert MIGRATION.install(connection) is False  # nothing missing: nothing done
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            sql, params = search_cases("leefloon", agent).query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "cases_case_subject_search" in plan
        assert "cases_message_body_search" in plan
        assert MIGRATION.install(connection) is False
