"""The Excel snapshot: the zip's manifest and CSVs as one workbook, headed in the language, numbers
rounded as the screen shows them, hidden counts and hostile names as text, never a formula."""

from __future__ import annotations

import io
import json
import math
import shutil
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from data_access import store
from data_access.filters import Filters
from data_access.i18n import column_labels
from data_access.loading import load_paths
from data_access.planning import PlanningSettings, ScenarioChange
from data_access.snapshot import build_snapshot, snapshot_contents
from data_access.workbook_export import (
    CELL_TEXT_LIMIT,
    DECIMALS,
    PERCENT,
    RATIO,
    WHOLE,
    WIDTH_LIMIT,
    YEAR,
    build_workbook,
    number_format,
    sheet_names,
    sheet_titles,
    workbook_bytes,
)

from .conftest import FIXTURES, TINY, write_csv
from .test_snapshot import read_snapshot

AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def rows(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def cells(sheet, column: str, language: str = "en") -> list:
    """The cells of the column headed ``column``'s heading in ``language``, below the heading row."""
    headings = [cell.value for cell in sheet[1]]
    index = headings.index(column_labels(language, [column])[column])
    return [row[index] for row in sheet.iter_rows(min_row=2)]


def expected_cell(text: str, column: str):
    """What the workbook holds for a CSV cell: its number rounded as on screen, text as text, blank as None."""
    if text == "":
        return None
    fmt = number_format(column)
    if fmt is None:  # yes-or-no: TRUE, or true in a protected file
        return {"TRUE": True, "FALSE": False}.get(text.upper(), text)
    try:
        number = float(text)
    except ValueError:
        return text  # a hidden count: "<5"
    rounded = float(np.round(number, DECIMALS[fmt]))  # as pandas rounds the screen's tables
    return int(rounded) if DECIMALS[fmt] == 0 else rounded


def assert_workbook_equals_zip(workbook, archive: bytes, language: str = "en") -> None:
    manifest, frames = read_snapshot(archive)
    titles = dict(zip(["manifest", *frames], sheet_titles(["manifest", *frames], language)))
    assert workbook.sheetnames == list(titles.values())
    for name, frame in frames.items():
        sheet = workbook[titles[name]]
        labels = column_labels(language, frame.columns)
        assert [cell.value for cell in sheet[1]] == [labels[c] for c in frame.columns], name
        assert sheet.max_row - 1 == len(frame) == manifest["row_counts"][name], name
        for values, (_, row) in zip(sheet.iter_rows(min_row=2, values_only=True), frame.iterrows()):
            expected = [expected_cell(text, column) for column, text in row.items()]
            assert list(values) == expected, (name, list(values), expected)


@pytest.fixture(scope="module")
def tiny_exports(tiny_reader) -> Callable[[str], tuple[bytes, bytes]]:
    """The zip and the workbook of the tiny fixture without filters in a language, each built once per module and
    backend: its tests only read them."""
    built: dict[str, tuple[bytes, bytes]] = {}

    def exports(language: str) -> tuple[bytes, bytes]:
        if language not in built:
            with Session(tiny_reader) as session:
                built[language] = (
                    build_snapshot(session, filters=Filters(), generated_at=AT, language=language),
                    build_workbook(session, filters=Filters(), generated_at=AT, language=language),
                )
        return built[language]

    return exports


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_one_sheet_per_csv_of_the_zip_with_its_values_rounded_and_headed_in_the_language(tiny_exports, language):
    archive, workbook_data = tiny_exports(language)
    workbook = read_workbook(workbook_data)
    assert_workbook_equals_zip(workbook, archive, language)
    manifest = workbook["manifest" if language == "en" else "说明"]
    assert [cell.value for cell in manifest[1]] == (["Item", "Value"] if language == "en" else ["项目", "值"])
    if language == "zh-CN":
        assert [cell.value for cell in workbook["供需对比"][1]][-2:] == ["供需比", "已测算"]
        # every sheet is named in Chinese: the Chinese workbook had the files' English names as its tabs
        assert workbook.sheetnames[:3] == ["说明", "供需对比", "各地区供需比"]
        assert not [name for name in workbook.sheetnames if name.isascii()]
    items = dict(rows(manifest)[1:])
    assert items["precision.csv"].startswith("full precision")  # the CSV keeps what the workbook rounds, and says so
    assert items["precision.workbook"].startswith("rounded as the screen shows them")


@pytest.fixture(scope="module")
def tiny_workbook_bytes(tiny_exports) -> bytes:
    """The English workbook of the tiny fixture without filters."""
    return tiny_exports("en")[1]


def test_every_sheet_has_a_bold_frozen_heading_row_with_a_filter_and_fitting_widths(tiny_workbook_bytes):
    workbook = read_workbook(tiny_workbook_bytes)
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}", sheet.title
        assert all(cell.font.b for cell in sheet[1]), sheet.title
        for cell in sheet[1]:
            width = sheet.column_dimensions[cell.column_letter].width
            assert min(len(cell.value) + 2, WIDTH_LIMIT) <= width <= WIDTH_LIMIT, (sheet.title, cell.value)


