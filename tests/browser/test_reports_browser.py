"""Every report opens in the browser, with its figures, and its PDF downloads."""

from __future__ import annotations

import pytest
from tests.browser.test_inbox_browser import login

pytestmark = pytest.mark.browser


def test_open_each_report_and_the_channels_page(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    login(page, live_server)
    page.click("nav >> text=Reports")
    links = page.locator("main a[href*='/reports/']")
    hrefs = sorted({links.nth(i).get_attribute("href") for i in range(links.count())})
    kinds = [
        h for h in hrefs if h and "/tables/" not in h and not any(x in h for x in (".pdf", ".json", ".csv"))
    ]
    assert len(kinds) >= 4, hrefs
    for href in kinds:
        page.goto(f"{live_server}{href}")
        assert page.locator("h1").count() >= 1
        assert "Internal Server Error" not in page.content()
    pdf = page.request.get(f"{live_server}/w/northwind/reports/digest.pdf")
    assert pdf.ok and pdf.body()[:4] == b"%PDF"
    page.goto(f"{live_server}/w/northwind/channels")
    text = page.locator("[data-testid=channels]").inner_text()
    assert "dead" in text  # the 1.6-million-member group where nobody talks
