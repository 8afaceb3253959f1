"""Every dashboard page at a phone's width (390 px): nothing makes the page scroll sideways.

The pages are found as a person finds them: the main menu, then the first detail page each list links
to (a thread, a campaign, an incident, a report), so a page added later is checked without naming it."""

from __future__ import annotations

import re

import pytest
from tests.browser.test_inbox_browser import login

pytestmark = pytest.mark.browser

WIDTH = 390
# Lists whose first link leads to a detail page worth checking too.
DETAILS = {
    "/inbox": r"/inbox/\d+$",
    "/campaigns": r"/campaigns/\d+$",
    "/alerts": r"/alerts/\d+$",
    "/reports": r"/reports/[a-z-]+$",
    "/settings": r"/settings/[a-z-]+$",
}


def _links(page, pattern: str) -> list[str]:  # type: ignore[no-untyped-def]
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    return list(dict.fromkeys(h for h in hrefs if re.search(pattern, h.split("?")[0])))


def test_no_dashboard_page_scrolls_sideways_on_a_phone(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": WIDTH, "height": 844})
    page = context.new_page()
    try:
        login(page, live_server)
        menu = _links(page, r"^/w/northwind/[a-z-]+$")
        assert len(menu) >= 8, menu  # the whole menu, not a collapsed stub
        pages = list(menu)
        for path in menu:
            detail = next((d for suffix, d in DETAILS.items() if path.endswith(suffix)), None)
            if detail is None:
                continue
            page.goto(f"{live_server}{path}")
            pages += _links(page, r"^/w/northwind" + detail)[:6]
        wide = {}
        for path in dict.fromkeys(pages):
            page.goto(f"{live_server}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                culprits = page.evaluate(
                    """w => [...document.querySelectorAll('body *')]
                        .filter(e => e.getBoundingClientRect().right > w + 1)
                        .slice(0, 3).map(e => e.tagName + '.' + e.className)""",
                    WIDTH,
                )
                wide[path] = (width, culprits)
        assert wide == {}
    finally:
        context.close()
