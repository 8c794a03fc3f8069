"""Import recipes on small extracts of each published shape: wide tables, several geographic levels in
one file, suppressed markers, academic years, area names that differ (aliases) and boundaries in a
national grid. The numbers are worked out by hand from the extracts written in each test."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access import caveats, queries, recipes
from data_access.cli import main
from data_access.filters import Filters
from data_access.loading import undo_load
from data_access.models import Demand, Enrolment, ImportRecord, RegionShape, UnknownCell
from data_access.recipes import _academic_year, folder_opener, import_recipe, run_recipe, stored_names_of, upload_opener
from data_access.views import VIEWS

ENGLAND = Path(__file__).resolve().parent.parent / "examples" / "england-lsip"

REGIONS = """\
region_code,region_name
E1,North Area
E2,South-East Area
"""
SECTORS = """\
sector_code,sector_name,replacement_rate
AGR,Agriculture and Fishing,0.05
MAN,Manufacturing,
"""
PROGRAMS = """\
program_code,program_name,sector_code
P1,Engineering,MAN
P2,Animal Care,AGR
"""
# Employment, wide: one column per industry; the file holds England and two levels for the same area.
EMPLOYMENT = """\
"area","geographic_level","year","Agriculture and Fishing","Manufacturing"
"England","COUNTRY","2020","9000","50000"
"North Area","LSIP","2020","1000","2000"
"North Area","LEP","2020","1100","2100"
"South East Area","LSIP","2020","c","3000"
"North Area","LSIP","2021","1100","2500"
"South East Area","LSIP","2021","500","low"
"North Area","LSIP","2022","1050","x"
"South East Area","LSIP","2022","600","2800"
"""


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder / "recipe.toml"


DEMAND_RECIPE = """\
title = "Employment by industry, two areas"

[aliases.regions]
"South East Area" = "South-East Area"

[[table]]
table = "regions"
file = "regions.csv"

[[table]]
table = "sectors"
file = "sectors.csv"

