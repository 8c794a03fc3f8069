"""The schema comes only from the Alembic migrations, and they match the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from data_access import migrate
from data_access.loading import load_paths
from data_access.settings import get_settings
from data_access.store import StoreError, _ready_engine, create_schema, get_engine, make_engine

from .conftest import TINY, TINY_ROWS, table_rows


def test_the_migrations_build_exactly_the_tables_of_the_models(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_a_database_from_before_migrations_is_stamped_and_upgraded_keeping_its_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    old = make_engine(url)
    with old.begin() as connection:
        config = migrate._config(connection)
        from alembic import command

        command.upgrade(config, migrate.BASELINE)  # the first release's tables ...
        connection.execute(text("DROP TABLE alembic_version"))  # ... which had no version table
        connection.execute(text("INSERT INTO regions VALUES ('R1', 'North')"))
    create_schema(old)
    assert migrate.current_revision(old) == migrate.head_revision()
    assert inspect(old).has_table("load_undo")
    with old.connect() as connection:
        assert connection.execute(text("SELECT region_name FROM regions")).scalar_one() == "North"


def test_the_migrate_command_reports_the_versions(tmp_path, capsys):
    from data_access.cli import main

    url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    assert main(["migrate", "--db", url]) == 0
    assert capsys.readouterr().out.strip() == f"Schema at version {migrate.head_revision()} (was empty)."
    assert main(["migrate", "--db", url]) == 0
    assert "(already current)" in capsys.readouterr().out


def test_with_auto_migrate_off_an_old_database_is_refused_with_the_command_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTO_MIGRATE", "false")
    get_settings.cache_clear()
    _ready_engine.cache_clear()
    try:
        with pytest.raises(StoreError, match=r"run `python -m data_access migrate`"):
            get_engine(f"sqlite:///{tmp_path / 'new.sqlite'}")
    finally:
        get_settings.cache_clear()
        _ready_engine.cache_clear()


def test_migrating_twice_changes_nothing_and_keeps_the_data(engine):
    assert load_paths(engine, [TINY]).ok
    before, after = migrate.upgrade(engine)
    assert before == after == migrate.head_revision()
    assert table_rows(engine) == TINY_ROWS
