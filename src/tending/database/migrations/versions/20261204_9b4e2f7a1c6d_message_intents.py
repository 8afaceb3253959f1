"""Message intents: each learned intent's probability, beside the main intent

Revision ID: 9b4e2f7a1c6d
Revises: c3d1e9a4f2b7
Create Date: 2026-12-04 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9b4e2f7a1c6d"
down_revision = "c3d1e9a4f2b7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("message") as batch:
        batch.add_column(sa.Column("intents", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("message") as batch:
        batch.drop_column("intents")
