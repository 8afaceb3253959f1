"""The inbox as a person uses it, in headless Chromium: log in, read, reply, assign, close."""

from __future__ import annotations

import re

import pytest

from tending.demo.service import DEMO_EMAIL, DEMO_PASSWORD

pytestmark = pytest.mark.browser


def login(page, base: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("#email", DEMO_EMAIL)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/w/northwind/overview"))


def test_work_a_conversation_end_to_end(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    login(page, live_server)
    assert not page.locator("[data-testid=waiting-total]").inner_text().strip().startswith("0 ")
    page.click("nav >> text=Inbox")
    page.wait_for_selector("[data-testid=queue-table]")
    page.click(".tabs >> text=All conversations")
    page.wait_for_selector("[data-testid=inbox-table]")
    page.select_option("select[name=status]", "open")
    page.wait_for_load_state("networkidle")
    first = page.locator("tr.conv a").first
    preview = first.inner_text()
    first.click()
    page.wait_for_selector("[data-testid=conversation-status]")
    assert preview[:20] in page.locator(".messages").inner_text()
    page.fill("#reply-text", "Thanks for writing — we are on it.")
    page.click("form.reply button[type=submit]")
    page.wait_for_selector(".msg.outbound >> text=Thanks for writing — we are on it.")
    # The reply answers the person who waited longest; the thread is answered once nobody waits.
    reply = page.locator(".msg.outbound", has_text="Thanks for writing — we are on it.")
    assert "answers" in reply.inner_text()
    still = page.locator("[data-testid=waiting-person]").count()
    assert page.locator("[data-testid=conversation-status]").inner_text() == ("open" if still else "answered")
    page.select_option("#assignee", label="Maya Delivery")
    page.click("form.assign button[type=submit]")
    page.wait_for_selector("[data-testid=assignee] >> text=Maya Delivery")
    page.click("#close-btn")
    page.wait_for_selector("[data-testid=conversation-status] >> text=closed")
    history = page.locator(".audit").inner_text()
    assert (
        "conversation.reply" in history
        and "conversation.assign" in history
        and "conversation.closed" in history
    )


def test_keyboard_moves_through_the_inbox(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    login(page, live_server)
    page.goto(f"{live_server}/w/northwind/inbox")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.locator("tr.conv.selected").count() == 1
    href = page.locator("tr.conv.selected").get_attribute("data-href")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}{href}")
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "reply-text"


def test_inbox_refreshes_itself_with_new_messages(page, live_server: str, live_settings) -> None:  # type: ignore[no-untyped-def]
    """A message ingested while the inbox is open shows up without a reload (htmx polling)."""
    import orjson
    from sqlalchemy import select

    from tending.channel.models import Channel
    from tending.database.core import make_engine, make_session_factory, utcnow
    from tending.ingest.generic import item_from_record
    from tending.ingest.service import ingest_items

    login(page, live_server)
    page.goto(f"{live_server}/w/northwind/inbox?view=conversations")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.press("Escape")
    page.evaluate("document.activeElement.blur()")
    assert "do you ship to Oslo?" not in page.content()
    factory = make_session_factory(make_engine(live_settings))
    rec = {
        "id": "live-1",
        "text": "Brand new question arriving live: do you ship to Oslo?",
        "created_at": utcnow().isoformat(),
        "author": {"id": "live-user", "handle": "live.user"},
    }
    with factory() as s:
        ch = s.scalars(select(Channel).order_by(Channel.id)).first()
        ingest_items(s, channel=ch, items=[item_from_record(rec, raw=orjson.dumps(rec).decode())])
        s.commit()
    page.wait_for_selector("text=do you ship to Oslo?", timeout=30_000)


def test_save_the_current_filters_as_a_view(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    """Filters changed in place (htmx) are what the saved view keeps, and the view reopens them."""
    login(page, live_server)
    page.goto(f"{live_server}/w/northwind/inbox?view=conversations")
    page.select_option("select[name=status]", "open")
    page.select_option("select[name=assignee]", "none")
    page.wait_for_load_state("networkidle")
    page.fill("form.save-view input[name=name]", "Unowned open")
    page.click("form.save-view button[type=submit]")
    page.wait_for_selector("[data-testid=saved-views] >> text=Unowned open")
    page.goto(f"{live_server}/w/northwind/inbox?view=conversations")
    page.click("[data-testid=saved-views] >> text=Unowned open")
    page.wait_for_url(re.compile(r".*status=open&assignee=none"))
    assert page.locator("select[name=status]").input_value() == "open"
    assert page.locator("select[name=assignee]").input_value() == "none"