[[table]]
table = "demand"
file = "employment.csv"
keep = { geographic_level = "LSIP" }
wide = { columns_after = "year", name = "industry", value = "employment" }
rounding = 100
[table.columns]
year = "year"
region_code = { code_of = "regions", name = "area" }
sector_code = { code_of = "sectors", name = "industry" }
employment = "employment"
"""


@pytest.fixture
def demand_recipe(tmp_path) -> Path:
    return write(
        tmp_path,
        {"recipe.toml": DEMAND_RECIPE, "regions.csv": REGIONS, "sectors.csv": SECTORS, "employment.csv": EMPLOYMENT},
    )


def run_at(recipe: Path, engine=None):
    return run_recipe(recipe.read_bytes(), recipe.name, folder_opener(recipe), stored_names_of(engine) if engine else None)


def stored_demand(engine) -> dict[tuple, tuple]:
    with Session(engine) as session:
        rows = session.execute(select(Demand.year, Demand.region_code, Demand.sector_code, Demand.openings, Demand.employment))
        return {(y, r, s): (o, e) for y, r, s, o, e in rows}


def test_a_wide_file_with_several_levels_loads_one_level_in_long_form_and_suppressed_cells_as_unknown(engine, demand_recipe):
    run = run_at(demand_recipe)
    outcome = import_recipe(engine, run)
    assert outcome.ok, outcome.validation.report_lines()
    # LSIP rows only (not England, not the LEP row of the same area): 6 rows x 2 industries = 12 cells,
    # of which 3 are suppressed (c, low, x) and so not loaded.
    assert stored_demand(engine) == {
        (2020, "E1", "AGR"): (None, 1000),
        (2020, "E1", "MAN"): (None, 2000),
        (2020, "E2", "MAN"): (None, 3000),
        (2021, "E1", "AGR"): (None, 1100),
        (2021, "E1", "MAN"): (None, 2500),
        (2021, "E2", "AGR"): (None, 500),
        (2022, "E1", "AGR"): (None, 1050),
        (2022, "E2", "AGR"): (None, 600),
        (2022, "E2", "MAN"): (None, 2800),
    }
    with Session(engine) as session:
        cells = session.execute(
            select(
                UnknownCell.year, UnknownCell.region_code, UnknownCell.sector_code, UnknownCell.marker, UnknownCell.source_line
            ).order_by(UnknownCell.year)
        ).all()
    # the lines are the published file's: line 5 is South East 2020, 7 is South East 2021, 8 is North 2022
    assert [tuple(c) for c in cells] == [(2020, "E2", "AGR", "c", 5), (2021, "E2", "MAN", "low", 7), (2022, "E1", "MAN", "x", 8)]
    part = next(p for p in run.report["tables"] if p["table"] == "demand")
    assert (part["rows_read"], part["rows_kept"], part["rows"], part["rows_not_loaded"]) == (8, 6, 9, 3)
    assert part["suppressed"] == {"employment": 3} and part["rounding"] == 100
    assert run.report["names"]["regions"]["aliases"] == [
        {"name": "South East Area", "to": "South-East Area", "code": "E2", "rows": 6}
    ]


def test_openings_are_estimated_from_employment_as_net_change_plus_replacement_at_the_sector_rate_or_the_default(
    engine, demand_recipe
):
    assert import_recipe(engine, run_at(demand_recipe)).ok
    with Session(engine) as session:
        detail = VIEWS["supply_demand"].run(session, Filters())
    demand = {(r.year, r.region_code, r.sector_code): r.demand for r in detail.itertuples()}
    # max(0, E(t) - E(t-1) + rate x E(t-1)), unknown in the first year of a series and after a gap.
    # Agriculture states 0.05; Manufacturing none, so the default 0.10.
    # North AGR: 2020 first year, unknown; 2021: max(0, (1100 - 1000) + 0.05 x 1000) = 150;
    #            2022: max(0, (1050 - 1100) + 0.05 x 1100) = max(0, -50 + 55) = 5.
    assert math.isnan(demand[(2020, "E1", "AGR")])
    assert demand[(2021, "E1", "AGR")] == pytest.approx(150)
    assert demand[(2022, "E1", "AGR")] == pytest.approx(5)
    # North MAN: 2020 first year, unknown; 2021: 500 + 0.10 x 2000 = 700; 2022 suppressed: unknown, not 0.
    assert math.isnan(demand[(2020, "E1", "MAN")])
    assert demand[(2021, "E1", "MAN")] == pytest.approx(700)
    assert math.isnan(demand[(2022, "E1", "MAN")]) and math.isnan(demand[(2020, "E2", "AGR")])
    # South East AGR: 2020 suppressed, so 2021 follows a gap: unknown; 2022: 100 + 0.05 x 500 = 125.
    assert math.isnan(demand[(2021, "E2", "AGR")])
    assert demand[(2022, "E2", "AGR")] == pytest.approx(125)
    # South East MAN: 2020 first year, 2021 suppressed, 2022 after the gap: unknown throughout.
    assert math.isnan(demand[(2020, "E2", "MAN")]) and math.isnan(demand[(2022, "E2", "MAN")])
    assert detail.loc[detail["demand"].notna(), "demand_estimated"].all()
    suppressed = {(r.year, r.region_code, r.sector_code): r.suppressed_cells for r in detail.itertuples() if r.suppressed_cells}
    assert suppressed == {(2020, "E2", "AGR"): 1, (2021, "E2", "MAN"): 1, (2022, "E1", "MAN"): 1}
    gap = {(r.year, r.region_code, r.sector_code): r.gap for r in detail.itertuples()}
    assert all(math.isnan(gap[cell]) for cell in suppressed)


def test_stated_openings_are_used_as_they_are_and_not_marked_estimated(engine, tmp_path):
    recipe = write(
        tmp_path,
        {
            "recipe.toml": """\
                [[table]]
                table = "regions"
                file = "regions.csv"
                [[table]]
                table = "sectors"
                file = "sectors.csv"
                [[table]]
                table = "demand"
                file = "demand.csv"
            """,
            "regions.csv": REGIONS,
            "sectors.csv": SECTORS,
            "demand.csv": "year,region_code,sector_code,openings,employment\n2021,E1,MAN,40,2000\n2022,E1,MAN,,2200\n",
        },
    )
    assert import_recipe(engine, run_at(recipe)).ok
    with Session(engine) as session:
        detail = VIEWS["supply_demand"].run(session, Filters())
    rows = {r.year: (r.demand, r.demand_estimated) for r in detail.itertuples()}
    # 2021 states 40 (with employment 2000); 2022 is estimated: max(0, (2200 - 2000) + 0.10 x 2000) = 400.
    assert rows == {2021: (40, False), 2022: (pytest.approx(400), True)}


def test_figures_that_include_suppressed_cells_say_so_within_the_filters(engine, demand_recipe):
    assert import_recipe(engine, run_at(demand_recipe)).ok
    with Session(engine) as session:
        by_sector = VIEWS["gaps_by_sector"].run(session, Filters())
        assert caveats.suppressed_total(session, Filters(), ("demand",)) == 3
        assert caveats.suppressed_total(session, Filters(regions=("E1",)), ("demand",)) == 1
        assert caveats.suppressed_total(session, Filters(year_from=2021, year_to=2021), ("demand",)) == 1
        assert caveats.suppressed_total(session, Filters(sectors=("AGR",)), ("demand",)) == 1
    # no region reports enrolments, so no cell is measured: the sector totals state no gap, and count the
    # suppressed cells that fall in them (AGR 2020 E2; MAN 2021 E2 and 2022 E1) beside their unmeasured openings
    assert by_sector["measured"].tolist() == [False, False] and by_sector["gap"].isna().all()
    assert by_sector.set_index("sector_code")["suppressed_cells"].to_dict() == {"AGR": 1, "MAN": 2}


def test_an_area_name_that_matches_nothing_is_an_error_in_the_published_file_with_a_suggestion(engine, tmp_path):
    recipe = write(
        tmp_path,
        {
            "recipe.toml": DEMAND_RECIPE.replace('"South East Area" = "South-East Area"', ""),
            "regions.csv": REGIONS,
            "sectors.csv": SECTORS,
            "employment.csv": EMPLOYMENT,
        },
    )
    run = run_at(recipe)
    outcome = import_recipe(engine, run)
    assert not outcome.ok
    assert [str(p) for p in outcome.validation.problems] == [
        'employment.csv:5: area: "South East Area" matches no name in regions (6 rows); did you mean "South-East Area"?: '
        "add it to [aliases.regions] in the recipe, or leave its rows out with drop"
    ]
    assert stored_demand(engine) == {}


def test_a_bad_value_is_reported_at_the_published_file_line_and_column(engine, tmp_path):
    recipe = write(
        tmp_path,
        {
            "recipe.toml": DEMAND_RECIPE,
            "regions.csv": REGIONS,
            "sectors.csv": SECTORS,
            "employment.csv": EMPLOYMENT.replace('"2021","1100","2500"', '"2021","1100","25x0"'),
        },
    )
    outcome = import_recipe(engine, run_at(recipe))
    assert not outcome.ok
    assert [str(p) for p in outcome.validation.problems] == [
        "employment.csv:6: Manufacturing (-> employment): expected a whole number of 0 or more, found '25x0'"
    ]
    assert stored_demand(engine) == {}


ENROLMENT_RECIPE = """\
title = "Achievements by subject area, one aggregate provider per area"

