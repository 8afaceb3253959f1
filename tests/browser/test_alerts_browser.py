"""The alerts inbox in a real browser: reached from the nav, incidents acknowledged and resolved from the
alerts page and from the overview panel, readable at phone width."""

from __future__ import annotations

import re

import pytest
from tests.browser.test_inbox_browser import login

pytestmark = pytest.mark.browser


def test_overview_panel_shows_the_recall_burst_as_one_incident(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    """The wave spikes on Instagram and on X: one incident names both channels and links to the wave's
    messages."""
    login(page, live_server)
    panel = page.locator("[data-testid=alerts-panel]")
    burst = panel.locator("[data-testid=incident]", has_text="on Instagram").filter(has_text="on X")
    assert burst.count() == 1
    assert burst.get_attribute("data-kind") == "spike"
    day = burst.locator("time").first.inner_text()[:10]  # "Sun 01 Nov"
    same_day = [
        i
        for i in panel.locator("[data-testid=incident]").all()
        if i.get_attribute("data-kind") in {"spike", "negative_spike", "scenario_match"}
        and day in i.inner_text()
    ]
    assert len(same_day) == 1  # the burst's matches and spikes are in it, not beside it
    burst.locator("a", has_text="messages →").click()
    page.wait_for_url(re.compile(r".*/w/northwind/alerts/\d+$"))
    rows = page.locator("[data-testid=incident-messages] tbody tr")
    assert rows.count() >= 20
    assert "recall" in page.locator("[data-testid=incident-messages]").inner_text().lower()


def test_alerts_page_and_overview_panel_acknowledge_and_resolve(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    login(page, live_server)
    page.click("nav[aria-label=Main] >> text=Alerts")
    page.wait_for_url(re.compile(r".*/w/northwind/alerts$"))
    incidents = page.locator("[data-testid=incident]")
    assert incidents.count() >= 1
    first = incidents.first
    anchor = "#" + str(first.get_attribute("id"))
    first.locator("button", has_text="Acknowledge").click()
    page.wait_for_url(re.compile(r".*/alerts\?state=unresolved.*"))
    acked = page.locator(anchor)
    assert acked.locator("[data-testid=incident-state]").inner_text() == "acknowledged"
    assert "Acknowledged by Dana Admin" in acked.inner_text()

    page.click("nav[aria-label=Main] >> text=Overview")
    panel = page.locator("[data-testid=alerts-panel]")
    assert panel.locator("[data-testid=incident]").count() >= 1
    item = panel.locator("[data-testid=incident]").first
    anchor = "#" + str(item.get_attribute("id"))
    item.locator("button", has_text="Resolve").click()
    page.wait_for_url(re.compile(r".*/w/northwind/overview$"))
    assert page.locator(f"[data-testid=alerts-panel] {anchor}").count() == 0

    page.goto(f"{live_server}/w/northwind/alerts?state=resolved")
    done = page.locator(anchor)
    assert "Resolved by Dana Admin" in done.inner_text()
    done.locator("a", has_text="→").click()
    page.wait_for_url(re.compile(r".*/w/northwind/alerts/\d+$"))
    assert page.locator("[data-testid=evidence] li").count() >= 1


def test_alerts_page_fits_a_phone(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        login(page, live_server)
        for path in ("/w/northwind/alerts", "/w/northwind/overview"):
            page.goto(f"{live_server}{path}")
            overflow = page.evaluate(
                "document.querySelector('[data-testid=incidents], [data-testid=alerts-panel]').scrollWidth - document.querySelector('[data-testid=incidents], [data-testid=alerts-panel]').clientWidth"
            )
            assert overflow <= 0, path
            button = page.locator("[data-testid=incident] button").first
            box = button.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 390
    finally:
        context.close()
