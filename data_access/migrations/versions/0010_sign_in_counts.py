"""Sign-in limits per client address and for everyone beside the one per name: the wrong passwords of all
three are counted in one table, sign_in_counts, keyed by the limit and a digest (see data_access/sign_in.py).
The counts per name of sign_in_failures move into it, so a name that waits keeps waiting across the upgrade.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_counts",
        sa.Column("scope", AutoString(), nullable=False),
        sa.Column("digest", AutoString(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure", UTCDateTime(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("signed_in_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("scope", "digest"),
    )
    op.execute(
        sa.text(
            "INSERT INTO sign_in_counts (scope, digest, failures, last_failure, locked_until, signed_in_at) "
            "SELECT 'name', name_digest, failures, last_failure, locked_until, NULL FROM sign_in_failures"
        )
    )
    op.drop_table("sign_in_failures")


def downgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("name_digest", AutoString(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure", UTCDateTime(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name_digest"),
    )
    op.execute(
        sa.text(
            "INSERT INTO sign_in_failures (name_digest, failures, last_failure, locked_until) "
            "SELECT digest, failures, last_failure, locked_until FROM sign_in_counts WHERE scope = 'name'"
        )
    )
    op.drop_table("sign_in_counts")
