"""Listening and the helpdesk hand-off in a real browser: the listening page of the demo (results,
chart, quotas), "answer this" moving a post into the desk, and a case created from a thread."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
import respx
from tests.browser.test_inbox_browser import login

pytestmark = pytest.mark.browser

ZENDESK = "https://northwind.zendesk.com"
TICKET = Path(__file__).resolve().parents[1] / "helpdesk" / "fixtures" / "zendesk_ticket_created.json"


def test_listening_page_and_answer_this(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    login(page, live_server)
    page.click("nav[aria-label=Main] >> text=Listening")
    page.wait_for_url(re.compile(r".*/w/northwind/listening$"))
    results = page.locator("[data-testid=listening-result]")
    assert results.count() >= 10
    assert page.locator("[data-testid=listening-chart] canvas").count() == 1
    assert "Fake network" in page.locator("[data-testid=quotas]").inner_text()
    first = results.first
    text = first.locator(".text").inner_text()
    first.locator("button", has_text="Answer this").click()
    page.wait_for_url(re.compile(r".*/w/northwind/inbox/\d+$"))
    assert text[:40] in page.content()
    page.goto(f"{live_server}/w/northwind/listening?state=moved")
    moved = page.locator("[data-testid=listening-result]")
    assert moved.count() >= 1 and "In the desk" in moved.first.inner_text()


def test_a_case_created_from_a_thread(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    login(page, live_server)
    page.goto(f"{live_server}/w/northwind/settings/helpdesk")
    form = page.locator("[data-testid=helpdesk-form]")
    form.locator("select[name=kind]").select_option("zendesk")
    form.locator("input[name=base_url]").fill(ZENDESK)
    form.locator("input[name=account]").fill("social@northwind.example")
    form.locator("input[name=api_token]").fill("zd-token")
    form.locator("input[name=webhook_secret]").fill("hook")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/settings/helpdesk\?saved=1$"))
    page.click("nav[aria-label=Main] >> text=Inbox")
    page.wait_for_selector("[data-testid=queue-table]")
    page.locator("[data-testid=queue-table] a").first.click()
    page.wait_for_url(re.compile(r".*/w/northwind/inbox/\d+.*"))
    panel = page.locator("[data-testid=helpdesk-case]")
    panel.locator("[data-testid=create-case]").wait_for()
    # The live server runs in this process: its call to Zendesk meets Zendesk's documented answer.
    with respx.mock(assert_all_called=True) as router:
        route = router.post(f"{ZENDESK}/api/v2/tickets.json").mock(
            return_value=httpx.Response(201, json=json.loads(TICKET.read_text()))
        )
        panel.locator("[data-testid=create-case]").click()
        page.locator("[data-testid=case-link]").wait_for()
    assert route.call_count == 1
    assert page.locator("[data-testid=case-link]").inner_text() == "#35436"
    assert page.locator("[data-testid=case-status]").inner_text() == "new"
    page.reload()
    page.locator("[data-testid=case-link]").wait_for()  # stored on the work item
