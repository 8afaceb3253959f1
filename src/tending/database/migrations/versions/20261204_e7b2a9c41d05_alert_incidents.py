"""alert incidents, channel spikes and conversation watchers

Revision ID: e7b2a9c41d05
Revises: 7b2e4c9d1a63
Create Date: 2026-12-04 18:40:00
"""

import sqlalchemy as sa
from alembic import op

import tending.database.core

revision = "e7b2a9c41d05"
down_revision = "7b2e4c9d1a63"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("scope_key", sa.String(length=60), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("opened_at", tending.database.core.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_at", tending.database.core.UTCDateTime(timezone=True), nullable=False),
        sa.Column("alert_count", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", tending.database.core.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", tending.database.core.UTCDateTime(timezone=True), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("message_ids", sa.JSON(), nullable=False),
        sa.Column("conversation_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", tending.database.core.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["user_account.id"],
            name=op.f("fk_alert_incident_acknowledged_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_alert_incident_campaign_id_campaign"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channel.id"],
            name=op.f("fk_alert_incident_channel_id_channel"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["user_account.id"],
            name=op.f("fk_alert_incident_resolved_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_alert_incident_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_incident")),
    )
    with op.batch_alter_table("alert_incident", schema=None) as batch_op:
        batch_op.create_index("ix_alert_incident_ws_opened", ["workspace_id", "opened_at"], unique=False)
        batch_op.create_index("ix_alert_incident_ws_last", ["workspace_id", "last_at"], unique=False)
        batch_op.create_index(
            "ix_alert_incident_ws_state_kind_count",
            ["workspace_id", "state", "kind", "alert_count"],
            unique=False,
        )
        batch_op.create_index(
            "ix_alert_incident_ws_scope_last", ["workspace_id", "kind", "scope_key", "last_at"], unique=False
        )
        batch_op.create_index(
            "ix_alert_incident_ws_state_last", ["workspace_id", "state", "last_at"], unique=False
        )
    op.create_table(
        "channel_spike",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=30), nullable=False),
        sa.Column("at", tending.database.core.UTCDateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("created_at", tending.database.core.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channel.id"],
            name=op.f("fk_channel_spike_channel_id_channel"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_channel_spike_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_spike")),
        sa.UniqueConstraint("channel_id", "metric", "at", name=op.f("uq_channel_spike_channel_id_metric_at")),
    )
    op.create_table(
        "conversation_watcher",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("created_at", tending.database.core.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_conversation_watcher_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_conversation_watcher_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", "user_id", name=op.f("pk_conversation_watcher")),
    )
    with op.batch_alter_table("conversation_watcher", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_watcher_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("conversation_watcher", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_watcher_user_id"))
    op.drop_table("conversation_watcher")
    op.drop_table("channel_spike")
    with op.batch_alter_table("alert_incident", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_incident_ws_state_last")
        batch_op.drop_index("ix_alert_incident_ws_scope_last")
        batch_op.drop_index("ix_alert_incident_ws_state_kind_count")
        batch_op.drop_index("ix_alert_incident_ws_last")
        batch_op.drop_index("ix_alert_incident_ws_opened")
    op.drop_table("alert_incident")
