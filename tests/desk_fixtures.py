"""Builders of desk rows for tests (a brand with a few people, conversations with their messages); the
database is the suite's one `session` fixture (tests/conftest.py), also under the name `db`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import count
from typing import Any

from sqlalchemy.orm import Session

from tending.auth.models import User, WorkspaceMembership
from tending.channel.models import Channel
from tending.inbox.bookkeeping import refresh_conversations
from tending.inbox.models import Conversation, Message, ReplyState
from tending.workspace.models import Workspace

_ids = count(1)


def make_workspace(session: Session, *, slug: str = "acme", timezone: str = "UTC") -> Workspace:
    ws = Workspace(name=slug.title(), slug=slug, timezone=timezone)
    session.add(ws)
    session.flush()
    return ws


def make_user(
    session: Session,
    ws: Workspace,
    name: str,
    *,
    role: str = "member",
    expertise: list[str] | None = None,
    timezone: str = "UTC",
    working_hours: dict[str, Any] | None = None,
    active: bool = True,
) -> User:
    user = User(
        email=f"{name.lower()}@example.com",
        name=name,
        password_hash="x",
        role=role,
        expertise=expertise or [],
        timezone=timezone,
        working_hours=working_hours or {},
        active=active,
    )
    session.add(user)
    session.flush()
    session.add(WorkspaceMembership(workspace_id=ws.id, user_id=user.id))
    session.flush()
    return user


def make_channel(session: Session, ws: Workspace, *, name: str = "Main", network: str = "fake") -> Channel:
    ch = Channel(workspace_id=ws.id, network=network, name=name, external_id=f"{name}-{next(_ids)}")
    session.add(ch)
    session.flush()
    return ch


@dataclass(frozen=True)
class Msg:
    direction: str
    at: datetime
    text: str = "hello"
    sentiment: str | None = None
    intent: str | None = None
    topics: list[str] | None = None
    language: str | None = None


def make_conversation(
    session: Session,
    ws: Workspace,
    channel: Channel,
    messages: list[Msg],
    *,
    priority: str = "normal",
    assignee: User | None = None,
) -> Conversation:
    """A conversation whose summary fields (first response, needs reply...) come from the ingestion code."""
    conv = Conversation(
        workspace_id=ws.id,
        channel_id=channel.id,
        thread_key=f"t{next(_ids)}",
        priority=priority,
        assignee_id=assignee.id if assignee else None,
    )
    session.add(conv)
    session.flush()
    # One customer per conversation here: a brand message answers what that customer wrote before it.
    rows = []
    for m in messages:
        rows.append(
            Message(
                reply_state=ReplyState.needs_reply if m.direction == "inbound" else None,
                workspace_id=ws.id,
                channel_id=channel.id,
                conversation_id=conv.id,
                kind="comment" if m.direction == "inbound" else "reply",
                direction=m.direction,
                external_id=f"m{next(_ids)}",
                text=m.text,
                created_at=m.at,
                sentiment=m.sentiment,
                intent=m.intent,
                topics=m.topics,
                language=m.language,
            )
        )
    session.add_all(rows)
    session.flush()
    replies = sorted((r for r in rows if r.direction == "outbound"), key=lambda r: r.created_at)
    for r in rows:
        answer = next((o for o in replies if o.created_at >= r.created_at), None)
        if r.direction == "inbound" and answer is not None:
            r.reply_state, r.answered_by_id = ReplyState.answered, answer.id
    session.flush()
    refresh_conversations(session, [conv.id])
    session.refresh(conv)
    return conv


def message_of(session: Session, conv: Conversation, index: int = 0) -> Message:
    msgs = sorted(
        session.query(Message).filter(Message.conversation_id == conv.id), key=lambda m: (m.created_at, m.id)
    )
    return msgs[index]
