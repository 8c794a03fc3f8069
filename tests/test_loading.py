"""Loading: the load log and data version, upsert and replace, all-or-nothing,
and the embedded default database filled from sample_data/ exactly once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from data_access import store
from data_access.contract import LOAD_ORDER
from data_access.loading import load_history, load_paths, load_sources
from data_access.models import Enrolment, Region
from data_access.validation import Source

from .conftest import TINY, TINY_ROWS, TINY_TABLE_ROWS, data_version, table_rows, write_csv

REPO_ROOT = Path(__file__).resolve().parent.parent

TINY_FILES = [
    "demand.csv",
    "employers.csv",
    "enrolments.csv",
    "institutions.csv",
    "outcomes.csv",
    "placements.csv",
    "programs.csv",
    "regions.csv",
    "sectors.csv",
]
EMPTY = {table: 0 for table in LOAD_ORDER}


def copy_of_tiny(folder: Path, *, without: tuple[str, ...] = ()) -> Path:
    shutil.copytree(TINY, folder, ignore=shutil.ignore_patterns(*without))
    return folder


def graduates(engine: Engine, year: int, institution: str, program: str) -> int | None:
    statement = select(Enrolment.graduates).where(
        Enrolment.year == year, Enrolment.institution_id == institution, Enrolment.program_code == program
    )
    with engine.connect() as connection:
        return connection.execute(statement).scalar_one_or_none()


def region_name(engine: Engine, code: str) -> str | None:
    with engine.connect() as connection:
        return connection.execute(select(Region.region_name).where(Region.region_code == code)).scalar_one_or_none()


# --- the load log and the data version -----------------------------------------


def test_a_new_database_has_data_version_0_and_no_history(engine):
    assert data_version(engine) == 0
    assert load_history(engine) == []
    assert table_rows(engine) == EMPTY


def test_loading_the_tiny_fixture_records_a_load_log_row(engine):
    outcome = load_paths(engine, [TINY], loaded_by="alice")
    assert outcome.ok, outcome.validation.report_lines()
    assert outcome.data_version == 1
    expected_counts = {t: {"rows": n, "added": n, "updated": 0, "removed": 0} for t, n in TINY_TABLE_ROWS.items()}
    assert outcome.counts == expected_counts
    assert list(outcome.counts) == [t for t in LOAD_ORDER if t in TINY_TABLE_ROWS]  # in load order
    [entry] = load_history(engine)
    assert entry["data_version"] == 1
    assert entry["loaded_by"] == "alice"
    assert entry["mode"] == "upsert"
    assert entry["files"] == TINY_FILES
    assert entry["row_counts"] == expected_counts
    assert isinstance(entry["loaded_at"], datetime)
    assert len(entry["checksum"]) == 64 and int(entry["checksum"], 16) >= 0
    assert table_rows(engine) == TINY_ROWS
    assert data_version(engine) == 1


def test_the_summary_names_each_table_with_its_counts(engine):
    outcome = load_paths(engine, [TINY], loaded_by="alice")
    assert outcome.summary_lines() == [
        "regions: 3 rows (3 added, 0 updated)",
        "sectors: 2 rows (2 added, 0 updated)",
        "institutions: 2 rows (2 added, 0 updated)",
        "programs: 2 rows (2 added, 0 updated)",
        "employers: 2 rows (2 added, 0 updated)",
        "enrolments: 3 rows (3 added, 0 updated)",
        "placements: 2 rows (2 added, 0 updated)",
        "outcomes: 2 rows (2 added, 0 updated)",
        "demand: 4 rows (4 added, 0 updated)",
    ]


def test_a_second_identical_load_gives_version_2_with_nothing_added_and_everything_updated(tiny_engine):
    outcome = load_paths(tiny_engine, [TINY], loaded_by="bob")
    assert outcome.data_version == 2
    assert outcome.counts == {t: {"rows": n, "added": 0, "updated": n, "removed": 0} for t, n in TINY_TABLE_ROWS.items()}
    assert table_rows(tiny_engine) == TINY_ROWS
    newest, first = load_history(tiny_engine)
    assert (newest["data_version"], newest["loaded_by"], first["data_version"], first["loaded_by"]) == (2, "bob", 1, "test")
    assert newest["checksum"] == first["checksum"]


def test_the_checksum_depends_on_the_files_bytes_not_on_the_folder_they_came_from(engine, tmp_path):
    load_paths(engine, [copy_of_tiny(tmp_path / "monday")], loaded_by="t")
    load_paths(engine, [copy_of_tiny(tmp_path / "tuesday")], loaded_by="t")
    newest, first = load_history(engine)
    assert newest["checksum"] == first["checksum"]


def test_a_load_without_a_name_records_the_login_name_or_unknown(engine):
    load_paths(engine, [TINY])
    [entry] = load_history(engine)
    assert isinstance(entry["loaded_by"], str) and entry["loaded_by"]


def test_a_header_only_file_loads_nothing_and_keeps_the_data_version(tiny_engine):
    outcome = load_sources(tiny_engine, [Source("demand.csv", b"year,region_code,sector_code,openings\n")], loaded_by="t")
    assert not outcome.ok and outcome.nothing_to_load
    assert outcome.validation.ok and outcome.data_version is None and outcome.counts == {}
    assert [str(w) for w in outcome.validation.warnings] == [
        "demand.csv:1: -: no data rows below the header: nothing to load from this file"
    ]
    assert data_version(tiny_engine) == 1
    assert len(load_history(tiny_engine)) == 1
    assert table_rows(tiny_engine) == TINY_ROWS


def test_a_replacing_load_of_header_only_files_still_empties_the_tables_and_is_recorded(tiny_engine):
    outcome = load_sources(tiny_engine, [Source("regions.csv", b"region_code,region_name\n")], replace=True, loaded_by="t")
    assert outcome.ok and outcome.data_version == 2
    assert table_rows(tiny_engine) == EMPTY


# --- upsert ---------------------------------------------------------------------


def test_a_corrected_enrolments_file_updates_the_changed_row_and_adds_the_new_one(tiny_engine, tmp_path):
    # 2023/I1/P1 exists (graduates 30 -> 31); 2025/I1/P1 is new.
    write_csv(
        tmp_path, "enrolments", ["year,institution_id,program_code,enrolled,graduates", "2023,I1,P1,100,31", "2025,I1,P1,120,40"]
    )
    outcome = load_paths(tiny_engine, [tmp_path / "enrolments.csv"], loaded_by="t")
    assert outcome.ok, outcome.validation.report_lines()
    assert outcome.counts == {"enrolments": {"rows": 2, "added": 1, "updated": 1, "removed": 0}}
    assert outcome.data_version == 2
    assert graduates(tiny_engine, 2023, "I1", "P1") == 31
    assert graduates(tiny_engine, 2025, "I1", "P1") == 40
    assert graduates(tiny_engine, 2024, "I1", "P1") == 35  # not in the file: untouched
    assert table_rows(tiny_engine) == {**TINY_ROWS, "enrolments": 4}
    assert load_history(tiny_engine)[0]["files"] == ["enrolments.csv"]


def test_an_upsert_may_reference_rows_stored_by_an_earlier_load(tiny_engine):
    source = Source(
        "institutions.csv",
        b"institution_id,institution_name,region_code,institution_type\nI3,Remote Academy,R3,academy\n",
    )
    outcome = load_sources(tiny_engine, [source], loaded_by="t")
    assert outcome.counts == {"institutions": {"rows": 1, "added": 1, "updated": 0, "removed": 0}}


def test_an_upsert_of_a_parent_changes_its_name_and_keeps_its_children(tiny_engine):
    outcome = load_sources(
        tiny_engine, [Source("regions.csv", "region_code,region_name\nR1,北部新区\n".encode("gb18030"))], loaded_by="t"
    )
    assert outcome.counts == {"regions": {"rows": 1, "added": 0, "updated": 1, "removed": 0}}
    assert region_name(tiny_engine, "R1") == "北部新区"
    assert table_rows(tiny_engine) == TINY_ROWS


# --- replace --------------------------------------------------------------------


def test_replace_empties_every_table_first(tiny_engine, tmp_path):
    folder = tmp_path / "parents"
    folder.mkdir()
    for name in ("regions.csv", "sectors.csv"):
        shutil.copy(TINY / name, folder / name)
    outcome = load_paths(tiny_engine, [folder], replace=True, loaded_by="t")
    assert outcome.ok, outcome.validation.report_lines()
    assert outcome.counts == {
        "regions": {"rows": 3, "added": 3, "updated": 0, "removed": 3},
        "sectors": {"rows": 2, "added": 2, "updated": 0, "removed": 2},
        "institutions": {"rows": 0, "added": 0, "updated": 0, "removed": 2},
        "programs": {"rows": 0, "added": 0, "updated": 0, "removed": 2},
        "employers": {"rows": 0, "added": 0, "updated": 0, "removed": 2},
        "enrolments": {"rows": 0, "added": 0, "updated": 0, "removed": 3},
        "placements": {"rows": 0, "added": 0, "updated": 0, "removed": 2},
        "outcomes": {"rows": 0, "added": 0, "updated": 0, "removed": 2},
        "demand": {"rows": 0, "added": 0, "updated": 0, "removed": 4},
    }
    assert outcome.summary_lines() == [
        "regions: 3 rows (3 added, 0 updated, 3 removed by --replace)",
        "sectors: 2 rows (2 added, 0 updated, 2 removed by --replace)",
        "institutions: 0 rows (0 added, 0 updated, 2 removed by --replace)",
        "programs: 0 rows (0 added, 0 updated, 2 removed by --replace)",
        "employers: 0 rows (0 added, 0 updated, 2 removed by --replace)",
        "enrolments: 0 rows (0 added, 0 updated, 3 removed by --replace)",
        "placements: 0 rows (0 added, 0 updated, 2 removed by --replace)",
        "outcomes: 0 rows (0 added, 0 updated, 2 removed by --replace)",
        "demand: 0 rows (0 added, 0 updated, 4 removed by --replace)",
    ]
    assert table_rows(tiny_engine) == {**EMPTY, "regions": 3, "sectors": 2}
    assert data_version(tiny_engine) == 2
    assert load_history(tiny_engine)[0]["mode"] == "replace"


def test_replace_with_only_enrolments_fails_on_references_and_changes_nothing(tiny_engine, tmp_path):
    path = shutil.copy(TINY / "enrolments.csv", tmp_path / "enrolments.csv")
    outcome = load_paths(tiny_engine, [path], replace=True, loaded_by="t")
    assert not outcome.ok
    assert outcome.data_version is None and outcome.counts == {}
    assert [(p.line, p.column) for p in outcome.validation.problems] == [
        (2, "institution_id"),
        (3, "institution_id"),
        (4, "institution_id"),
        (2, "program_code"),
        (3, "program_code"),
        (4, "program_code"),
    ]
    assert str(outcome.validation.problems[0]) == (
        f"{path}:2: institution_id: unknown institution_id 'I1': expected one of the institution_id values of institutions.csv "
        "in this load (a replacing load ignores stored rows)"
    )
    assert table_rows(tiny_engine) == TINY_ROWS
    assert data_version(tiny_engine) == 1


def test_replace_with_the_whole_fixture_gives_the_same_rows(tiny_engine):
    outcome = load_paths(tiny_engine, [TINY], replace=True, loaded_by="t")
    assert outcome.counts["enrolments"] == {"rows": 3, "added": 3, "updated": 0, "removed": 3}
    assert table_rows(tiny_engine) == TINY_ROWS
    assert data_version(tiny_engine) == 2


# --- all-or-nothing ---------------------------------------------------------------


def test_one_broken_file_among_nine_loads_nothing(tiny_engine, tmp_path):
    folder = copy_of_tiny(tmp_path / "upload")
    write_csv(folder, "regions", ["region_code,region_name", "R1,Northern", "R4,Island"])
    write_csv(folder, "enrolments", ["year,institution_id,program_code,enrolled,graduates", "2025,I1,P1,120,40"])
    write_csv(
        folder,
        "placements",
        ["year,institution_id,program_code,employer_id,students_placed,hired", "2023,I1,P1,E1,10,4", "2024,I2,P2,E2,5,6"],
    )
    outcome = load_paths(tiny_engine, [folder], loaded_by="t")
    assert not outcome.ok
    assert [str(p) for p in outcome.validation.problems] == [
        f"{folder / 'placements.csv'}:3: hired: hired (6) must not exceed students_placed (5)"
    ]
    assert table_rows(tiny_engine) == TINY_ROWS
    assert data_version(tiny_engine) == 1
    assert region_name(tiny_engine, "R1") == "North"
    assert graduates(tiny_engine, 2025, "I1", "P1") is None


def test_a_parent_file_with_an_unknown_reference_loads_nothing(tiny_engine, tmp_path):
    folder = copy_of_tiny(tmp_path / "upload")
    write_csv(folder, "regions", ["region_code,region_name", "R1,Northern", "R2,South", "R3,Remote"])
    write_csv(
        folder,
        "institutions",
        [
            "institution_id,institution_name,region_code,institution_type",
            "I1,North College,R1,college",
            "I2,South School,R9,school",
        ],
    )
    outcome = load_paths(tiny_engine, [folder], loaded_by="t")
    assert [str(p) for p in outcome.validation.problems] == [
        f"{folder / 'institutions.csv'}:3: region_code: unknown region_code 'R9': expected one of the region_code values of "
        "regions.csv in this load or already stored"
    ]
    assert table_rows(tiny_engine) == TINY_ROWS
    assert data_version(tiny_engine) == 1
    assert region_name(tiny_engine, "R1") == "North"


def test_a_missing_path_loads_nothing(tiny_engine, tmp_path):
    outcome = load_paths(tiny_engine, [TINY / "regions.csv", tmp_path / "nope.csv"], loaded_by="t")
    assert [str(p) for p in outcome.validation.problems] == [f"{tmp_path / 'nope.csv'}:0: -: no such file or folder"]
    assert data_version(tiny_engine) == 1


# --- the embedded default database ----------------------------------------------------


def test_the_default_database_is_created_and_filled_from_sample_data_on_first_use(isolated_home):
    engine = store.get_engine()
    try:
        assert Path(engine.url.database) == isolated_home / "dashboard.sqlite"
        rows = table_rows(engine)
        assert rows["regions"] > 0 and rows["enrolments"] > 0
        [entry] = load_history(engine)
        assert (entry["data_version"], entry["loaded_by"], entry["mode"]) == (1, "sample data", "upsert")
        assert entry["row_counts"]["regions"]["rows"] == rows["regions"]
    finally:
        engine.dispose()


def test_the_default_database_is_not_filled_a_second_time(isolated_home):
    first = store.get_engine()
    rows = table_rows(first)
    first.dispose()
    store._ready_engine.cache_clear()
    second = store.get_engine()
    try:
        assert second is not first
        assert len(load_history(second)) == 1
        assert table_rows(second) == rows
    finally:
        second.dispose()


def test_two_processes_starting_at_once_fill_the_default_database_once(isolated_home, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DASHBOARD_HOME"] = str(isolated_home)
    outs = [tmp_path / "a.zip", tmp_path / "b.zip"]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "data_access", "export", "--out", str(out)],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for out in outs
    ]
    results = [p.communicate(timeout=120) for p in processes]
    for process, (_, stderr) in zip(processes, results):
        assert process.returncode == 0, stderr.decode()
    for out in outs:
        with zipfile.ZipFile(out) as archive:
            assert json.loads(archive.read("manifest.json"))["data_version"] == 1
    engine = store.make_engine(f"sqlite:///{isolated_home / 'dashboard.sqlite'}")
    try:
        history = load_history(engine)
        assert [(h["data_version"], h["loaded_by"]) for h in history] == [(1, "sample data")]
    finally:
        engine.dispose()


@pytest.fixture
def named_engine(db_url):
    """get_engine(db_url), disposed afterwards."""
    engine = store.get_engine(db_url)
    yield engine
    engine.dispose()
    store._ready_engine.cache_clear()


def test_a_database_named_by_url_is_never_filled_with_sample_data(isolated_home, named_engine):
    assert table_rows(named_engine) == EMPTY
    assert data_version(named_engine) == 0
    assert not (isolated_home / "dashboard.sqlite").exists()


def test_a_database_named_by_database_url_is_never_filled_with_sample_data(isolated_home, monkeypatch, db_url):
    monkeypatch.setenv("DATABASE_URL", db_url)
    store.get_settings.cache_clear()
    engine = store.get_engine()
    try:
        assert store.resolve_url() == (db_url, False)
        assert table_rows(engine) == EMPTY
        assert data_version(engine) == 0
        assert not (isolated_home / "dashboard.sqlite").exists()
    finally:
        engine.dispose()
