"""Summed counts of the summary tables become BIGINT.

A count of the contract tables fits their 32-bit INTEGER (validation refuses a larger one), but a
sum of two such counts does not: PostgreSQL refused to rebuild the summaries ("integer out of
range") where SQLite, whose INTEGER has 64 bits, stored the sum. The summaries are refilled by the
upgrade after its migrations (data_access/migrate.py).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

OUTCOME_SUMS = ("surveyed", "employed", "employed_in_field", "self_employed", "further_study", "unemployed", "employed_with_wage")
PLACEMENT_SUMS = ("students_placed", "hired")
# table -> its summed whole-number columns (entrants may be empty: no row of the group gave them)
SUMS = {
    "summary_enrolments_by_region": ("enrolled", "graduates", "entrants"),
    "summary_programs": ("enrolled", "graduates", "entrants"),
    "summary_outcomes_by_region": OUTCOME_SUMS,
    "summary_placements": PLACEMENT_SUMS,
    "summary_placements_by_sector": PLACEMENT_SUMS,
    "summary_partner_years": PLACEMENT_SUMS,
    "summary_partners": PLACEMENT_SUMS,
}


def _retype(old: sa.types.TypeEngine, new: sa.types.TypeEngine) -> None:
    for table, columns in SUMS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(column, existing_type=old, type_=new, existing_nullable=column == "entrants")


def upgrade() -> None:
    _retype(sa.Integer(), sa.BigInteger())


def downgrade() -> None:
    _retype(sa.BigInteger(), sa.Integer())
