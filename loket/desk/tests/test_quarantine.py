"""The desk's quarantine: e-mails that could not be processed and portal forms whose case
could not be registered, shown to administrators with the reason and processed again from
there (charter rule 1: nothing that arrives is lost)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from loket.accounts.models import User
from loket.cases.models import Case, Event
from loket.mail import storage
from loket.mail.models import InboundMail
from loket.portal import registration
from loket.portal.models import Submission
from loket.portal.registration import portal_submissions_register
from loket.portal.services import portal_question_submit

from .conftest import lost_mail

pytestmark = pytest.mark.django_db
PAGE = "/en/desk/quarantine/"


@pytest.fixture
def outbox_down(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Forms wait for the worker (no task runs by itself), and the outbox refuses the
    acknowledgements until the returned fix is called: their registration fails for real."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend",
                                  "QUEUES": ["default", "mail"]}}  # fmt: skip
    real = registration.acknowledgement_emails

    def refuses(acknowledgements: Any) -> Any:
        raise RuntimeError("the outbox is full")

    monkeypatch.setattr(registration, "acknowledgement_emails", refuses)
    return lambda: monkeypatch.setattr(registration, "acknowledgement_emails", real)


def failed_form(name: str = "An Peeters") -> Submission:
    """A question sent on the portal whose registration by the worker failed."""
    sent = portal_question_submit(
        name=name, email="an@example.be", phone="", topic=None,
        question="Wanneer krijg ik mijn attest?", language="nl",
    )  # fmt: skip
    portal_submissions_register()
    sent.refresh_from_db()
    assert sent.state == Submission.State.FAILED and sent.case_id is None
    return sent


def test_the_administrator_sees_both_lists_with_the_reason(
    client: Browser, administrator: User, outbox_down: Callable[[], None]
) -> None:
    inbound, _ = lost_mail()
    form = failed_form()
    client.force_login(administrator)
    page = client.get(PAGE).content.decode()
    assert 'E-mails in quarantine <span class="count">(1)</span>' in page
    # The raw bytes could not be read, so nothing of the mail is known but its mailbox.
    assert f'id="mail-{inbound.pk}-subject">—</td>' in page
    assert escape(inbound.error.splitlines()[0]) in page
    assert f"/en/desk/mail/incoming/{inbound.pk}/raw/" in page
    assert form.reference in page and "An Peeters" in page
    assert "RuntimeError: the outbox is full" in page
    home = client.get("/en/desk/").content.decode()
    assert "1 e-mail in quarantine, 1 portal form not registered" in home
    assert 'id="nav-desk-quarantine"' in home


def test_an_empty_quarantine_says_so_and_the_home_page_says_nothing(
    client: Browser, administrator: User
) -> None:
    client.force_login(administrator)
    page = client.get(PAGE).content.decode()
    assert "No e-mail in quarantine." in page and "No portal form is waiting." in page
    assert "in quarantine," not in client.get("/en/desk/").content.decode()


@pytest.mark.parametrize("role", ["agent", "expert", "coordinator", "manager"])
def test_only_administrators_may_use_the_quarantine(
    client: Browser, role: str, request: pytest.FixtureRequest, outbox_down: Callable[[], None]
) -> None:
    inbound, _ = lost_mail()
    form = failed_form()
    client.force_login(request.getfixturevalue(role))
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}mail/{inbound.pk}/again/").status_code == 403
    assert client.post(f"{PAGE}forms/{form.pk}/again/").status_code == 403
    home = client.get("/en/desk/").content.decode()
    assert "nav-desk-quarantine" not in home and "in quarantine" not in home
    inbound.refresh_from_db()
    form.refresh_from_db()
    assert inbound.state == InboundMail.State.QUARANTINED
    assert form.state == Submission.State.FAILED


def test_a_mail_processed_again_after_the_fix_becomes_a_case(
    client: Browser, administrator: User
) -> None:
    inbound, raw = lost_mail()
    client.force_login(administrator)
    # Before the fix: still quarantined, and the page says so.
    answer = client.post(f"{PAGE}mail/{inbound.pk}/again/", follow=True)
    assert "The e-mail is still in quarantine: see its error." in answer.content.decode()
    storage.put(inbound.raw_name, raw, inbound.sha256)  # the fix
    answer = client.post(f"{PAGE}mail/{inbound.pk}/again/", follow=True)
    inbound.refresh_from_db()
    assert inbound.state == InboundMail.State.PROCESSED and inbound.case is not None
    page = answer.content.decode()
    assert f"The e-mail is processed: case {inbound.case.reference}." in page
    assert "No e-mail in quarantine." in page
    events = Event.objects.filter(kind=Event.Kind.MAIL_REPROCESSED)
    assert [e.actor for e in events] == [administrator, administrator]


def test_a_form_registered_again_keeps_the_clients_number(
    client: Browser, administrator: User, outbox_down: Callable[[], None]
) -> None:
    form = failed_form()
    client.force_login(administrator)
    answer = client.post(f"{PAGE}forms/{form.pk}/again/", follow=True)
    assert "The form still could not be registered: see its error." in answer.content.decode()
    outbox_down()  # the fix
    answer = client.post(f"{PAGE}forms/{form.pk}/again/", follow=True)
    form.refresh_from_db()
    assert form.state == Submission.State.REGISTERED
    case = Case.objects.get(portal_submission=form)
    assert case.reference == form.reference and case.due_at == form.due_at
    page = answer.content.decode()
    assert f"The form is registered: case {form.reference}." in page
    assert "No portal form is waiting." in page
    events = Event.objects.filter(kind=Event.Kind.PORTAL_FORM_RETRIED)
    assert [e.actor for e in events] == [administrator, administrator]
    assert all("the outbox is full" in e.data["error"] for e in events)


def test_what_is_not_in_quarantine_is_refused_clearly(
    client: Browser, administrator: User, outbox_down: Callable[[], None]
) -> None:
    inbound, raw = lost_mail()
    storage.put(inbound.raw_name, raw, inbound.sha256)
    form = failed_form()
    outbox_down()  # the fix
    client.force_login(administrator)
    client.post(f"{PAGE}mail/{inbound.pk}/again/")
    client.post(f"{PAGE}forms/{form.pk}/again/")
    # A second press (another tab, a double click): a clear message, nothing done twice.
    refusals = {
        f"{PAGE}mail/{inbound.pk}/again/": "Only a quarantined or ignored e-mail can be processed",
        f"{PAGE}forms/{form.pk}/again/": "Only a form that could not be registered can be tried",
    }
    for url, refusal in refusals.items():
        answer = client.post(url, follow=True)
        assert answer.status_code == 200 and refusal in answer.content.decode()
    assert Case.objects.count() == 2
    assert client.post(f"{PAGE}mail/999999/again/").status_code == 404
    assert client.post(f"{PAGE}forms/999999/again/").status_code == 404
    assert client.get(f"{PAGE}mail/{inbound.pk}/again/").status_code == 405


def test_the_page_costs_the_same_queries_for_one_row_or_many(
    client: Browser,
    administrator: User,
    outbox_down: Callable[[], None],
) -> None:
    client.force_login(administrator)
    lost_mail("Eerste")
    failed_form()
    client.get(PAGE)  # warm the session and the caches
    with CaptureQueriesContext(connection) as one:
        client.get(PAGE)
    for n in range(5):
        lost_mail(f"Vraag {n}")
        failed_form(f"Client {n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(PAGE).content.decode()
    assert page.count("Process again") == 6 and page.count("Register again") == 6
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_home_page_counts_the_quarantine_only_for_the_whole_page(
    client: Browser, administrator: User, outbox_down: Callable[[], None]
) -> None:
    lost_mail()
    client.force_login(administrator)
    client.get("/en/desk/")  # warm the session
    with CaptureQueriesContext(connection) as whole:
        page = client.get("/en/desk/?queue=team").content.decode()
    with CaptureQueriesContext(connection) as switch:
        part = client.get("/en/desk/?queue=team", HTTP_HX_REQUEST="true").content.decode()
    assert "1 e-mail in quarantine, 0 portal forms not registered" in page
    assert "in quarantine" not in part
    counted = [q["sql"] for q in whole.captured_queries if "inboundmail" in q["sql"]]
    assert len(counted) == 1, "counted once, however often the template reads it"
    assert not [q for q in switch.captured_queries if "inboundmail" in q["sql"]]
