"""Summary tables that the views read at national scale (see data_access/summaries.py),
filled by the upgrade after its migrations (data_access/migrate.py).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TAUGHT_COUNTS = ("surveyed", "employed", "employed_in_field", "self_employed", "further_study", "unemployed")


def _keys(*names: str) -> list[sa.Column]:
    return [sa.Column(n, sa.Integer() if n.endswith("year") else AutoString(), nullable=False) for n in names]


def _counts(*names: str) -> list[sa.Column]:
    return [sa.Column(n, sa.Integer(), nullable=False) for n in names]


def _outcome_measures() -> list[sa.Column]:
    return _counts(*TAUGHT_COUNTS) + [sa.Column("wage_x_employed", sa.Float(), nullable=False)] + _counts("employed_with_wage")


def upgrade() -> None:
    fine = ("region_code", "sector_code", "institution_type")
    coarse = ("sector_code", "institution_type")
    op.create_table(
        "summary_enrolments", *_keys("year", *fine), *_counts("enrolled", "graduates"), sa.PrimaryKeyConstraint("year", *fine)
    )
    op.create_table(
        "summary_enrolments_by_sector",
        *_keys("year", *coarse),
        *_counts("enrolled", "graduates"),
        sa.PrimaryKeyConstraint("year", *coarse),
    )
    op.create_table(
        "summary_outcomes", *_keys("cohort_year", *fine), *_outcome_measures(), sa.PrimaryKeyConstraint("cohort_year", *fine)
    )
    op.create_table(
        "summary_outcomes_by_sector",
        *_keys("cohort_year", *coarse),
        *_outcome_measures(),
        sa.PrimaryKeyConstraint("cohort_year", *coarse),
    )
    op.create_table(
        "summary_placements", *_keys("year", *fine), *_counts("students_placed", "hired"), sa.PrimaryKeyConstraint("year", *fine)
    )
    op.create_table(
        "summary_placements_by_sector",
        *_keys("year", *coarse),
        *_counts("students_placed", "hired"),
        sa.PrimaryKeyConstraint("year", *coarse),
    )
    op.create_table(
        "summary_partner_years",
        *_keys("year", "employer_id", "region_code", "sector_code"),
        *_counts("students_placed", "hired"),
        sa.PrimaryKeyConstraint("year", "employer_id"),
    )
    op.create_index("ix_summary_partner_years_sector_region", "summary_partner_years", ["sector_code", "region_code"])
    op.create_table(
        "summary_demand_by_sector",
        *_keys("year", "sector_code"),
        *_counts("openings"),
        sa.PrimaryKeyConstraint("year", "sector_code"),
    )


def downgrade() -> None:
    op.drop_index("ix_summary_partner_years_sector_region", table_name="summary_partner_years")
    for table in (
        "summary_demand_by_sector",
        "summary_partner_years",
        "summary_placements_by_sector",
        "summary_placements",
        "summary_outcomes_by_sector",
        "summary_outcomes",
        "summary_enrolments_by_sector",
        "summary_enrolments",
    ):
        op.drop_table(table)