def test_numbers_hold_what_the_screen_shows_with_their_formats(tiny_workbook_bytes):
    """Hand-computed from tests/fixtures/README.md."""
    workbook = read_workbook(tiny_workbook_bytes)
    supply_demand = workbook["supply_demand"]
    coverage = cells(supply_demand, "coverage_ratio")
    assert [c.value for c in coverage] == [0.5, 1.2, None, None]  # Remote: supply unknown; demand 0 in 2024: no ratio
    assert {c.number_format for c in coverage if c.value is not None} == {RATIO}
    assert [c.value for c in cells(supply_demand, "supply")] == [30, 12, None, 35]  # 12.0 in the data: a whole number
    assert {c.number_format for c in cells(supply_demand, "gap") if c.value is not None} == {WHOLE}
    assert {c.number_format for c in cells(supply_demand, "year") if c.value is not None} == {YEAR}
    overview = workbook["overview"]
    assert cells(overview, "coverage_ratio")[0].value == 0.6  # 42 / 70 over the measured cells
    destination = cells(overview, "employment_rate")[0]
    assert (destination.value, destination.number_format) == (0.868, PERCENT)  # (26 + 7) / 38 = 86.8 %
    assert cells(overview, "in_field_rate")[0].value == 0.692  # 18 / 26 = 69.2 %
    assert [c.value for c in cells(workbook["coverage_by_region"], "coverage_ratio")] == [1.08, 1.2, None]  # 65 / 60
    assert [c.value for c in cells(workbook["outcomes"], "job_rate")] == [0.714, 0.6]  # 20 / 28, 6 / 10
    assert cells(workbook["outcomes"], "self_employment_rate")[0].value == 0.036  # 1 / 28 = 3.6 %
    effective = workbook["effective_supply"]
    # 65 x 0.75 = 48.75; Remote's cells have no known supply (no institution): empty, not 0
    assert [c.value for c in cells(effective, "effective_supply")] == [49, 6, None, None]
    assert cells(effective, "effective_coverage")[0].value == 0.81  # 48.75 / 60
    growth = cells(workbook["programs"], "enrolled_growth")[0]
    assert (growth.value, growth.number_format) == (0.1, PERCENT)  # 100 to 110
    few_years = cells(workbook["projections"], "few_years")[0]
    assert (few_years.value, few_years.data_type) == (True, "b")
    assert cells(workbook["supply_demand"], "region_name")[0].data_type == "s"


def test_hidden_small_counts_stay_text_and_everything_equals_the_protected_zip(tiny_reader):
    with Session(tiny_reader) as session:
        archive = build_snapshot(session, filters=Filters(), hide_below=5, generated_at=AT)
        workbook = read_workbook(build_workbook(session, filters=Filters(), hide_below=5, generated_at=AT))
    assert_workbook_equals_zip(workbook, archive)
    hired = cells(workbook["placements"], "hired")
    assert [(c.value, c.data_type) for c in hired] == [("<5", "s"), (5, "n")]
    assert [c.value for c in cells(workbook["placements"], "placement_hire_rate")] == [None, None]
    assert [c.value for c in cells(workbook["outcomes"], "self_employed")] == ["<5", "<5"]
    assert [c.value for c in cells(workbook["outcomes"], "surveyed")] == [30, 10]  # 28 rounded to a multiple of 5
    manifest = dict(rows(workbook["manifest"])[1:])
    assert manifest["small_number_protection.threshold"] == 5


