"""The needs-reply queue in headless Chromium: what a social-media manager sees first, at 1440 and 390 px."""

from __future__ import annotations

import re

import pytest
from tests.browser.test_inbox_browser import login

pytestmark = pytest.mark.browser


def test_recall_wave_tops_the_queue_and_e_moves_on(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, live_server)
    page.goto(f"{live_server}/w/northwind/inbox")
    rows = page.locator("tr.queue-item")
    top = [rows.nth(i).inner_text().lower() for i in range(5)]
    # The overnight recall wave: each worried person is their own item, high urgency, at the top.
    wave = ("recall", "contaminated batch", "my kid drank")
    assert all(any(w in t for w in wave) for t in top), top
    assert all("high urgency" in t for t in top)
    assert re.search(r"(due in|late by) \d", top[0])
    left = page.locator("[data-testid=team-left]").inner_text()
    first_id = rows.first.get_attribute("data-message-id")
    page.keyboard.press("j")
    page.keyboard.press("e")
    page.wait_for_selector(f"tr[data-message-id='{first_id}']", state="detached")
    assert page.locator("tr.conv.selected").count() == 1
    page.reload()
    assert page.locator("[data-testid=team-left]").inner_text() != left


def test_filter_pushes_the_inbox_address_not_the_fragment(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    login(page, live_server)
    page.goto(f"{live_server}/w/northwind/inbox")
    page.click("label.chip >> text=Questions")
    page.wait_for_url(re.compile(r".*/w/northwind/inbox\?f=questions"))
    assert "/rows" not in page.url
    page.wait_for_load_state("networkidle")
    intents = page.locator("tr.queue-item td.triage").all_inner_texts()
    assert intents and all("question" in t for t in intents)
    page.reload()  # the pushed address opens the whole page with the same filter
    assert page.locator("input[name=f][value=questions]").is_checked()


def test_inbox_is_usable_at_390_px(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server)
    page.goto(f"{live_server}/w/northwind/inbox")
    page.wait_for_selector("tr.queue-item")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not page.locator("form.queue-filters").is_visible()  # filters collapse behind a button
    page.click("label.filter-toggle-label")
    assert page.locator("form.queue-filters").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("tr.queue-item a").first.click()
    page.wait_for_selector("[data-testid=waiting-people]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_thread_shows_waiting_people_and_local_times(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    login(page, live_server)
    page.goto(f"{live_server}/w/northwind/inbox")
    page.locator("tr.queue-item a").first.click()
    page.wait_for_selector("[data-testid=waiting-people]")
    assert page.locator("[data-testid=waiting-person]").count() >= 1
    assert page.locator(".msg.waiting").count() >= 1
    # The workspace is in Europe/Paris: November times read CET, never UTC.
    times = page.locator(".messages .meta time").all_inner_texts()
    assert times and all(t.endswith(("CET", "CEST")) for t in times), times[:3]
    chosen = page.locator("#in-reply-to").input_value()
    assert chosen and page.url.endswith(f"?m={chosen}")


def test_counts_read_as_people_write_them(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    login(page, live_server)
    page.goto(f"{live_server}/w/northwind/inbox")
    for testid in ("needs-reply-count", "team-left", "mine-left"):
        text = page.locator(f"[data-testid={testid}]").inner_text()
        n, word = re.fullmatch(r"([\d,]+) (\w+)", text).groups()
        assert (int(n.replace(",", "")) == 1) == (not word.endswith("s")), text
