"""A portal form is kept first, with its number and term, and the worker registers its case
(issue 6): what the client was told is what the case has, in batches, and a form whose case
cannot be registered is kept, shown and registered again later, never lost."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from loket.accounts.models import Team, User
from loket.cases.models import Case, Client, Event, Message, Topic
from loket.cases.references import parse_reference
from loket.cases.services import case_register
from loket.knowledge.models import SuggestionShown
from loket.mail.models import OutboundMail
from loket.portal import registration
from loket.portal.models import Attachment, Submission
from loket.portal.registration import portal_submission_retry, portal_submissions_register
from loket.portal.selectors import case_status_lookup
from loket.portal.services import portal_complaint_submit, portal_question_submit
from loket.portal.tasks import portal_registration_task

from .conftest import PDF_BYTES, at, upload

# Tasks queued, not run: the worker's half is called by each test when it wants it.
QUEUED = {
    "default": {
        "BACKEND": "django.tasks.backends.dummy.DummyBackend",
        "QUEUES": ["default", "mail"],
    }
}
State = Submission.State


@pytest.fixture(autouse=True)
def _queued_not_run() -> Iterator[None]:
    with override_settings(TASKS=QUEUED):
        yield


@pytest.fixture
def monday() -> Iterator[object]:
    with time_machine.travel(at("2026-03-02 10:00"), tick=False) as traveller:
        yield traveller


def ask(n: int = 0, **changes: Any) -> Submission:
    values: dict[str, Any] = {
        "name": f"Client {n}",
        "email": f"client{n}@example.be",
        "phone": "",
        "topic": None,
        "question": f"Vraag {n} over leefloon\nMeer uitleg.",
        "language": "nl",
    }
    values.update(changes)
    return portal_question_submit(**values)


@pytest.mark.django_db
def test_the_form_is_kept_with_its_number_and_term_before_any_case(
    monday: object, front_office: Team
) -> None:
    sent = ask(attachments=[upload("attest.pdf", PDF_BYTES)], language="fr")
    sent.refresh_from_db()
    assert sent.state == State.RECEIVED and sent.case is None
    assert parse_reference(sent.reference).year == 2026
    assert sent.due_at == at("2026-03-04 23:59:59")  # 2 working days (charter rule 4)
    assert sent.submitted_at == at("2026-03-02 10:00")
    assert not Case.objects.exists() and not Client.objects.exists()
    assert Attachment.objects.get(submission=sent).message is None
    # The client follows it at once: received, with its term; a wrong address learns nothing.
    status = case_status_lookup(reference=sent.reference, email="CLIENT0@example.be ")
    assert status is not None and status.status == Case.Status.REGISTERED
    assert (status.received_at, status.due_at) == (sent.submitted_at, sent.due_at)
    assert case_status_lookup(reference=sent.reference, email="other@example.be") is None


@pytest.mark.django_db
def test_the_worker_registers_the_case_the_client_was_told_about(
    monday: object, front_office: Team, topics: dict[str, Topic]
) -> None:
    SuggestionShown.objects.create(
        visit="visit-abcdefghijkl", language="fr", query="leefloon", articles=[1],
        shown_at=at("2026-03-02 09:58"),
    )  # fmt: skip
    sent = ask(topic=topics["income"], language="fr", phone="0470 12 34 56",
               attachments=[upload("a.pdf", PDF_BYTES)], visit="visit-abcdefghijkl")  # fmt: skip
    with time_machine.travel(at("2026-03-02 10:00:03"), tick=False):
        [done] = portal_submissions_register()
    sent.refresh_from_db()
    assert done.pk == sent.pk and sent.state == State.REGISTERED
    case = sent.case
    assert case is not None
    assert case.reference == sent.reference and case.due_at == sent.due_at
    assert case.received_at == at("2026-03-02 10:00")  # when it arrived, not when registered
    assert case.registered_at == sent.registered_at == at("2026-03-02 10:00:03")
    assert (case.channel, case.kind, case.language, case.topic) == (
        "web", Case.Kind.QUESTION, "fr", topics["income"]
    )  # fmt: skip
    assert case.team == front_office and case.subject == "Vraag 0 over leefloon"
    assert case.client.name == "Client 0" and case.client.language == "fr"
    assert list(case.client.phones.values_list("number", flat=True)) == ["+32470123456"]
    [question] = Message.objects.filter(case=case)
    assert question.body == "Vraag 0 over leefloon\nMeer uitleg."
    assert question.sender == "Client 0 <client0@example.be>"
    assert Attachment.objects.get(submission=sent).message == question
    [event] = Event.objects.filter(case=case, kind=Event.Kind.CASE_REGISTERED)
    assert event.data["reference"] == sent.reference
    [mail] = OutboundMail.objects.filter(case=case, kind="acknowledgement")
    assert mail.to == ["client0@example.be"] and mail.language == "fr"
    assert "4 mars 2026" in mail.text  # the term the confirmation page showed
    shown = SuggestionShown.objects.get()
    assert shown.case == case and shown.submitted_at == at("2026-03-02 10:00")
    assert portal_submissions_register() == []  # nothing twice


@pytest.mark.django_db
def test_forms_are_registered_in_batches_at_a_fixed_cost(
    monday: object, front_office: Team, client_record: Client
) -> None:
    ask(99)
    portal_submissions_register()  # the calendar, policy and team caches filled
    costs = {}
    for size in (5, 50):
        # Four new people, each asking several times, and a known client.
        sent = [ask(size + n % 4) for n in range(size)]
        sent.append(ask(name="Iemand", email="info@ocmw-gent.example.be"))
        with CaptureQueriesContext(connection) as queries:
            registered = portal_submissions_register(limit=size + 1)
        costs[size] = len(queries)
        assert [s.pk for s in registered] == [s.pk for s in sent]
        cases = Case.objects.filter(portal_submission__in=sent)
        assert sorted(cases.values_list("reference", flat=True)) == sorted(
            s.reference for s in sent
        )
    assert costs[5] == costs[50]  # one insert per kind of row, whatever the batch's size
    # One client per address, a known address keeps its client, nothing on it changed.
    assert Client.objects.filter(emails__address__startswith="client").count() == 9
    assert client_record.cases.count() == 2
    client_record.refresh_from_db()
    assert client_record.name == "OCMW Gent"
    assert OutboundMail.objects.filter(kind="acknowledgement").count() == 58  # 1 + 6 + 51


@pytest.mark.django_db
def test_numbers_reserved_by_forms_and_given_to_other_cases_never_meet(
    monday: object, front_office: Team, client_record: Client
) -> None:
    first = ask(1)
    by_mail = case_register(actor=None, client=client_record, channel="email", subject="Vraag")
    second = ask(2)
    portal_submissions_register()
    numbers = [parse_reference(r).sequence for r in (first.reference, by_mail.reference,
                                                     second.reference)]  # fmt: skip
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    assert Case.objects.count() == 3


@pytest.mark.django_db
def test_a_form_whose_case_cannot_be_registered_is_kept_and_registered_again(
    monday: object, front_office: Team, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = [ask(n) for n in range(3)]
    broken = sent[1]
    real = registration.acknowledgement_emails

    def refuses_one(acknowledgements: Any) -> Any:
        if any(case.reference == broken.reference for case, _to, _q in acknowledgements):
            raise RuntimeError("the outbox is full")
        return real(acknowledgements)

    monkeypatch.setattr(registration, "acknowledgement_emails", refuses_one)
    registered = portal_submissions_register()
    assert [s.state for s in registered] == [State.REGISTERED, State.FAILED, State.REGISTERED]
    broken.refresh_from_db()
    assert broken.state == State.FAILED and broken.case is None
    assert broken.error.startswith("RuntimeError: the outbox is full")
    [event] = Event.objects.filter(kind=Event.Kind.PORTAL_FORM_FAILED)
    assert event.data["reference"] == broken.reference
    assert not Case.objects.filter(reference=broken.reference).exists()  # the number waits
    # The client still sees it received; the worker's next passes leave it to people.
    assert case_status_lookup(reference=broken.reference, email="client1@example.be")
    assert portal_submissions_register() == []

    monkeypatch.setattr(registration, "acknowledgement_emails", real)  # the fix
    again = portal_submission_retry(actor=coordinator, submission=broken)
    assert again.state == State.REGISTERED and again.case is not None
    assert again.case.reference == broken.reference and again.error == ""
    [retried] = Event.objects.filter(kind=Event.Kind.PORTAL_FORM_RETRIED)
    assert retried.actor == coordinator
    assert OutboundMail.objects.filter(kind="acknowledgement").count() == 3


@pytest.mark.django_db
def test_only_a_failed_form_is_registered_again(monday: object, front_office: Team) -> None:
    from django.core.exceptions import ValidationError

    sent = ask()
    with pytest.raises(ValidationError):
        portal_submission_retry(actor=None, submission=sent)
    portal_submissions_register()
    with pytest.raises(ValidationError):
        portal_submission_retry(actor=None, submission=sent)
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_a_complaint_links_the_clients_own_earlier_case(monday: object, front_office: Team) -> None:
    earlier = ask(7)
    portal_submissions_register()
    complaint = portal_complaint_submit(
        name="Client 7", email="client7@example.be", complaint="Geen antwoord.",
        earlier_reference=earlier.reference, language="nl",
    )  # fmt: skip
    assert complaint.due_at is not None and complaint.due_at > at("2026-03-20 00:00")
    portal_submissions_register()
    complaint.refresh_from_db()
    case = complaint.case
    assert case is not None and case.kind == Case.Kind.COMPLAINT
    assert case.related_case is not None and case.related_case.reference == earlier.reference
    assert case.due_at == complaint.due_at  # the complaint's own term, as promised


@pytest.mark.django_db
def test_the_task_registers_what_waits_and_says_so(monday: object, front_office: Team) -> None:
    sent = [ask(n) for n in range(3)]
    assert portal_registration_task.call(sent[0].pk) == "3 registered"
    assert portal_registration_task.call(sent[2].pk) == "nothing waiting (this form: registered)"
    assert portal_registration_task.call() == "nothing waiting"  # the periodic pass


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_register_every_form_once(
    front_office: Team, django_db_blocker: Any
) -> None:
    sent = [ask(n % 7) for n in range(40)]
    results: list[list[Submission]] = []
    errors: list[BaseException] = []

    def worker(register: Callable[..., list[Submission]]) -> None:
        try:
            while batch := register(limit=5):
                results.append(batch)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(portal_submissions_register,))
               for _ in range(2)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    done = [s.pk for batch in results for s in batch]
    assert sorted(done) == sorted(s.pk for s in sent)  # each once, by one worker or the other
    assert Case.objects.count() == 40 and Client.objects.count() == 7
    assert not Submission.objects.exclude(state=State.REGISTERED).exists()


@pytest.mark.django_db
@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}}
)
def test_the_forms_of_one_second_share_one_task_run_after_it(
    monday: time_machine.Traveller, front_office: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.cache import cache
    from django_tasks_db.models import DBTaskResult

    from loket.portal import services

    cache.delete(services.GATHER_KEY)
    tasks = DBTaskResult.objects.filter(task_path=portal_registration_task.module_path)
    window = [ask(n) for n in range(3)]
    [task] = tasks
    assert task.args_kwargs["args"] == [window[0].pk]
    assert task.run_after == at("2026-03-02 10:00:01.5")  # after the window has closed
    monday.shift(1.1)  # the window has closed: the next form opens another
    later = ask(3)
    assert tasks.all().count() == 2
    # The window's task registers every form waiting when it runs.
    assert portal_registration_task.call(window[0].pk) == "4 registered"
    assert Case.objects.filter(reference=later.reference).exists()

    # A task that cannot be queued frees the window: the next form queues its own.
    monday.shift(2)

    def refused(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the queue is unavailable")

    with monkeypatch.context() as patched:
        patched.setattr(DBTaskResult.objects, "create", refused)
        with pytest.raises(RuntimeError):
            ask(4)
    assert not Submission.objects.filter(email="client4@example.be").exists()
    ask(5)
    assert tasks.all().count() == 3
