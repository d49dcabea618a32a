"""Who may see an inbound mail's HTML, files and raw bytes: staff who may see its case (a
case outside one's work is a 404, as in the desk); mail without a case, administrators."""

from __future__ import annotations

from email import message_from_bytes, policy
from typing import Any

import pytest
from django.test import Client as Browser
from django.urls import reverse

from loket.accounts.models import User
from loket.mail.models import InboundAttachment, InboundMail
from loket.mail.services import inbound_process, inbound_store

from .messages import question

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def inbound() -> InboundMail:
    """A question with HTML, an inline logo (cid:), an SVG pretending to be an image and a PDF."""
    raw = question(
        html='<p>Bonjour</p><img src="cid:logo@x" alt="logo"><img src="cid:evil@x" alt="x">',
        attachments=[("attest.pdf", "application/pdf", b"%PDF-1.4")],
    )
    message = message_from_bytes(raw, policy=policy.default)
    html = message.get_body(("html",))
    assert html is not None
    html.add_related(PNG, maintype="image", subtype="png", cid="<logo@x>")  # type: ignore[attr-defined]
    html.add_related(SVG, maintype="image", subtype="svg+xml", cid="<evil@x>")  # type: ignore[attr-defined]
    stored, _ = inbound_store(raw=message.as_bytes(), source="imap", process=False)
    processed = inbound_process(inbound_id=stored.pk)
    assert processed is not None and processed.case is not None
    return processed


def urls(inbound: InboundMail) -> list[str]:
    pdf = InboundAttachment.objects.get(inbound=inbound, filename="attest.pdf")
    return [
        reverse("mail:message", args=[inbound.case_message_id]),
        reverse("mail:attachment", args=[pdf.pk]),
        reverse("mail:inline", args=[inbound.pk, "logo@x"]),
        reverse("mail:raw", args=[inbound.pk]),
    ]


def as_user(user: User | None) -> Browser:
    browser = Browser()
    if user is not None:
        browser.force_login(user)
    return browser


def test_anonymous_people_are_sent_to_the_login(inbound: InboundMail) -> None:
    for url in urls(inbound):
        response = as_user(None).get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_people_without_a_staff_role_are_refused(inbound: InboundMail, outsider: User) -> None:
    for url in urls(inbound):
        assert as_user(outsider).get(url).status_code == 403


