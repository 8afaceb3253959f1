"""One conversation per person under a post: public comments are split into per-person work items

Revision ID: c4d8e1f2a7b3
Revises: 9b4e2f7a1c6d
Create Date: 2026-12-04 22:00:00

Until now every comment under a post was one conversation. Each such conversation is split by the rules
of `tending.inbox.threads` (copied here, so later changes there do not change this revision): a person's
comments go to the item of (post, person), a brand reply follows the message it replies to, and the
post with the brand's top-level comments stays in the post's own thread. No message moves between
channels and none is deleted; reply states are per message and stay as they were.

The old conversation row stays with the post's thread when the thread holds the post or a top-level brand
comment, else with the person who wrote first, so what points at it (SLA alerts, drafts waiting for
review) stays with the work it was about. New items copy the thread's assignee, priority and status and
its watchers; their figures (counts, times, waiting, first response) are recomputed from their messages.
Direct-message threads are one person already and are left alone.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "c4d8e1f2a7b3"
down_revision = "9b4e2f7a1c6d"
branch_labels = None
depends_on = None

KEY_CHARS = 300
BATCH = 5000


def _table(name: str, columns: str) -> sa.TableClause:
    """A lightweight table of the columns this revision reads and writes (the models may move on)."""
    return sa.table(name, *(sa.column(c) for c in columns.split()))


CONV = _table(
    "conversation",
    "id workspace_id channel_id thread_key post_key kind status assignee_id priority preview last_author "
    "message_count needs_reply waiting_count waiting_since first_inbound_at first_response_at resolved_at "
    "last_inbound_at last_outbound_at last_message_at created_at",
)
MSG = _table(
    "message",
    "id conversation_id channel_id author_id direction external_id parent_external_id created_at text "
    "reply_state",
)
AUTHOR = _table("author", "id external_id handle")
WATCHER = _table("conversation_watcher", "conversation_id user_id reason created_at")


def person_key(post_key: str, person: str) -> str:
    key = f"{post_key}#by:{person}"
    if len(key) <= KEY_CHARS:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{post_key[: KEY_CHARS - len(digest) - 4]}#by:{digest}"


def _split_keys(post: str, rows: list[Any]) -> dict[int, str]:
    """The new thread key of each message of one post's conversation (rows oldest first)."""
    key_of_ext: dict[str, str] = {}
    out: dict[int, str] = {}
    for mid, direction, ext, parent, author_ext in rows:
        if direction == "inbound":
            key = person_key(post, author_ext or f"message:{ext}")
        else:
            parent_key = key_of_ext.get(parent or "")
            key = parent_key if parent_key is not None and parent_key != post else post
        key_of_ext[ext] = key
        out[mid] = key
    return out


