"""Message network review: comments a network holds for the owner's review or keeps as likely spam

Revision ID: 4c8e1f2a9d37
Revises: c5e1d7a3b9f2
Create Date: 2026-12-04 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "4c8e1f2a9d37"
down_revision = "c5e1d7a3b9f2"
branch_labels = None
depends_on = None


# Added and dropped in place: a batch rebuild of `message` would drop the table, and with foreign keys
# on that deletes the rows that point at it.
def upgrade() -> None:
    op.add_column("message", sa.Column("network_review", sa.String(length=20), nullable=True))


def downgrade() -> None:
    op.drop_column("message", "network_review")
