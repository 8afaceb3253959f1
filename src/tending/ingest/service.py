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
from typing import Any, cast

import orjson
from sqlalchemy import Table, func, literal, select, update
from sqlalchemy.orm import Session

from tending.author.models import Author
from tending.channel.models import Channel
from tending.connectors.bases.items import AuthorProfile, InboundItem
from tending.database.dialect import chunks, in_values
from tending.inbox.models import Conversation, ConversationStatus, Message, MessageKind
from tending.inbox.reply_state import NEEDS, Answer, apply_answers, sync_waiting, waiting_figures
from tending.inbox.search import index_messages
from tending.ingest.screen import SetAside, screen_items
from tending.stats.service import count_new_days, count_new_messages

PREVIEW_CHARS = 280

# Times below are datetimes on PostgreSQL and SQLite's stored text on SQLite (fixed-width UTC text, which
# orders like the times it spells): the figures are compared and written back without converting each one.
Time = Any


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


def _mark(session: Session) -> str:
    """The driver's parameter mark: statements on the hot path skip SQLAlchemy's per-row binding."""
    return "?" if session.get_bind().dialect.name == "sqlite" else "%s"


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
    mark = _mark(session)
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


def _thread_keys(session: Session, *, channel_id: int, items: list[InboundItem]) -> dict[str, str]:
    """Thread root of each item: the network's thread id, else its parent's thread, else itself."""
    keys: dict[str, str] = {}
    unresolved: list[InboundItem] = []
    for it in items:
        if it.thread_external_id:
            keys[it.external_id] = it.thread_external_id
        elif not it.parent_external_id:
            keys[it.external_id] = it.external_id
        else:
            unresolved.append(it)
    if unresolved:
        parents = [it.parent_external_id for it in unresolved if it.parent_external_id not in keys]
        stored: dict[str, str] = {}
        wanted = sorted({p for p in parents if p})
        if wanted:
            rows = session.connection().execute(
                select(Message.external_id, Conversation.thread_key)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(Message.channel_id == channel_id, in_values(session, Message.external_id, wanted))
            )
            stored.update({ext: key for ext, key in rows})
        for it in unresolved:  # items arrive oldest first, so a parent in the batch is keyed already
            parent = it.parent_external_id or it.external_id
            keys[it.external_id] = keys.get(parent) or stored.get(parent) or parent
    return keys


def _resolve_conversations(
    session: Session, *, channel: Channel, items: list[InboundItem], keys: dict[str, str]
) -> dict[str, int]:
    first_kind: dict[str, str] = {}
    for it in items:
        first_kind.setdefault(keys[it.external_id], "direct" if it.kind == "direct" else "comment")
    ids = _conversation_ids(session, channel_id=channel.id, keys=list(first_kind))
    first_kind = {k: v for k, v in first_kind.items() if k not in ids}
    if not first_kind:
        return ids
    sqlite = session.get_bind().dialect.name == "sqlite"
    mark = _mark(session)
    now: datetime | str = datetime.now(UTC)
    if sqlite:
        now = _sqlite_time(cast(datetime, now))
    columns = (
        "workspace_id, channel_id, thread_key, kind, status, priority, preview, last_author, message_count, "
        "needs_reply, created_at, waiting_count"
    )
    open_ = ConversationStatus.open.value
    no = 0 if sqlite else False
    session.connection().exec_driver_sql(
        f"INSERT INTO conversation ({columns}) VALUES ({', '.join([mark] * 12)}) "
        "ON CONFLICT (channel_id, thread_key) DO NOTHING",
        [
            (channel.workspace_id, channel.id, key, kind, open_, "normal", "", "", 0, no, now, 0)
            for key, kind in first_kind.items()
        ],
    )
    ids.update(_conversation_ids(session, channel_id=channel.id, keys=list(first_kind)))
    return ids


def _conversation_ids(session: Session, *, channel_id: int, keys: list[str]) -> dict[str, int]:
    rows = session.connection().execute(
        select(Conversation.thread_key, Conversation.id).where(
            Conversation.channel_id == channel_id, in_values(session, Conversation.thread_key, keys)
        )
    )
    return {k: cid for k, cid in rows}


