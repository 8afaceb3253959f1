"""Ingestion: the one path by which every inbound item becomes a stored message.

Guarded: every item passes `screen` first (the columns' limits, alike on SQLite and PostgreSQL); an item
that cannot be stored is set aside with its reason and the rest of the batch is stored.

Idempotent: a message is unique per (channel, network id), so the same item twice is one message.
Resumable: callers commit each batch together with their cursor or file position, so a crash loses
at most the batch in flight, which the next run reads again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tending.author.models import Author
from tending.channel.models import Channel
from tending.connectors.bases.items import AuthorProfile, InboundItem
from tending.database.dialect import in_values, param_mark, sqlite_time
from tending.inbox.bookkeeping import Time, fold_into_conversations
from tending.inbox.models import ConversationKind, Message
from tending.inbox.reply_state import NEEDS, Answer, apply_answers, sync_waiting
from tending.inbox.search import index_messages
from tending.inbox.threads import Place, place_items, resolve_conversations
from tending.ingest.screen import SetAside, screen_items
from tending.stats.service import count_new_days, count_new_messages


@dataclass
class IngestStats:
    received: int = 0
    new: int = 0
    duplicates: int = 0
    new_message_ids: list[int] = field(default_factory=list)
    conversation_ids: set[int] = field(default_factory=set)
    # Items refused by the screen; `index` is the position in the list that was given.
    set_aside: list[SetAside] = field(default_factory=list)

    def add(self, other: IngestStats) -> None:
        self.received += other.received
        self.new += other.new
        self.duplicates += other.duplicates
        self.new_message_ids.extend(other.new_message_ids)
        self.conversation_ids |= other.conversation_ids
        self.set_aside.extend(other.set_aside)


@dataclass
class IngestCache:
    """Ids already resolved in this run; spares a query per batch on long imports."""

    authors: dict[str, int] = field(default_factory=dict)
    # The profile last written per author, so unchanged profiles are not written again.
    profiles: dict[str, tuple[object, ...]] = field(default_factory=dict)


def lock_channel(session: Session, channel_id: int) -> None:
    """Take the channel's write lock until commit (a row lock on PostgreSQL, the write lock on SQLite).

    A column that is neither a key nor indexed is set to itself: rewriting the primary key would make
    the database look for the channel's messages (a foreign-key check over all of them) on every batch.
    """
    session.execute(update(Channel).where(Channel.id == channel_id).values(name=Channel.name))


def _existing_external_ids(session: Session, channel_id: int, ids: list[str]) -> set[str]:
    rows = session.connection().execute(
        select(Message.external_id).where(
            Message.channel_id == channel_id, in_values(session, Message.external_id, ids)
        )
    )
    return {r[0] for r in rows}


_AUTHOR_COLUMNS = (
    "workspace_id",
    "network",
    "external_id",
    "handle",
    "name",
    "account_created_at",
    "followers",
    "following",
    "posts_count",
    "avatar_is_default",
    "bio",
    "verified",
    "first_seen_at",
)
# Profiles change (followers grow); keep the newest non-empty value of each field.
_AUTHOR_MERGE = ", ".join(
    [f"{c} = COALESCE(NULLIF(excluded.{c}, ''), author.{c})" for c in ("handle", "name")]
    + [
        f"{c} = COALESCE(excluded.{c}, author.{c})"
        for c in (
            "account_created_at",
            "followers",
            "following",
            "posts_count",
            "avatar_is_default",
            "bio",
            "verified",
        )
    ]
)


def _resolve_authors(
    session: Session, *, channel: Channel, items: list[InboundItem], cache: IngestCache
) -> dict[str, int]:
    profiles: dict[str, AuthorProfile] = {}
    for it in items:
        if it.author is not None:
            profiles[it.author.external_id] = it.author
    if not profiles:
        return {}
    changed = []
    seen = cache.profiles
    for key, p in profiles.items():
        fingerprint = (
            p.handle,
            p.name,
            p.account_created_at,
            p.followers,
            p.following,
            p.posts_count,
            p.avatar_is_default,
            p.bio,
            p.verified,
        )
        if seen.get(key) != fingerprint:
            changed.append(p)
            seen[key] = fingerprint
    if not changed:
        return {k: cache.authors[k] for k in profiles}
    mark = param_mark(session)
    as_time, as_flag = _bound_forms(session)
    ws, network = channel.workspace_id, channel.network
    first_seen = as_time(datetime.now(UTC))
    rows = [
        (
            ws,
            network,
            p.external_id,
            p.handle,
            p.name,
            None if p.account_created_at is None else as_time(p.account_created_at),
            p.followers,
            p.following,
            p.posts_count,
            None if p.avatar_is_default is None else as_flag(p.avatar_is_default),
            p.bio,
            None if p.verified is None else as_flag(p.verified),
            first_seen,
        )
        for p in changed
    ]
    marks = ", ".join([mark] * len(_AUTHOR_COLUMNS))
    session.connection().exec_driver_sql(
        f"INSERT INTO author ({', '.join(_AUTHOR_COLUMNS)}) VALUES ({marks}) "
        f"ON CONFLICT (workspace_id, network, external_id) DO UPDATE SET {_AUTHOR_MERGE}",
        rows,
    )
    missing = [k for k in profiles if k not in cache.authors]
    if missing:
        found = session.connection().execute(
            select(Author.external_id, Author.id).where(
                Author.workspace_id == channel.workspace_id,
                Author.network == channel.network,
                in_values(session, Author.external_id, missing),
            )
        )
        cache.authors.update({ext: aid for ext, aid in found})
    return {k: cache.authors[k] for k in profiles}


_MESSAGE_COLUMNS = (
    "workspace_id",
    "channel_id",
    "conversation_id",
    "author_id",
    "kind",
    "direction",
    "external_id",
    "parent_external_id",
    "text",
    "language",
    "url",
    "created_at",
    "received_at",
    "raw",
    "network_review",
)


def _same(value: Any) -> Any:
    return value


def _bound_forms(session: Session) -> tuple[Callable[[datetime], Any], Callable[[bool], Any]]:
    """How a time and a boolean are bound on this backend: SQLite's stored text and integers, as the ORM
    would write them; elsewhere as they are."""
    if session.get_bind().dialect.name == "sqlite":
        return sqlite_time, int
    return _same, _same


def _message_rows(
    session: Session,
    *,
    channel: Channel,
    items: list[InboundItem],
    times: list[Time],
    conversation_of: dict[str, int],
    authors: dict[str, int],
    received: datetime,
) -> list[tuple[Any, ...]]:
    """Message rows in `_MESSAGE_COLUMNS` order plus `hidden` and `reply_state` (every inbound message
    starts as needing a reply; the brand's own have none), bound as the driver expects them: on SQLite
    times as its stored text (`times`) and booleans as integers, elsewhere as they are."""
    ws, ch = channel.workspace_id, channel.id
    if session.get_bind().dialect.name == "sqlite":
        created: list[Any] = times
        at: Any = sqlite_time(received)
        hidden: Any = 0
    else:
        created, at, hidden = [it.created_at for it in items], received, False
    return [
        (
            ws,
            ch,
            conversation_of[it.external_id],
            authors.get(it.author.external_id) if it.author else None,
            it.kind,
            it.direction,
            it.external_id,
            it.parent_external_id,
            it.text,
            it.language,
            it.url,
            t,
            at,
            it.raw,
            it.network_review,
            hidden,
            NEEDS if it.direction == "inbound" else None,
        )
        for it, t in zip(items, created, strict=True)
    ]


def _insert_messages(session: Session, rows: list[tuple[Any, ...]]) -> None:
    """Insert message rows with the driver's executemany: the hot path of every import.

    Row building through the ORM costs more than SQLite's own insert; plain tuples keep ingestion fast.
    Conflicts (a concurrent worker stored the same item) are skipped, never duplicated.
    """
    marks = ", ".join([param_mark(session)] * (len(_MESSAGE_COLUMNS) + 2))
    sql = (
        f"INSERT INTO message ({', '.join(_MESSAGE_COLUMNS)}, hidden, reply_state) VALUES ({marks}) "
        "ON CONFLICT (channel_id, external_id) DO NOTHING"
    )
    session.connection().exec_driver_sql(sql, rows)


def _new_message_ids(session: Session, *, channel_id: int, above: int) -> list[int]:
    """Ids of the messages this call just stored: the caller holds the channel's lock, so the channel's
    rows above the old maximum id are its own. A primary-key range read (an index on the channel would
    walk all of its rows)."""
    conn = session.connection()
    if session.get_bind().dialect.name == "sqlite":
        # SQLite's write lock covers the whole database: every row above the old maximum is ours, and
        # when their ids are contiguous they need not be read one by one.
        top, count = conn.exec_driver_sql(
            "SELECT max(id), count(*) FROM message WHERE id > ?", (above,)
        ).one()
        if not count:
            return []
        if top - above == count:
            return list(range(above + 1, top + 1))
    rows = conn.exec_driver_sql(
        f"SELECT id, channel_id FROM message WHERE id > {param_mark(session)}", (above,)
    )
    return [mid for mid, ch in rows if ch == channel_id]


def ingest_items(
    session: Session,
    *,
    channel: Channel,
    items: list[InboundItem],
    cache: IngestCache | None = None,
    received_at: datetime | None = None,
) -> IngestStats:
    """Store the new items of one channel; returns what was new and what was set aside. The caller commits."""
    cache = cache or IngestCache()
    stats = IngestStats(received=len(items))
    items, stats.set_aside = screen_items(items)
    if not items:
        return stats
    # One writer per channel at a time (a row lock on PostgreSQL, the write lock on SQLite): what is
    # found missing below is exactly what this call stores, even with many workers on one channel.
    lock_channel(session, channel.id)
    unique: dict[str, InboundItem] = {}
    for it in items:
        unique.setdefault(it.external_id, it)
    existing = _existing_external_ids(session, channel.id, list(unique))
    fresh = sorted((it for k, it in unique.items() if k not in existing), key=lambda i: i.created_at)
    stats.duplicates = len(items) - len(fresh)
    if not fresh:
        return stats
    authors = _resolve_authors(session, channel=channel, items=fresh, cache=cache)
    places = place_items(session, channel_id=channel.id, items=fresh)
    sqlite = session.get_bind().dialect.name == "sqlite"
    times: list[Time] = (
        [sqlite_time(it.created_at) for it in fresh] if sqlite else [it.created_at for it in fresh]
    )
    conversations, created = resolve_conversations(
        session, channel=channel, items=fresh, places=places, times=times
    )
    conversation_of = {ext: conversations[place.key] for ext, place in places.items()}
    rows = _message_rows(
        session,
        channel=channel,
        items=fresh,
        times=times,
        conversation_of=conversation_of,
        authors=authors,
        received=received_at or datetime.now(UTC),
    )
    conn = session.connection()
    before = conn.exec_driver_sql("SELECT max(id) FROM message").scalar() or 0
    _insert_messages(session, rows)
    new_ids = _new_message_ids(session, channel_id=channel.id, above=before)
    new_ids.sort()
    stats.new = len(new_ids)
    stats.new_message_ids = new_ids
    stats.conversation_ids = set(conversations.values())
    index_messages(session, message_ids=new_ids)
    if sqlite:  # the stored text starts with the UTC day
        count_new_days(
            session,
            workspace_id=channel.workspace_id,
            channel_id=channel.id,
            days=((t[:10], it.direction) for t, it in zip(times, fresh, strict=True)),
        )
    else:
        count_new_messages(
            session,
            workspace_id=channel.workspace_id,
            channel_id=channel.id,
            items=((it.created_at, it.direction) for it in fresh),
        )
    # New conversations were inserted with their figures; the others add the new messages to theirs.
    older = [i for i, it in enumerate(fresh) if places[it.external_id].key not in created]
    fold_into_conversations(
        session,
        items=[fresh[i] for i in older],
        conversation_of=conversation_of,
        times=[times[i] for i in older],
    )
    answers = _answers_in_batch(
        session, channel_id=channel.id, items=fresh, places=places, conversation_of=conversation_of
    )
    if answers:
        sync_waiting(session, apply_answers(session, answers))
    return stats


def _answers_in_batch(
    session: Session,
    *,
    channel_id: int,
    items: list[InboundItem],
    places: dict[str, Place],
    conversation_of: dict[str, int],
) -> list[Answer]:
    """What each brand message of the batch answers (see `tending.inbox.reply_state`): the person's
    messages waiting before it in the person's item it joined (its parent's), none in a post's own thread.

    Two small reads per batch that holds brand replies (their parents and ids); none otherwise."""
    outbound = [
        it
        for it in items
        if it.direction != "inbound" and places[it.external_id].kind != ConversationKind.post
    ]
    if not outbound:
        return []
    conn = session.connection()
    parents = sorted({it.parent_external_id for it in outbound if it.parent_external_id})
    parent_rows: dict[str, tuple[int, int | None]] = {}
    if parents:
        rows = conn.execute(
            select(Message.external_id, Message.id, Message.author_id).where(
                Message.channel_id == channel_id,
                Message.direction == "inbound",
                in_values(session, Message.external_id, parents),
            )
        )
        parent_rows = {ext: (mid, aid) for ext, mid, aid in rows}
    ids = dict(
        conn.execute(
            select(Message.external_id, Message.id).where(
                Message.channel_id == channel_id,
                in_values(session, Message.external_id, [it.external_id for it in outbound]),
            )
        ).all()
    )
    out = []
    for it in outbound:
        parent = parent_rows.get(it.parent_external_id or "")
        out.append(
            Answer(
                reply_id=ids[it.external_id],
                conversation_id=conversation_of[it.external_id],
                created_at=it.created_at,
                parent_id=parent[0] if parent else None,
                parent_author_id=parent[1] if parent else None,
                whole_item=True,
            )
        )
    return out
