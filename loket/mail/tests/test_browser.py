"""An inbound mail's HTML page in a real browser: keyboard reachable from the case, readable
without the sender's scripts or remote images, and WCAG 2.1 AA by axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from loket.accounts.models import User
from loket.browser import assert_accessible, assert_headings_in_order, log_in
from loket.mail.services import inbound_process, inbound_store

from .messages import question

pytestmark = pytest.mark.browser
PASSWORD = "secret-pass-123"  # the named people's password in the root conftest.py


def test_the_html_of_a_mail_is_shown_safely_and_accessibly(page: Page, agent: User) -> None:
    raw = question(
        html="<h2>Vraag</h2><p>Goedendag, <b>mijn</b> vraag.</p><script>window.hacked=1</script>"
        '<img src="https://tracker.example/pixel.gif" alt="pixel">',
        attachments=[("attest.pdf", "application/pdf", b"%PDF-1.4")],
    )
    stored, _ = inbound_store(raw=raw, source="imap", process=False)
    inbound = inbound_process(inbound_id=stored.pk)
    assert inbound is not None
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, "agent", PASSWORD)
    page.goto(f"/en/desk/mail/messages/{inbound.case_message_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(inbound.subject)
    expect(page.locator(".mail-html")).to_contain_text("Goedendag, mijn vraag.")
    assert page.evaluate("() => window.hacked") is None
    assert not [url for url in requested if "tracker.example" in url]
    download = page.get_by_role("link", name="attest.pdf")
    download.focus()
    expect(download).to_be_focused()
    assert_headings_in_order(page)
    assert_accessible(page)
