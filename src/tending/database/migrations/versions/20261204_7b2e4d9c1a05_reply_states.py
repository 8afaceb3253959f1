"""Reply state per inbound message; waiting figures per conversation

Revision ID: 7b2e4d9c1a05
Revises: e7b2a9c41d05
Create Date: 2026-12-04 18:40:00

Existing messages get the state their threads give them today, so nothing is lost and nothing that was
handled comes back: a message is answered by the first brand reply tied to it (the reply's parent is that
person's message) or, failing that, by the first brand message after it in its conversation (the rule the
desk used until now); a message hidden by moderation is hidden; an unanswered message of a closed
conversation needs no reply (somebody closed it); everything else needs a reply. From this revision on,
only tied replies answer a person in a public thread.
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

import tending.database.core

revision = "7b2e4d9c1a05"
down_revision = "e7b2a9c41d05"
branch_labels = None
depends_on = None

WAITING = "reply_state = 'needs_reply'"


def band(urgency: sa.ColumnElement[float]) -> sa.ColumnElement[int]:
    """`UrgencyBand` of a triage urgency, as the triage step writes it (0 high, 1 medium, 2 low)."""
    return sa.case((urgency >= 0.4, 0), (urgency >= 0.15, 1), else_=2)


def _table(name: str, columns: str) -> sa.TableClause:
    """A lightweight table of the columns this revision reads and writes (the models may move on)."""
    return sa.table(name, *(sa.column(c) for c in columns.split()))


def _derive_states() -> None:
    m = _table(
        "message",
        "id channel_id conversation_id author_id direction external_id parent_external_id created_at hidden "
        "reply_state answered_by_id urgency urgency_band",
    )
    c = _table("conversation", "id status needs_reply waiting_count waiting_since")
    r, p = m.alias("r"), m.alias("p")
    inbound = sa.and_(m.c.direction == "inbound", m.c.hidden == sa.false())
    tied = (
        sa.select(sa.func.min(r.c.id))
        .select_from(
            r.join(p, sa.and_(p.c.channel_id == r.c.channel_id, p.c.external_id == r.c.parent_external_id))
        )
        .where(
            r.c.conversation_id == m.c.conversation_id,
            r.c.direction == "outbound",
            p.c.direction == "inbound",
            sa.or_(p.c.id == m.c.id, p.c.author_id == m.c.author_id),
            r.c.created_at >= m.c.created_at,
        )
        .scalar_subquery()
    )
    op.execute(m.update().where(m.c.urgency.is_not(None)).values(urgency_band=band(m.c.urgency)))
    op.execute(m.update().where(inbound).values(answered_by_id=tied))
    later = (
        sa.select(r.c.id)
        .where(
            r.c.conversation_id == m.c.conversation_id,
            r.c.direction == "outbound",
            r.c.created_at >= m.c.created_at,
        )
        .order_by(r.c.created_at, r.c.id)
        .limit(1)
        .scalar_subquery()
    )
    op.execute(m.update().where(inbound, m.c.answered_by_id.is_(None)).values(answered_by_id=later))
    closed = sa.select(c.c.id).where(c.c.status == "closed")
    op.execute(
        m.update()
        .where(m.c.direction == "inbound")
        .values(
            reply_state=sa.case(
                (m.c.hidden == sa.true(), "hidden"),
                (m.c.answered_by_id.is_not(None), "answered"),
                (m.c.conversation_id.in_(closed), "no_reply_needed"),
                else_="needs_reply",
            )
        )
    )
    w = m.alias("w")
    waiting = sa.and_(w.c.conversation_id == c.c.id, w.c.reply_state == "needs_reply")
    op.execute(
        c.update().values(
            waiting_count=sa.select(sa.func.count(w.c.id)).where(waiting).scalar_subquery(),
            waiting_since=sa.select(sa.func.min(w.c.created_at)).where(waiting).scalar_subquery(),
            needs_reply=sa.exists().where(waiting),
        )
    )


MESSAGE_COLUMNS: tuple[sa.Column[Any], ...] = (
    sa.Column("reply_state", sa.String(length=20), nullable=True),
    sa.Column("answered_by_id", sa.Integer(), nullable=True),
    sa.Column("reply_state_by_id", sa.Integer(), nullable=True),
    sa.Column("reply_state_at", tending.database.core.UTCDateTime(timezone=True), nullable=True),
    sa.Column("urgency_band", sa.SmallInteger(), server_default="1", nullable=False),
)
CONVERSATION_COLUMNS: tuple[sa.Column[Any], ...] = (
    sa.Column("waiting_count", sa.Integer(), server_default="0", nullable=False),
    sa.Column("waiting_since", tending.database.core.UTCDateTime(timezone=True), nullable=True),
)


def upgrade() -> None:
    # Every change is made in place, never through SQLite's batch mode: rebuilding the message or
    # conversation table would take long on a big desk and would run the ON DELETE CASCADE of the tables
    # that point at them (dropping `conversation` deletes every message).
    for column in CONVERSATION_COLUMNS:
        op.add_column("conversation", column.copy())
    for column in MESSAGE_COLUMNS:
        op.add_column("message", column.copy())
    _derive_states()
    op.create_index("ix_message_conversation_author", "message", ["conversation_id", "author_id"])
    op.create_index(
        "ix_message_ws_waiting",
        "message",
        ["workspace_id", "urgency_band", "created_at"],
        sqlite_where=sa.text(WAITING),
        postgresql_where=sa.text(WAITING),
    )


def downgrade() -> None:
    op.drop_index("ix_message_ws_waiting", "message")
    op.drop_index("ix_message_conversation_author", "message")
    for column in MESSAGE_COLUMNS:
        op.drop_column("message", column.name)
    for column in CONVERSATION_COLUMNS:
        op.drop_column("conversation", column.name)
