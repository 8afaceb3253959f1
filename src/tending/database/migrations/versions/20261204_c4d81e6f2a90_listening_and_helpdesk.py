"""Listening queries and their results, search quota spend, listening spikes; helpdesk connections and cases

Revision ID: c4d81e6f2a90
Revises: 4c8e1f2a9d37
Create Date: 2026-12-04 22:00:00
"""

import sqlalchemy as sa
from alembic import op

import tending.database.core

revision = "c4d81e6f2a90"
down_revision = "4c8e1f2a9d37"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listening_query",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("phrases", sa.JSON(), nullable=False),
        sa.Column("exclusions", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("networks", sa.JSON(), nullable=False),
        sa.Column(
            "campaign_id", sa.Integer(), sa.ForeignKey("campaign.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("cursors", sa.JSON(), nullable=False),
        sa.Column("last_run_at", tending.database.core.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(1000), nullable=True),
        sa.Column(
            "created_by_id",
            sa.Integer(),
            sa.ForeignKey("user_account.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("created_at", tending.database.core.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_listening_query_workspace_id", "listening_query", ["workspace_id"])
    op.create_table(
        "listening_result",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "query_id", sa.Integer(), sa.ForeignKey("listening_query.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "channel_id", sa.Integer(), sa.ForeignKey("channel.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("network", sa.String(40), nullable=False),
        sa.Column("external_id", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("parent_external_id", sa.String(300), nullable=True),
        sa.Column("author_external_id", sa.String(300), nullable=True),
        sa.Column("author_handle", sa.String(200), nullable=False),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("url", sa.String(1000), nullable=True),
        sa.Column("language", sa.String(12), nullable=True),
        sa.Column("created_at", tending.database.core.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", tending.database.core.UTCDateTime(timezone=True), nullable=False),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.Column("sentiment", sa.String(10), nullable=True),
        sa.Column("sentiment_score", sa.Float(), nullable=True),
        sa.Column("intent", sa.String(20), nullable=True),
        sa.Column("urgency", sa.Float(), nullable=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column(
            "conversation_id",
            sa.Integer(),
            sa.ForeignKey("conversation.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("state_by_id", sa.Integer(), nullable=True),
        sa.Column("state_at", tending.database.core.UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("query_id", "network", "external_id"),
    )
    op.create_index("ix_listening_result_query_time", "listening_result", ["query_id", "created_at"])
    op.create_table(
        "listening_spend",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("network", sa.String(40), nullable=False),
        sa.Column("window_start", tending.database.core.UTCDateTime(timezone=True), nullable=False),
        sa.Column("spent", sa.Integer(), nullable=False),
        sa.UniqueConstraint("workspace_id", "network"),
    )
    op.create_table(
        "listening_spike",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "query_id", sa.Integer(), sa.ForeignKey("listening_query.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("metric", sa.String(30), nullable=False),
        sa.Column("at", tending.database.core.UTCDateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("created_at", tending.database.core.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("query_id", "metric", "at"),
    )
    op.create_table(
        "helpdesk_connection",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("base_url", sa.String(500), nullable=False),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("credentials_encrypted", sa.Text(), nullable=True),
        sa.Column("created_at", tending.database.core.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("workspace_id"),
    )
    op.create_table(
        "helpdesk_case",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "conversation_id",
            sa.Integer(),
            sa.ForeignKey("conversation.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("url", sa.String(1000), nullable=True),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("status_at", tending.database.core.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "created_by_id",
            sa.Integer(),
            sa.ForeignKey("user_account.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("created_at", tending.database.core.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("conversation_id"),
    )
    op.create_index("ix_helpdesk_case_workspace_id", "helpdesk_case", ["workspace_id"])


def downgrade() -> None:
    op.drop_index("ix_helpdesk_case_workspace_id", table_name="helpdesk_case")
    op.drop_table("helpdesk_case")
    op.drop_table("helpdesk_connection")
    op.drop_table("listening_spike")
    op.drop_table("listening_spend")
    op.drop_index("ix_listening_result_query_time", table_name="listening_result")
    op.drop_table("listening_result")
    op.drop_index("ix_listening_query_workspace_id", table_name="listening_query")
    op.drop_table("listening_query")
