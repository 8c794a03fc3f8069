"""The command line, run as a real subprocess and through ``data_access.cli.main``:
validate, load (upsert and --replace), export and its snapshot, CSV rules of the
snapshot, bad database URLs, and the round trip of a folder written by someone
else (Chinese names, GB18030, Excel-style numbers, an extra column)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

import data_access
from data_access import store

from .conftest import TINY, TINY_ROWS, data_version, table_rows, write_csv

REPO_ROOT = Path(__file__).resolve().parent.parent
BOM = b"\xef\xbb\xbf"
SUPPLY_DEMAND_HEADER = "year,region_code,region_name,sector_code,sector_name,supply,demand,gap,coverage_ratio,measured"


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    """``python -m data_access ARGS`` from the repository root, with its own DASHBOARD_HOME."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DASHBOARD_HOME"] = str(home)
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "data_access", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


@pytest.fixture
def db(isolated_home, db_url):
    """The URL of the test database for ``--db``; the CLI's cached engine is disposed afterwards."""
    yield db_url
    store.get_engine(db_url).dispose()
    store._ready_engine.cache_clear()


def broken_copy_of_tiny(folder: Path) -> Path:
    """tiny/ with three broken rows: regions line 4, placements line 3, outcomes line 3."""
    shutil.copytree(TINY, folder)
    write_csv(folder, "regions", ["region_code,region_name", "R1,North", "R2,South", "R3,"])
    write_csv(
        folder,
        "placements",
        ["year,institution_id,program_code,employer_id,students_placed,hired", "2023,I1,P1,E1,10,4", "2024,I2,P2,E2,5,6"],
    )
    header = "cohort_year,institution_id,program_code,surveyed,employed,employed_in_field,self_employed,further_study,unemployed,median_monthly_wage"
    write_csv(folder, "outcomes", [header, "2023,I1,P1,28,20,15,1,5,3,5000", "2023,I2,P2,10,6,7,2,2,2,"])
    return folder


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def crlf(*lines: str) -> bytes:
    return BOM + "".join(line + "\r\n" for line in lines).encode("utf-8")


# --- validate -------------------------------------------------------------------------


def test_validate_exits_0_on_the_tiny_fixture(isolated_home, cli, tmp_path):
    # In this process: that the process's exit code is main's is tested with a bad database URL below.
    assert cli("validate", TINY, "--db", f"sqlite:///{tmp_path / 'v.sqlite'}") == (
        0,
        "OK: 9 file(s), 22 rows, no problems.\n",
        "",
    )


def test_validate_exits_1_and_prints_every_problem_line_on_stdout(isolated_home, cli, tmp_path):
    folder = broken_copy_of_tiny(tmp_path / "broken")
    code, out, err = cli("validate", folder, "--db", f"sqlite:///{tmp_path / 'v.sqlite'}")
    assert code == 1
    # The database is empty, so R3 (whose row is broken) is unknown to demand.csv too.
    assert out.splitlines() == [
        f"{folder / 'regions.csv'}:4: region_name: expected a non-empty text, found an empty cell",
        f"{folder / 'placements.csv'}:3: hired: hired (6) must not exceed students_placed (5)",
        f"{folder / 'outcomes.csv'}:3: employed_in_field: employed_in_field (7) must not exceed employed (6)",
        f"{folder / 'demand.csv'}:4: region_code: unknown region_code 'R3': expected one of the region_code values of regions.csv "
        "in this load or already stored",
    ]
    assert err == "4 problem(s) in 9 file(s); nothing would be loaded.\n"


def test_validate_of_a_missing_path_exits_1(db, cli, tmp_path):
    code, out, err = cli("validate", tmp_path / "nope", "--db", db)
    assert code == 1
    assert out == f"{tmp_path / 'nope'}:0: -: no such file or folder\n"
    assert err == "1 problem(s) in 0 file(s); nothing would be loaded.\n"


NOT_READ = (
    "files are not read: open the file in its spreadsheet program and save it as Excel Workbook (.xlsx) or CSV UTF-8 (.csv)"
)


