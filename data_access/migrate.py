"""Bring a database's schema to the current version with Alembic.

Every database (the embedded SQLite file and a shared PostgreSQL server) goes
through the same migrations in ``data_access/migrations``. A database created
before migrations existed (its tables match revision 0001 but it has no
version table) is stamped 0001 first. The upgrade runs under a lock so that
two processes starting together do not both migrate. Migrations change the
summary tables' shape only: an upgrade that applied any refills every summary
from the stored rows afterwards, in the same transaction, with this release's
code (so no migration depends on code that changes later).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from . import summaries

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"
_PG_LOCK_KEY = 727_001  # pg_advisory_lock class of schema migrations (any constant unique to this app)


def _config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision in the migrations folder."""
    return ScriptDirectory.from_config(_config(None)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty or unversioned database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Apply every pending migration; returns (revision before, revision after)."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # One lock per schema: migrations of one schema wait for each other, those of others do not.
            connection.execute(
                text("SELECT pg_advisory_xact_lock(CAST(:key AS integer), hashtext(current_schema()))"), {"key": _PG_LOCK_KEY}
            )
        before = MigrationContext.configure(connection).get_current_revision()
        config = _config(connection)
        if before is None and inspect(connection).has_table("regions"):
            command.stamp(config, BASELINE)  # made by an earlier release, before migrations
        command.upgrade(config, "head")
        after = MigrationContext.configure(connection).get_current_revision()
        if after != before:
            # Migrations only shape the summaries; they are filled here, by the code of this release.
            summaries.rebuild(connection)
    return before, after
