"""The post view: every person's item under one post, so a team sees the whole comment pile at once
and each person still waiting stands out (see `tending.inbox.threads` for how items are cut)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.author.models import Author
from tending.inbox.models import Conversation, ConversationKind, Direction, Message


@dataclass(frozen=True)
class PostItem:
    conversation: Conversation
    person: str  # the name or handle of the person the item is for


@dataclass(frozen=True)
class PostThread:
    post_key: str
    post: Message | None  # the post itself when it was ingested
    brand_comments: list[Message]  # top-level comments of the brand, answering no one
    items: list[PostItem]  # waiting people first (longest waiting on top), then the rest, newest first

    @property
    def waiting(self) -> list[PostItem]:
        return [i for i in self.items if i.conversation.waiting_count]


def post_thread(session: Session, *, conversation: Conversation) -> PostThread | None:
    """The post a conversation is under, with every person's item there; None for a direct message."""
    post_key = conversation.post_key
    if post_key is None:
        return None
    convs = list(
        session.scalars(
            select(Conversation).where(
                Conversation.channel_id == conversation.channel_id, Conversation.post_key == post_key
            )
        )
    )
    own = [c.id for c in convs if c.kind == ConversationKind.post]
    brand = (
        list(
            session.scalars(
                select(Message)
                .where(Message.conversation_id.in_(own))
                .order_by(Message.created_at, Message.id)
            )
        )
        if own
        else []
    )
    post = next((m for m in brand if m.external_id == post_key), None)
    people = [c for c in convs if c.kind != ConversationKind.post]
    names: dict[int, str] = {}
    if people:
        rows = session.execute(
            select(Message.conversation_id, Author.name, Author.handle, Message.created_at)
            .outerjoin(Author, Author.id == Message.author_id)
            .where(
                Message.conversation_id.in_([c.id for c in people]),
                Message.direction == Direction.inbound.value,
            )
            .order_by(Message.created_at)
        )
        for cid, name, handle, _at in rows:
            names.setdefault(cid, name or handle or "someone")
    waiting = sorted((c for c in people if c.waiting_count), key=lambda c: (c.waiting_since, c.id))
    rest = sorted(
        (c for c in people if not c.waiting_count),
        key=lambda c: (c.last_message_at is not None, c.last_message_at, c.id),
        reverse=True,
    )
    return PostThread(
        post_key=post_key,
        post=post,
        brand_comments=[m for m in brand if m is not post],
        items=[PostItem(c, names.get(c.id, "someone")) for c in waiting + rest],
    )