def test_the_manifest_sheet_flattens_the_manifest_of_the_zip(tiny_reader):
    plan = PlanningSettings(scenario=(ScenarioChange("P1", None, 2025, 0.1),))
    with Session(tiny_reader) as session:
        manifest, _ = read_snapshot(build_snapshot(session, filters=Filters(2023, 2024, regions=("R1",)), generated_at=AT))
        workbook = read_workbook(
            build_workbook(session, filters=Filters(2023, 2024, regions=("R1",)), generated_at=AT, plan=plan)
        )
    items = dict(rows(workbook["manifest"])[1:])
    assert items["generated_at"] == manifest["generated_at"] == "2025-03-01T12:00:00+00:00"
    assert items["filters.year_from"] == 2023 and items["filters.year_to"] == 2024
    assert json.loads(items["filters.regions"]) == ["R1"]
    assert items["data_version"] == manifest["data_version"]
    assert items["row_counts.supply_demand.csv"] == manifest["row_counts"]["supply_demand.csv"]
    assert items["column_labels.coverage_ratio"] == "Coverage ratio"
    assert items["small_number_protection"] is None
    assert json.loads(items["planning.scenario"]) == [
        {"program_code": "P1", "region_code": None, "from_year": 2025, "change": 0.1}
    ]
    scenario = workbook["scenario"]
    assert [c.value for c in cells(scenario, "change")] == [0.1]
    assert {c.number_format for c in cells(scenario, "change") if c.value is not None} == {PERCENT}


@pytest.fixture
def formula_names(engine, tmp_path):
    """The hostile fixture with the names of its regions made of what a spreadsheet would run or misread:
    a formula (the hostile institution's name), a minus sign and an error word."""
    folder = tmp_path / "formulas"
    shutil.copytree(FIXTURES / "hostile", folder)
    formula = next(
        line for line in (folder / "institutions.csv").read_text(encoding="utf-8").splitlines() if "=HYPERLINK" in line
    )
    name = formula.split(",", 1)[1].rsplit(",", 2)[0]  # '"=HYPERLINK(""http://evil.example"")"', quoted as in the file
    write_csv(folder, "regions", ["region_code,region_name", f"R1,{name}", "R2,-1+1", "R3,#N/A"])
    assert load_paths(engine, [folder]).ok
    return engine


def test_a_name_that_is_a_formula_is_text_in_the_workbook(formula_names):
    with Session(formula_names) as session:
        archive = build_snapshot(session, filters=Filters(), generated_at=AT)
        data = build_workbook(session, filters=Filters(), generated_at=AT)
    names = cells(read_workbook(data)["supply_demand"], "region_name")
    assert [(c.value, c.data_type, c.quotePrefix) for c in names] == [
        ('=HYPERLINK("http://evil.example")', "s", True),  # as written, in a text cell with Excel's quote prefix
        ("-1+1", "s", True),
        ("#N/A", "s", False),  # text, not Excel's error value
        ('=HYPERLINK("http://evil.example")', "s", True),
    ]
    _, frames = read_snapshot(archive)  # the CSV prefixes with ' what a spreadsheet would run; the workbook needs not
    assert list(frames["supply_demand.csv"]["region_name"]) == [("'" if c.quotePrefix else "") + c.value for c in names]
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        sheets = [name for name in package.namelist() if name.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in package.read(name) or b"<f " in package.read(name) for name in sheets)


