"""The pages on real published statistics (the England example, imported by its recipe): every estimate
and suppressed cell is said on screen and in the brief and the snapshot, the map has every area, the
coverage is shown at other replacement rates, area-level data is not compared with itself; the Data
page runs a recipe on uploaded files, shows its report and loads it; an editor changes a sector's
replacement rate and every estimate follows."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data_access import queries
from data_access.filters import Filters
from data_access.models import Demand
from data_access.passwords import hash_password
from data_access.recipes import _academic_year, folder_opener, import_recipe, run_recipe
from data_access.snapshot import build_snapshot
from data_access.store import create_schema, make_engine
from data_access.views import VIEWS
from tests.conftest import BACKENDS, _postgresql_schema, clear_app_caches, open_page
from ui.brief import build_brief

ENGLAND = Path(__file__).resolve().parent.parent / "examples" / "england-lsip"
PASSWORD = "correct horse battery"
ESTIMATED = "(openings estimated from employment)"
# supply_demand.csv's columns as the data contract names them
CONTRACT_COLUMNS = [
    "year",
    "region_code",
    "region_name",
    "sector_code",
    "sector_name",
    "supply",
    "demand",
    "gap",
    "coverage_ratio",
    "measured",
]


def import_england(engine) -> None:
    run = run_recipe((ENGLAND / "recipe.toml").read_bytes(), "recipe.toml", folder_opener(ENGLAND / "recipe.toml"))
    outcome = import_recipe(engine, run)
    assert outcome.ok, outcome.validation.report_lines()


@pytest.fixture(scope="module", params=BACKENDS)
def england_reader(request, migrated_sqlite, tmp_path_factory) -> Iterator[Engine]:
    """An engine on the England example, imported once per module and backend for the tests that only read it
    (a test that writes imports it into ``engine`` of its own)."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            target = tmp_path_factory.mktemp("england") / "england.sqlite"
            shutil.copyfile(migrated_sqlite, target)
            url = f"sqlite:///{target}"
        else:
            url = stack.enter_context(_postgresql_schema())
        engine = make_engine(url)
        create_schema(engine)
        import_england(engine)
        yield engine
        engine.dispose()


@pytest.fixture
def england_url(england_reader, monkeypatch):
    url = england_reader.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    clear_app_caches()
    yield url
    clear_app_caches()


def captions(app) -> list[str]:
    return [c.value for c in app.caption]


def test_supply_vs_demand_says_what_its_figures_rest_on_and_maps_every_area(england_url):
    app = open_page("pages/supply_demand.py")
    assert not app.exception
    said = "\n".join(captions(app))
    assert (
        "they are estimated from employment, as the net change plus replacement at the default rate of 10% of employment" in said
    )
    # 2022: 8 suppressed achievement cells (enrolled or graduates of 4 area rows) and 1 demand cell
    assert "cells the publisher suppressed (marked c, low, x and the like): 9 (8 in enrolments, 1 in demand)" in said
    assert "suppressed cells (9)²" in said  # the one short line above the chart, the note one click away
    assert "enrolments to the nearest 10, demand to the nearest 100" in said
    assert "2022 is 2021/22" in said
    assert "West of England and North Somerset has no demand data for 2022" in said
    takeaways = [m.value for m in app.markdown if "Takeaway" in m.value]
    assert takeaways and all(ESTIMATED in text for text in takeaways[:3])
    charts = [json.loads(c.proto.spec) for c in app.get("plotly_chart")]
    maps = [c for c in charts if "Coverage ratio by region ·" in c["layout"]["title"]["text"]]
    assert len(maps) == 1
    # one filled shape per area (and the colour bar's point)
    shapes = [trace for trace in maps[0]["data"] if trace.get("fill") == "toself"]
    assert len(shapes) == 38
    grey = [trace for trace in shapes if trace["fillcolor"] == "#7a7a7a"]
    assert len(grey) == 1 and "West of England and North Somerset" in grey[0]["text"]
    assert any(h.value == "How the coverage moves with the replacement rate" for h in app.subheader)


def employment_by_cell(engine) -> dict[tuple, int]:
    with Session(engine) as session:
        rows = session.execute(select(Demand.year, Demand.region_code, Demand.sector_code, Demand.employment))
        return {(year, region, sector): employment for year, region, sector, employment in rows}


