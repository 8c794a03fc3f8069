"""The Planning page (AppTest) on the hand-made plan/ fixture: its numbers are the project command's,
a scenario in the link moves only the years it should, and the projector shows one screen."""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from data_access.filters import Filters
from data_access.loading import load_paths
from data_access.planning import project
from data_access.store import make_engine

from .conftest import BACKENDS, clear_app_caches, open_page, read_only_database, serving, write_csv
from .test_pages_at_scale import values
from .test_planning import PLAN, plan_engine, short_engine  # noqa: F401  (the fixtures)

PLANNING = "pages/planning.py"


@pytest.fixture
def plan_app(plan_engine, monkeypatch):  # noqa: F811
    """The app on a database of the test's own holding plan/ (for tests that write)."""
    monkeypatch.setenv("DATABASE_URL", plan_engine.url.render_as_string(hide_password=False))
    clear_app_caches()
    yield plan_engine
    clear_app_caches()


@pytest.fixture(scope="module", params=BACKENDS)
def plan_reader(request) -> Iterator[Engine]:
    """The app on a database holding plan/, shared by the tests of this module that only read it."""
    with read_only_database(request, PLAN) as url, serving(url):
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture(scope="module")
def trend_2025(plan_reader) -> AppTest:
    """The page projecting to 2025 by the trend method, opened once: the tests that read it change nothing."""
    return open_page(PLANNING, plan_to="2025", plan_method="trend")


def figure(app, starts: str) -> dict:
    return next(
        json.loads(c.proto.spec)
        for c in app.get("plotly_chart")
        if json.loads(c.proto.spec)["layout"]["title"]["text"].startswith(starts)
    )


def bars(app, year: int) -> dict[str, dict[str, float]]:
    chart = figure(app, f"Projected openings and graduates by sector in {year}")
    names = dict(zip(chart["layout"]["yaxis"]["tickvals"], chart["layout"]["yaxis"]["ticktext"]))  # code -> name
    return {trace["name"]: dict(zip(map(names.get, values(trace["y"])), values(trace["x"]))) for trace in chart["data"]}


def test_the_page_shows_the_project_command_s_numbers(plan_reader, trend_2025):
    app = trend_2025
    assert not app.exception
    with Session(plan_reader) as session:
        rows = project(session, to_year=2025, method="trend", filters=Filters()).rows
    expected = rows[rows["year"] == 2025].groupby("sector_name")[["demand", "supply"]].sum()
    shown = bars(app, 2025)
    for sector, numbers in expected.iterrows():
        assert shown["Openings (projected)"][sector] == pytest.approx(numbers["demand"])
        assert shown["Graduates (projected)"][sector] == pytest.approx(numbers["supply"])
    assert shown["Graduates (projected)"]["Manufacturing"] == pytest.approx(126)  # 140 entrants in 2023 x 0.9
    takeaway = next(m.value for m in app.markdown if m.value.startswith("**Takeaway"))
    assert takeaway == (
        "**Takeaway:** In 2025, Manufacturing is projected to have the largest shortage: 44 fewer graduates "
        "than openings (coverage 0.74; openings between 170 and 170 in 80% of outcomes)."
    )


def test_a_scenario_in_the_link_moves_the_gap_from_its_graduation_year_on(plan_reader):
    app = open_page(PLANNING, plan_to="2025", plan_method="trend", scenario="P1::2023:0.1")
    assert not app.exception
    shown = bars(app, 2025)
    assert shown["Graduates without the scenario"]["Manufacturing"] == pytest.approx(126)
    assert shown["Graduates with the scenario"]["Manufacturing"] == pytest.approx(138.6)
    assert any("graduates change from 2025" in c.value for c in app.caption)  # the lag, in words
    earlier = bars(open_page(PLANNING, plan_to="2024", plan_method="trend", scenario="P1::2023:0.1"), 2024)
    assert earlier["Graduates with the scenario"]["Manufacturing"] == pytest.approx(126)  # 2024 is not moved


def test_an_uploaded_scenario_is_the_one_in_force_and_a_program_not_taught_is_said(plan_reader):
    """The page's own scenario.csv uploaded again moves the bars as the link does; before, the editor of the
    new round started from the scenario in force and the upload did nothing, without a word."""
    app = open_page(PLANNING, plan_to="2025", plan_method="trend")
    uploader = next(u for u in app.get("file_uploader") if "scenario" in u.proto.label.lower())
    scenario = "program_code,region_code,from_year,change\r\nP1,,2023,0.1\r\nP2,R9,2023,0.5\r\n"
    uploader.set_value([("scenario.csv", scenario.encode("utf-8"), "text/csv")])
    app.run()
    assert not app.exception
    assert app.query_params["scenario"] == "P1::2023:0.1"
    shown = bars(app, 2025)
    assert shown["Graduates with the scenario"]["Manufacturing"] == pytest.approx(138.6)
    assert any(c.value.startswith("P2 has no intake in R9") for c in app.caption)


