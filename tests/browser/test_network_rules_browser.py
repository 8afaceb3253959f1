"""The compose form counts as the chosen network counts; a comment the network withholds is marked in
the thread and decided there."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from tests.browser.conftest import login_as

from tending.channel.models import Channel
from tending.config import Settings
from tending.database.core import make_engine, make_session_factory
from tending.inbox.models import Message

pytestmark = pytest.mark.browser


def test_compose_shows_the_count_live_and_the_service_refuses_an_overlong_post(
    page, live_server: str
) -> None:  # type: ignore[no-untyped-def]
    login_as(page, live_server, "leo@northwind.example")
    page.goto(f"{live_server}/w/northwind/calendar")
    page.select_option("#p-channel", label="@northwindcoffee on X · X")
    page.fill(
        "#p-text",
        "Flash sale on our Kenya AA " + "☕" * 130 + " https://northwindcoffee.com/kenya-aa-flash-sale",
    )
    notice = page.locator("[data-testid=length-notice]")
    notice.locator("text=over the limit").wait_for()
    assert "over the limit on X" in notice.inner_text() and "of 280 characters" in notice.inner_text()
    assert "over" in (notice.get_attribute("class") or "")
    page.fill("#p-text", "Flash sale on our Kenya AA ☕ https://northwindcoffee.com/kenya-aa-flash-sale")
    page.locator("[data-testid=length-notice]:not(.over)").wait_for()
    assert "53 of 280 characters" in notice.inner_text()
    page.fill("#p-text", "x" * 281)
    notice.locator("text=1 over the limit").wait_for()
    page.click("form.compose button[type=submit]")
    assert "1 over the limit" in page.content()  # the service refuses it, saying why


def test_held_comment_is_marked_and_approved_from_the_thread(
    page, live_server: str, live_settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(live_settings)
    with make_session_factory(engine)() as s:
        channel_id = s.scalar(select(Channel.id).where(Channel.name == "Northwind Brew School (YouTube)"))
        message = s.scalars(
            select(Message).where(Message.channel_id == channel_id, Message.direction == "inbound").limit(1)
        ).one()
        s.execute(update(Message).where(Message.id == message.id).values(network_review="held_for_review"))
        s.commit()
        conversation_id, message_id = message.conversation_id, message.id
    engine.dispose()
    login_as(page, live_server, "leo@northwind.example")
    page.goto(f"{live_server}/w/northwind/inbox/{conversation_id}")
    badge = page.locator(f"#m{message_id} [data-testid=network-review]")
    assert badge.inner_text() == "held for review on YouTube: not public yet"
    page.locator(f"#m{message_id} .network-review-actions button.approve").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(f"#m{message_id} [data-testid=network-review]").count() == 0
