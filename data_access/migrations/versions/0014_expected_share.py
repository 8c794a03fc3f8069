"""``sectors.expected_share``: the share of a sector's openings that its vocational graduates are expected to
fill (optional; empty means 1, all of them).

University graduates, school leavers and people changing jobs fill openings too, so a bureau may state per
sector what part of the openings its vocational programs are meant to answer for; shortage and surplus are
then graded against that part (data_access/panel.py). The column is new and empty: every figure stays as it
was until a bureau states a share. The downgrade drops the column and with it the stated shares.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sectors", sa.Column("expected_share", sa.Float(), nullable=True))


def downgrade() -> None:
    # a plain ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later): a batch rebuild would drop the table the
    # programs and employers refer to, which SQLite's enforced foreign keys refuse while rows exist
    op.drop_column("sectors", "expected_share")
