"""indexes that read the overview's waiting messages by quarter-hour, and what is left to answer per
person, without a sort or table reads

Revision ID: d2f7a9c3e1b4
Revises: c4d81e6f2a90
Create Date: 2026-12-04 23:40:00
"""

from alembic import op

revision = "d2f7a9c3e1b4"
down_revision = "c4d81e6f2a90"
branch_labels = None
depends_on = None

# Must stay the text of tending.overview.service.SQLITE_WAITING_SLOT (the planner matches it exactly).
SQLITE_SLOT = "substr(waiting_since, 1, 14) || ((CAST(substr(waiting_since, 15, 2) AS INTEGER) / 15) * 15)"


def upgrade() -> None:
    op.create_index(
        "ix_conversation_ws_waiting_assignee",
        "conversation",
        ["workspace_id", "needs_reply", "assignee_id", "waiting_count"],
    )
    if op.get_bind().dialect.name == "sqlite":
        # An expression index, which reflection skips; neither index is declared on the model. It ends with
        # waiting_since so that SQLite 3.40 counts it as covering the query (no table reads).
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_conversation_waiting_slot ON conversation "
            f"(workspace_id, needs_reply, ({SQLITE_SLOT}), status, waiting_count, waiting_since)"
        )
    else:
        op.create_index(
            "ix_conversation_ws_waiting_since",
            "conversation",
            ["workspace_id", "needs_reply", "waiting_since"],
            postgresql_include=["status", "waiting_count"],
        )


def downgrade() -> None:
    # IF EXISTS: a schema made from the models (tests) never had these dialect-specific indexes.
    slot = (
        "ix_conversation_waiting_slot"
        if op.get_bind().dialect.name == "sqlite"
        else "ix_conversation_ws_waiting_since"
    )
    op.execute(f"DROP INDEX IF EXISTS {slot}")
    op.drop_index("ix_conversation_ws_waiting_assignee", table_name="conversation")