def refresh_conversations(session: Session, conversation_ids: list[int]) -> None:
    """Recompute each conversation's figures from its messages (exact under concurrent ingestion)."""
    m = Message.__table__.alias("m")
    c = cast(Table, Conversation.__table__)

    def agg(fn: Any, col: Any, *where: Any) -> Any:
        return select(fn(col)).where(m.c.conversation_id == c.c.id, *where).scalar_subquery()

    inbound = m.c.direction == "inbound"
    outbound = m.c.direction == "outbound"
    last = Message.__table__.alias("last_m")
    latest_id = (
        select(last.c.id)
        .where(last.c.conversation_id == c.c.id)
        .order_by(last.c.created_at.desc(), last.c.id.desc())
        .limit(1)
        .correlate(c)
        .scalar_subquery()
    )
    shown = Message.__table__.alias("shown")
    for part in chunks(conversation_ids):
        session.execute(
            update(c)
            .where(c.c.id.in_(part))
            .values(
                message_count=agg(func.count, m.c.id),
                last_message_at=agg(func.max, m.c.created_at),
                last_inbound_at=agg(func.max, m.c.created_at, inbound),
                last_outbound_at=agg(func.max, m.c.created_at, outbound),
                first_inbound_at=agg(func.min, m.c.created_at, inbound),
                preview=select(func.substr(shown.c.text, 1, PREVIEW_CHARS))
                .where(shown.c.id == latest_id)
                .scalar_subquery(),
                last_author=select(func.coalesce(Author.handle, literal("")))
                .select_from(shown.outerjoin(Author.__table__, Author.id == shown.c.author_id))
                .where(shown.c.id == latest_id)
                .scalar_subquery(),
            )
        )
        # The first brand answer after the first inbound message is the first response.
        first_response = (
            select(func.min(m.c.created_at))
            .where(m.c.conversation_id == c.c.id, outbound, m.c.created_at >= c.c.first_inbound_at)
            .scalar_subquery()
        )
        session.execute(
            update(c).where(c.c.id.in_(part)).values(first_response_at=first_response, **waiting_figures())
        )


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


