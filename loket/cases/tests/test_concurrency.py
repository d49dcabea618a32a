"""Registration numbers come from a locked sequence: many workers, no number twice
(charter rule 2). Runs on SQLite and, in the second pass of `make test`, on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from loket.cases.models import Case
from loket.cases.services import case_register, client_create

THREADS = 8
PER_THREAD = 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_eight_threads_registering_200_cases_each_get_1600_distinct_numbers() -> None:
    client = client_create(actor=None, name="CPAS de Liège", emails=["info@cpas-liege.example.be"])
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def register_many() -> None:
        try:
            start.wait()
            for n in range(PER_THREAD):
                case_register(actor=None, client=client, channel="email", subject=f"Vraag {n}")
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register_many) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(references) == THREADS * PER_THREAD
    assert len(set(references)) == THREADS * PER_THREAD
    sequences = sorted(int(r.split("-")[2]) for r in references)
    assert sequences == list(range(1, THREADS * PER_THREAD + 1)), "no gaps, no repeats"
    assert connection.vendor in {"sqlite", "postgresql"}