def test_text_is_made_safe_and_a_long_manifest_list_is_split_into_items():
    hostile = ["=1+1", "+1", "-x", "@SUM(A1)", "\tx", "\rx", "bell\x07", "#DIV/0!", "plain"]
    frame = pd.DataFrame({"region_name": hostile, "supply": [1, -2, 3, 4, 5, 6, 7, 8, 9]})
    long_list = [{"n": i, "text": "x" * 100} for i in range(400)]  # over 32,767 characters as JSON
    data = workbook_bytes({"a": {"b": 1, "c": [], "d": {}}, "long": long_list, "flag": True}, {"names.csv": frame})
    workbook = read_workbook(data)
    names = [row[0] for row in workbook["names"].iter_rows(min_row=2)]
    # Exactly as written; a carriage return reads back as a line feed (XML normalises line ends in cell text).
    assert [c.value for c in names] == ["=1+1", "+1", "-x", "@SUM(A1)", "\tx", "\nx", "bell", "#DIV/0!", "plain"]
    assert {c.data_type for c in names} == {"s"}
    assert [c.quotePrefix for c in names] == [True] * 6 + [False] * 3  # what begins like a formula stays text when edited
    assert [row[1] for row in workbook["names"].iter_rows(min_row=2, values_only=True)][:2] == [1, -2]  # numbers stay numbers
    items = dict(rows(workbook["manifest"])[1:])
    assert (items["a.b"], items["a.c"], items["a.d"], items["flag"]) == (1, "[]", "{}", True)
    assert "long" not in items and json.loads(items["long[399]"]) == {"n": 399, "text": "x" * 100}
    assert all(len(str(value)) <= CELL_TEXT_LIMIT for value in items.values())


