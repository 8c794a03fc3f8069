"""The nine contract tables and the load log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _text(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, AutoString(), nullable=nullable)


def _int(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "load_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loaded_at", UTCDateTime(), nullable=False),
        _text("loaded_by"),
        _text("mode"),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("row_counts", sa.Text(), nullable=False),
        _text("checksum"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table("regions", _text("region_code"), _text("region_name"), sa.PrimaryKeyConstraint("region_code"))
    op.create_table("sectors", _text("sector_code"), _text("sector_name"), sa.PrimaryKeyConstraint("sector_code"))
    op.create_table(
        "institutions",
        _text("institution_id"),
        _text("institution_name"),
        _text("region_code"),
        _text("institution_type"),
        sa.ForeignKeyConstraint(["region_code"], ["regions.region_code"]),
        sa.PrimaryKeyConstraint("institution_id"),
    )
    op.create_index("ix_institutions_institution_type", "institutions", ["institution_type"])
    op.create_index("ix_institutions_region_code", "institutions", ["region_code"])
    op.create_table(
        "programs",
        _text("program_code"),
        _text("program_name"),
        _text("sector_code"),
        _text("level", nullable=True),
        sa.ForeignKeyConstraint(["sector_code"], ["sectors.sector_code"]),
        sa.PrimaryKeyConstraint("program_code"),
    )
    op.create_index("ix_programs_sector_code", "programs", ["sector_code"])
    op.create_table(
        "employers",
        _text("employer_id"),
        _text("employer_name"),
        _text("sector_code"),
        _text("region_code"),
        _int("partner_since", nullable=True),
        _int("placement_capacity", nullable=True),
        sa.ForeignKeyConstraint(["region_code"], ["regions.region_code"]),
        sa.ForeignKeyConstraint(["sector_code"], ["sectors.sector_code"]),
        sa.PrimaryKeyConstraint("employer_id"),
    )
    op.create_index("ix_employers_region_code", "employers", ["region_code"])
    op.create_index("ix_employers_sector_code", "employers", ["sector_code"])
    op.create_table(
        "demand",
        _int("year"),
        _text("region_code"),
        _text("sector_code"),
        _int("openings"),
        _int("employment", nullable=True),
        sa.ForeignKeyConstraint(["region_code"], ["regions.region_code"]),
        sa.ForeignKeyConstraint(["sector_code"], ["sectors.sector_code"]),
        sa.PrimaryKeyConstraint("year", "region_code", "sector_code"),
    )
    op.create_index("ix_demand_region_code", "demand", ["region_code"])
    op.create_index("ix_demand_sector_year", "demand", ["sector_code", "year"])
    op.create_table(
        "enrolments",
        _int("year"),
        _text("institution_id"),
        _text("program_code"),
        _int("enrolled"),
        _int("graduates"),
        sa.ForeignKeyConstraint(["institution_id"], ["institutions.institution_id"]),
        sa.ForeignKeyConstraint(["program_code"], ["programs.program_code"]),
        sa.PrimaryKeyConstraint("year", "institution_id", "program_code"),
    )
    op.create_index("ix_enrolments_institution_id", "enrolments", ["institution_id"])
    op.create_index("ix_enrolments_program_year", "enrolments", ["program_code", "year"])
    op.create_table(
        "outcomes",
        _int("cohort_year"),
        _text("institution_id"),
        _text("program_code"),
        _int("surveyed"),
        _int("employed"),
        _int("employed_in_field"),
        _int("self_employed"),
        _int("further_study"),
        _int("unemployed"),
        sa.Column("median_monthly_wage", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["institution_id"], ["institutions.institution_id"]),
        sa.ForeignKeyConstraint(["program_code"], ["programs.program_code"]),
        sa.PrimaryKeyConstraint("cohort_year", "institution_id", "program_code"),
    )
    op.create_index("ix_outcomes_institution_id", "outcomes", ["institution_id"])
    op.create_index("ix_outcomes_program_cohort", "outcomes", ["program_code", "cohort_year"])
    op.create_table(
        "placements",
        _int("year"),
        _text("institution_id"),
        _text("program_code"),
        _text("employer_id"),
        _int("students_placed"),
        _int("hired"),
        sa.ForeignKeyConstraint(["employer_id"], ["employers.employer_id"]),
        sa.ForeignKeyConstraint(["institution_id"], ["institutions.institution_id"]),
        sa.ForeignKeyConstraint(["program_code"], ["programs.program_code"]),
        sa.PrimaryKeyConstraint("year", "institution_id", "program_code", "employer_id"),
    )
    op.create_index("ix_placements_employer_year", "placements", ["employer_id", "year"])
    op.create_index("ix_placements_institution_id", "placements", ["institution_id"])
    op.create_index("ix_placements_program", "placements", ["program_code"])


def downgrade() -> None:
    for table in (
        "placements",
        "outcomes",
        "enrolments",
        "demand",
        "employers",
        "programs",
        "institutions",
        "sectors",
        "regions",
        "load_log",
    ):
        op.drop_table(table)