def test_spreadsheets_in_a_format_not_read_beside_the_csv_files_are_named_and_the_rest_loads(db, cli, tmp_path):
    folder = tmp_path / "with_xls"
    shutil.copytree(TINY, folder)
    for name in ("enrolments.xls", "demand.ods", "Book1.xlsb", "notes.txt"):  # the text file is left out silently
        (folder / name).write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    warnings = [
        f"warning: {folder / 'Book1.xlsb'}:0: -: .xlsb {NOT_READ}",
        f"warning: {folder / 'demand.ods'}:0: -: .ods {NOT_READ}",
        f"warning: {folder / 'enrolments.xls'}:0: -: .xls {NOT_READ}",
    ]
    code, out, err = cli("validate", folder, "--db", db)
    assert (code, err, out.splitlines()) == (0, "", [*warnings, "OK: 9 file(s), 22 rows, no problems."])
    code, out, err = cli("load", folder, "--db", db)
    assert (code, err) == (0, "")
    assert out.splitlines()[:3] == warnings and out.splitlines()[-1] == "Loaded. Data version is now 1."


def test_a_spreadsheet_in_a_format_not_read_named_on_its_own_is_a_problem(db, cli, tmp_path):
    path = tmp_path / "enrolments.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    code, out, err = cli("load", path, "--db", db)
    assert (code, out, err) == (1, f"{path}:0: -: .xls {NOT_READ}\n", "1 problem(s); nothing was loaded.\n")


# --- load -------------------------------------------------------------------------------


def test_load_exits_0_and_prints_the_counts_and_the_new_data_version(db, cli):
    code, out, err = cli("load", TINY, "--db", db, "--user", "carol")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "regions: 3 rows (3 added, 0 updated)",
        "sectors: 2 rows (2 added, 0 updated)",
        "institutions: 2 rows (2 added, 0 updated)",
        "programs: 2 rows (2 added, 0 updated)",
        "employers: 2 rows (2 added, 0 updated)",
        "enrolments: 3 rows (3 added, 0 updated)",
        "placements: 2 rows (2 added, 0 updated)",
        "outcomes: 2 rows (2 added, 0 updated)",
        "demand: 4 rows (4 added, 0 updated)",
        "Loaded. Data version is now 1.",
    ]
    code, out, _ = cli("load", TINY / "regions.csv", "--db", db)
    assert (code, out) == (0, "regions: 3 rows (0 added, 3 updated)\nLoaded. Data version is now 2.\n")


def test_load_exits_1_and_leaves_the_database_unchanged(tiny_engine, db, cli, tmp_path):
    folder = broken_copy_of_tiny(tmp_path / "broken")
    code, out, err = cli("load", folder, "--db", db)
    assert code == 1
    # R3 is stored, so demand.csv's reference to it resolves this time.
    assert out.splitlines() == [
        f"{folder / 'regions.csv'}:4: region_name: expected a non-empty text, found an empty cell",
        f"{folder / 'placements.csv'}:3: hired: hired (6) must not exceed students_placed (5)",
        f"{folder / 'outcomes.csv'}:3: employed_in_field: employed_in_field (7) must not exceed employed (6)",
    ]
    assert err == "3 problem(s); nothing was loaded.\n"
    assert table_rows(tiny_engine) == TINY_ROWS
    assert data_version(tiny_engine) == 1


def test_load_replace_empties_every_table_first(tiny_engine, db, cli, tmp_path):
    folder = tmp_path / "parents"
    folder.mkdir()
    for name in ("regions.csv", "sectors.csv"):
        shutil.copy(TINY / name, folder / name)
    code, out, _ = cli("load", folder, "--replace", "--db", db)
    assert code == 0
    assert out.splitlines() == [
        "regions: 3 rows (3 added, 0 updated, 3 removed by --replace)",
        "sectors: 2 rows (2 added, 0 updated, 2 removed by --replace)",
        "institutions: 0 rows (0 added, 0 updated, 2 removed by --replace)",
        "programs: 0 rows (0 added, 0 updated, 2 removed by --replace)",
        "employers: 0 rows (0 added, 0 updated, 2 removed by --replace)",
        "enrolments: 0 rows (0 added, 0 updated, 3 removed by --replace)",
        "placements: 0 rows (0 added, 0 updated, 2 removed by --replace)",
        "outcomes: 0 rows (0 added, 0 updated, 2 removed by --replace)",
        "demand: 0 rows (0 added, 0 updated, 4 removed by --replace)",
        "Loaded. Data version is now 2.",
    ]
    assert table_rows(tiny_engine) == {**{t: 0 for t in TINY_ROWS}, "regions": 3, "sectors": 2}


