"""One person, one work item, in headless Chromium on the demo desk: the recall wave as separate people at
the top of the queue, the post view with each waiting person, and a reply that answers the chosen one."""

from __future__ import annotations

import re

import pytest
from tests.browser.test_inbox_browser import login

pytestmark = pytest.mark.browser

WAVE = ("recall", "contaminated batch", "my kid drank", "sick")


def test_recall_wave_people_are_separate_items_above_nice_photo(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, live_server)
    page.goto(f"{live_server}/w/northwind/inbox")
    rows = page.locator("tr.queue-item")
    texts = [t.lower() for t in rows.all_inner_texts()]
    links = [rows.nth(i).locator("a").first.get_attribute("href") or "" for i in range(8)]
    # Eight worried people at the top, each their own conversation (not one pile under the post).
    assert all(any(w in t for w in WAVE) for t in texts[:8]), texts[:8]
    conversations = {re.search(r"/inbox/(\d+)", h).group(1) for h in links}  # type: ignore[union-attr]
    assert len(conversations) == 8
    # A food-safety question outranks "Nice photo!" wherever that appears.
    photo = [i for i, t in enumerate(texts) if "nice photo" in t]
    assert not photo or photo[0] > 8


def test_post_view_shows_each_waiting_person_and_the_reply_answers_the_chosen_one(
    page, live_server: str
) -> None:  # type: ignore[no-untyped-def]
    login(page, live_server)
    page.goto(f"{live_server}/w/northwind/inbox")
    page.locator("tr.queue-item a").first.click()
    page.wait_for_selector("[data-testid=post-link]")
    page.click("[data-testid=post-link] a")
    page.wait_for_selector("[data-testid=post-items]")
    summary = page.locator("[data-testid=post-summary]").inner_text()
    waiting_before = int(re.match(r"(\d+) (people|person) waiting", summary).group(1))  # type: ignore[union-attr]
    assert waiting_before >= 20  # the recall post: every worried person is listed as waiting
    states = page.locator("[data-testid=post-item-state]").all_inner_texts()
    assert states.count("waiting") == waiting_before
    # Open the second waiting person, answer the message chosen in the reply box.
    second = page.locator("tr[data-testid=post-item].waiting a").nth(1)
    person, href = second.inner_text(), second.get_attribute("href")
    second.click()
    page.wait_for_selector("#in-reply-to")
    assert person in page.locator("h1").inner_text()
    chosen = page.locator("#in-reply-to").input_value()
    page.fill("#reply-text", f"{person}, the affected batch is L2611; we are refunding it now.")
    page.click("form.reply button[type=submit]")
    page.wait_for_selector(".msg.outbound >> text=the affected batch is L2611")
    assert page.locator(f"#m{chosen} [data-testid=reply-state]").inner_text() == "answered"
    page.click("[data-testid=post-link] a")
    page.wait_for_selector("[data-testid=post-items]")
    summary = page.locator("[data-testid=post-summary]").inner_text()
    assert summary.startswith(f"{waiting_before - 1} ")  # only that person was answered
    row = page.locator("tr[data-testid=post-item]", has=page.locator(f"a[href='{href}']"))
    assert row.locator("[data-testid=post-item-state]").inner_text() != "waiting"