def _figures() -> dict[str, Any]:
    """Column values recomputing a conversation's figures from its messages (as ingestion keeps them)."""
    c, m = CONV, MSG.alias("m")
    shown, a = MSG.alias("shown"), AUTHOR.alias("a")

    def agg(fn: Any, col: Any, *where: Any) -> Any:
        return sa.select(fn(col)).where(m.c.conversation_id == c.c.id, *where).scalar_subquery()

    inbound, outbound = m.c.direction == "inbound", m.c.direction == "outbound"
    waiting = sa.and_(m.c.conversation_id == c.c.id, m.c.reply_state == "needs_reply")
    latest = (
        sa.select(shown.c.id)
        .where(shown.c.conversation_id == c.c.id)
        .order_by(shown.c.created_at.desc(), shown.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    last = MSG.alias("last")
    return {
        "message_count": agg(sa.func.count, m.c.id),
        "last_message_at": agg(sa.func.max, m.c.created_at),
        "last_inbound_at": agg(sa.func.max, m.c.created_at, inbound),
        "last_outbound_at": agg(sa.func.max, m.c.created_at, outbound),
        "first_inbound_at": agg(sa.func.min, m.c.created_at, inbound),
        "preview": sa.select(sa.func.substr(last.c.text, 1, 280))
        .where(last.c.id == latest)
        .scalar_subquery(),
        "last_author": sa.select(sa.func.coalesce(a.c.handle, ""))
        .select_from(last.outerjoin(a, a.c.id == last.c.author_id))
        .where(last.c.id == latest)
        .scalar_subquery(),
        "waiting_count": sa.select(sa.func.count(m.c.id)).where(waiting).scalar_subquery(),
        "waiting_since": sa.select(sa.func.min(m.c.created_at)).where(waiting).scalar_subquery(),
        "needs_reply": sa.exists().where(waiting),
    }


def _refresh(ids: list[int]) -> None:
    c, m = CONV, MSG.alias("m")
    waiting = sa.exists().where(m.c.conversation_id == c.c.id, m.c.reply_state == "needs_reply")
    for i in range(0, len(ids), BATCH):
        part = ids[i : i + BATCH]
        op.execute(c.update().where(c.c.id.in_(part)).values(**_figures()))
        first_response = (
            sa.select(sa.func.min(m.c.created_at))
            .where(
                m.c.conversation_id == c.c.id,
                m.c.direction == "outbound",
                m.c.created_at >= c.c.first_inbound_at,
            )
            .scalar_subquery()
        )
        op.execute(
            c.update()
            .where(c.c.id.in_(part))
            .values(
                first_response_at=first_response,
                status=sa.case(
                    (waiting, "open"),
                    (c.c.status == "open", "answered"),
                    else_=c.c.status,
                ),
                resolved_at=sa.case((waiting, None), else_=c.c.resolved_at),
            )
        )


def _move(bind: sa.Connection, moves: list[dict[str, int]]) -> None:
    stmt = MSG.update().where(MSG.c.id == sa.bindparam("mid")).values(conversation_id=sa.bindparam("cid"))
    for i in range(0, len(moves), BATCH):
        bind.execute(stmt, moves[i : i + BATCH])


def _split() -> None:
    bind = op.get_bind()
    op.execute(CONV.update().where(CONV.c.kind != "direct").values(post_key=CONV.c.thread_key))
    convs = {
        row.id: row
        for row in bind.execute(
            sa.select(CONV.c.id, CONV.c.workspace_id, CONV.c.channel_id, CONV.c.thread_key, CONV.c.status,
                      CONV.c.assignee_id, CONV.c.priority, CONV.c.created_at).where(CONV.c.kind != "direct")
        )
    }  # fmt: skip
    rows: dict[int, list[Any]] = defaultdict(list)
    for cid, *row in bind.execute(
        sa.select(MSG.c.conversation_id, MSG.c.id, MSG.c.direction, MSG.c.external_id,
                  MSG.c.parent_external_id, AUTHOR.c.external_id)
        .select_from(MSG.outerjoin(AUTHOR, AUTHOR.c.id == MSG.c.author_id))
        .where(MSG.c.conversation_id.in_(sa.select(CONV.c.id).where(CONV.c.kind != "direct")))
        .order_by(MSG.c.conversation_id, MSG.c.created_at, MSG.c.id)
    ):  # fmt: skip
        rows[cid].append(row)
    renames: list[dict[str, Any]] = []
    new_convs: list[dict[str, Any]] = []
    wanted: dict[tuple[int, str], list[int]] = {}  # (channel, key) -> message ids for new conversations
    keep: dict[int, str] = {}
    for cid, conv in convs.items():
        keys = _split_keys(conv.thread_key, rows.get(cid, []))
        groups: dict[str, list[int]] = defaultdict(list)
        for mid, key in keys.items():
            groups[key].append(mid)
        own = conv.thread_key if (conv.thread_key in groups or not groups) else next(iter(groups))
        keep[cid] = own
        renames.append({"cid": cid, "key": own, "new_kind": "post" if own == conv.thread_key else "comment"})
        for key, mids in groups.items():
            if key == own:
                continue
            wanted[(conv.channel_id, key)] = mids
            new_convs.append(
                {"workspace_id": conv.workspace_id, "channel_id": conv.channel_id, "thread_key": key,
                 "post_key": conv.thread_key, "kind": "comment", "status": conv.status,
                 "assignee_id": conv.assignee_id, "priority": conv.priority, "preview": "",
                 "last_author": "", "message_count": 0, "needs_reply": False, "waiting_count": 0,
                 "created_at": conv.created_at, "_from": cid}
            )  # fmt: skip
    stmt = (
        CONV.update()
        .where(CONV.c.id == sa.bindparam("cid"))
        .values(thread_key=sa.bindparam("key"), kind=sa.bindparam("new_kind"))
    )
    for i in range(0, len(renames), BATCH):
        bind.execute(stmt, renames[i : i + BATCH])
    columns = [k for k in (new_convs[0] if new_convs else {}) if k != "_from"]
    for i in range(0, len(new_convs), BATCH):
        bind.execute(CONV.insert(), [{k: n[k] for k in columns} for n in new_convs[i : i + BATCH]])
    new_ids = {
        (ch, key): cid
        for cid, ch, key in bind.execute(
            sa.select(CONV.c.id, CONV.c.channel_id, CONV.c.thread_key).where(
                CONV.c.kind == "comment", CONV.c.post_key.is_not(None), CONV.c.thread_key != CONV.c.post_key
            )
        )
        if (ch, key) in wanted
    }
    _move(bind, [{"mid": mid, "cid": new_ids[place]} for place, mids in wanted.items() for mid in mids])
    watchers: dict[int, list[Any]] = defaultdict(list)
    for watcher in bind.execute(sa.select(WATCHER.c.conversation_id, WATCHER.c.user_id, WATCHER.c.reason,
                                      WATCHER.c.created_at)):  # fmt: skip
        watchers[watcher.conversation_id].append(watcher)
    copies = [
        {"conversation_id": new_ids[(n["channel_id"], n["thread_key"])], "user_id": w.user_id,
         "reason": w.reason, "created_at": w.created_at}
        for n in new_convs
        for w in watchers.get(n["_from"], [])
    ]  # fmt: skip
    if copies:
        bind.execute(WATCHER.insert(), copies)
    _refresh(sorted(set(convs) | set(new_ids.values())))


def _keep_watchers(bind: sa.Connection, into: dict[int, int]) -> None:
    """Watchers of merged items follow them to the post's thread (deleting the items would drop them)."""
    have = set(bind.execute(sa.select(WATCHER.c.conversation_id, WATCHER.c.user_id)).tuples())
    rows = []
    for cid, uid, reason, at in bind.execute(
        sa.select(WATCHER.c.conversation_id, WATCHER.c.user_id, WATCHER.c.reason, WATCHER.c.created_at)
    ):
        if cid in into and (into[cid], uid) not in have:
            have.add((into[cid], uid))
            rows.append({"conversation_id": into[cid], "user_id": uid, "reason": reason, "created_at": at})
    if rows:
        bind.execute(WATCHER.insert(), rows)


def _merge() -> None:
    """Back to one conversation per post: each person's item returns to its post's thread."""
    bind = op.get_bind()
    items = list(
        bind.execute(
            sa.select(CONV.c.id, CONV.c.channel_id, CONV.c.thread_key, CONV.c.post_key)
            .where(CONV.c.post_key.is_not(None))
            .order_by(CONV.c.id)
        )
    )
    target: dict[tuple[int, str], int] = {(ch, key): cid for cid, ch, key, post in items if key == post}
    renames, moves, gone = [], [], []
    for cid, ch, key, post in items:
        if key == post:
            continue
        into = target.get((ch, post))
        if into is None:
            target[(ch, post)] = cid
            renames.append({"cid": cid, "key": post})
        else:
            moves.append({"old": cid, "new": into})
            gone.append(cid)
    stmt = CONV.update().where(CONV.c.id == sa.bindparam("cid")).values(thread_key=sa.bindparam("key"))
    if renames:
        bind.execute(stmt, renames)
    move = (
        MSG.update()
        .where(MSG.c.conversation_id == sa.bindparam("old"))
        .values(conversation_id=sa.bindparam("new"))
    )
    for i in range(0, len(moves), BATCH):
        bind.execute(move, moves[i : i + BATCH])
    _keep_watchers(bind, {m["old"]: m["new"] for m in moves})
    for i in range(0, len(gone), BATCH):
        bind.execute(CONV.delete().where(CONV.c.id.in_(gone[i : i + BATCH])))
    op.execute(CONV.update().where(CONV.c.kind == "post").values(kind="comment"))
    _refresh(sorted(set(target.values())))


def upgrade() -> None:
    op.add_column("conversation", sa.Column("post_key", sa.String(length=300), nullable=True))
    op.create_index("ix_conversation_channel_post", "conversation", ["channel_id", "post_key"])
    _split()


def downgrade() -> None:
    _merge()
    op.drop_index("ix_conversation_channel_post", "conversation")
    op.drop_column("conversation", "post_key")
