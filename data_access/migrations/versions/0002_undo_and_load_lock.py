"""Undo of loads (what each load changed) and the lock that keeps loads from interleaving.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("load_log") as table:
        table.add_column(sa.Column("undoes", sa.Integer(), nullable=True))
        table.add_column(sa.Column("undone_by", sa.Integer(), nullable=True))
    op.create_table(
        "load_undo",
        sa.Column("load_id", sa.Integer(), sa.ForeignKey("load_log.id"), nullable=False),
        sa.Column("table_name", AutoString(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("load_id", "table_name"),
    )
    lock = op.create_table(
        "load_lock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holder", AutoString(), nullable=True),
        sa.Column("since", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(lock, [{"id": 1, "holder": None, "since": None}])


def downgrade() -> None:
    op.drop_table("load_lock")
    op.drop_table("load_undo")
    with op.batch_alter_table("load_log") as table:
        table.drop_column("undone_by")
        table.drop_column("undoes")