def test_load_replace_with_only_a_child_table_fails_and_changes_nothing(tiny_engine, db, cli):
    code, out, _ = cli("load", TINY / "demand.csv", "--replace", "--db", db)
    assert code == 1
    assert out.splitlines()[0] == (
        f"{TINY / 'demand.csv'}:2: region_code: unknown region_code 'R1': expected one of the region_code values of regions.csv "
        "in this load (a replacing load ignores stored rows)"
    )
    assert len(out.splitlines()) == 8  # 4 rows x (region_code, sector_code)
    assert table_rows(tiny_engine) == TINY_ROWS


# --- export --------------------------------------------------------------------------------


def test_export_writes_a_zip_with_manifest_and_supply_demand_for_the_filters(tiny_engine, db, cli, tmp_path):
    out_path = tmp_path / "x.zip"
    code, out, err = cli("export", "--out", out_path, "--from", "2023", "--to", "2023", "--region", "R1", "--db", db)
    assert (code, err) == (0, "")
    assert out == f"Wrote {out_path} ({out_path.stat().st_size:,} bytes) for 2023; R1; all sectors.\n"
    files = read_zip(out_path)
    manifest = json.loads(files["manifest.json"])
    assert manifest["filters"] == {"year_from": 2023, "year_to": 2023, "regions": ["R1"], "sectors": []}
    assert manifest["data_version"] == 1
    assert manifest["app_version"] == data_access.__version__
    generated = datetime.fromisoformat(manifest["generated_at"])
    assert generated.tzinfo is not None
    csv_names = {name for name in files if name.endswith(".csv")}
    assert set(manifest["row_counts"]) == csv_names and "supply_demand.csv" in csv_names
    for name in csv_names:
        data_rows = list(csv.reader(io.StringIO(files[name].decode("utf-8-sig"))))[1:]
        assert manifest["row_counts"][name] == len(data_rows), name
    assert files["supply_demand.csv"] == crlf(SUPPLY_DEMAND_HEADER, "2023,R1,North,Q,Health,30,60,-30,0.5,true")


def test_export_without_filters_covers_every_year_region_and_sector(tiny_engine, db, cli, tmp_path):
    code, _, _ = cli("export", "--out", tmp_path / "all.zip", "--db", db)
    assert code == 0
    files = read_zip(tmp_path / "all.zip")
    # The hand-computed table of tests/fixtures/README.md; coverage is empty when demand is 0.
    assert files["supply_demand.csv"] == crlf(
        SUPPLY_DEMAND_HEADER,
        "2023,R1,North,Q,Health,30,60,-30,0.5,true",
        "2023,R2,South,J,ICT,12,10,2,1.2,true",  # 12.0 in the file: a whole float is written without ".0"
        "2023,R3,Remote,Q,Health,,5,,,false",  # Remote has no institution: its supply is unknown, not 0
        "2024,R1,North,Q,Health,35,0,35,,true",
    )
    manifest = json.loads(files["manifest.json"])
    assert manifest["filters"] == {"year_from": None, "year_to": None, "regions": [], "sectors": []}
    assert manifest["row_counts"]["supply_demand.csv"] == 4


def test_export_of_an_empty_database_has_data_version_0_and_a_header_only_csv(db, cli, tmp_path):
    code, _, _ = cli("export", "--out", tmp_path / "e.zip", "--db", db)
    assert code == 0
    files = read_zip(tmp_path / "e.zip")
    assert json.loads(files["manifest.json"])["data_version"] == 0
    assert files["supply_demand.csv"] == crlf(SUPPLY_DEMAND_HEADER)


