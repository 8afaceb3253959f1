"""An agency drafts a post; the brand approves it from the calendar."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tending.demo.service import DEMO_PASSWORD

pytestmark = pytest.mark.browser
# A Sunday ahead of the real clock: a publishing time that has passed is refused.
SUNDAY = date.today() + timedelta(days=7 + (6 - date.today().weekday()) % 7)


def _login(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/w/northwind/.*"))


def test_agency_drafts_brand_approves(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    agency = browser.new_context().new_page()
    _login(agency, live_server, "agnes@brightagency.example")
    agency.goto(f"{live_server}/w/northwind/calendar")
    agency.fill("#p-text", "Sunday brunch pairing: our Kenya AA with citrus pastries")
    agency.fill("#p-when", f"{SUNDAY.isoformat()}T10:30")
    agency.click("form.stack button[type=submit]")
    item = agency.locator("[data-testid=approval-queue] li", has_text="Sunday brunch pairing")
    assert "pending_approval" in item.inner_text()
    assert item.locator("button.approve").count() == 0  # an agency cannot approve
    brand = browser.new_context().new_page()
    _login(brand, live_server, "leo@northwind.example")
    brand.goto(f"{live_server}/w/northwind/calendar")
    row = brand.locator("[data-testid=approval-queue] li", has_text="Sunday brunch pairing")
    row.locator("button.approve").click()
    brand.wait_for_load_state("networkidle")
    assert brand.locator("[data-testid=approval-queue] li", has_text="Sunday brunch pairing").count() == 0
    brand.goto(f"{live_server}/w/northwind/calendar?view=month&day={SUNDAY.isoformat()}")
    cell = brand.locator("[data-testid=calendar] .post", has_text="Sunday brunch pairing")
    assert "scheduled" in cell.inner_text()
