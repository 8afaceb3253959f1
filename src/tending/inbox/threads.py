"""Which conversation (work item) a message belongs to.

The desk's unit of work is one person: under a public post, each person's comments and the brand's
replies to them form one conversation, so assignment, status, SLA clocks and "waiting" are that
person's and nobody else's. A direct-message thread is one person already and stays one conversation.

- A person's comment (or mention, or reply to anyone) under post P joins the item of (P, that person),
  thread key `P#by:<person>`; `post_key` is P, which the post view lists by.
- A brand reply joins the item of the message it replies to (through its parent, whether the reply went
  out through tending or came back from the network); a brand reply to a brand reply stays in its item.
- The brand's post itself and its top-level comments (a reply to its own post, answering no one) live
  in the post's own conversation, thread key P, kind `post`: they are the brand speaking to everybody,
  so they belong to no person's item and put no one's clock on hold; the post view shows them on top.

The post conversation keeps the key the whole thread had before items were split per person, so a
thread that existed then keeps its conversation (and what points at it) as the post's.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from tending.channel.models import Channel
from tending.connectors.bases.items import InboundItem
from tending.database.core import utcnow
from tending.database.dialect import in_values, param_mark, sqlite_time
from tending.inbox.bookkeeping import FIGURE_COLUMNS, Time, fresh_figures
from tending.inbox.models import (
    Conversation,
    ConversationKind,
    Direction,
    Message,
    MessageKind,
    Priority,
)

KEY_CHARS = 300  # conversation.thread_key
# Read once: an enum member's attribute costs a descriptor call, and placement runs per message.
_DIRECT_MESSAGE, _INBOUND = MessageKind.direct.value, Direction.inbound.value
_DIRECT, _COMMENT, _POST = ConversationKind.direct, ConversationKind.comment, ConversationKind.post


class Place(NamedTuple):
    """Where a message belongs (a named tuple: one is made per ingested message)."""

    key: str  # conversation.thread_key
    post_key: str | None  # the post the conversation is under (None for direct messages)
    kind: str  # a `ConversationKind`


def person_key(post_key: str, person: str) -> str:
    """The thread key of one person's item under a post; hashed when it would not fit the column."""
    key = f"{post_key}#by:{person}"
    if len(key) <= KEY_CHARS:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{post_key[: KEY_CHARS - len(digest) - 4]}#by:{digest}"


def person_of(author_external_id: str | None, message_external_id: str) -> str:
    """Who an item is for: the author's network id; a message without author is a person of its own."""
    return author_external_id if author_external_id else f"message:{message_external_id}"


def place_of(
    *,
    kind: str,
    direction: str,
    external_id: str,
    parent_external_id: str | None,
    thread_external_id: str | None,
    author_external_id: str | None,
    parent: tuple[Place, str] | None,
) -> Place:
    """The place of one message, given its parent's place and direction when the parent is known."""
    parent_place = parent[0] if parent else None
    if kind == _DIRECT_MESSAGE or (parent_place and parent_place.kind == _DIRECT):
        key = thread_external_id or (parent_place.key if parent_place else None)
        return Place(key or parent_external_id or external_id, None, _DIRECT)
    post = (
        thread_external_id
        or (parent_place.post_key if parent_place else None)
        or parent_external_id
        or external_id
    )
    if direction == _INBOUND:
        return Place(person_key(post, person_of(author_external_id, external_id)), post, _COMMENT)
    if parent_place is not None and parent_place.kind == _COMMENT:
        return parent_place
    return Place(post, post, _POST)