def test_export_with_from_after_to_is_a_usage_error(db, cli, tmp_path):
    code, out, err = cli("export", "--out", tmp_path / "x.zip", "--from", "2024", "--to", "2023", "--db", db)
    assert (code, out, err) == (2, "", "error: --from 2024 is after --to 2023\n")
    assert not (tmp_path / "x.zip").exists()


def test_text_cells_that_look_like_formulas_are_prefixed_and_numbers_are_not(db, cli, tmp_path):
    folder = tmp_path / "formulas"
    write_csv(folder, "regions", ["region_code,region_name", 'R1,"=HYPERLINK(""x"")"', "R2,-bad", "R3,@x", "R4,+x"])
    write_csv(folder, "sectors", ["sector_code,sector_name", "Q,Health"])
    write_csv(
        folder,
        "institutions",
        ["institution_id,institution_name,region_code,institution_type"] + [f"I{i},School {i},R{i},school" for i in range(1, 5)],
    )
    write_csv(folder, "programs", ["program_code,program_name,sector_code", "P1,Nursing,Q"])
    write_csv(
        folder,
        "enrolments",
        [
            "year,institution_id,program_code,enrolled,graduates",
            "2023,I1,P1,50,30",
            "2023,I2,P1,20,12.0",
            "2023,I3,P1,9,7",
            "2023,I4,P1,8,5",
        ],
    )
    write_csv(folder, "demand", ["year,region_code,sector_code,openings", "2023,R1,Q,60", "2023,R2,Q,10", "2023,R3,Q,0"])
    code, out, _ = cli("load", folder, "--db", db)
    assert code == 0, out
    code, _, _ = cli("export", "--out", tmp_path / "f.zip", "--db", db)
    assert code == 0
    data = read_zip(tmp_path / "f.zip")["supply_demand.csv"]
    assert data.startswith(BOM)
    assert data == crlf(
        SUPPLY_DEMAND_HEADER,
        '2023,R1,"\'=HYPERLINK(""x"")",Q,Health,30,60,-30,0.5,true',
        "2023,R2,'-bad,Q,Health,12,10,2,1.2,true",
        "2023,R3,'@x,Q,Health,7,0,7,,true",
        "2023,R4,'+x,Q,Health,5,,,,false",  # R4 has no demand row in 2023: its openings are unknown
    )


# --- bad database URLs -------------------------------------------------------------------------


def test_a_bad_db_url_gives_exit_1_and_a_one_line_error_without_traceback(tmp_path):
    result = run_cli("validate", str(TINY), "--db", "nonsense://", home=tmp_path / "home")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: ")
    assert "nonsense" in result.stderr
    assert not (tmp_path / "home" / "dashboard.sqlite").exists()


def test_a_db_value_that_is_not_a_url_gives_a_one_line_error(isolated_home, cli):
    code, out, err = cli("export", "--out", isolated_home / "x.zip", "--db", "not-a-url")
    assert (code, out) == (1, "")
    assert err.startswith("error: not a database URL (expected sqlite:///PATH or postgresql://")
    assert "not-a-url" not in err  # a URL is never echoed: it may hold a password
    assert len(err.splitlines()) == 1


