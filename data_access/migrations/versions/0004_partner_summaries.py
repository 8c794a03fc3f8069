"""Per-partner summaries: distinct partners of any span of years and the partner ranking
without the per-year rows (see data_access/summaries.py); the upgrade fills them after its
migrations (data_access/migrate.py).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "summary_partners",
        sa.Column("employer_id", AutoString(), nullable=False),
        sa.Column("region_code", AutoString(), nullable=False),
        sa.Column("sector_code", AutoString(), nullable=False),
        sa.Column("years_mask", sa.BigInteger(), nullable=True),
        sa.Column("years_hosting", sa.Integer(), nullable=False),
        sa.Column("students_placed", sa.Integer(), nullable=False),
        sa.Column("hired", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("employer_id"),
    )
    op.create_table(
        "summary_partner_counts",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("region_code", AutoString(), nullable=False),
        sa.Column("sector_code", AutoString(), nullable=False),
        sa.Column("partners", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", "region_code", "sector_code"),
    )


def downgrade() -> None:
    op.drop_table("summary_partner_counts")
    op.drop_table("summary_partners")
