"""``enrolments.enrolled`` becomes optional (contract version 3).

Published statistics often give completions only; an empty ``enrolled`` is unknown, never 0. The column
becomes nullable, and so does ``enrolled`` in the four summaries of enrolments, each of which gains
``enrolled_missing``, the number of its rows without enrolled (as ``entrants_missing`` counts those without
entrants), so that a view shows a group's enrolled as unknown rather than as a partial sum, from a summary as
from the rows. Every row stored before this release has enrolled, so the new counts are 0; the upgrade refills
the summaries after its migrations anyway (data_access/migrate.py).

The downgrade is refused while an enrolment row has no enrolled: the release before needs a number there, and
neither 0 nor a guess is one. With every row complete the summaries' sums are already whole, and it only drops
the counts and makes the columns required again.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# summary table -> the type of its enrolled column (sector summaries hold counts weighted by shares)
SUMMARIES = {
    "summary_enrolments": sa.Float(),
    "summary_enrolments_by_sector": sa.Float(),
    "summary_enrolments_by_region": sa.BigInteger(),
    "summary_programs": sa.BigInteger(),
}


def upgrade() -> None:
    with op.batch_alter_table("enrolments") as batch:
        batch.alter_column("enrolled", existing_type=sa.Integer(), nullable=True)
    for table, kind in SUMMARIES.items():
        with op.batch_alter_table(table) as batch:
            batch.alter_column("enrolled", existing_type=kind, nullable=True)
            batch.add_column(sa.Column("enrolled_missing", sa.Integer(), nullable=True))
        op.execute(sa.table(table, sa.column("enrolled_missing")).update().values(enrolled_missing=0))
        with op.batch_alter_table(table) as batch:
            batch.alter_column("enrolled_missing", existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    unknown = op.get_bind().execute(sa.text("SELECT COUNT(*) FROM enrolments WHERE enrolled IS NULL")).scalar_one()
    if unknown:
        raise RuntimeError(
            f"{unknown} enrolment rows have no enrolled, which the release before this one cannot hold: "
            "load their enrolled or remove them before downgrading"
        )
    for table, kind in SUMMARIES.items():
        with op.batch_alter_table(table) as batch:
            batch.drop_column("enrolled_missing")
            batch.alter_column("enrolled", existing_type=kind, nullable=False)
    with op.batch_alter_table("enrolments") as batch:
        batch.alter_column("enrolled", existing_type=sa.Integer(), nullable=False)
