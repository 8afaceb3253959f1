"""An admin reaches routing rules in two clicks and adds one through the form, under the strict CSP."""

from __future__ import annotations

import re

import pytest

from tending.demo.service import DEMO_EMAIL, DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_admin_adds_a_routing_rule_from_settings(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    refused: list[str] = []
    page.on(
        "console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    page.goto(f"{live_server}/login")
    page.fill("#email", DEMO_EMAIL)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/w/northwind/.*"))
    page.click("nav[aria-label=Main] >> text=Settings")
    page.click("[data-testid=settings-index] >> text=Routing rules")
    page.wait_for_url(re.compile(r".*/w/northwind/settings/routing$"))
    page.fill("#rule-new-name", "Wholesale questions")
    page.fill("#rule-new-topics", "wholesale")
    page.fill("#rule-new-team", "sales")
    page.click("text=Add rule")
    page.wait_for_url(re.compile(r".*/settings/routing$"))
    row = page.locator("[data-testid=routing-rules] tr", has_text="Wholesale questions")
    assert "team “sales”" in row.inner_text()
    row.locator("summary", has_text="Edit").click()
    assert row.locator("input[name=topics]").input_value() == "wholesale"
    assert refused == []
