"""prepared answer examples

Revision ID: 5e7a0c1d2b3f
Revises: a41c0e7d9b21
Create Date: 2026-11-27 05:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5e7a0c1d2b3f"
down_revision = "a41c0e7d9b21"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing answers get an empty list, so the column can be NOT NULL like the other lists.
    with op.batch_alter_table("prepared_answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("examples", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("prepared_answer", schema=None) as batch_op:
        batch_op.alter_column("examples", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("prepared_answer", schema=None) as batch_op:
        batch_op.drop_column("examples")
