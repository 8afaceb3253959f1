"""Two people on one item, in two browser sessions: each sees the other on it, and the one who sends
second is shown the first reply and asked to confirm before theirs goes out."""

from __future__ import annotations

import re

import pytest
from tests.browser.conftest import login_as
from tests.browser.test_inbox_browser import login

pytestmark = pytest.mark.browser


def test_collision_notice_with_two_sessions(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    dana_ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    leo_ctx = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        dana, leo = dana_ctx.new_page(), leo_ctx.new_page()
        for p in (dana, leo):
            p.set_default_timeout(15_000)
        login(dana, live_server)
        login_as(leo, live_server, "leo@northwind.example")
        dana.goto(f"{live_server}/w/northwind/inbox")
        thread = dana.locator("a[href*='/w/northwind/inbox/']").filter(has_text=re.compile(r"\S")).first
        href = thread.get_attribute("href")
        assert href is not None and re.search(r"/inbox/\d+", href)
        url = live_server + href.split("#")[0]
        dana.goto(url)
        leo.goto(url)
        # Leo starts writing; within a heartbeat or two Dana sees it, and Leo sees Dana reading.
        leo.fill("#reply-text", "Hello from Leo, checking your order right now.")
        dana.wait_for_selector("[data-testid=presence-other] >> text=Leo Billing")
        dana.wait_for_selector("[data-testid=presence-other] >> text=is writing a reply")
        leo.wait_for_selector("[data-testid=presence-other] >> text=Dana Admin")
        # Dana answers first.
        dana.fill("#reply-text", "Dana here: your order left the roastery this morning.")
        dana.click("form.reply button[type=submit]")
        dana.wait_for_selector(".msg.outbound >> text=Dana here: your order left the roastery")
        # Leo's page hears of it before he sends...
        notice = leo.wait_for_selector("[data-testid=collision-notice]")
        assert "Dana Admin replied since you opened this" in notice.inner_text()
        assert "your order left the roastery" in notice.inner_text()
        # ...and sending anyway asks him to confirm, showing Dana's reply, with his draft kept.
        leo.click("form.reply button[type=submit]")
        leo.wait_for_selector(
            "[data-testid=collision-confirm] >> text=Dana Admin replied since you opened this"
        )
        assert leo.locator("#reply-text").input_value().startswith("Hello from Leo")
        assert leo.locator(".msg.outbound", has_text="Dana here").count() == 1
        leo.click("form.reply button[type=submit]")  # confirmed: he has seen Dana's reply
        leo.wait_for_selector(".msg.outbound >> text=Hello from Leo, checking your order")
        assert leo.locator(".msg.outbound", has_text="Hello from Leo").count() == 1
    finally:
        dana_ctx.close()
        leo_ctx.close()
