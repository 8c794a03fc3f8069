"""Contract version 2: program_sectors (a program's sector shares), programs without a sector,
programs.duration_years, enrolments.entrants, sectors.replacement_rate, demand rows without
openings; the program sector shares the views read, and summaries whose sector counts are
weighted by those shares (so fractional) beside new ones with exact counts per region.

The summaries are recreated empty: every upgrade that applies a migration rebuilds them all
afterwards from the stored rows (data_access/migrate.py), so this revision only changes shapes.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OUTCOME_COUNTS = ("surveyed", "employed", "employed_in_field", "self_employed", "further_study", "unemployed")


def _keys(*names: str) -> list[sa.Column]:
    return [sa.Column(n, sa.Integer() if n.endswith("year") else AutoString(), nullable=False) for n in names]


def _numbers(kind, *names: str) -> list[sa.Column]:
    return [sa.Column(n, kind(), nullable=False) for n in names]


def _enrolment_measures(kind) -> list[sa.Column]:
    return [
        *_numbers(kind, "enrolled", "graduates"),
        sa.Column("entrants", kind(), nullable=True),
        sa.Column("entrants_missing", sa.Integer(), nullable=False),
    ]


def _outcome_measures(kind) -> list[sa.Column]:
    return [
        *_numbers(kind, *OUTCOME_COUNTS),
        sa.Column("wage_x_employed", sa.Float(), nullable=False),
        sa.Column("employed_with_wage", kind(), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("programs") as programs:
        programs.alter_column("sector_code", existing_type=AutoString(), nullable=True)
        programs.add_column(sa.Column("duration_years", sa.Integer(), nullable=True))
    with op.batch_alter_table("sectors") as sectors:
        sectors.add_column(sa.Column("replacement_rate", sa.Float(), nullable=True))
    with op.batch_alter_table("enrolments") as enrolments:
        enrolments.add_column(sa.Column("entrants", sa.Integer(), nullable=True))
    with op.batch_alter_table("demand") as demand:
        demand.alter_column("openings", existing_type=sa.Integer(), nullable=True)
    op.create_table(
        "program_sectors",
        sa.Column("program_code", AutoString(), nullable=False),
        sa.Column("sector_code", AutoString(), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["program_code"], ["programs.program_code"]),
        sa.ForeignKeyConstraint(["sector_code"], ["sectors.sector_code"]),
        sa.PrimaryKeyConstraint("program_code", "sector_code"),
    )
    op.create_index("ix_program_sectors_sector_code", "program_sectors", ["sector_code"])
    op.create_table(
        "program_sector_shares",
        *_keys("program_code", "sector_code"),
        sa.Column("share", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("program_code", "sector_code"),
    )

    for table in (
        "summary_enrolments",
        "summary_enrolments_by_sector",
        "summary_outcomes",
        "summary_outcomes_by_sector",
        "summary_programs",
        "summary_demand_by_sector",
    ):
        op.drop_table(table)
    fine = ("region_code", "sector_code", "institution_type")
    coarse = ("sector_code", "institution_type")
    by_region = ("region_code", "institution_type")
    op.create_table(
        "summary_enrolments", *_keys("year", *fine), *_enrolment_measures(sa.Float), sa.PrimaryKeyConstraint("year", *fine)
    )
    op.create_table(
        "summary_enrolments_by_sector",
        *_keys("year", *coarse),
        *_enrolment_measures(sa.Float),
        sa.PrimaryKeyConstraint("year", *coarse),
    )
    op.create_table(
        "summary_enrolments_by_region",
        *_keys("year", *by_region),
        *_enrolment_measures(sa.Integer),
        sa.PrimaryKeyConstraint("year", *by_region),
    )
    op.create_table(
        "summary_outcomes",
        *_keys("cohort_year", *fine),
        *_outcome_measures(sa.Float),
        sa.PrimaryKeyConstraint("cohort_year", *fine),
    )
    op.create_table(
        "summary_outcomes_by_sector",
        *_keys("cohort_year", *coarse),
        *_outcome_measures(sa.Float),
        sa.PrimaryKeyConstraint("cohort_year", *coarse),
    )
    op.create_table(
        "summary_outcomes_by_region",
        *_keys("cohort_year", *by_region),
        *_outcome_measures(sa.Integer),
        sa.PrimaryKeyConstraint("cohort_year", *by_region),
    )
    op.create_table(
        "summary_programs",
        *_keys("year", "program_code"),
        sa.Column("institutions", sa.Integer(), nullable=False),
        *_enrolment_measures(sa.Integer),
        sa.PrimaryKeyConstraint("year", "program_code"),
    )
    op.create_table(
        "summary_demand_by_sector",
        *_keys("year", "sector_code"),
        sa.Column("openings", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("year", "sector_code"),
    )


def downgrade() -> None:
    bind = op.get_bind()
    for table, column in (("programs", "sector_code"), ("demand", "openings")):
        if bind.execute(sa.text(f"SELECT COUNT(*) FROM {table} WHERE {column} IS NULL")).scalar_one():  # constant names
            raise RuntimeError(f"{table} has rows without {column}, which version 1 cannot hold: remove them first")
    for table in (
        "summary_enrolments",
        "summary_enrolments_by_sector",
        "summary_enrolments_by_region",
        "summary_outcomes",
        "summary_outcomes_by_sector",
        "summary_outcomes_by_region",
        "summary_programs",
        "summary_demand_by_sector",
        "program_sector_shares",
    ):
        op.drop_table(table)
    op.drop_index("ix_program_sectors_sector_code", table_name="program_sectors")
    op.drop_table("program_sectors")
    with op.batch_alter_table("demand") as demand:
        demand.alter_column("openings", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("enrolments") as enrolments:
        enrolments.drop_column("entrants")
    with op.batch_alter_table("sectors") as sectors:
        sectors.drop_column("replacement_rate")
    with op.batch_alter_table("programs") as programs:
        programs.drop_column("duration_years")
        programs.alter_column("sector_code", existing_type=AutoString(), nullable=False)
    # The version-1 summary shapes, empty: the upgrade that follows any downgrade refills them.
    fine = ("region_code", "sector_code", "institution_type")
    coarse = ("sector_code", "institution_type")
    old_outcomes = [
        *_numbers(sa.Integer, *OUTCOME_COUNTS),
        sa.Column("wage_x_employed", sa.Float(), nullable=False),
        sa.Column("employed_with_wage", sa.Integer(), nullable=False),
    ]
    op.create_table(
        "summary_enrolments",
        *_keys("year", *fine),
        *_numbers(sa.Integer, "enrolled", "graduates"),
        sa.PrimaryKeyConstraint("year", *fine),
    )
    op.create_table(
        "summary_enrolments_by_sector",
        *_keys("year", *coarse),
        *_numbers(sa.Integer, "enrolled", "graduates"),
        sa.PrimaryKeyConstraint("year", *coarse),
    )
    op.create_table(
        "summary_outcomes", *_keys("cohort_year", *fine), *old_outcomes, sa.PrimaryKeyConstraint("cohort_year", *fine)
    )
    op.create_table(
        "summary_outcomes_by_sector",
        *_keys("cohort_year", *coarse),
        *[sa.Column(c.name, c.type, nullable=False) for c in old_outcomes],
        sa.PrimaryKeyConstraint("cohort_year", *coarse),
    )
    op.create_table(
        "summary_programs",
        *_keys("year", "program_code", "sector_code"),
        *_numbers(sa.Integer, "institutions", "enrolled", "graduates"),
        sa.PrimaryKeyConstraint("year", "program_code"),
    )
    op.create_table(
        "summary_demand_by_sector",
        *_keys("year", "sector_code"),
        *_numbers(sa.Integer, "openings"),
        sa.PrimaryKeyConstraint("year", "sector_code"),
    )