def test_codes_and_names_that_begin_like_formulas_come_back_exactly_as_text_and_no_cell_is_a_formula(tiny_engine, tmp_path):
    folder = tmp_path / "formula_like"
    write_csv(folder, "regions", ["region_code,region_name", "-R02,=1+1"])
    write_csv(folder, "demand", ["year,region_code,sector_code,openings", "2024,-R02,Q,7"])
    assert load_paths(tiny_engine, [folder]).ok
    with Session(tiny_engine) as session:
        workbook = read_workbook(build_workbook(session, filters=Filters(regions=("-R02",)), generated_at=AT))
    codes, names = (cells(workbook["supply_demand"], column) for column in ("region_code", "region_name"))
    assert [(c.value, c.data_type) for c in codes] == [("-R02", "s")]
    assert [(c.value, c.data_type) for c in names] == [("=1+1", "s")]
    assert json.loads(dict(rows(workbook["manifest"])[1:])["filters.regions"]) == ["-R02"]
    assert not [cell.coordinate for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


def test_sheet_names_are_short_unique_and_valid():
    long = "a" * 40 + ".csv"
    assert sheet_names(["manifest", "supply_demand.csv", long, long, "A" * 40 + ".csv", "x/y?.csv"]) == [
        "manifest",
        "supply_demand",
        "a" * 31,
        "a" * 29 + "~2",
        "A" * 29 + "~3",  # a spreadsheet compares sheet names without case
        "x_y_",
    ]


def test_every_number_column_of_the_snapshot_has_a_format(engine, tmp_path):
    """A new column of a view must say how it is shown (data_access.workbook_export.number_format)."""
    folder = tmp_path / "estimated"
    shutil.copytree(TINY, folder)
    demand = (folder / "demand.csv").read_text(encoding="utf-8").splitlines()
    demand[1] = "2023,R1,Q,,1000"  # openings estimated from employment: coverage_sensitivity.csv, demand_estimated
    write_csv(folder, "demand", demand)
    assert load_paths(engine, [folder]).ok
    plan = PlanningSettings(scenario=(ScenarioChange("P1", "R1", 2025, -0.2),))
    with Session(engine) as session:
        _, frames = snapshot_contents(session, filters=Filters(), plan=plan)
    assert {"coverage_sensitivity.csv", "scenario.csv"} <= set(frames)
    for name, frame in frames.items():
        for column in frame.columns if not frame.empty else ():  # an empty frame's columns have no type
            numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
            if numeric:
                assert number_format(column) is not None, (name, column)
            elif frame[column].map(lambda value: isinstance(value, str)).all():
                assert number_format(column) is None, (name, column)


def test_rates_ratios_and_counts_are_told_apart():
    assert {number_format(c) for c in ("employment_rate", "in_field_rate", "capacity_use", "enrolled_growth", "share")} == {
        PERCENT
    }
    assert {number_format(c) for c in ("coverage_ratio", "effective_coverage", "graduates_per_enrolled")} == {RATIO}
    assert {number_format(c) for c in ("supply", "gap", "effective_gap", "supply_without_rate", "hired")} == {WHOLE}
    assert {number_format(c) for c in ("year", "cohort_year", "partner_since")} == {YEAR}
    assert number_format("region_name") is None


@pytest.fixture
def db(isolated_home, db_url):
    """The URL of the test database for ``--db``; the CLI's cached engine is disposed afterwards."""
    yield db_url
    store.get_engine(db_url).dispose()
    store._ready_engine.cache_clear()


def test_the_command_line_writes_the_workbook_when_the_name_ends_in_xlsx(tiny_engine, db, cli, tmp_path):
    out_path = tmp_path / "out" / "snapshot.xlsx"
    code, out, err = cli("export", "--out", out_path, "--region", "R1", "--hide-below", "5", "--lang", "zh-CN", "--db", db)
    assert (code, err) == (0, "")
    assert out == f"Wrote {out_path} ({out_path.stat().st_size:,} bytes) for all years; R1; all sectors.\n"
    workbook = read_workbook(out_path.read_bytes())
    assert workbook.sheetnames[:2] == ["说明", "供需对比"]  # the sheets named in the workbook's language
    assert [cell.value for cell in workbook["供需对比"][1]][-2:] == ["供需比", "已测算"]
    items = dict(rows(workbook["说明"])[1:])
    assert (items["language"], json.loads(items["filters.regions"]), items["small_number_protection.threshold"]) == (
        "zh-CN",
        ["R1"],
        5,
    )
    assert [row[0] for row in rows(workbook["供需对比"])[1:]] == [2023, 2024]
    code, _, _ = cli("export", "--out", tmp_path / "snapshot.zip", "--db", db)
    assert code == 0 and zipfile.is_zipfile(tmp_path / "snapshot.zip")
    assert "manifest.json" in zipfile.ZipFile(tmp_path / "snapshot.zip").namelist()


def test_the_dashboard_builds_the_workbook_in_the_language_it_is_given(app_url):
    from ui.context import workbook_for

    english = read_workbook(workbook_for(Filters(), None, PlanningSettings(), "en"))
    chinese = read_workbook(workbook_for(Filters(), 5, PlanningSettings(), "zh-CN"))
    assert [cell.value for cell in english["supply_demand"][1]][-2:] == ["Coverage ratio", "Measured"]
    assert [cell.value for cell in chinese["供需对比"][1]][-2:] == ["供需比", "已测算"]
    assert cells(chinese["实习"], "year", "zh-CN")[0].value == 2023


def test_numbers_round_half_to_even_like_the_screen_tables():
    frame = pd.DataFrame({"coverage_ratio": [0.125, 0.135], "employment_rate": [0.0625, math.nan], "supply": [2.5, 3.5]})
    sheet = read_workbook(workbook_bytes({}, {"x.csv": frame}))["x"]
    assert rows(sheet)[1:] == [[0.12, 0.062, 2], [0.14, None, 4]]


def test_the_manifest_sheet_rounds_fractions_as_a_reader_takes_them_in():
    manifest = {"backtest": {"trend": {"mae": 9088.808080808116, "wape": 0.05943218, "held": 0.8}}, "rates": [0.123456, 2.5]}
    items = dict(rows(read_workbook(workbook_bytes(manifest, {}))["manifest"])[1:])
    assert (items["backtest.trend.mae"], items["backtest.trend.wape"], items["backtest.trend.held"]) == (9089, 0.05943, 0.8)
    assert json.loads(items["rates"]) == [0.1235, 2.5]
