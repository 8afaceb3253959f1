"""who has a work item open (conversation presence); indexes for the queue's intent filters and the
brand's recent replies

Revision ID: c5e1d7a3b9f2
Revises: c4d8e1f2a7b3
Create Date: 2026-12-04 22:00:00
"""

import sqlalchemy as sa
from alembic import op

import tending.database.core

revision = "c5e1d7a3b9f2"
down_revision = "c4d8e1f2a7b3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_presence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", tending.database.core.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", tending.database.core.UTCDateTime(timezone=True), nullable=False),
        sa.Column("writing", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_id", "user_id"),
    )
    op.create_index(
        "ix_conversation_presence_conv_seen", "conversation_presence", ["conversation_id", "seen_at"]
    )
    waiting = sa.text("reply_state = 'needs_reply'")
    op.create_index(
        "ix_message_ws_waiting_intent",
        "message",
        ["workspace_id", "intent", "urgency_band", "created_at"],
        sqlite_where=waiting,
        postgresql_where=waiting,
    )
    outbound = sa.text("direction = 'outbound'")
    op.create_index(
        "ix_message_ws_outbound",
        "message",
        ["workspace_id", "created_at"],
        sqlite_where=outbound,
        postgresql_where=outbound,
    )


def downgrade() -> None:
    op.drop_index("ix_message_ws_outbound", table_name="message")
    op.drop_index("ix_message_ws_waiting_intent", table_name="message")
    op.drop_index("ix_conversation_presence_conv_seen", table_name="conversation_presence")
    op.drop_table("conversation_presence")
