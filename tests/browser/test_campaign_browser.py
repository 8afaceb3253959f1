"""Creating a campaign with its worst cases, in headless Chromium."""

from __future__ import annotations

import pytest
from tests.browser.test_inbox_browser import login

pytestmark = pytest.mark.browser


def test_create_campaign_with_scenarios_then_launch(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    login(page, live_server)
    page.click("nav >> text=Campaigns")
    page.fill("#c-name", "Recall recovery")
    page.fill("#c-objective", "Win back trust after the recall")
    page.select_option("#c-owner", label="Dana Admin")
    page.check("input[name=channel_ids] >> nth=0")
    page.fill("#c-hashtags", "#northwindsafe")
    page.check("input[name=disputable]")
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("[data-testid=campaign-status] >> text=draft")
    page.click("#launch-btn")
    missing = page.locator("[data-testid=launch-missing]").inner_text()
    assert "KPI" in missing and "scenario" in missing
    page.fill("#add-kpi input[name=name]", "Positive share")
    page.select_option("#add-kpi select[name=metric]", "positive_share")
    page.fill("#add-kpi input[name=target]", "0.6")
    page.click("#add-kpi button[type=submit]")
    for i in range(5):
        page.fill("#s-title", f"Worst case {i + 1}")
        page.fill("#s-what", "customers fear the product is unsafe")
        page.fill("#s-keys", "recall, unsafe, sick")
        page.select_option("#s-resp", label="Maya Delivery")
        page.fill("#s-react", "Link the lab results and offer a refund")
        page.click("#scenarios button[type=submit]")
        page.wait_for_selector(f"[data-testid=scenarios] >> text=Worst case {i + 1}")
    page.click("#launch-btn")
    page.wait_for_selector("[data-testid=campaign-status] >> text=launched")
