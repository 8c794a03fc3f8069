"""Nothing is lost: every load can be undone exactly; loads never interleave; readers
never see half a load. Run on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data_access import store
from data_access.contract import LOAD_ORDER
from data_access.filters import Filters
from data_access.loading import _upsert, change_transaction, load_history, load_paths, undo_load, undoable_versions
from data_access.models import CONTRACT_MODELS, Region
from data_access.snapshot import build_snapshot

from .conftest import TINY, data_version, write_csv

REPO_ROOT = Path(__file__).resolve().parent.parent


def dump(engine) -> dict[str, list[tuple]]:
    """Every row of every contract table, sorted: two equal dumps mean two equal states."""
    with engine.connect() as connection:
        return {t: sorted(tuple(r) for r in connection.execute(select(CONTRACT_MODELS[t]))) for t in LOAD_ORDER}


def correction(folder: Path) -> Path:
    """A second load: renames region R1, changes one enrolment row and adds a year of demand."""
    write_csv(folder, "regions", ["region_code,region_name", "R1,North (renamed)", "R4,New"])
    write_csv(
        folder, "enrolments", ["year,institution_id,program_code,enrolled,graduates", "2023,I1,P1,101,31", "2025,I2,P2,60,20"]
    )
    write_csv(folder, "demand", ["year,region_code,sector_code,openings", "2025,R4,J,7"])
    return folder


def test_a_load_a_second_load_and_undoing_both_gives_exactly_the_old_numbers_back(engine, tmp_path):
    empty = dump(engine)
    assert load_paths(engine, [TINY], loaded_by="t").ok
    after_first = dump(engine)
    assert load_paths(engine, [correction(tmp_path / "fix")], loaded_by="t").ok
    assert dump(engine) != after_first

    second = undo_load(engine, undone_by="t")
    assert (second.ok, second.undone, second.data_version) == (True, 2, 3)
    assert dump(engine) == after_first
    assert second.counts["regions"] == {"removed": 1, "restored": 1}  # R4 removed, R1's old name restored

    first = undo_load(engine, undone_by="t")
    assert (first.undone, first.data_version) == (1, 4)
    assert dump(engine) == empty
    assert undo_load(engine).problem == "there is no load to undo"
    history = load_history(engine)
    assert [(h["data_version"], h["mode"], h["undoes"], h["undone_by"]) for h in history] == [
        (4, "undo", 1, None),
        (3, "undo", 2, None),
        (2, "upsert", None, 3),
        (1, "upsert", None, 4),
    ]


def test_a_replacing_load_can_be_undone_too(tiny_engine, tmp_path):
    before = dump(tiny_engine)
    folder = tmp_path / "only_regions"
    write_csv(folder, "regions", ["region_code,region_name", "X1,Only region"])
    write_csv(folder, "sectors", ["sector_code,sector_name", "Q,Health"])
    assert load_paths(tiny_engine, [folder], replace=True).ok
    assert dump(tiny_engine)["enrolments"] == []
    outcome = undo_load(tiny_engine)
    assert outcome.ok and outcome.undone == 2
    assert dump(tiny_engine) == before


def test_only_the_latest_load_can_be_undone_and_a_refused_undo_changes_nothing(tiny_engine, tmp_path):
    assert load_paths(tiny_engine, [correction(tmp_path / "fix")]).ok
    state, version = dump(tiny_engine), data_version(tiny_engine)
    refused = undo_load(tiny_engine, 1)
    assert refused.problem == "version 1 cannot be undone now: undo the later loads first (2)"
    assert undo_load(tiny_engine, 99).problem == "version 99 is not a load that can be undone"
    assert (dump(tiny_engine), data_version(tiny_engine)) == (state, version)
    assert undoable_versions(tiny_engine) == [2, 1]


def cli_process(*args, db: str, wait: float = 30, home: Path) -> subprocess.Popen:
    env = {**os.environ, "LOAD_LOCK_WAIT": str(wait), "DASHBOARD_HOME": str(home), "DATABASE_URL": ""}
    return subprocess.Popen(
        [sys.executable, "-m", "data_access", *map(str, args), "--db", db],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_second_load_gives_up_with_a_clear_message_while_another_holds_the_lock(tiny_engine, db_url, tmp_path):
    state = dump(tiny_engine)
    with change_transaction(tiny_engine, "a long load"):
        waiting = cli_process("load", correction(tmp_path / "fix"), db=db_url, wait=1, home=tmp_path)
        out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 1
    assert "another load is running; nothing was written" in out
    assert "Traceback" not in out + err
    assert dump(tiny_engine) == state and data_version(tiny_engine) == 1


def test_a_second_load_waits_for_the_first_and_then_loads(tiny_engine, db_url, tmp_path):
    with change_transaction(tiny_engine, "a long load"):
        waiting = cli_process("load", correction(tmp_path / "fix"), db=db_url, wait=60, home=tmp_path)
        time.sleep(1.5)
        assert waiting.poll() is None  # still waiting for the lock
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert "Data version is now 2." in out


def test_two_loads_started_together_both_land_one_after_the_other(tiny_engine, db_url, tmp_path):
    first = correction(tmp_path / "first")
    second = tmp_path / "second"
    write_csv(second, "demand", ["year,region_code,sector_code,openings", "2026,R2,J,11"])
    processes = [cli_process("load", first, db=db_url, home=tmp_path), cli_process("load", second, db=db_url, home=tmp_path)]
    results = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], results
    versions = sorted(h["data_version"] for h in load_history(tiny_engine))
    assert versions == [1, 2, 3]
    with tiny_engine.connect() as connection:
        assert connection.execute(select(Region.region_name).where(Region.region_code == "R1")).scalar_one() == "North (renamed)"


def test_a_reader_sees_the_data_before_an_unfinished_load_and_after_it_never_half(tiny_engine, db_url, tmp_path):
    def region_name_in(archive: zipfile.ZipFile) -> tuple[int, str]:
        manifest = json.loads(archive.read("manifest.json"))
        names = {line.split(",")[2] for line in archive.read("supply_demand.csv").decode("utf-8-sig").splitlines()[1:]}
        return manifest["data_version"], names.pop()

    def exported_region_name(name: str) -> tuple[int, str]:
        out = tmp_path / name
        reader = cli_process("export", "--out", out, "--region", "R1", db=db_url, home=tmp_path)
        assert reader.wait(timeout=60) == 0, reader.stderr.read()
        return region_name_in(zipfile.ZipFile(out))

    with change_transaction(tiny_engine, "half a load") as connection:
        _upsert(connection, "regions", [{"region_code": "R1", "region_name": "Half loaded"}])
        connection.execute(update(Region).where(Region.region_code == "R2").values(region_name="Also half"))
        during = exported_region_name("during.zip")  # in another process, while the change is open
    assert during == (1, "North")
    with Session(tiny_engine) as session:  # once the change is committed, any export shows it (here in this process)
        after = region_name_in(zipfile.ZipFile(io.BytesIO(build_snapshot(session, filters=Filters(regions=("R1",))))))
    assert after == (1, "Half loaded")  # written outside load_sources, so no new version: the rows changed together


@pytest.mark.parametrize("mode", ["upsert", "replace"])
def test_undo_from_the_command_line(tiny_engine, db_url, isolated_home, cli, mode):
    """The command's ``main`` in this process: that a command runs as a process of its own, and waits for
    or gives up on the lock, is what the tests above prove."""
    before = dump(tiny_engine)
    extra = ["--replace"] if mode == "replace" else []
    try:
        code, _, err = cli("load", TINY, *extra, "--db", db_url)
        assert code == 0, err
        code, out, err = cli("undo", "--version", 2, "--db", db_url)
    finally:
        store.get_engine(db_url).dispose()
        store._ready_engine.cache_clear()
    assert code == 0, err
    assert out.splitlines()[-1] == "Undid version 2. Data version is now 3."
    assert dump(tiny_engine) == before
