"""A world with one hostile message, and path parameters filled with its real ids."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tending.channel.models import Channel
from tending.connectors.bases.items import AuthorProfile, InboundItem
from tending.inbox.models import Conversation
from tending.ingest.service import ingest_items

HOSTILE_TEXT = '<script>alert("xss")</script><img src=x onerror="alert(1)"> hello'
HOSTILE_URL = "javascript:alert(document.cookie)"
HOSTILE_NAME = "<script>evil()</script>"


@pytest.fixture()
def hostile(factory: sessionmaker[Session], world) -> dict[str, object]:
    """Ingest a hostile comment into the world's channel; return the ids pages and routes need."""
    with factory() as s:
        ch = s.get(Channel, world.channel.id)
        assert ch is not None
        item = InboundItem(
            external_id="hostile-1",
            kind="comment",
            text=HOSTILE_TEXT,
            created_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
            direction="inbound",
            url=HOSTILE_URL,
            author=AuthorProfile(external_id="evil", handle=HOSTILE_NAME, name=HOSTILE_NAME),
        )
        ingest_items(s, channel=ch, items=[item])
        s.commit()
        conv = s.scalar(select(Conversation.id).where(Conversation.channel_id == ch.id))
    return {
        "workspace_id": world.workspace.id,
        "slug": world.workspace.slug,
        "channel_id": world.channel.id,
        "conversation_id": conv,
        "user_id": world.member.id,
    }


def fill(path: str, ids: dict[str, object]) -> str:
    """Replace every `{param}` with a real id when known, else 1 (missing objects answer 404 too)."""
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(ids.get(m.group(1), 1)), path)