def test_a_sqlite_path_under_a_file_gives_a_one_line_error(isolated_home, cli, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, out, err = cli("validate", TINY, "--db", f"sqlite:///{blocker / 'db.sqlite'}")
    assert (code, out) == (1, "")
    assert err.startswith("error: ") and len(err.splitlines()) == 1


# --- the round trip of a folder written by someone else ------------------------------------------

REGIONS = [("R01", "北部新区"), ("R02", "南湖区"), ("R03", "西山县")]  # R03 has no institution
SECTORS = [("C", "制造业"), ("I", "信息传输、软件和信息技术服务业"), ("Q", "卫生和社会工作")]
INSTITUTIONS = [
    ("I01", "北部职业技术学院", "R01", "高职"),
    ("I02", "北部卫生学校", "R01", "中职"),
    ("I03", "南湖技师学院", "R02", "技工院校"),
    ("I04", "南湖信息工程学校", "R02", "中职"),
]
PROGRAMS = [
    ("P01", "护理", "Q", "中职"),
    ("P02", "数控技术", "C", "高职"),
    ("P03", "软件技术", "I", ""),
    ("P04", "康复治疗技术", "Q", "高职"),
    ("P05", "工业机器人技术", "C", ""),
]
OFFERED = {"I01": ["P02", "P03", "P05"], "I02": ["P01", "P04"], "I03": ["P02", "P05"], "I04": ["P03", "P01"]}
YEARS = [2022, 2023, 2024]


def write_foreign_folder(folder: Path) -> None:
    """Files as a Chinese-locale Excel user would send them."""

    def save(table: str, lines: list[str], encoding: str) -> None:
        write_csv(folder, table, "\r\n".join(lines) + "\r\n", encoding=encoding)

    save("regions", ["region_code,region_name"] + [f"{c},{n}" for c, n in REGIONS], "gb18030")
    save("sectors", ["sector_code,sector_name"] + [f"{c},{n}" for c, n in SECTORS], "utf-8-sig")
    save(
        "institutions",
        ["institution_id,institution_name,region_code,institution_type,备注"]
        + [f"{i},{n},{r},{t},{'民办' if i == 'I04' else ''}" for i, n, r, t in INSTITUTIONS],
        "gb18030",
    )
    save("programs", ["program_code,program_name,sector_code,level"] + [",".join(p) for p in PROGRAMS], "utf-8-sig")
    enrolments = ["year,institution_id,program_code,enrolled,graduates,备注"]
    n = 0
    for y, year in enumerate(YEARS):
        for i, (institution, programs) in enumerate(OFFERED.items()):
            for p, program in enumerate(programs):
                if (year, institution, program) == (2022, "I04", "P01"):
                    continue  # a program that started later
                n += 1
                graduates = (13 * y + 7 * i + 5 * p + n) % 37 + 3
                excel = n % 3 == 0  # every third row written as Excel writes floats
                enrolled = graduates + 10 + n
                enrolments.append(
                    f"{year},{institution},{program},{enrolled}{'.0' if excel else ''},{graduates}{'.0' if excel else ''},"
                    + ("含春季招生" if excel else "")
                )
    save("enrolments", enrolments, "gb18030")
    demand = ["year,region_code,sector_code,openings,employment,来源"]
    for y, year in enumerate(YEARS):
        for r, (region, _) in enumerate(REGIONS):
            for s, (sector, _) in enumerate(SECTORS):
                if (year, region, sector) == (2024, "R02", "I"):
                    continue  # supply without a demand row
                openings = 0 if (year == 2023 and sector == "Q") else (11 * y + 17 * r + 23 * s) % 61 + 4
                employment = "" if s == 1 else f"{openings * 20}.0"
                demand.append(f"{year},{region},{sector},{openings},{employment},人社局")
    save("demand", demand, "gb18030")


def independent_supply_demand(folder: Path) -> pd.DataFrame:
    """The contract's supply_demand table computed with plain pandas from the input files."""

    def read(table: str, encoding: str) -> pd.DataFrame:
        return pd.read_csv(folder / f"{table}.csv", encoding=encoding, dtype=str, keep_default_na=False)

    regions = read("regions", "gb18030")
    sectors = read("sectors", "utf-8-sig")
    institutions = read("institutions", "gb18030")[["institution_id", "region_code"]]
    programs = read("programs", "utf-8-sig")[["program_code", "sector_code"]]
    enrolments = read("enrolments", "gb18030")
    demand = read("demand", "gb18030")
    enrolments["year"] = enrolments["year"].astype(int)
    enrolments["graduates"] = enrolments["graduates"].astype(float)
    demand["year"] = demand["year"].astype(int)
    demand["openings"] = demand["openings"].astype(float)
    keys = ["year", "region_code", "sector_code"]
    supply = (
        enrolments.merge(institutions, on="institution_id")
        .merge(programs, on="program_code")
        .groupby(keys, as_index=False)["graduates"]
        .sum()
        .rename(columns={"graduates": "supply"})
    )
    wanted = demand.groupby(keys, as_index=False)["openings"].sum().rename(columns={"openings": "demand"})
    both = supply.merge(wanted, on=keys, how="outer")
    # contract version 3: a side is 0 where its table reports the year and region, unknown where it does not
    reporting_supply = set(zip(enrolments["year"], enrolments.merge(institutions, on="institution_id")["region_code"]))
    reporting_demand = set(zip(demand["year"], demand["region_code"]))
    pairs = list(zip(both["year"], both["region_code"]))
    both["supply"] = both["supply"].where(both["supply"].notna() | ~pd.Series([p in reporting_supply for p in pairs]), 0.0)
    both["demand"] = both["demand"].where(both["demand"].notna() | ~pd.Series([p in reporting_demand for p in pairs]), 0.0)
    both = both.merge(regions, on="region_code").merge(sectors, on="sector_code")
    both["gap"] = both["supply"] - both["demand"]
    both["coverage_ratio"] = [s / d if d != 0 else math.nan for s, d in zip(both["supply"], both["demand"])]
    both["measured"] = both["supply"].notna() & both["demand"].notna()
    return both


def sorted_records(frame: pd.DataFrame) -> list[dict]:
    columns = SUPPLY_DEMAND_HEADER.split(",")
    return frame[columns].sort_values(["year", "region_code", "sector_code"]).to_dict("records")


def test_a_folder_written_by_someone_else_round_trips_to_the_independently_computed_table(tmp_path):
    folder = tmp_path / "来自区县"
    write_foreign_folder(folder)
    db_url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    home = tmp_path / "home"

    loaded = run_cli("load", str(folder), "--db", db_url, home=home)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert f"warning: {folder / 'institutions.csv'}:1: -: ignored column(s) not in the contract: 备注" in loaded.stdout
    assert f"warning: {folder / 'enrolments.csv'}:1: -: ignored column(s) not in the contract: 备注" in loaded.stdout
    assert f"warning: {folder / 'demand.csv'}:1: -: ignored column(s) not in the contract: 来源" in loaded.stdout
    assert loaded.stdout.endswith("Loaded. Data version is now 1.\n")

    out = tmp_path / "snapshot.zip"
    exported = run_cli("export", "--out", str(out), "--db", db_url, home=home)
    assert exported.returncode == 0, exported.stderr
    assert not home.exists() or not (home / "dashboard.sqlite").exists()

    with zipfile.ZipFile(out) as archive:
        raw = archive.read("supply_demand.csv")
    assert raw.startswith(BOM)
    actual = pd.read_csv(
        io.BytesIO(raw),
        encoding="utf-8-sig",
        dtype={"region_code": str, "region_name": str, "sector_code": str, "sector_name": str},
        keep_default_na=False,
        na_values={column: [""] for column in ("supply", "demand", "gap", "coverage_ratio")},
    )
    expected = independent_supply_demand(folder)

    # The data has what the round trip must exercise.
    assert set(expected["region_code"]) == {"R01", "R02", "R03"}
    assert set(expected["sector_code"]) == {"C", "I", "Q"}
    assert (expected["supply"] == 0).any() and (expected["demand"] == 0).any()
    assert ((expected["supply"] > 0) & (expected["demand"] == 0)).any()

    got, want = sorted_records(actual), sorted_records(expected)
    assert len(got) == len(want) == 27
    for g, w in zip(got, want):
        label = (w["year"], w["region_code"], w["sector_code"])
        for name in ("year", "region_code", "region_name", "sector_code", "sector_name", "measured"):
            assert g[name] == w[name], (label, name, g[name], w[name])
        for name in ("supply", "demand", "gap"):
            assert g[name] == w[name] or (math.isnan(g[name]) and math.isnan(w[name])), (label, name, g[name], w[name])
        if math.isnan(w["coverage_ratio"]):
            assert math.isnan(g["coverage_ratio"]), label
        else:
            assert abs(g["coverage_ratio"] - w["coverage_ratio"]) <= 1e-12, label


# --- hostile and odd input ------------------------------------------------------------------------


def test_a_count_too_large_for_any_database_is_a_problem_line_on_every_database(tiny_engine, db, cli, tmp_path):
    folder = tmp_path / "big"
    path = write_csv(
        folder,
        "enrolments",
        ["year,institution_id,program_code,enrolled,graduates", "2024,I1,P1,99999999999999999999,3", "2024,I2,P2,3000000000,3"],
    )
    code, out, err = cli("load", folder, "--db", db)
    assert (code, err) == (1, "2 problem(s); nothing was loaded.\n")
    assert out.splitlines() == [
        f"{path}:2: enrolled: expected a whole number of 0 or more, at most 2,147,483,647, found '99999999999999999999'",
        f"{path}:3: enrolled: expected a whole number of 0 or more, at most 2,147,483,647, found '3000000000'",
    ]
    assert data_version(tiny_engine) == 1


def test_loading_header_only_files_says_nothing_was_loaded_and_keeps_the_data_version(tiny_engine, db, cli, tmp_path):
    folder = tmp_path / "headers"
    path = write_csv(folder, "regions", ["region_code,region_name"])
    code, out, err = cli("load", folder, "--db", db)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"warning: {path}:1: -: no data rows below the header: nothing to load from this file",
        "Nothing to load: the files hold no data rows; nothing was written and the data version stays 1.",
    ]
    assert data_version(tiny_engine) == 1
    code, out, _ = cli("history", "--db", db)
    assert len(out.splitlines()) == 1


