"""The paper cuts outside the inbox, walked in Chromium on the demo desk: error pages in the layout, the
audit log, editing a campaign draft, the calendar's published posts and scheduled posts, numbers for
people and channel labels."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from tests.browser.conftest import login_as

from tending.demo.service import DEMO_EMAIL

pytestmark = pytest.mark.browser
LONG_FLOAT = re.compile(r"\d+\.\d{4,}")


def _login(page, base: str, email: str = DEMO_EMAIL) -> None:  # type: ignore[no-untyped-def]
    login_as(page, base, email)


def test_errors_are_pages_in_the_layout(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    _login(page, live_server)
    missing = page.goto(f"{live_server}/w/northwind/campaigns/987654")
    assert missing is not None and missing.status == 404
    assert page.locator("[data-testid=error-page]").is_visible()
    assert page.locator("nav[aria-label=Main] >> text=Inbox").is_visible()  # the desk, not JSON
    page.goto(f"{live_server}/w/northwind/campaigns")
    page.fill("#c-name", "Broken end date")
    # A browser without a date picker lets anything through: the server answers with a page.
    page.evaluate("document.querySelector('#c-ends').type = 'text'")
    page.fill("#c-ends", "31/12/2026")
    page.click("text=Create draft")
    error = page.locator("[data-testid=error-page]")
    assert error.get_attribute("data-status") == "400" and "ends_at" in error.inner_text()


def test_audit_log_names_filters_and_pages(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    _login(page, live_server)
    page.goto(f"{live_server}/w/northwind/audit")
    table = page.locator("table.audit").inner_text()
    assert "{" not in table and not LONG_FLOAT.search(table)  # readable changes, no raw JSON
    count = page.locator("[data-testid=audit-count]").inner_text()
    total = int(re.search(r"of ([\d,]+) entr", count).group(1).replace(",", ""))  # type: ignore[union-attr]
    if total > 50:
        page.locator("[data-testid=audit-count] a[rel=next]").click()
        assert "Showing 51–" in page.locator("[data-testid=audit-count]").inner_text()
    page.select_option("select[name=actor]", "system")
    page.click("[data-testid=audit-filters] button[type=submit]")
    assert "actor=system" in page.url
    whos = page.locator("table.audit tbody tr td:nth-child(2)").all_inner_texts()
    assert whos and set(whos) <= {"system", "Nothing yet."}


def test_campaign_draft_is_editable_until_launch(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    _login(page, live_server)
    page.goto(f"{live_server}/w/northwind/campaigns")
    page.fill("#c-name", "Holiday gift boxes")
    page.click("text=Create draft")
    page.wait_for_url(re.compile(r".*/campaigns/\d+$"))
    page.click("[data-testid=edit-plan] summary")
    page.fill("#e-objective", "Sell 500 gift boxes before December 20")
    page.fill("#e-hashtags", "#northwindgifts")
    page.select_option("#e-owner", label="Maya Delivery")
    page.locator("#edit-plan fieldset input[type=checkbox]").first.check()
    page.click("text=Save the plan")
    page.wait_for_url(re.compile(r".*/campaigns/\d+$"))
    assert "Sell 500 gift boxes" in page.inner_text("main")
    assert "#northwindgifts" in page.inner_text("main") and "Owner: Maya Delivery" in page.inner_text("main")
    # The launched demo campaign has no edit form.
    page.goto(f"{live_server}/w/northwind/campaigns")
    page.click("text=Spring blend relaunch")
    assert page.locator("[data-testid=campaign-status]").inner_text() != "draft"
    assert page.locator("[data-testid=edit-plan]").count() == 0


def test_calendar_shows_published_posts_and_the_stale_blog(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    _login(page, live_server)
    page.goto(f"{live_server}/w/northwind/calendar?view=month&day=2026-11-01")
    assert page.locator("[data-testid=calendar] .post.elsewhere").count() > 5  # the brand's own posts
    blog = page.locator("[data-testid=channel-last-post] li", has_text="Northwind blog")
    assert "stale" in (blog.get_attribute("class") or "")
    assert re.search(r"last post \d+ days ago", blog.inner_text())


def test_scheduled_post_time_edit_cancel_and_past_refused(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    _login(page, live_server, "leo@northwind.example")
    page.goto(f"{live_server}/w/northwind/calendar")
    when = (datetime.now() + timedelta(days=3)).replace(hour=10, minute=30)
    page.fill("#p-text", "Roastery open day, Saturday 10:00")
    page.fill("#p-when", when.strftime("%Y-%m-%dT%H:%M"))
    page.click("form.stack button.primary")
    page.locator("[data-testid=approval-queue] li", has_text="Roastery open day").locator(
        "button.approve"
    ).click()
    item = page.locator("[data-testid=scheduled] li", has_text="Roastery open day")
    assert when.strftime("%d %b %Y, 10:30") in item.inner_text()
    item.locator("summary").click()
    later = when + timedelta(days=1)
    item.locator("input[name=scheduled_at]").fill(later.strftime("%Y-%m-%dT%H:%M"))
    item.locator("text=Save changes").click()
    item = page.locator("[data-testid=scheduled] li", has_text="Roastery open day")
    assert later.strftime("%d %b %Y, 10:30") in item.inner_text()
    item.locator("summary").click()
    item.locator("button.cancel-post").click()
    assert page.locator("[data-testid=scheduled] li", has_text="Roastery open day").count() == 0
    # A time that has passed is refused, with a page.
    page.fill("#p-text", "Too late")
    page.evaluate("document.querySelector('#p-when').removeAttribute('min')")
    page.fill("#p-when", (datetime.now() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.click("form.stack button.primary")
    error = page.locator("[data-testid=error-page]")
    assert error.get_attribute("data-status") == "400" and "has passed" in error.inner_text()


def test_numbers_and_labels_read_for_people(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    _login(page, live_server)
    for path in ("overview", "channels", "campaigns", "calendar", "audit", "reports/responses"):
        page.goto(f"{live_server}/w/northwind/{path}")
        text = page.inner_text("main")
        assert not LONG_FLOAT.search(text), (path, LONG_FLOAT.search(text))
        assert not re.search(r"\b1 (conversations|posts|days|people|members)\b", text), path
    # Channel labels: the channel table, the inbox's channel filter (the add-channel form still offers
    # the test connector by its name, to admins).
    page.goto(f"{live_server}/w/northwind/channels")
    networks = page.locator("[data-testid=channels] tbody td:nth-child(2)").all_inner_texts()
    assert "Facebook (demo)" in networks and not any("fake" in n for n in networks)
    page.goto(f"{live_server}/w/northwind/inbox")
    options = page.locator("select[name=channel_id] option").all_inner_texts()
    assert options and not any("fake" in o for o in options)
    assert any("(Facebook)" in o for o in options)
