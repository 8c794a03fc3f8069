"""Published statistics: openings as the views use them (stated, or estimated from employment), cells a
published file suppressed, what an import recipe did, and region boundaries for the map.

demand_openings is derived and filled by the upgrade after its migrations (data_access/migrate.py).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "demand_openings",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("region_code", AutoString(), nullable=False),
        sa.Column("sector_code", AutoString(), nullable=False),
        sa.Column("openings", sa.Float(), nullable=False),
        sa.Column("estimated", sa.Integer(), nullable=False),
        sa.Column("replacement_part", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("year", "region_code", "sector_code"),
    )
    op.drop_table("summary_demand_by_sector")
    op.create_table(
        "summary_demand_by_sector",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sector_code", AutoString(), nullable=False),
        sa.Column("openings", sa.Float(), nullable=False),
        sa.Column("estimated", sa.Integer(), nullable=False),
        sa.Column("replacement_part", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("year", "sector_code"),
    )
    op.create_table(
        "unknown_cells",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.Column("table_name", AutoString(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("region_code", AutoString(), nullable=False),
        sa.Column("sector_code", AutoString(), nullable=True),
        sa.Column("program_code", AutoString(), nullable=True),
        sa.Column("institution_id", AutoString(), nullable=True),
        sa.Column("column_name", AutoString(), nullable=False),
        sa.Column("marker", AutoString(), nullable=False),
        sa.Column("source_file", AutoString(), nullable=False),
        sa.Column("source_line", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["load_id"], ["load_log.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_unknown_cells_load_id", "unknown_cells", ["load_id"])
    op.create_table(
        "imports",
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.Column("title", AutoString(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["load_id"], ["load_log.id"]),
        sa.PrimaryKeyConstraint("load_id"),
    )
    op.create_table(
        "region_shapes",
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.Column("region_code", AutoString(), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("source_crs", AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["load_id"], ["load_log.id"]),
        sa.PrimaryKeyConstraint("load_id", "region_code"),
    )


def downgrade() -> None:
    op.drop_table("region_shapes")
    op.drop_table("imports")
    op.drop_index("ix_unknown_cells_load_id", table_name="unknown_cells")
    op.drop_table("unknown_cells")
    op.drop_table("demand_openings")
    op.drop_table("summary_demand_by_sector")
    op.create_table(
        "summary_demand_by_sector",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sector_code", AutoString(), nullable=False),
        sa.Column("openings", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("year", "sector_code"),
    )