def test_history_counts_an_undo_as_the_rows_it_removed_and_restored(tiny_engine, db, cli, tmp_path):
    folder = tmp_path / "correction"
    write_csv(
        folder, "enrolments", ["year,institution_id,program_code,enrolled,graduates", "2024,I1,P1,110,41", "2025,I1,P1,120,44"]
    )  # one row updated, one added
    assert cli("load", folder, "--db", db)[0] == 0
    assert cli("undo", "--db", db)[0] == 0  # restores the updated row, removes the added one
    code, out, _ = cli("history", "--db", db)
    undo_line, load_line, first_line = out.splitlines()
    assert "undoes 2" in undo_line and "        2 rows" in undo_line
    assert "undone by 3" in load_line and "        2 rows" in load_line
    assert "       22 rows" in first_line


@contextlib.contextmanager
def read_only(folder: Path):
    """``folder`` and its files made read-only for this process, even for root (which ignores permission bits)."""
    paths = [str(folder), *(str(p) for p in folder.iterdir())]
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: a folder cannot be made read-only for this process")
        made = subprocess.run(["chattr", "+i", *paths], capture_output=True)
        if made.returncode:
            pytest.skip(f"chattr +i is not possible here: {made.stderr.decode().strip()}")
        restore = lambda: subprocess.run(["chattr", "-i", *paths], check=True)  # noqa: E731
    else:
        for path in paths[1:]:
            os.chmod(path, 0o444)
        os.chmod(folder, 0o555)
        restore = lambda: [os.chmod(p, 0o755) for p in paths]  # noqa: E731
    try:
        yield
    finally:
        restore()


def test_a_read_only_sqlite_database_can_be_read_and_a_change_says_why_not(isolated_home, cli, tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    url = f"sqlite:///{folder / 'data.sqlite'}"
    assert run_cli("load", str(TINY), "--db", url, home=isolated_home).returncode == 0
    assert sorted(p.name for p in folder.iterdir()) == ["data.sqlite"]  # the process left no -wal or -shm behind
    with read_only(folder):
        # The commands in this process (the main of `python -m data_access`), which first opens the file now.
        code, out, err = cli("history", "--db", url)
        assert (code, err) == (0, "")
        assert "upsert" in out and "22 rows" in out
        assert cli("export", "--out", tmp_path / "out.zip", "--db", url)[::2] == (0, "")
        assert "supply_demand.csv" in read_zip(tmp_path / "out.zip")
        assert cli("validate", TINY, "--db", url)[0] == 0
        for command in (["load", str(TINY)], ["undo"]):
            code, _, err = cli(*command, "--db", url)
            assert code == 1
            assert err.splitlines() == [
                f"error: the database {folder / 'data.sqlite'} is read-only (the file or its folder cannot be "
                "written): nothing was changed"
            ], command
        assert sorted(p.name for p in folder.iterdir()) == ["data.sqlite"]