def place_items(session: Session, *, channel_id: int, items: list[InboundItem]) -> dict[str, Place]:
    """The place of each item (oldest first, so a parent in the batch is placed before its replies);
    parents stored earlier are read in one query."""
    batch = {it.external_id for it in items}
    wanted = sorted({it.parent_external_id for it in items if it.parent_external_id} - batch)
    known: dict[str, tuple[Place, str]] = {}
    if wanted:
        rows = session.connection().execute(
            select(
                Message.external_id,
                Message.direction,
                Conversation.thread_key,
                Conversation.post_key,
                Conversation.kind,
            )
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.channel_id == channel_id, in_values(session, Message.external_id, wanted))
        )
        known = {ext: (Place(key, post, kind), direction) for ext, direction, key, post, kind in rows}
    places: dict[str, Place] = {}
    for it in items:
        parent = known.get(it.parent_external_id) if it.parent_external_id else None
        place = place_of(
            kind=it.kind,
            direction=it.direction,
            external_id=it.external_id,
            parent_external_id=it.parent_external_id,
            thread_external_id=it.thread_external_id,
            author_external_id=it.author.external_id if it.author else None,
            parent=parent,
        )
        places[it.external_id] = place
        known[it.external_id] = (place, it.direction)
    return places


def resolve_conversations(
    session: Session,
    *,
    channel: Channel,
    items: list[InboundItem],
    places: dict[str, Place],
    times: list[Time],
) -> tuple[dict[str, int], set[str]]:
    """The conversation id of each place, and the keys of those created here: a new conversation is
    inserted with the figures of its new messages already counted (most items under a post are new
    people), so only the conversations that existed need their figures folded in afterwards."""
    keys = [places[it.external_id].key for it in items]
    ids = _conversation_ids(session, channel_id=channel.id, keys=sorted(set(keys)))
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        if key not in ids:
            groups.setdefault(key, []).append(i)
    if not groups:
        return ids, set()
    figures = fresh_figures(session, items=items, groups=groups, times=times)
    sqlite = session.get_bind().dialect.name == "sqlite"
    mark = param_mark(session)
    now = sqlite_time(utcnow()) if sqlite else utcnow()
    columns = ("workspace_id", "channel_id", "thread_key", "post_key", "kind", "priority", "created_at",
               *FIGURE_COLUMNS)  # fmt: skip
    ws, ch, normal = channel.workspace_id, channel.id, Priority.normal.value
    rows = []
    for key, new in groups.items():
        place = places[items[new[0]].external_id]
        rows.append((ws, ch, key, place.post_key, place.kind, normal, now, *figures[key]))
    # The caller holds the channel's lock, so nobody else creates these; a conflict would keep the row
    # that is there, never a second one. The rows above the old maximum id of this channel are ours.
    conn = session.connection()
    before = conn.exec_driver_sql("SELECT max(id) FROM conversation").scalar() or 0
    conn.exec_driver_sql(
        f"INSERT INTO conversation ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))}) "
        "ON CONFLICT (channel_id, thread_key) DO NOTHING",
        rows,
    )
    ids.update(_inserted_ids(session, channel_id=ch, keys=list(groups), above=before))
    missing = [k for k in groups if k not in ids]
    if missing:  # created meanwhile by a writer that did not hold the lock
        ids.update(_conversation_ids(session, channel_id=ch, keys=missing))
    return ids, set(groups)


def _inserted_ids(session: Session, *, channel_id: int, keys: list[str], above: int) -> dict[str, int]:
    """The ids of the conversations just inserted with these keys (in this order) above id `above`.

    On SQLite the write lock covers the whole database and the rows were inserted in order, so when
    exactly as many rows as keys lie above `above` with contiguous ids, the ids follow from the order
    and need not be read back; otherwise (and on PostgreSQL) a primary-key range read."""
    conn = session.connection()
    if session.get_bind().dialect.name == "sqlite":
        top, count = conn.exec_driver_sql(
            "SELECT max(id), count(*) FROM conversation WHERE id > ?", (above,)
        ).one()
        if count == len(keys) and top - above == count:
            return dict(zip(keys, range(above + 1, top + 1), strict=True))
    mark = param_mark(session)
    rows = conn.exec_driver_sql(
        f"SELECT thread_key, id FROM conversation WHERE id > {mark} AND channel_id = {mark}",
        (above, channel_id),
    )
    return dict(rows.all())


def _conversation_ids(session: Session, *, channel_id: int, keys: list[str]) -> dict[str, int]:
    rows = session.connection().execute(
        select(Conversation.thread_key, Conversation.id).where(
            Conversation.channel_id == channel_id, in_values(session, Conversation.thread_key, keys)
        )
    )
    return {k: cid for k, cid in rows}
