"""Alembic migrations of the dashboard's schema (applied by ``python -m data_access migrate`` and on start)."""
