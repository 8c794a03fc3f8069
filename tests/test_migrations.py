"""The schema comes only from the Alembic migrations, they match the models, and a migration that changes what
a release before reads is taken back by its downgrade."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from data_access import migrate
from data_access.loading import load_paths, save_setting
from data_access.settings import get_settings
from data_access.store import StoreError, _ready_engine, create_schema, get_engine, make_engine
from data_access.stored_settings import EMPLOYMENT_SMOOTHING

from .conftest import TINY, TINY_ROWS, table_rows, write_csv


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


def test_migration_0012_lets_openings_be_unknown_and_down_gives_version_2s_openings_again(engine, tmp_path):
    # Manufacturing (rate 0.10): employment 1000, 900, 1100 from 2020; North Health: openings stated, 40.
    folder = tmp_path / "demand"
    write_csv(folder, "regions", "region_code,region_name\nR1,North\n")
    write_csv(folder, "sectors", "sector_code,sector_name,replacement_rate\nC,Manufacturing,0.1\nQ,Health,\n")
    write_csv(
        folder,
        "demand",
        "year,region_code,sector_code,openings,employment\n2020,R1,C,,1000\n2021,R1,C,,900\n2022,R1,C,,1100\n2020,R1,Q,40,\n",
    )
    assert load_paths(engine, [folder]).ok
    assert save_setting(engine, EMPLOYMENT_SMOOTHING, 2).ok

    def openings() -> dict:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT year, sector_code, openings, replacement_part FROM demand_openings"))
            return {(year, sector): (value, part) for year, sector, value, part in rows}

    def summary() -> list:
        with engine.connect() as connection:
            return sorted(tuple(r) for r in connection.execute(text("SELECT * FROM summary_demand_by_sector")))

    def nullable(table: str, column: str) -> bool:
        return next(c["nullable"] for c in inspect(engine).get_columns(table) if c["name"] == column)

    with engine.begin() as connection:
        command.downgrade(migrate._config(connection), "0011")
    # version 2: first year 0.10 x 1000 = 100; 2021 max(0, -100) + 0.10 x 1000 = 100; 2022 200 + 0.10 x 900 = 290
    assert openings() == {
        (2020, "C"): (100, 100),
        (2021, "C"): (100, 100),
        (2022, "C"): (pytest.approx(290), pytest.approx(90)),
        (2020, "Q"): (40, 0),
    }
    # the release before reads the summary's columns of then: year, sector, openings, estimated, replacement part
    assert summary() == [
        (2020, "C", 100, 1, 100),
        (2020, "Q", 40, 0, 0),
        (2021, "C", 100, 1, 100),
        (2022, "C", pytest.approx(290), 1, pytest.approx(90)),
    ]
    assert not nullable("demand_openings", "openings") and not nullable("demand_openings", "replacement_part")
    assert not inspect(engine).has_table("stored_settings")
    assert "employment_change" not in {c["name"] for c in inspect(engine).get_columns("demand_openings")}

    migrate.upgrade(engine)  # the smoothing went with its table: off again
    assert nullable("demand_openings", "openings") and nullable("summary_demand_by_sector", "openings")
    # version 3: 2020 unknown; 2021 max(0, -100 + 100) = 0; 2022 max(0, 200 + 90) = 290
    assert openings() == {
        (2020, "C"): (None, None),
        (2021, "C"): (0, 100),
        (2022, "C"): (pytest.approx(290), pytest.approx(90)),
        (2020, "Q"): (40, 0),
    }
    # year, sector, openings (known ones), openings_missing, estimated
    assert summary() == [
        (2020, "C", None, 1, 1),
        (2020, "Q", 40, 0, 0),
        (2021, "C", 0, 0, 1),
        (2022, "C", pytest.approx(290), 0, 1),
    ]
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


ENROLLED_SUMMARIES = ("summary_enrolments", "summary_enrolments_by_sector", "summary_enrolments_by_region", "summary_programs")


def test_migration_0013_lets_enrolled_be_unknown_and_goes_down_only_while_every_row_has_it(engine, tmp_path):
    assert load_paths(engine, [TINY]).ok  # every row has enrolled: 100 + 50 in 2023, 110 in 2024

    def nullable(table: str, column: str) -> bool:
        return next(c["nullable"] for c in inspect(engine).get_columns(table) if c["name"] == column)

    def programs() -> list:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT year, program_code, enrolled, enrolled_missing FROM summary_programs"))
            return sorted(tuple(r) for r in rows)

    with engine.begin() as connection:
        command.downgrade(migrate._config(connection), "0012")
    assert not nullable("enrolments", "enrolled")
    for table in ENROLLED_SUMMARIES:
        assert not nullable(table, "enrolled")
        assert "enrolled_missing" not in {c["name"] for c in inspect(engine).get_columns(table)}
    assert table_rows(engine) == TINY_ROWS

    migrate.upgrade(engine)
    assert nullable("enrolments", "enrolled") and all(nullable(t, "enrolled") for t in ENROLLED_SUMMARIES)
    # year, program, enrolled, rows without enrolled
    assert programs() == [(2023, "P1", 100, 0), (2023, "P2", 50, 0), (2024, "P1", 110, 0)]

    folder = tmp_path / "completions"
    write_csv(folder, "enrolments", "year,institution_id,program_code,graduates\n2025,I1,P1,33\n")
    assert load_paths(engine, [folder]).ok
    assert programs()[-1] == (2025, "P1", None, 1)  # unknown, never 0
    with engine.begin() as connection:  # 0014 down: the stated expected shares go, every row stays
        command.downgrade(migrate._config(connection), "0013")
    assert "expected_share" not in {c["name"] for c in inspect(engine).get_columns("sectors")}
    assert table_rows(engine)["sectors"] == TINY_ROWS["sectors"]
    with engine.begin() as connection, pytest.raises(RuntimeError, match="1 enrolment rows have no enrolled"):
        command.downgrade(migrate._config(connection), "0012")
    assert migrate.current_revision(engine) == "0013"
    migrate.upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []
