"""The inbox as a person uses it, in headless Chromium: log in, read, reply, assign, close."""

from __future__ import annotations

import re

import pytest

from tending.demo.service import DEMO_EMAIL, DEMO_PASSWORD

pytestmark = pytest.mark.browser


def login(page, base: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("#email", DEMO_EMAIL)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/w/northwind/overview"))


def test_work_a_conversation_end_to_end(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    login(page, live_server)
    assert page.locator("[data-testid=waiting-total]").inner_text().strip() != "0"
    page.click("nav >> text=Inbox")
    page.wait_for_selector("[data-testid=inbox-table]")
    page.select_option("select[name=status]", "open")
    page.wait_for_load_state("networkidle")
    first = page.locator("tr.conv a").first
    preview = first.inner_text()
    first.click()
    page.wait_for_selector("[data-testid=conversation-status]")
    assert preview[:20] in page.locator(".messages").inner_text()
    page.fill("#reply-text", "Thanks for writing — we are on it.")
    page.click("form.reply button[type=submit]")
    page.wait_for_selector(".msg.outbound >> text=Thanks for writing — we are on it.")
    assert page.locator("[data-testid=conversation-status]").inner_text() == "answered"
    page.select_option("#assignee", label="Maya Delivery")
    page.click("form.assign button[type=submit]")
    page.wait_for_selector("[data-testid=assignee] >> text=Maya Delivery")
    page.click("#close-btn")
    page.wait_for_selector("[data-testid=conversation-status] >> text=closed")
    history = page.locator(".audit").inner_text()
    assert (
        "conversation.reply" in history
        and "conversation.assign" in history
        and "conversation.closed" in history
    )


def test_keyboard_moves_through_the_inbox(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    login(page, live_server)
    page.goto(f"{live_server}/w/northwind/inbox")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.locator("tr.conv.selected").count() == 1
    href = page.locator("tr.conv.selected").get_attribute("data-href")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}{href}")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "reply-text"
