"""saved inbox views

Revision ID: a41c0e7d9b21
Revises: 1637d3f423da
Create Date: 2026-11-27 05:20:00
"""

import sqlalchemy as sa
from alembic import op

import tending.database.core

revision = "a41c0e7d9b21"
down_revision = "1637d3f423da"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("created_at", tending.database.core.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_saved_view_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_saved_view_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_view")),
        sa.UniqueConstraint(
            "workspace_id", "user_id", "name", name=op.f("uq_saved_view_workspace_id_user_id_name")
        ),
    )
    with op.batch_alter_table("saved_view", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_view_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("saved_view", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_view_user_id"))
    op.drop_table("saved_view")