def test_the_scenario_uploader_speaks_the_interface_language(plan_reader):
    """Streamlit writes its uploader's button and limits in English: the page hides them and says them in Chinese,
    as the Data page does."""
    app = open_page(PLANNING, lang="zh-CN", plan_to="2025", plan_method="trend")
    assert not app.exception
    assert any(c.value.startswith("可上传：CSV · 每个文件不超过") for c in app.caption)
    styles = [h.proto.body for h in app.get("html")]
    assert any('content: "上传文件"' in style and "stFileUploaderDropzoneInstructions" in style for style in styles)


def test_the_planning_tables_write_counts_whole_with_separators_and_every_rate_with_one_decimal(trend_2025):
    """The cells' table showed 2165 without a separator and the back-test 5.94% beside the page's one-decimal rates;
    Streamlit drops a percentage's trailing zeros ("55%" beside "57.9%") unless the column has a step."""
    configs = [json.loads(frame.proto.columns) for frame in trend_2025.dataframe]
    cells = next(c for c in configs if "demand_low" in c)
    assert {cells[c]["type_config"]["format"] for c in ("demand", "demand_low", "demand_high", "supply", "gap")} == {"%,.0f"}
    backtest = next(c for c in configs if "wape" in c)
    assert backtest["wape"]["type_config"]["step"] == backtest["held"]["type_config"]["step"] == 0.001
    shown = next(frame.value for frame in trend_2025.dataframe if "wape" in frame.value.columns)
    assert (shown["held"].dropna() == shown["held"].dropna().round(3)).all()  # rounded, not cut, to one decimal
    programs = next(c for c in configs if "destination_rate" in c)
    assert programs["destination_rate"]["type_config"]["step"] == 0.001
    assert programs["current_intake"]["type_config"]["step"] == 1


def test_the_grow_shrink_list_and_the_back_test_are_on_the_page(trend_2025):
    app = trend_2025
    tables = [d.value for d in app.dataframe]
    programs = next(t for t in tables if "suggested_intake" in t.columns).set_index("program_code")
    assert programs.loc["P1", "status"] == "▲ grow" and programs.loc["P1", "suggested_intake"] == 154
    assert programs.loc["P2", "status"] == "▽ cap intake"
    assert programs.loc["P2", "why"] == "destination rate 52.5% (cohort 2022) is below 60.0%: cap next year's intake"
    backtest = next(t for t in tables if "wape" in t.columns)
    assert set(backtest["method"]) == {"trend (straight line)", "growth rate (CAGR)", "smoothing (damped trend)"}
    # how often each band held on the fixture's history (tests/test_planning.py): trend 6 of 6, cagr 4 of 6
    assert backtest["held"].tolist()[:2] == pytest.approx([1.0, round(4 / 6, 3)])  # shown rounded to 66.7%


