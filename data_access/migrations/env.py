"""Alembic environment: always run from data_access.migrate with a connection in the config."""

from alembic import context
from sqlmodel import SQLModel

import data_access.models  # noqa: F401  (registers the tables)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite changes tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