def estimated_at(employment: dict[tuple, int], cells, rate: float) -> float:
    """The openings of 2022 in ``cells`` (region, sector) by contract version 3 at ``rate``, from the employment
    rows: max(0, E(2022) - E(2021) + rate x E(2021)) (every 2022 row of the example follows a 2021 row)."""
    return sum(
        max(0.0, employment[(2022, r, s)] - employment[(2021, r, s)] + rate * employment[(2021, r, s)])
        for r, s in cells
        if (2022, r, s) in employment
    )


def test_the_coverage_at_other_rates_works_out_each_estimate_again_at_that_rate(england_reader):
    with Session(england_reader) as session:
        rows = queries.coverage_sensitivity(session, filters=Filters(year_from=2022, year_to=2022))
        detail = VIEWS["supply_demand"].run(session, Filters(year_from=2022, year_to=2022))
    every = rows[rows["sector_code"] == ""].set_index("factor")
    measured = detail[detail["supply"].notna() & detail["demand"].notna()]
    supply, demand = measured["supply"].sum(), measured["demand"].sum()
    assert every.loc[1.0, "coverage_ratio"] == pytest.approx(supply / demand)
    # no sector states a rate, so every estimate is at the default 0.10; at half of it each estimate is worked out
    # again with the floor on the whole, so a falling sector held at 0 stays there (not scaled from a summed part)
    employment, cells = employment_by_cell(england_reader), list(zip(measured["region_code"], measured["sector_code"]))
    assert demand == pytest.approx(estimated_at(employment, cells, 0.10))
    assert every.loc[0.5, "demand"] == pytest.approx(estimated_at(employment, cells, 0.05))
    assert every.loc[1.5, "demand"] == pytest.approx(estimated_at(employment, cells, 0.15))
    assert every.loc[0.5, "coverage_ratio"] == pytest.approx(supply / estimated_at(employment, cells, 0.05))


def test_the_scorecard_and_type_breakdowns_are_not_shown_for_area_totals(england_url):
    scorecard = open_page("pages/scorecard.py")
    assert not scorecard.exception
    assert any("one aggregate provider per area" in info.value for info in scorecard.info)
    enrolment = open_page("pages/enrolment.py")
    assert not enrolment.exception
    group = enrolment.segmented_control(key="enrolment_group")
    assert "type" not in group.options and "one aggregate provider per area" in "\n".join(captions(enrolment))


def test_the_brief_and_the_snapshot_carry_the_caveats(england_reader):
    with Session(england_reader) as session:
        brief = build_brief(session, filters=Filters())
        archive = zipfile.ZipFile(io.BytesIO(build_snapshot(session, filters=Filters())))
    assert "What these figures rest on" in brief and "Coverage by region on the map" in brief
    assert brief.count(ESTIMATED) >= 3
    manifest = json.loads(archive.read("manifest.json"))
    caveats = manifest["caveats"]
    assert caveats["estimated_openings"]["any"] is True and caveats["estimated_openings"]["default_rate"] == 0.1
    assert caveats["suppressed_cells"]["within_filters"] == {"enrolments": 8, "outcomes": 0, "demand": 4}
    assert {(r["table"], r["rounding"]) for r in caveats["rounding"]} == {("enrolments", 10), ("demand", 100)}
    assert caveats["year_labels"] == {"2022": "2021/22"} and caveats["academic_year_tables"] == ["enrolments"]
    assert caveats["regions_missing_a_side"] == [{"year": 2022, "region_code": "E69000036", "missing": "demand"}]
    detail = pd.read_csv(io.BytesIO(archive.read("supply_demand.csv")), encoding="utf-8-sig")
    assert detail["demand_estimated"].any() and detail["suppressed_cells"].sum() == 4
    # the contract's columns first, in the contract's order
    assert list(detail.columns[: len(CONTRACT_COLUMNS)]) == CONTRACT_COLUMNS


def test_the_supply_demand_csv_keeps_the_contract_columns_when_nothing_is_estimated_or_suppressed(tiny_engine):
    with Session(tiny_engine) as session:
        frame = VIEWS["supply_demand"].run(session, Filters())
    assert list(frame.columns) == CONTRACT_COLUMNS