def test_the_total_line_s_band_is_the_total_s_own_interval(trend_2025):
    app = trend_2025
    band = next(trace for trace in figure(app, "Graduates and openings")["data"] if trace.get("fill") == "toself")
    high = dict(zip(values(band["x"])[: len(values(band["x"])) // 2], values(band["y"])))
    # 2025: 170 (R1/C) + 60 (R2/Q) + 11.8 (R1/Q) = 241.8; only R1/Q has a measured error, so the total's half-width is
    # R1/Q's own: t x sqrt(161.2 / 3) x sqrt(1 + 1/5 + 5^2/10) = 23.092 (deviations of 0, 0, 10, 14, 0 from its line)
    assert high[2025] == pytest.approx(241.8 + 1.637744353696209 * np.sqrt(161.2 / 3) * np.sqrt(1 + 1 / 5 + 25 / 10))
    assert any("is that total's own" in c.value for c in app.caption)


def test_on_the_projector_one_screen_the_target_year_gap_with_and_without_the_scenario(plan_reader):
    app = open_page(PLANNING, present="1", scenario="P1::2023:0.1")
    assert not app.exception
    charts = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in app.get("plotly_chart")]
    assert len(charts) == 1 and charts[0].startswith("Projected openings and graduates by sector in 2025")
    assert not app.dataframe and not app.get("arrow_data_frame")


def test_the_page_in_chinese(plan_reader):
    app = open_page(PLANNING, lang="zh-CN", plan_to="2025", plan_method="trend")
    assert not app.exception
    assert app.title[0].value == "规划"
    takeaway = next(m.value for m in app.markdown if m.value.startswith("**要点"))
    assert (
        takeaway
        == "**要点**：预计2025年Manufacturing短缺最大：毕业生比岗位需求少44人（供需比0.74；80%的情况下岗位需求在170至170之间）。"
    )


def test_an_editor_saves_the_scenario_by_name_and_compares_two(plan_app):
    from streamlit.testing.v1 import AppTest

    from .conftest import APP
    from .test_data_page import DATA_PAGE, LOCAL_EDITORS, sign_in

    app = AppTest.from_file(APP, default_timeout=60)
    app.secrets["dashboard"] = {"local_editors": LOCAL_EDITORS}
    app.query_params["plan_method"] = "trend"
    app.query_params["scenario"] = "P1::2023:0.1"  # read when the session opens, like the filters
    app.run()
    sign_in(app.switch_page(DATA_PAGE).run(), name="ana planner")
    app.switch_page(PLANNING).run()
    assert not app.exception
    for version in (1, 2):
        app.text_input(key="scenario_name").input("More machinists").run()
        next(b for b in app.button if b.label == "Save").click().run()
        assert f"Saved as More machinists, version {version}." in [s.value for s in app.success]
    app.selectbox(key="compare_a").set_value("More machinists · v1")
    app.selectbox(key="compare_b").set_value("More machinists · v2").run()
    compared = next(d.value for d in app.dataframe if "Graduates with More machinists · v1" in d.value.columns)
    row = compared.set_index("Sector code").loc["C"]
    assert row["Graduates without a scenario"] == 126  # whole graduates on screen: 140 entrants x 0.9
    assert row["Graduates with More machinists · v2"] == row["Graduates with More machinists · v1"] == 139  # 138.6
    # the difference over the years, drawn and said: the same scenario twice differs in no year
    assert any(f.proto.spec and "less graduates with" in f.proto.spec for f in app.get("plotly_chart"))
    assert any(
        c.value.startswith("More machinists · v1 and More machinists · v2 give the same graduates in every year")
        for c in app.caption
    )


def _plan_of_the_link():
    import streamlit as st

    from ui.planning import current_plan

    st.text(f"to_year={current_plan().to_year}")


# Horizons in a link, and the year the exports take from each: the last year of demand data is 2022, so the page
# offers 2023-2032, and the snapshot, workbook and brief follow the link only within those years (anything else
# is ignored, as other values a link cannot hold are).
LINK_HORIZONS = {"2025": 2025, "2032": 2032, "2033": None, "2022": None, "99999": None, "-1": None, "2e3": None}


def test_a_link_s_horizon_outside_the_page_s_years_is_ignored_by_the_exports(plan_reader):
    for plan_to, to_year in LINK_HORIZONS.items():
        app = AppTest.from_function(_plan_of_the_link, default_timeout=60)
        app.query_params["plan_to"] = plan_to
        assert app.run().text[0].value == f"to_year={to_year}", plan_to


def test_near_the_contract_s_last_year_the_page_offers_only_the_years_left(plan_app, tmp_path):
    demand = write_csv(tmp_path / "late", "demand", ["year,region_code,sector_code,openings", "2098,R1,C,10", "2099,R1,C,11"])
    assert load_paths(plan_app, [demand]).ok
    clear_app_caches()
    app = open_page(PLANNING, plan_to="2101")
    assert not app.exception
    assert app.select_slider(key="plan_horizon").value == 2100 and app.select_slider(key="plan_horizon").options == ["2100"]
    assert load_paths(
        plan_app, [write_csv(tmp_path / "last", "demand", ["year,region_code,sector_code,openings", "2100,R1,C,12"])]
    ).ok
    clear_app_caches()
    app = open_page(PLANNING)
    assert not app.exception
    assert [i.value for i in app.info] == [
        "The demand data reaches 2100, the last year the data format allows: there is no later year to project."
    ]


def test_a_short_cell_says_how_many_years_it_rests_on_and_a_cell_of_no_known_year_says_why_it_is_not_projected(
    short_engine,  # noqa: F811
    monkeypatch,
):
    monkeypatch.setenv("DATABASE_URL", short_engine.url.render_as_string(hide_password=False))
    clear_app_caches()
    try:
        app = open_page(PLANNING, plan_to="2024", plan_method="auto")
        assert not app.exception
        assert any(
            c.value.startswith("Too little history to project: the openings of 1 region-and-sector cells are known in no year.")
            for c in app.caption
        )
        table = next(d.value for d in app.dataframe if "demand_not_projected" in d.value.columns)
        by_cell = table.set_index(["region_code", "sector_code"])
        assert by_cell.loc[("R3", "C"), "few_years"] == "rests on 2 years"
        assert by_cell.loc[("R3", "C"), "method"] == "carried forward (too few years for a method)"
        assert by_cell.loc[("R4", "C"), "demand_not_projected"] == ""  # one year: carried forward, not left out
        assert by_cell.loc[("R4", "C"), "few_years"] == "rests on 1 year"
        assert by_cell.loc[("R5", "C"), "demand_not_projected"].startswith("not projected: openings known in no year")
        chinese = open_page(PLANNING, lang="zh-CN", plan_to="2024", plan_method="auto")
        table = next(d.value for d in chinese.dataframe if "demand_not_projected" in d.value.columns)
        assert table.set_index(["region_code", "sector_code"]).loc[("R3", "C"), "few_years"] == "仅依据 2 年数据"
    finally:
        clear_app_caches()
