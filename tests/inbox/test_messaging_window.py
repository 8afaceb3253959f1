"""The thread says where a direct conversation stands against Meta's messaging window; an answer to a
direct message is stored as a direct message."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.conftest import PASSWORD

from tending.channel.models import Channel, ChannelCreate
from tending.channel.service import create
from tending.config import Settings
from tending.connectors.bases import AuthorProfile, InboundItem, ReplyCapability, SentItem
from tending.inbox.models import Conversation, Message
from tending.inbox.service import reply
from tending.inbox.window import window_notice
from tending.ingest.service import ingest_items

LAST = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)


def _messenger(session: Session, settings: Settings, world, **config: object) -> tuple[Channel, Conversation]:
    channel = create(
        session,
        settings=settings,
        workspace_id=world.workspace.id,
        channel_in=ChannelCreate(
            network="facebook",
            name="Acme Page",
            external_id="104000000000001",
            config={"page_id": "104000000000001", "listen_messages": True, **config},
        ),
    )
    person = AuthorProfile(external_id="7300000000000003", name="Chen Wei")
    items = [
        InboundItem(
            external_id=f"m_{n}",
            kind="direct",
            text=text,
            created_at=LAST - timedelta(minutes=minutes),
            author=person,
            thread_external_id="conversation:t_1016",
        )
        for n, text, minutes in ((1, "Hello?", 30), (2, "My order never came", 0))
    ]
    ingest_items(session, channel=channel, items=items)
    session.commit()
    conversation = session.scalar(select(Conversation).where(Conversation.channel_id == channel.id))
    assert conversation is not None
    return channel, conversation


@pytest.mark.parametrize(
    ("after", "level", "words"),
    [
        (timedelta(hours=2), "open", "for 22 h 00 min more"),
        (timedelta(hours=21, minutes=30), "closing", "for 2 h 30 min more"),
        (timedelta(days=3), "human_agent", "HUMAN_AGENT tag, for 4 days 0 h more"),
        (timedelta(days=8), "closed", "reopens when they write again"),
    ],
)
def test_the_notice_follows_the_persons_last_message(
    session: Session, settings: Settings, world, after: timedelta, level: str, words: str
) -> None:
    channel, conversation = _messenger(session, settings, world)
    notice = window_notice(session, conversation=conversation, channel=channel, now=LAST + after)
    assert notice is not None and notice.level == level and words in notice.text


def test_without_the_human_agent_feature_the_window_closes_at_24_hours(
    session: Session, settings: Settings, world
) -> None:
    channel, conversation = _messenger(session, settings, world, human_agent_tag=False)
    notice = window_notice(session, conversation=conversation, channel=channel, now=LAST + timedelta(days=2))
    assert notice is not None and notice.level == "closed"


def test_networks_without_a_window_and_public_threads_get_no_notice(
    session: Session, settings: Settings, world
) -> None:
    fake = session.get(Channel, world.channel.id)
    assert fake is not None
    channel, conversation = _messenger(session, settings, world)
    assert window_notice(session, conversation=conversation, channel=fake, now=LAST) is None
    for message in session.scalars(select(Message).where(Message.conversation_id == conversation.id)):
        message.kind = "comment"
    session.flush()
    assert window_notice(session, conversation=conversation, channel=channel, now=LAST) is None


class _Sends(ReplyCapability):
    def reply(self, *, parent_external_id: str, text: str) -> SentItem:
        return SentItem(external_id="m_answer", created_at=LAST + timedelta(minutes=5))


def test_an_answer_to_a_direct_message_is_a_direct_message(
    session: Session, settings: Settings, world
) -> None:
    _channel, conversation = _messenger(session, settings, world)
    sent = reply(
        session,
        settings=settings,
        conversation=conversation,
        text="Sorry! Sending a new one.",
        actor_id=world.member.id,
        connector=_Sends(),  # type: ignore[arg-type]
    )
    assert sent.kind == "direct" and sent.direction == "outbound" and sent.conversation_id == conversation.id


def test_the_thread_page_shows_the_window(client, factory, settings: Settings, world) -> None:
    with factory() as session:
        _channel, conversation = _messenger(session, settings, world)
        last = datetime.now(UTC) - timedelta(hours=30)
        for message in session.scalars(select(Message).where(Message.conversation_id == conversation.id)):
            message.created_at = last
        session.commit()
        conversation_id = conversation.id
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    client.post("/login", data={"email": "mia@acme.test", "password": PASSWORD, "csrf_token": token.group(1)})
    page = client.get(f"/w/acme/inbox/{conversation_id}")
    assert page.status_code == 200
    assert 'data-testid="messaging-window" data-level="human_agent"' in page.text
    assert "24-hour window has closed" in page.text
