"""Message intents: each learned intent's probability, beside the main intent

Revision ID: 9b4e2f7a1c6d
Revises: 7b2e4d9c1a05
Create Date: 2026-12-04 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9b4e2f7a1c6d"
down_revision = "7b2e4d9c1a05"
branch_labels = None
depends_on = None


# Columns are added and dropped in place: a batch rebuild of `message` would drop the table, and with
# foreign keys on that deletes the rows that point at it.
def upgrade() -> None:
    op.add_column("message", sa.Column("intents", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("message", "intents")