@pytest.mark.parametrize("person", ["agent", "coordinator", "manager", "administrator"])
def test_staff_who_see_the_case_see_its_mail(
    inbound: InboundMail, person: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(person)
    for url in urls(inbound):
        response = as_user(user).get(url)
        assert response.status_code == 200, url


def test_an_expert_outside_the_case_gets_a_404(inbound: InboundMail, expert: User) -> None:
    for url in urls(inbound):
        assert as_user(expert).get(url).status_code == 404


def test_the_html_page_and_its_htmx_fragment(inbound: InboundMail, agent: User) -> None:
    url = reverse("mail:message", args=[inbound.case_message_id])
    page = as_user(agent).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "<html" in body and "<h1" in body and "Bonjour" in body
    assert reverse("mail:inline", args=[inbound.pk, "logo@x"]) in body
    assert "attest.pdf" in body and reverse("mail:raw", args=[inbound.pk]) in body
    fragment = as_user(agent).get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode() and "Bonjour" in fragment.content.decode()


def test_files_are_downloads_and_only_plain_images_are_shown(
    inbound: InboundMail, agent: User
) -> None:
    browser = as_user(agent)
    logo = browser.get(reverse("mail:inline", args=[inbound.pk, "logo@x"]))
    assert logo["Content-Type"] == "image/png" and "attachment" not in logo.get(
        "Content-Disposition", ""
    )
    assert b"".join(logo.streaming_content) == PNG  # type: ignore[attr-defined]
    svg = browser.get(reverse("mail:inline", args=[inbound.pk, "evil@x"]))
    assert svg["Content-Type"] == "application/octet-stream"
    assert svg["Content-Disposition"].startswith("attachment")
    pdf = InboundAttachment.objects.get(inbound=inbound, filename="attest.pdf")
    download = browser.get(reverse("mail:attachment", args=[pdf.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert browser.get(reverse("mail:inline", args=[inbound.pk, "nothing@x"])).status_code == 404


def test_the_raw_mail_of_a_quarantined_message_is_for_administrators(
    agent: User, coordinator: User, administrator: User
) -> None:
    stored, _ = inbound_store(raw=b"\x00\x01\x02 garbage", source="import", process=False)
    inbound_process(inbound_id=stored.pk)
    url = reverse("mail:raw", args=[stored.pk])
    assert as_user(agent).get(url).status_code == 404
    assert as_user(coordinator).get(url).status_code == 404
    response = as_user(administrator).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x00\x01\x02 garbage"  # type: ignore[attr-defined]


def test_the_admin_lists_the_quarantine_and_processes_it_again(administrator: User) -> None:
    from django.core.files.storage import default_storage

    from loket.mail import storage

    raw = question(subject="Na de fix")
    stored, _ = inbound_store(raw=raw, source="imap", process=False)
    default_storage.delete(stored.raw_name)
    inbound_process(inbound_id=stored.pk)
    browser = as_user(administrator)
    listing = browser.get(reverse("admin:mail_inboundmail_changelist") + "?state=quarantined")
    assert listing.status_code == 200 and f"/{stored.pk}/change/" in listing.content.decode()
    assert (
        browser.get(reverse("admin:mail_inboundmail_change", args=[stored.pk])).status_code == 200
    )

    storage.put(stored.raw_name, raw, stored.sha256)
    response = browser.post(
        reverse("admin:mail_inboundmail_changelist"),
        {"action": "reprocess", "_selected_action": [stored.pk]},
    )
    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.state == InboundMail.State.PROCESSED and stored.case is not None


def test_the_mailbox_admin_keeps_the_password_unless_a_new_one_is_given(
    administrator: User,
) -> None:
    from loket.mail.models import MailBox

    browser = as_user(administrator)
    add = reverse("admin:mail_mailbox_add")
    fields = {"name": "vraag", "receives": "question", "active": "on", "host": "imap.example.be",
              "port": "993", "use_tls": "on", "username": "vraag", "folder": "INBOX",
              "after_store": "move", "move_to": "loket"}  # fmt: skip
    refused = browser.post(add, {**fields, "password": ""})
    assert refused.status_code == 200 and "password" in refused.content.decode().lower()
    assert browser.post(add, {**fields, "password": "geheim"}).status_code == 302
    mailbox = MailBox.objects.get()
    page = browser.get(reverse("admin:mail_mailbox_change", args=[mailbox.pk]))
    assert "geheim" not in page.content.decode()
    browser.post(reverse("admin:mail_mailbox_change", args=[mailbox.pk]),
                 {**fields, "password": "", "port": "143"})  # fmt: skip
    mailbox.refresh_from_db()
    assert mailbox.password == "geheim" and mailbox.port == 143


def test_the_desk_reads_the_mail_parts_of_a_whole_timeline_in_two_queries(
    inbound: InboundMail, django_assert_num_queries: Any
) -> None:
    from django.template.loader import render_to_string

    from loket.mail.selectors import mail_parts

    others = []
    for n in range(5):
        stored, _ = inbound_store(raw=question(subject=f"Nog {n}", attachments=[
            ("bijlage.txt", "text/plain", f"bijlage {n}".encode())]), source="imap",
            process=False)  # fmt: skip
        processed = inbound_process(inbound_id=stored.pk)
        assert processed is not None
        others.append(processed.case_message_id)
    ids = [inbound.case_message_id, *others]
    with django_assert_num_queries(2):
        parts = mail_parts(ids)
    mine = parts[inbound.case_message_id]  # type: ignore[index]
    assert mine.has_html and mine.inbound_id == inbound.pk
    assert [f.filename for f in mine.files] == ["attest.pdf"], "inline images are in the HTML"
    assert all(len(parts[m].files) == 1 and not parts[m].has_html for m in others)  # type: ignore[index]
    html = render_to_string(
        "mail/desk/_parts.html", {"parts": mine, "message": inbound.case_message}
    )
    assert reverse("mail:message", args=[inbound.case_message_id]) in html
    assert reverse("mail:raw", args=[inbound.pk]) in html
