"""Estimated openings by contract version 3, and settings kept with the data.

Version 3 estimates openings as max(0, E(t) - E(t-1) + rate x E(t-1)) and leaves them unknown in the first
year of a series and after a gap, so ``demand_openings.openings`` may be empty (as may ``replacement_part``),
and each row keeps its ``employment_change`` E(t) - E(t-1), from which the coverage at other replacement rates
is recomputed row by row. ``summary_demand_by_sector`` sums the known openings and counts the unknown ones
(``openings_missing``); the sum of replacement parts it kept has no use once the floor is on the whole. The new
table ``stored_settings`` holds settings of how figures are computed (the years employment is smoothed over).
Both derived tables are refilled by the upgrade after its migrations (data_access/migrate.py).

The downgrade fills both derived tables again by version 2's formula (max(0, change) + rate x E(t-1); in the
first year of a series or after a gap rate x E(t)), written out here in SQL, so the release before this one
finds them complete and NOT NULL as it made them; the stored settings are dropped with their table.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

VERSION_2_RATE = 0.10  # the default replacement rate of version 2 (and of this release)


def upgrade() -> None:
    with op.batch_alter_table("demand_openings") as batch:
        batch.alter_column("openings", existing_type=sa.Float(), nullable=True)
        batch.alter_column("replacement_part", existing_type=sa.Float(), nullable=True)
        batch.add_column(sa.Column("employment_change", sa.Float(), nullable=True))
    op.drop_table("summary_demand_by_sector")
    op.create_table(
        "summary_demand_by_sector",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sector_code", AutoString(), nullable=False),
        sa.Column("openings", sa.Float(), nullable=True),
        sa.Column("openings_missing", sa.Integer(), nullable=False),
        sa.Column("estimated", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", "sector_code"),
    )
    op.create_table(
        "stored_settings",
        sa.Column("name", AutoString(), nullable=False),
        sa.Column("value", AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


# Version 2's openings of every demand row, from the contract tables (names fixed here; the rate is a parameter).
VERSION_2_OPENINGS = """
INSERT INTO demand_openings (year, region_code, sector_code, openings, estimated, replacement_part)
SELECT year, region_code, sector_code,
       CASE WHEN openings IS NOT NULL THEN openings
            ELSE CASE WHEN follows = 1 AND employment > previous_employment THEN employment - previous_employment ELSE 0 END
                 + rate * CASE WHEN follows = 1 THEN previous_employment ELSE employment END
       END,
       CASE WHEN openings IS NOT NULL THEN 0 ELSE 1 END,
       CASE WHEN openings IS NOT NULL THEN 0.0 ELSE rate * CASE WHEN follows = 1 THEN previous_employment ELSE employment END END
FROM (
    SELECT d.year, d.region_code, d.sector_code, d.openings, d.employment,
           LAG(d.employment) OVER (PARTITION BY d.region_code, d.sector_code ORDER BY d.year) AS previous_employment,
           CASE WHEN LAG(d.year) OVER (PARTITION BY d.region_code, d.sector_code ORDER BY d.year) = d.year - 1
                 AND LAG(d.employment) OVER (PARTITION BY d.region_code, d.sector_code ORDER BY d.year) IS NOT NULL
                THEN 1 ELSE 0 END AS follows,
           COALESCE(s.replacement_rate, :rate) AS rate
    FROM demand d JOIN sectors s ON s.sector_code = d.sector_code
) series
"""


def downgrade() -> None:
    op.drop_table("stored_settings")
    op.execute(sa.text("DELETE FROM demand_openings"))
    op.execute(sa.text(VERSION_2_OPENINGS).bindparams(rate=VERSION_2_RATE))
    with op.batch_alter_table("demand_openings") as batch:
        batch.drop_column("employment_change")
        batch.alter_column("openings", existing_type=sa.Float(), nullable=False)
        batch.alter_column("replacement_part", existing_type=sa.Float(), nullable=False)
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
    op.execute(
        sa.text(
            "INSERT INTO summary_demand_by_sector (year, sector_code, openings, estimated, replacement_part) "
            "SELECT year, sector_code, SUM(openings), SUM(estimated), SUM(replacement_part) FROM demand_openings "
            "GROUP BY year, sector_code"
        )
    )
