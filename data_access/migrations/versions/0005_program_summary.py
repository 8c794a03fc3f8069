"""Per-program summary for the programs table of the enrolment page (see data_access/summaries.py),
filled by the upgrade after its migrations (data_access/migrate.py).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "summary_programs",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("program_code", AutoString(), nullable=False),
        sa.Column("sector_code", AutoString(), nullable=False),
        sa.Column("institutions", sa.Integer(), nullable=False),
        sa.Column("enrolled", sa.Integer(), nullable=False),
        sa.Column("graduates", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", "program_code"),
    )


def downgrade() -> None:
    op.drop_table("summary_programs")
