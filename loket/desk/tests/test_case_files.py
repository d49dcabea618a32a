"""Every file a client or the desk sent shows under its message on the case page, whichever
way it came (the desk's own attachments, an inbound e-mail's files, the portal form's), each
a download for those who may see the case; the page reads them in a fixed number of queries."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import FileResponse
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from loket.accounts.models import User
from loket.cases.models import Case, Client, Message
from loket.desk.selectors import files_by_message
from loket.desk.services import reply_send
from loket.mail.models import InboundAttachment
from loket.portal.models import Attachment as PortalFile
from loket.portal.models import Submission
from loket.portal.services import portal_question_submit

from .conftest import HTML, PNG, SIGNATURE, client_mail, portal_file, register

pytestmark = pytest.mark.django_db

_FILE_LINK = re.compile(r'<li><a href="([^"]+)">([^<]+)</a> <span class="muted">\(([^)]*)\)')


def listed(page: str) -> dict[str, tuple[str, str]]:
    """The files the page lists: name -> (address, what the brackets say)."""
    return {unescape(name): (unescape(url), note) for url, name, note in _FILE_LINK.findall(page)}


def entry(page: str, message: Message) -> str:
    """The message's entry in the history, up to the next entry."""
    after = page.split(f'id="message-{message.pk}"', 1)[1]
    return re.split(r'<li class="entry|</ol>', after, maxsplit=1)[0]


def downloaded(browser: Browser, url: str) -> tuple[bytes, str, str]:
    response = browser.get(url)
    assert response.status_code == 200, url
    assert isinstance(response, FileResponse)
    content = b"".join(response.streaming_content)  # type: ignore[arg-type]
    return content, response["Content-Type"], response["Content-Disposition"]


def test_the_page_lists_every_file_under_its_message_and_each_downloads(
    client: Browser, agent: User, case_with_files: Case
) -> None:
    client.force_login(agent)
    page = client.get(f"/en/desk/cases/{case_with_files.reference}/").content.decode()
    files = listed(page)
    assert set(files) == {"loonfiche.pdf", "attest.pdf", "handtekening.png", "tabel.csv"}
    assert files["handtekening.png"][1] == "72\xa0bytes, shown inside the e-mail"
    assert files["attest.pdf"][1] == "11\xa0bytes"
    # Each under its own message, in the order of the history.
    question, mailed, answer = case_with_files.messages.order_by("at", "pk")
    sections = {m.pk: entry(page, m) for m in (question, mailed, answer)}
    assert "loonfiche.pdf" in sections[question.pk] and "attest.pdf" not in sections[question.pk]
    assert "attest.pdf" in sections[mailed.pk] and "handtekening.png" in sections[mailed.pk]
    assert "tabel.csv" in sections[answer.pk] and "loonfiche.pdf" not in sections[answer.pk]
    # The e-mail as its sender wrote it (it had HTML), and as it arrived.
    inbound = mailed.inbound_mail  # type: ignore[attr-defined]
    assert f'href="{reverse("mail:message", args=[mailed.pk])}"' in sections[mailed.pk]
    assert f'href="{reverse("mail:raw", args=[inbound.pk])}"' in sections[mailed.pk]
    assert "The e-mail as its sender wrote it" not in sections[question.pk]

    expected = {
        "loonfiche.pdf": (b"%PDF loonfiche", "application/pdf"),
        "attest.pdf": (b"%PDF attest", "application/pdf"),
        "handtekening.png": (PNG, "image/png"),
        "tabel.csv": (b"a;b\n1;2\n", "text/csv"),
    }
    for name, (content, content_type) in expected.items():
        got, got_type, disposition = downloaded(client, files[name][0])
        assert (got, got_type) == (content, content_type), name
        assert disposition == f'attachment; filename="{name}"'
    assert files["loonfiche.pdf"][0].startswith("/en/desk/portal-attachments/")
    assert client.get(reverse("mail:message", args=[mailed.pk])).status_code == 200


def test_a_mail_part_cut_at_the_size_limit_says_so(
    client: Browser, agent: User, case_with_files: Case
) -> None:
    InboundAttachment.objects.filter(filename="attest.pdf").update(truncated=True)
    client.force_login(agent)
    page = client.get(f"/en/desk/cases/{case_with_files.reference}/").content.decode()
    assert listed(page)["attest.pdf"][1] == "11\xa0bytes, cut at the size limit"


def test_an_e_mail_without_html_has_no_link_to_it(
    client: Browser, agent: User, question: Case
) -> None:
    mailed = client_mail(question, files=[])
    client.force_login(agent)
    page = client.get(f"/en/desk/cases/{question.reference}/").content.decode()
    assert reverse("mail:message", args=[mailed.pk]) not in page
    assert "The e-mail as its sender wrote it" not in page
    assert reverse("mail:raw", args=[mailed.inbound_mail.pk]) in page  # type: ignore[attr-defined]