def _sqlite_time(value: datetime) -> str:
    """The text form SQLAlchemy gives a naive-UTC DATETIME on SQLite, so both paths read alike."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _same(value: Any) -> Any:
    return value


def _bound_forms(session: Session) -> tuple[Callable[[datetime], Any], Callable[[bool], Any]]:
    """How a time and a boolean are bound on this backend: SQLite's stored text and integers, as the ORM
    would write them; elsewhere as they are."""
    if session.get_bind().dialect.name == "sqlite":
        return _sqlite_time, int
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
        at: Any = _sqlite_time(received)
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
    marks = ", ".join([_mark(session)] * (len(_MESSAGE_COLUMNS) + 2))
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
    rows = conn.exec_driver_sql(f"SELECT id, channel_id FROM message WHERE id > {_mark(session)}", (above,))
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
    keys = _thread_keys(session, channel_id=channel.id, items=fresh)
    conversations = _resolve_conversations(session, channel=channel, items=fresh, keys=keys)
    conversation_of = {ext: conversations[key] for ext, key in keys.items()}
    sqlite = session.get_bind().dialect.name == "sqlite"
    times: list[Time] = (
        [_sqlite_time(it.created_at) for it in fresh] if sqlite else [it.created_at for it in fresh]
    )
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
    fold_into_conversations(session, items=fresh, conversation_of=conversation_of, times=times)
    answers = _answers_in_batch(
        session, channel_id=channel.id, items=fresh, times=times, conversation_of=conversation_of
    )
    if answers:
        sync_waiting(session, apply_answers(session, answers))
    return stats


def _answers_in_batch(
    session: Session,
    *,
    channel_id: int,
    items: list[InboundItem],
    times: list[Time],
    conversation_of: dict[str, int],
) -> list[Answer]:
    """What each brand message of the batch answers (see `tending.inbox.reply_state`): its parent when the
    parent is a person's message, else, in a direct-message conversation, everything waiting before it.

    Two small reads per batch that holds brand messages (their parents and ids); none otherwise."""
    outbound = [(it, t) for it, t in zip(items, times, strict=True) if it.direction != "inbound"]
    if not outbound:
        return []
    conn = session.connection()
    parents = sorted({it.parent_external_id for it, _ in outbound if it.parent_external_id})
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
    convs = sorted({conversation_of[it.external_id] for it, _ in outbound})
    direct = {
        cid
        for cid, kind in conn.execute(
            select(Conversation.id, Conversation.kind).where(in_values(session, Conversation.id, convs))
        )
        if kind == MessageKind.direct.value
    }
    useful = [
        (it, t)
        for it, t in outbound
        if (it.parent_external_id in parent_rows) or conversation_of[it.external_id] in direct
    ]
    if not useful:
        return []
    ids = dict(
        conn.execute(
            select(Message.external_id, Message.id).where(
                Message.channel_id == channel_id,
                in_values(session, Message.external_id, [it.external_id for it, _ in useful]),
            )
        ).all()
    )
    out = []
    for it, _t in useful:
        parent = parent_rows.get(it.parent_external_id or "")
        cid = conversation_of[it.external_id]
        out.append(
            Answer(
                reply_id=ids[it.external_id],
                conversation_id=cid,
                created_at=it.created_at,
                parent_id=parent[0] if parent else None,
                parent_author_id=parent[1] if parent else None,
                direct=cid in direct,
            )
        )
    return out


def _later(a: Time | None, b: Time | None) -> Time | None:
    return b if a is None or (b is not None and b > a) else a


def _earlier(a: Time | None, b: Time | None) -> Time | None:
    return b if a is None or (b is not None and b < a) else a


_FIGURES = (
    "message_count",
    "first_inbound_at",
    "first_response_at",
    "last_inbound_at",
    "last_outbound_at",
    "last_message_at",
    "preview",
    "last_author",
    "needs_reply",
    "status",
    "resolved_at",
    "waiting_count",
    "waiting_since",
)
_CURRENT = (
    "id",
    "message_count",
    "first_inbound_at",
    "first_response_at",
    "last_inbound_at",
    "last_outbound_at",
    "last_message_at",
    "status",
    "resolved_at",
    "preview",
    "last_author",
    "waiting_count",
    "waiting_since",
)


def _current_figures(session: Session, ids: list[int]) -> dict[int, Any]:
    """The stored figures of these conversations, times as the driver returns them (see `Time`)."""
    if session.get_bind().dialect.name == "sqlite":
        rows = session.connection().exec_driver_sql(
            f"SELECT {', '.join(_CURRENT)} FROM conversation WHERE id IN (SELECT value FROM json_each(?))",
            (orjson.dumps(ids).decode(),),
        )
    else:
        c = Conversation.__table__.c
        rows = session.connection().execute(
            select(*(c[k] for k in _CURRENT)).where(in_values(session, c.id, ids))
        )
    return {row[0]: row for row in rows}


def fold_into_conversations(
    session: Session,
    *,
    items: list[InboundItem],
    conversation_of: dict[str, int],
    times: list[Time] | None = None,
) -> None:
    """Update conversation figures from the new messages alone (the caller holds the channel's lock, so
    the stored figures plus these messages are exact); falls back to a full recount only when a message
    older than the thread's first question arrives, which can change its first response.

    `times` are the items' creation times in the backend's form (see `Time`), when the caller has them."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    if times is None:
        times = [_sqlite_time(it.created_at) if sqlite else it.created_at for it in items]
    by_conv: dict[int, list[int]] = {}
    for i, it in enumerate(items):
        by_conv.setdefault(conversation_of[it.external_id], []).append(i)
    current = _current_figures(session, list(by_conv))
    open_, answered = ConversationStatus.open.value, ConversationStatus.answered.value
    updates: list[tuple[Any, ...]] = []
    recount = []
    for cid, new in by_conv.items():
        (_id, count, first_in_old, first_response, last_in_old, last_out_old, last_at, status, resolved,
         preview, last_author, waiting, waiting_since) = current[cid]  # fmt: skip
        inbound = [times[i] for i in new if items[i].direction == "inbound"]
        outbound = [times[i] for i in new if items[i].direction != "inbound"]
        first_in = _earlier(first_in_old, min(inbound, default=None))
        if first_in_old is not None and first_in != first_in_old:
            recount.append(cid)
            continue
        if first_in is not None:
            answers = [t for t in outbound if t >= first_in]
            first_response = _earlier(first_response, min(answers, default=None))
        last_in = _later(last_in_old, max(inbound, default=None))
        last_out = _later(last_out_old, max(outbound, default=None))
        newest = max(new, key=times.__getitem__)
        if last_at is None or times[newest] >= last_at:
            item = items[newest]
            preview = item.text[:PREVIEW_CHARS]
            last_author = item.author.handle if item.author else ""
            last_at = times[newest]
        # New messages of people wait; what the brand's new messages answer is applied after this fold.
        waiting += len(inbound)
        waiting_since = _earlier(waiting_since, min(inbound, default=None))
        needs = waiting > 0
        if needs:
            status, resolved = open_, None
        elif status == open_:
            status = answered
        updates.append(
            (
                count + len(new),
                first_in,
                first_response,
                last_in,
                last_out,
                last_at,
                preview,
                last_author,
                int(needs) if sqlite else needs,
                status,
                resolved,
                waiting,
                waiting_since,
                cid,
            )
        )
    if updates:
        mark = _mark(session)
        session.connection().exec_driver_sql(
            f"UPDATE conversation SET {', '.join(f'{k} = {mark}' for k in _FIGURES)} WHERE id = {mark}",
            updates,
        )
    if recount:
        refresh_conversations(session, sorted(recount))
