"""The figures each conversation keeps of its messages (counts, first and last times, preview, waiting),
maintained by ingestion after each batch and recomputed when the batch cannot be folded in.

Set-based: one UPDATE per chunk of conversations, never a query per message, so ingestion keeps its pace.
"""

from __future__ import annotations

from typing import Any, cast

import orjson
from sqlalchemy import Table, func, literal, select, update
from sqlalchemy.orm import Session

from tending.author.models import Author
from tending.connectors.bases.items import InboundItem
from tending.database.dialect import chunks, in_values, param_mark, sqlite_time
from tending.inbox.models import Conversation, ConversationStatus, Message
from tending.inbox.reply_state import waiting_figures

PREVIEW_CHARS = 280

# Times below are datetimes on PostgreSQL and SQLite's stored text on SQLite (fixed-width UTC text, which
# orders like the times it spells): the figures are compared and written back without converting each one.
Time = Any


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


def _later(a: Time | None, b: Time | None) -> Time | None:
    return b if a is None or (b is not None and b > a) else a


def _earlier(a: Time | None, b: Time | None) -> Time | None:
    return b if a is None or (b is not None and b < a) else a


FIGURE_COLUMNS = (
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


# The figures of a conversation that has no message yet, in `_CURRENT` order without the id.
_FRESH = (0, None, None, None, None, None, ConversationStatus.open.value, None, "", "", 0, None)


def _folded(
    current: tuple[Any, ...], new: list[int], items: list[InboundItem], times: list[Time], sqlite: bool
) -> tuple[Any, ...] | None:
    """A conversation's figures (in `FIGURE_COLUMNS` order) once these new messages join the stored ones;
    None when a message older than its first question arrived, which can change its first response."""
    (count, first_in_old, first_response, last_in_old, last_out_old, last_at, status, resolved,
     preview, last_author, waiting, waiting_since) = current  # fmt: skip
    inbound = [times[i] for i in new if items[i].direction == "inbound"]
    outbound = [times[i] for i in new if items[i].direction != "inbound"]
    first_in = _earlier(first_in_old, min(inbound, default=None))
    if first_in_old is not None and first_in != first_in_old:
        return None
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
        status, resolved = ConversationStatus.open.value, None
    elif status == ConversationStatus.open.value:
        status = ConversationStatus.answered.value
    return (count + len(new), first_in, first_response, last_in, last_out, last_at, preview, last_author,
            int(needs) if sqlite else needs, status, resolved, waiting, waiting_since)  # fmt: skip


def fresh_figures(
    session: Session, *, items: list[InboundItem], groups: dict[str, list[int]], times: list[Time]
) -> dict[str, tuple[Any, ...]]:
    """The figures (in `FIGURE_COLUMNS` order) of conversations made of these new messages alone, keyed
    like `groups` (indexes into `items`): a new conversation is inserted with them, not updated after."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    waits, answered = (1, 0) if sqlite else (True, False)
    open_, done = ConversationStatus.open.value, ConversationStatus.answered.value
    out: dict[str, tuple[Any, ...]] = {}
    for key, new in groups.items():
        if len(new) > 1:
            out[key] = cast(tuple[Any, ...], _folded(_FRESH, new, items, times, sqlite))
            continue
        # Most new items are one person's first comment: its figures are the message's own (what
        # `_folded` gives for a single message, without its general bookkeeping).
        item, t = items[new[0]], times[new[0]]
        preview, author = item.text[:PREVIEW_CHARS], item.author.handle if item.author else ""
        if item.direction == "inbound":
            out[key] = (1, t, None, t, None, t, preview, author, waits, open_, None, 1, t)
        else:
            out[key] = (1, None, None, None, t, t, preview, author, answered, done, None, 0, None)
    return out


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
        times = [sqlite_time(it.created_at) if sqlite else it.created_at for it in items]
    by_conv: dict[int, list[int]] = {}
    for i, it in enumerate(items):
        by_conv.setdefault(conversation_of[it.external_id], []).append(i)
    if not by_conv:
        return
    current = _current_figures(session, list(by_conv))
    updates: list[tuple[Any, ...]] = []
    recount = []
    for cid, new in by_conv.items():
        figures = _folded(tuple(current[cid][1:]), new, items, times, sqlite)
        if figures is None:
            recount.append(cid)
        else:
            updates.append((*figures, cid))
    if updates:
        mark = param_mark(session)
        session.connection().exec_driver_sql(
            f"UPDATE conversation SET {', '.join(f'{k} = {mark}' for k in FIGURE_COLUMNS)} WHERE id = {mark}",
            updates,
        )
    if recount:
        refresh_conversations(session, sorted(recount))