[[table]]
table = "regions"
file = "regions.csv"

[[table]]
table = "sectors"
file = "sectors.csv"

[[table]]
table = "programs"
file = "programs.csv"

[[table]]
table = "institutions"
each = "regions"
[table.columns]
institution_id = { template = "FE-{region_code}" }
institution_name = { template = "All providers, {region_name}" }
region_code = "region_code"
institution_type = { value = "Area total" }

[[table]]
table = "enrolments"
file = "achievements.csv"
keep = { geographic_level = "LSIP", sex = "Total" }
drop = { SSA = "Total" }
rounding = 10
[table.columns]
year = { academic_year = "time_period" }
institution_id = { code_of = "regions", name = "area", template = "FE-{code}" }
program_code = { code_of = "programs", name = "SSA" }
enrolled = "Enrolments"
graduates = "Achievements"
"""
ACHIEVEMENTS = """\
"time_period","geographic_level","area","SSA","sex","Achievements","Enrolments"
"2020/21","LSIP","North Area","Engineering","Total",40,60
"2020/21","LSIP","North Area","Engineering","Female",10,15
"2020/21","LSIP","North Area","Total","Total",90,130
"2020/21","MCA","North Area","Engineering","Total",45,70
"2020/21","LSIP","North Area","Animal Care","Total",NA,20
"202122","LSIP","North Area","Engineering","Total",50,70
"2021-22","LSIP","South-East Area","Animal Care","Total",30,NA
"2021/22","LSIP","South-East Area","Engineering","Total",20,30
"""


def test_academic_years_aggregate_providers_and_suppressed_required_values(engine, tmp_path):
    recipe = write(
        tmp_path,
        {
            "recipe.toml": ENROLMENT_RECIPE,
            "regions.csv": REGIONS,
            "sectors.csv": SECTORS,
            "programs.csv": PROGRAMS,
            "achievements.csv": ACHIEVEMENTS,
        },
    )
    run = run_at(recipe)
    outcome = import_recipe(engine, run)
    assert outcome.ok, outcome.validation.report_lines()
    with Session(engine) as session:
        rows = {
            (y, i, p): (e, g)
            for y, i, p, e, g in session.execute(
                select(Enrolment.year, Enrolment.institution_id, Enrolment.program_code, Enrolment.enrolled, Enrolment.graduates)
            )
        }
        # 2020/21, 202122 and 2021-22 are the academic years that end in 2021 and 2022
        # the suppressed enrolled of South-East Animal Care is optional (version 3): the row loads, enrolled unknown
        assert rows == {
            (2021, "FE-E1", "P1"): (60, 40),
            (2022, "FE-E1", "P1"): (70, 50),
            (2022, "FE-E2", "P1"): (30, 20),
            (2022, "FE-E2", "P2"): (None, 30),
        }
        assert caveats.year_labels(session) == {2021: "2020/21", 2022: "2021/22"}
        cells = caveats.unknown_cells(session)
        # The Animal Care rows need a value that is suppressed: North 2021 (graduates), South-East 2022 (enrolled)
        assert sorted(zip(cells["year"], cells["region_code"], cells["program_code"], cells["column_name"])) == [
            (2021, "E1", "P2", "graduates"),
            (2022, "E2", "P2", "enrolled"),
        ]
        # Animal Care trains for Agriculture: the 2022 Agriculture figures of South-East include one suppressed cell
        assert caveats.suppressed_total(session, Filters(sectors=("AGR",), regions=("E2",)), ("enrolments",)) == 1
        assert caveats.suppressed_total(session, Filters(sectors=("MAN",)), ("enrolments",)) == 0
    part = next(p for p in run.report["tables"] if p["table"] == "enrolments")
    # 8 rows read; kept: LSIP and Total sex and not the Total subject: 5; not loaded: North Animal Care (graduates)
    assert (part["rows_read"], part["rows_kept"], part["rows"], part["rows_not_loaded"]) == (8, 5, 4, 1)


def test_a_recipe_of_completions_only_loads_with_enrolled_unknown(engine, tmp_path):
    # The same achievements without the Enrolments column mapped: enrolled is optional (contract version 3).
    recipe = write(
        tmp_path,
        {
            "recipe.toml": ENROLMENT_RECIPE.replace('enrolled = "Enrolments"\n', ""),
            "regions.csv": REGIONS,
            "sectors.csv": SECTORS,
            "programs.csv": PROGRAMS,
            "achievements.csv": ACHIEVEMENTS,
        },
    )
    outcome = import_recipe(engine, run_at(recipe))
    assert outcome.ok, outcome.validation.report_lines()
    with Session(engine) as session:
        rows = {
            (y, i, p): (e, g)
            for y, i, p, e, g in session.execute(
                select(Enrolment.year, Enrolment.institution_id, Enrolment.program_code, Enrolment.enrolled, Enrolment.graduates)
            )
        }
        totals = queries.enrolment_totals(session, filters=Filters(2022, 2022))
    # North Animal Care 2021 has no graduates (suppressed) and is not loaded; every enrolled is unknown
    assert rows == {
        (2021, "FE-E1", "P1"): (None, 40),
        (2022, "FE-E1", "P1"): (None, 50),
        (2022, "FE-E2", "P1"): (None, 20),
        (2022, "FE-E2", "P2"): (None, 30),
    }
    # 2022: graduates 50 + 20 + 30 = 100; enrolled unknown, not 0
    assert totals.at[0, "graduates"] == 100 and math.isnan(totals.at[0, "enrolled"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021/22", (2022, "2021/22")),
        ("202122", (2022, "2021/22")),
        ("2021-22", (2022, "2021/22")),
        ("2021/2022", (2022, "2021/22")),
        ("1999/00", (2000, "1999/00")),
        ("2021/23", (None, "")),
        ("2021", (None, "")),
    ],
)
def test_academic_years_end_in_the_year_after_they_start(text, expected):
    assert _academic_year(text) == expected


def test_a_year_that_is_not_an_academic_year_is_an_error_at_its_line(engine, tmp_path):
    recipe = write(
        tmp_path,
        {
            "recipe.toml": ENROLMENT_RECIPE,
            "regions.csv": REGIONS,
            "sectors.csv": SECTORS,
            "programs.csv": PROGRAMS,
            "achievements.csv": ACHIEVEMENTS.replace(
                '"2021/22","LSIP","South-East Area"', '"Autumn 2021","LSIP","South-East Area"'
            ),
        },
    )
    run = run_at(recipe)
    assert [str(p) for p in run.problems] == [
        "achievements.csv:9: year: expected an academic year such as 2021/22, 2021-22 or 202122, found Autumn 2021"
    ]
    assert not import_recipe(engine, run).ok


def test_a_recipe_naming_an_xls_file_is_told_to_save_it_as_xlsx_or_csv(engine, tmp_path):
    path = write(tmp_path, {"recipe.toml": "[[table]]\ntable = 'regions'\nfile = 'regions.xls'\n", "regions.xls": "\x00"})
    run = run_at(path)
    assert [str(p) for p in run.problems] == [
        "regions.xls:0: -: .xls files are not read: open the file in its spreadsheet program and save it as Excel "
        "Workbook (.xlsx) or CSV UTF-8 (.csv)"
    ]
    assert not import_recipe(engine, run).ok


@pytest.mark.parametrize(
    ("recipe", "expected"),
    [
        ("title = 'x'\n[[table]\n", "recipe.toml:2: -: the recipe is not valid TOML"),
        ("title = 'x'\n", "recipe.toml:0: table: the recipe has no [[table]] entry"),
        ("[[table]]\ntable = 'graduates'\nfile = 'a.csv'\n", "recipe.toml:1: table: table graduates is not a contract table"),
        (
            "[[table]]\ntable = 'regions'\nfile = '../secret.csv'\n",
            "recipe.toml:3: file: file ../secret.csv: expected a file name",
        ),
        ("[[table]]\ntable = 'regions'\nfile = 'absent.csv'\n", "recipe.toml:3: file: file absent.csv is not there"),
        (
            "[[table]]\ntable = 'regions'\nfile = 'regions.csv'\nkeep = { level = 'LSIP' }\ncolumns = { region_code = 'region_code', region_name = 'region_name' }\n",
            "recipe.toml:4: keep: column level is not in regions.csv",
        ),
        (
            "[[table]]\ntable = 'regions'\nfile = 'regions.csv'\ncolumns = { region_code = 'region_cod', region_name = 'region_name' }\n",
            'recipe.toml:4: region_code: column region_cod is not in regions.csv; did you mean "region_code"?',
        ),
        (
            "[[table]]\ntable = 'regions'\nfile = 'regions.csv'\ncolumns = { region_code = 'region_code' }\n",
            "recipe.toml:4: region_name: the recipe does not say which published column gives region_name",
        ),
        ("[[table]]\ntable = 'regions'\nfile = 'regions.csv'\nshape = 'wide'\n", "recipe.toml:4: shape: unknown setting shape"),
    ],
)
def test_a_broken_recipe_is_a_precise_problem_and_loads_nothing(engine, tmp_path, recipe, expected):
    path = write(tmp_path, {"recipe.toml": recipe, "regions.csv": REGIONS})
    run = run_at(path)
    assert run.problems and str(run.problems[0]).startswith(expected), [str(p) for p in run.problems]
    assert not import_recipe(engine, run).ok
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(ImportRecord)).scalar_one() == 0


def test_undoing_an_import_takes_back_its_suppressed_cells_report_and_boundaries(engine):
    run = run_recipe((ENGLAND / "recipe.toml").read_bytes(), "recipe.toml", folder_opener(ENGLAND / "recipe.toml"))
    assert import_recipe(engine, run).ok
    with Session(engine) as session:
        assert len(caveats.unknown_cells(session)) == 12
        assert len(caveats.region_shapes(session)) == 38
        assert len(caveats.imports(session)) == 1
    assert undo_load(engine).ok
    with Session(engine) as session:
        assert len(caveats.unknown_cells(session)) == 0
        assert caveats.region_shapes(session) == {}
        assert caveats.imports(session) == []


def test_a_cell_given_by_a_later_load_is_no_longer_unknown(engine, demand_recipe, tmp_path):
    assert import_recipe(engine, run_at(demand_recipe)).ok
    later = tmp_path / "later"
    later.mkdir()
    (later / "demand.csv").write_text("year,region_code,sector_code,openings,employment\n2020,E2,AGR,,800\n", encoding="utf-8")
    from data_access.loading import load_paths

    assert load_paths(engine, [later]).ok
    with Session(engine) as session:
        assert caveats.suppressed_total(session, Filters(), ("demand",)) == 2


def test_the_boundaries_are_reprojected_from_british_national_grid_to_longitude_and_latitude():
    run = run_recipe((ENGLAND / "recipe.toml").read_bytes(), "recipe.toml", folder_opener(ENGLAND / "recipe.toml"))
    assert run.report["boundaries"]["crs"] == "EPSG:27700" and len(run.shapes) == 38
    features = json.loads((ENGLAND / "uk_lsip_boundaries_2023_bng.geojson").read_text(encoding="utf-8"))["features"]
    for feature in features:
        code = feature["properties"]["LSIP23CD"]
        rings = [ring for polygon in run.shapes[code]["coordinates"] for ring in polygon]
        lons = [p[0] for ring in rings for p in ring]
        lats = [p[1] for ring in rings for p in ring]
        # the file states each area's centre in longitude/latitude too: it lies within the reprojected outline's box
        assert min(lons) < feature["properties"]["LONG"] < max(lons)
        assert min(lats) < feature["properties"]["LAT"] < max(lats)
        assert min(lons) > -6.5 and max(lons) < 2 and min(lats) > 49.8 and max(lats) < 56  # England


def test_the_england_example_loads_straight_from_the_published_files(engine):
    run = run_recipe((ENGLAND / "recipe.toml").read_bytes(), "recipe.toml", folder_opener(ENGLAND / "recipe.toml"))
    outcome = import_recipe(engine, run)
    assert outcome.ok, outcome.validation.report_lines()
    counts = {table: c["rows"] for table, c in outcome.counts.items()}
    # 38 areas x 16 subject areas = 608 rows, 6 with a suppressed achievement or enrolment;
    # 37 areas with APS rows x 5 years x 9 industries = 1,665 cells, 4 suppressed ("c")
    assert counts == {
        "regions": 38,
        "sectors": 9,
        "institutions": 38,
        "programs": 16,
        "program_sectors": 21,
        "enrolments": 602,
        "demand": 1661,
    }
    assert [a["name"] for a in run.report["names"]["regions"]["aliases"]] == [
        "Enterprise M3 LEP (including all of Surrey)",
        "Gloucestershire",
        "Norfolk and Suffolk",
        "South East Midlands",
    ]
    with Session(engine) as session:
        missing = queries.regions_missing_a_side(session, Filters())
        assert list(missing["region_name"]) == ["West of England and North Somerset"] and list(missing["missing"]) == ["demand"]
        assert caveats.year_labels(session) == {2022: "2021/22"}


def test_the_command_checks_and_imports_a_recipe_and_prints_the_mapping_report(tmp_path, demand_recipe, capsys):
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert main(["import", str(demand_recipe), "--check", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "employment.csv -> demand: 8 rows read, 6 kept (geographic_level = LSIP), 9 to load" in out
    assert '"South East Area" -> South-East Area (E2), 6 rows' in out
    assert "employment.csv: the publisher rounds counts to the nearest 100" in out
    assert "nothing loaded (--check)" in out
    assert main(["import", str(demand_recipe), "--db", db]) == 0
    assert "Loaded. Data version is now 1." in capsys.readouterr().out
    bad = demand_recipe.parent / "bad.toml"
    bad.write_text(DEMAND_RECIPE.replace("South-East Area", "South East"), encoding="utf-8")
    assert main(["import", str(bad), "--db", db]) == 1
    captured = capsys.readouterr()
    assert 'employment.csv:5: area: "South East Area" matches no name in regions' in captured.out
    assert "nothing was loaded" in captured.err


def test_uploaded_files_are_found_by_name_whatever_folder_the_recipe_names(tmp_path):
    opener = upload_opener({"C:\\Users\\me\\Employment.CSV": b"x", "regions.csv": b"y"})
    assert opener("data/employment.csv") == b"x" and opener("regions.csv") == b"y" and opener("other.csv") is None


def test_names_are_matched_to_regions_already_stored(engine, tmp_path):
    first = write(
        tmp_path,
        {
            "recipe.toml": "[[table]]\ntable = 'regions'\nfile = 'regions.csv'\n[[table]]\ntable = 'sectors'\nfile = 'sectors.csv'\n",
            "regions.csv": REGIONS,
            "sectors.csv": SECTORS,
        },
    )
    assert import_recipe(engine, run_at(first)).ok
    second = tmp_path / "second"
    second.mkdir()
    recipe = write(
        second,
        {
            "recipe.toml": DEMAND_RECIPE.split('[[table]]\ntable = "demand"')[0].split("[[table]]")[0]
            + '[[table]]\ntable = "demand"'
            + DEMAND_RECIPE.split('[[table]]\ntable = "demand"')[1],
            "employment.csv": EMPLOYMENT,
        },
    )
    outcome = import_recipe(engine, run_at(recipe, engine))
    assert outcome.ok, outcome.validation.report_lines()
    assert len(stored_demand(engine)) == 9
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(RegionShape)).scalar_one() == 0


def test_a_workbook_sheet_with_a_title_above_its_header_and_thousands_separators(engine, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["This workbook holds employment by industry."])
    sheet = book.create_sheet("Table 2")
    sheet.append(["Table 2: employment by industry and area, thousands separated"])
    sheet.append([])
    sheet.append(["area", "year", "Manufacturing"])
    sheet.append(["North Area", 2021, "2,500"])
    sheet.append(["South-East Area", 2021, "1,200"])
    book.save(tmp_path / "employment.xlsx")
    recipe = write(
        tmp_path,
        {
            "recipe.toml": """\
                [[table]]
                table = "regions"
                file = "regions.csv"
                [[table]]
                table = "sectors"
                file = "sectors.csv"
                [[table]]
                table = "demand"
                file = "employment.xlsx"
                sheet = "Table 2"
                header_line = 3
                thousands = ","
                [table.columns]
                year = "year"
                region_code = { code_of = "regions", name = "area" }
                sector_code = { value = "MAN" }
                employment = "Manufacturing"
            """,
            "regions.csv": REGIONS,
            "sectors.csv": SECTORS,
        },
    )
    outcome = import_recipe(engine, run_at(recipe))
    assert outcome.ok, outcome.validation.report_lines()
    assert stored_demand(engine) == {(2021, "E1", "MAN"): (None, 2500), (2021, "E2", "MAN"): (None, 1200)}


# --- what a recipe and the files it names may be: bounded, and read in time linear in them -----------

DEMAND_ENTRY = """\
[[table]]
table = "demand"
file = "employment.csv"
keep = { area = "North Area", geographic_level = "LSIP", year = "2020" }
[table.columns]
year = "year"
region_code = { code_of = "regions", name = "area" }
sector_code = { value = "MAN" }
employment = "Manufacturing"
"""
PARENTS = '[[table]]\ntable = "regions"\nfile = "regions.csv"\n[[table]]\ntable = "sectors"\nfile = "sectors.csv"\n'


@pytest.mark.slow
def test_a_recipe_of_2000_entries_runs_asking_the_database_for_stored_names_once_per_table(tmp_path):
    recipe = write(
        tmp_path,
        {
            "recipe.toml": PARENTS + DEMAND_ENTRY * 1_998,
            "regions.csv": REGIONS,
            "sectors.csv": SECTORS,
            "employment.csv": EMPLOYMENT,
        },
    )
    asked = []

    def stored_names(table: str) -> dict[str, str]:
        asked.append(table)
        return {}

    run = run_recipe(recipe.read_bytes(), recipe.name, folder_opener(recipe), stored_names)
    assert run.ok, [str(p) for p in run.problems]
    assert len(run.report["tables"]) == 2_000
    assert asked == ["regions"]  # once, not once per entry that looks a name up
    # each of the 1,998 demand entries gives North Area's 2020 row (which validation then finds 1,997 times again)
    assert run.sources[-1].data.decode("utf-8").splitlines()[:2] == [
        "year,region_code,sector_code,employment",
        "2020,E1,MAN,2000",
    ]
    assert run.sources[-1].data.decode("utf-8").count("\n") == 1 + 1_998


def test_a_recipe_of_more_entries_than_the_limit_is_refused_at_the_first_entry_past_it(tmp_path):
    recipe = write(tmp_path, {"recipe.toml": PARENTS + DEMAND_ENTRY * 1_999})
    run = run_at(recipe)
    line = 1 + PARENTS.count("\n") + DEMAND_ENTRY.count("\n") * 1_998  # the 2,001st [[table]]
    assert [str(p) for p in run.problems] == [
        f"recipe.toml:{line}: table: the recipe has 2,001 [[table]] entries, more than the 2,000 a recipe may have: one "
        "entry for each published file (or sheet) and table is enough"
    ]


def test_a_recipe_larger_than_its_limit_is_refused_before_it_is_read(tmp_path, capsys):
    aliases = "".join(f'"Area {n}" = "North Area"\n' for n in range(40_000))  # 1,109,006 bytes with the rest
    recipe = write(tmp_path, {"recipe.toml": "[aliases.regions]\n" + aliases + PARENTS})
    expected = (
        "recipe.toml:0: -: the recipe is larger than the 1,024 KB a recipe may be: a recipe names files, columns and a "
        "few aliases; the data stay in the files it names"
    )
    assert [str(p) for p in run_at(recipe).problems] == [expected]
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert main(["import", str(recipe), "--check", "--db", db]) == 1
    assert capsys.readouterr().out.splitlines() == [expected]


def test_more_aliases_for_a_table_than_the_limit_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(recipes, "MAX_ALIASES", 2)
    aliases = '[aliases.regions]\n"A" = "North Area"\n"B" = "North Area"\n"C" = "North Area"\n'
    recipe = write(tmp_path, {"recipe.toml": aliases + PARENTS, "regions.csv": REGIONS, "sectors.csv": SECTORS})
    assert [str(p) for p in run_at(recipe).problems] == [
        "recipe.toml:1: aliases: [aliases.regions] has 3 names, more than the 2 it may have: match names by their codes, "
        "or correct them in the files"
    ]


@pytest.mark.parametrize(
    "nested",
    [
        "x = " + "[" * 5_000 + "]" * 5_000 + "\n",  # deeper than the TOML reader can go
        "x = " + "[" * 30 + "]" * 30 + "\n",  # read, but deeper than any setting
        "x = " + "{ a = " * 30 + "1" + " }" * 30 + "\n",
    ],
)
def test_a_recipe_nested_too_deep_is_a_problem_not_a_crash(tmp_path, nested):
    recipe = write(tmp_path, {"recipe.toml": nested + PARENTS})
    assert [str(p) for p in run_at(recipe).problems] == [
        "recipe.toml:0: -: the recipe nests tables or lists more than 16 levels deep: expected the settings of README, "
        '"Importing published statistics", which nest a few levels at most'
    ]


def test_a_boundary_file_larger_than_its_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    recipe = write(
        tmp_path,
        {
            "recipe.toml": PARENTS + '[boundaries]\nfile = "boundaries.geojson"\ncode = "LSIP23CD"\n',
            "regions.csv": REGIONS,
            "sectors.csv": SECTORS,
        },
    )
    big = tmp_path / "boundaries.geojson"
    with big.open("wb") as file:  # 200 MB that take no room: a sparse file
        file.truncate(200 * 1024 * 1024)
    read = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        assert path.name != "boundaries.geojson", "the boundary file was read"
        return read(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert [str(p) for p in run_at(recipe).problems] == [
        "recipe.toml:7: file: file boundaries.geojson is 200.0 MB, more than the 32 MB a file named in a recipe may be: "
        "keep only what the recipe reads (one geographic level, say) in a smaller file"
    ]


def test_a_published_file_larger_than_its_limit_is_refused_before_it_is_read(tmp_path):
    recipe = write(tmp_path, {"recipe.toml": PARENTS + DEMAND_ENTRY, "regions.csv": REGIONS, "sectors.csv": SECTORS})
    with (tmp_path / "employment.csv").open("wb") as file:  # 40 MB that take no room: a sparse file
        file.truncate(40 * 1024 * 1024)
    assert [str(p) for p in run_at(recipe).problems] == [
        "recipe.toml:9: file: file employment.csv is 40.0 MB, more than the 32 MB a file named in a recipe may be: keep "
        "only what the recipe reads (one geographic level, say) in a smaller file"
    ]


def test_the_rows_the_entries_read_in_all_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(recipes, "MAX_ROWS", 20)
    recipe = write(
        tmp_path, {"recipe.toml": DEMAND_RECIPE, "regions.csv": REGIONS, "sectors.csv": SECTORS, "employment.csv": EMPLOYMENT}
    )
    # regions 2 rows, sectors 2, employment 8 rows read and 6 kept, turned into 6 x 2 = 12: 2 + 2 + 8 + 12 > 20
    assert [str(p) for p in run_at(recipe).problems] == [
        "recipe.toml:18: wide: the entries read more than 20 rows in all (each entry counts the rows it reads, and a wide "
        "table the rows it turns into): read fewer rows, or keep only the rows needed in smaller files"
    ]


def test_a_boundary_file_nested_too_deep_is_a_problem_not_a_crash(tmp_path):
    deep = '{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}"
    recipe = write(
        tmp_path,
        {
            "recipe.toml": PARENTS + '[boundaries]\nfile = "boundaries.geojson"\ncode = "LSIP23CD"\n',
            "regions.csv": REGIONS,
            "sectors.csv": SECTORS,
            "boundaries.geojson": deep,
        },
    )
    assert [str(p) for p in run_at(recipe).problems] == [
        "boundaries.geojson:0: -: the boundary file nests arrays or objects more than 32 levels deep: expected a GeoJSON "
        "FeatureCollection of Polygon or MultiPolygon features"
    ]
