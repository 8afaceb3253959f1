"""KPI control series for the sales-lift model

Revision ID: c3d1e9a4f2b7
Revises: 5e7a0c1d2b3f
Create Date: 2026-11-27 05:50:00
"""

import sqlalchemy as sa
from alembic import op

import tending.database.core

revision = "c3d1e9a4f2b7"
down_revision = "5e7a0c1d2b3f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaign_kpi_control",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("at", tending.database.core.UTCDateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kpi_id"],
            ["campaign_kpi.id"],
            name=op.f("fk_campaign_kpi_control_kpi_id_campaign_kpi"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_kpi_control")),
        sa.UniqueConstraint("kpi_id", "name", "at", name=op.f("uq_campaign_kpi_control_kpi_id_name_at")),
    )


def downgrade() -> None:
    op.drop_table("campaign_kpi_control")