def test_the_data_page_runs_a_recipe_on_uploaded_files_shows_its_report_and_loads_it(db_url, monkeypatch):
    engine = make_engine(db_url)
    create_schema(engine)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", db_url)
    clear_app_caches()
    app = open_page("pages/data.py")
    app.secrets["dashboard"] = {"local_editors": {"Ana Planner": hash_password(PASSWORD, iterations=1_000)}}
    app.run()
    app.text_input(key="sign_in_name").set_value("Ana Planner")
    app.text_input(key="sign_in_password").set_value(PASSWORD)
    next(b for b in app.button if b.label == "Sign in").click().run()
    names = [
        "recipe.toml",
        "sectors.csv",
        "programs.csv",
        "program_sectors.csv",
        "uk_lsip_boundaries_2023_bng.geojson",
        "uk_fe_achievements_by_ssa_lsip_202122.csv",
        "uk_aps_employment_by_industry_lsip_2018_2022.csv",
    ]
    uploader = next(u for u in app.get("file_uploader") if "Recipe" in u.proto.label)
    uploader.set_value([(name, (ENGLAND / name).read_bytes(), "application/octet-stream") for name in names])
    app.run()
    next(b for b in app.button if b.label == "Run the recipe and check").click().run()
    assert not app.exception
    report = "\n".join(m.value for m in app.markdown).replace("\\", "").replace("\u2060", "")
    assert "Enterprise M3 LEP (including all of Surrey)" in report and "-> Enterprise M3 (E69000009), 61 rows" in report
    assert "the publisher rounds counts to the nearest 10" in report
    assert any("2,385 rows" in s.value or "No problems" in s.value for s in app.success)
    load = next(b for b in app.button if b.label.startswith("Load England, 38 LSIP areas"))
    load.click().run()
    assert not app.exception
    engine = make_engine(db_url)
    with Session(engine) as session:
        assert queries.current_data_version(session) == 1
        assert len(queries.list_regions(session)) == 38
    engine.dispose()
    clear_app_caches()


def test_an_editor_changes_a_replacement_rate_and_the_estimates_follow(engine):
    import_england(engine)
    from data_access.loading import load_sources, undo_load
    from ui.published import sectors_source

    with Session(engine) as session:
        before = VIEWS["supply_demand"].run(session, Filters(year_from=2022, year_to=2022, sectors=("C",)))
    rate = pd.DataFrame([{"sector_code": "C", "sector_name": "Manufacturing", "replacement_rate": 0.05, "expected_share": None}])
    assert load_sources(engine, [sectors_source(rate)], loaded_by="test").ok
    with Session(engine) as session:
        after = VIEWS["supply_demand"].run(session, Filters(year_from=2022, year_to=2022, sectors=("C",)))
        rates = queries.replacement_rates(session).set_index("sector_code")
    assert rates.loc["C", "rate_used"] == 0.05 and bool(rates.loc["C", "stated"])
    assert rates.loc["A", "rate_used"] == 0.1 and not bool(rates.loc["A", "stated"])
    # Manufacturing 2022 by area: max(0, E(2022) - E(2021) + rate x E(2021)), at 0.10 before and 0.05 after;
    # 8 areas lost more Manufacturing jobs than 10% of 2021's, so they have 0 openings at either rate, and West of
    # England and North Somerset has no demand rows: unknown (empty) either way
    employment = employment_by_cell(engine)
    cells = [(r, "C") for r in before["region_code"]]
    known = before["demand"].notna()
    assert (~known).sum() == 1 and (before["demand"][known] == 0).sum() == 8
    for rate, frame in ((0.10, before), (0.05, after)):
        expected = [estimated_at(employment, [cell], rate) for cell in cells]
        assert frame["demand"][known].tolist() == pytest.approx([e for e, k in zip(expected, known) if k])
    assert after["demand"][~known].isna().all()
    assert undo_load(engine).ok
    with Session(engine) as session:
        again = VIEWS["supply_demand"].run(session, Filters(year_from=2022, year_to=2022, sectors=("C",)))
    pd.testing.assert_series_equal(again["demand"], before["demand"])


def test_the_academic_years_of_the_provision_type_file_read_as_the_years_they_end():
    published = pd.read_csv(ENGLAND / "uk_fe_achievements_by_type_2016_2022.csv", dtype=str)
    periods = sorted(published["time_period"].unique())
    assert periods == ["201617", "201718", "201819", "201920", "202021", "202122"]
    assert [_academic_year(p) for p in periods] == [
        (2017, "2016/17"),
        (2018, "2017/18"),
        (2019, "2018/19"),
        (2020, "2019/20"),
        (2021, "2020/21"),
        (2022, "2021/22"),
    ]