def test_who_may_download_a_file_sent_with_the_portal_form(
    client_record: Client, agent: User, request: pytest.FixtureRequest
) -> None:
    case = register(client_record, channel="web", subject="Leefloon student", sender="")
    question = case.messages.get()
    sent = portal_file(question, "loonfiche.pdf", b"%PDF", "application/pdf")
    url = reverse("desk:portal-attachment", args=[sent.pk])

    def status(person: str | None) -> int:
        browser = Browser()
        if person is not None:
            browser.force_login(request.getfixturevalue(person))
        return browser.get(url).status_code

    assert status(None) == 302  # to the login
    assert status("outsider") == 403  # no staff role
    assert status("expert") == 404  # staff, but not this case's
    for person in ("agent", "coordinator", "manager", "administrator"):
        assert status(person) == 200, person
    browser = Browser()
    browser.force_login(request.getfixturevalue("administrator"))
    assert browser.get(reverse("desk:portal-attachment", args=[999999])).status_code == 404
    # Stored when the form was sent, not linked to a case yet: nobody's to see.
    waiting = portal_file(question, "later.pdf", b"%PDF later", "application/pdf")
    PortalFile.objects.filter(pk=waiting.pk).update(message=None)
    assert browser.get(reverse("desk:portal-attachment", args=[waiting.pk])).status_code == 404
    # Its file gone from the storage: a 404, not an error.
    gone = portal_file(question, "gone.pdf", b"%PDF gone", "application/pdf")
    gone.file.delete(save=False)
    assert browser.get(reverse("desk:portal-attachment", args=[gone.pk])).status_code == 404


def test_the_number_of_queries_does_not_grow_with_the_files(
    client: Browser, agent: User, case_with_files: Case
) -> None:
    client.force_login(agent)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/en/desk/cases/{case_with_files.reference}/").status_code == 200
        return len(captured)

    few = queries()
    question = case_with_files.messages.filter(direction=Message.Direction.INBOUND).first()
    assert question is not None
    for n in range(4):
        portal_file(question, f"bijlage-{n}.pdf", b"%PDF", "application/pdf")
        mailed = [(f"stuk-{n}.pdf", "application/pdf", b"%PDF stuk"), SIGNATURE]
        client_mail(case_with_files, html=HTML, files=mailed)
        reply_send(
            actor=agent,
            case=case_with_files,
            body=f"Antwoord {n}",
            channel="email",
            files=[SimpleUploadedFile(f"tabel-{n}.csv", b"a;b\n", "text/csv")],
        )
    page = client.get(f"/en/desk/cases/{case_with_files.reference}/").content.decode()
    assert len(_FILE_LINK.findall(page)) == 4 + 4 * 4
    assert queries() == few


def test_three_queries_for_the_files_of_a_whole_timeline_none_without_messages(
    case_with_files: Case, django_assert_num_queries: Callable[..., CaptureQueriesContext]
) -> None:
    ids = list(case_with_files.messages.values_list("pk", flat=True))
    with django_assert_num_queries(3):
        found = files_by_message(ids)
    names = sorted(f.name for files in found.values() for f in files.files)
    assert names == ["attest.pdf", "handtekening.png", "loonfiche.pdf", "tabel.csv"]
    with django_assert_num_queries(0):
        assert files_by_message([]) == {}


def test_a_file_sent_with_the_portal_form_reaches_the_case_page(
    client: Browser, agent: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    """Through the portal's own service: the file is kept when the form is sent and belongs
    to the case's question once the case is registered (at once, by the tests' tasks)."""
    upload = SimpleUploadedFile("loonfiche.pdf", b"%PDF-1.7 loonfiche", "application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        sent = portal_question_submit(
            name="Marie Dubois",
            email="marie.dubois@example.be",
            topic=None,
            question="Heeft een student van 19 jaar recht op leefloon?",
            language="nl",
            attachments=[upload],
        )
    case = sent if isinstance(sent, Case) else Submission.objects.get(pk=sent.pk).case
    assert case is not None
    client.force_login(agent)
    page = client.get(f"/en/desk/cases/{case.reference}/").content.decode()
    url, note = listed(page)["loonfiche.pdf"]
    assert note == "18\xa0bytes"
    content, content_type, disposition = downloaded(client, url)
    assert (content, content_type) == (b"%PDF-1.7 loonfiche", "application/pdf")
    assert disposition == 'attachment; filename="loonfiche.pdf"'
