"""Generic-format records for tests: small, explicit, deterministic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

BASE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def record(
    n: int,
    *,
    text: str | None = None,
    parent: str | None = None,
    thread: str | None = None,
    direction: str = "inbound",
    kind: str = "comment",
    author: str | None = None,
    minutes: int | None = None,
) -> dict[str, Any]:
    who = author or f"user{n % 7}"
    return {
        "id": f"m{n}",
        "kind": kind,
        "text": text if text is not None else f"message number {n} about coffee",
        "created_at": (BASE + timedelta(minutes=minutes if minutes is not None else n)).isoformat(),
        "direction": direction,
        "parent_id": parent,
        "thread_id": thread,
        "author": {
            "id": who,
            "handle": who,
            "name": who.title(),
            "followers": 10 + n,
            "following": 5,
            "created_at": "2020-01-01T00:00:00+00:00",
            "default_avatar": False,
            "bio": "hi",
        },
    }


def jsonl(records: list[dict[str, Any]]) -> str:
    return "\n".join(orjson.dumps(r).decode() for r in records) + "\n"


def ingest_records(session: Any, channel_id: int, recs: list[dict[str, Any]]) -> None:
    """Ingest generic-format records into a channel through the real path, and commit."""
    from tending.channel.models import Channel
    from tending.ingest.generic import item_from_record
    from tending.ingest.service import ingest_items

    items = [item_from_record(r, raw=orjson.dumps(r).decode()) for r in recs]
    ingest_items(session, channel=session.get(Channel, channel_id), items=items)
    session.commit()


def conversation_of(session: Any, external_id: str) -> Any:
    """The work item (conversation) a message is in, read afresh."""
    from sqlalchemy import select

    from tending.inbox.models import Conversation, Message

    session.expire_all()
    return session.scalar(
        select(Conversation)
        .join(Message, Message.conversation_id == Conversation.id)
        .where(Message.external_id == external_id)
    )
