"""Every page through Streamlit's AppTest, on the tiny fixture: it runs without
an exception, its headline numbers equal the query results (worked out by
hand in tests/fixtures/README.md), and changing a filter changes them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from data_access import queries
from data_access.filters import Filters
from data_access.settings import get_settings
from data_access.store import _ready_engine, make_engine
from data_access.views import VIEWS

from .conftest import APP, run_app


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_overview_headline_numbers_equal_the_queries(app_url_every_backend):
    app = run_app()
    assert not app.exception
    shown = metrics(app)
    with Session(make_engine(app_url_every_backend)) as session:
        by_year = queries.headline_by_year(session, filters=Filters(2022, 2024)).set_index("year")
    assert shown["Graduates (2024)"] == f"{by_year.loc[2024, 'graduates']:,}" == "35"
    # 2024 has no openings, so openings, coverage and outcome rates show their latest year with data, 2023.
    assert shown["Openings (2023)"] == "75"
    assert shown["Coverage ratio (2023)"] == "0.60"  # 42 / 70 over the measured cells (Remote's 5 openings beside)
    assert shown["Destination rate (2023)"] == f"{100 * by_year.loc[2023, 'employment_rate']:.1f}%" == "86.8%"
    assert shown["In-field rate (2023)"] == "69.2%"
    assert shown["Students placed (2024)"] == "5"


def test_changing_the_region_filter_changes_the_headline_and_the_url(app_url_every_backend):
    app = run_app()
    app.sidebar.multiselect(key="filter_regions").set_value(["R2"]).run()
    assert not app.exception
    shown = metrics(app)
    assert shown["Graduates (2023)"] == "12"  # South only has 2023 graduates
    assert shown["Openings (2023)"] == "10"
    assert shown["Coverage ratio (2023)"] == "1.20"
    assert app.query_params["region"] in ("R2", ["R2"])


def test_filters_are_read_from_the_url(app_url_every_backend):
    app = run_app(**{"from": "2023", "to": "2023", "sector": "Q"})
    assert not app.exception
    shown = metrics(app)
    assert shown["Graduates (2023)"] == "30"
    assert shown["Openings (2023)"] == "65"
    assert app.sidebar.multiselect(key="filter_sectors").value == ["Q"]


def test_unknown_codes_in_the_url_are_dropped_not_an_error(app_url_every_backend):
    app = run_app(region=["R2", "NOPE"], to="1900")
    assert not app.exception
    assert app.sidebar.multiselect(key="filter_regions").value == ["R2"]


def test_overview_with_no_matching_data_shows_a_friendly_message(app_url_every_backend):
    app = run_app(**{"from": "2024", "to": "2024", "sector": "J", "region": "R1"})
    assert not app.exception
    assert not app.error
    assert any("No data matches these filters" in info.value for info in app.info)


def test_supply_demand_page_shows_the_latest_year_by_sector_and_cell(app_url_every_backend):
    app = run_app(to="2023")
    app.switch_page("pages/supply_demand.py").run()
    assert not app.exception
    assert len(app.get("plotly_chart")) == 3
    table = app.dataframe[0].value
    with Session(make_engine(app_url_every_backend)) as session:
        expected = VIEWS["gaps_by_region_sector"].run(session, Filters(2023, 2023))
    assert table.reset_index(drop=True).equals(expected)
    # R1 Q, R2 J, then R3 Q: no institution, so its supply is unknown and it has no gap
    assert list(table["gap"])[:2] == [-30, 2] and pd.isna(table["gap"].iloc[2])


def test_supply_demand_total_period_and_sector_filter_change_the_table(app_url_every_backend):
    app = run_app()
    app.switch_page("pages/supply_demand.py").run()
    app.segmented_control(key="period").set_value("total").run()
    table = app.dataframe[0].value
    # measured cells only: R3's 5 openings have no known supply and stand beside the gap
    assert table["supply"].sum() == 77 and table["demand"].sum() == 70 and table["demand_unmeasured"].sum() == 5
    app.sidebar.multiselect(key="filter_sectors").set_value(["J"]).run()
    assert not app.exception
    assert list(app.dataframe[0].value["region_code"]) == ["R2"]


def test_supply_demand_page_with_no_matching_data_shows_a_friendly_message(app_url_every_backend):
    app = run_app(**{"from": "2024", "to": "2024", "sector": "J"})
    app.switch_page("pages/supply_demand.py").run()
    assert not app.exception
    assert not app.error
    assert any("No graduates or openings match" in info.value for info in app.info)


def test_an_unreachable_database_is_a_friendly_error_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    for clear in (get_settings.cache_clear, _ready_engine.cache_clear, st.cache_data.clear, st.cache_resource.clear):
        clear()
    app = run_app()
    assert not app.exception
    assert "The database cannot be opened" in app.error[0].value
    get_settings.cache_clear()
    _ready_engine.cache_clear()


def test_no_page_url_path_equals_a_file_name_in_pages():
    """Streamlit's legacy pages/ discovery would run such a page without the sidebar (see dashboard.py)."""
    import ast

    source = Path(APP).read_text(encoding="utf-8")
    url_paths = {
        keyword.value.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page"
        for keyword in node.keywords
        if keyword.arg == "url_path"
    }
    stems = {path.stem for path in (Path(APP).parent / "pages").glob("*.py")}
    assert url_paths and not url_paths & stems


def test_a_change_compares_like_with_like_and_its_sign_gives_the_direction(app_url_every_backend):
    """35 graduates in 2024 after 42 in 2023 is not a fall: South reports no 2024 enrolments, and North, the one
    region in both years, went from 30 to 35. st.metric reads the direction from the sign."""
    app = run_app()
    graduates = next(m for m in app.metric if m.label == "Graduates (2024)")
    assert graduates.delta == "+5 vs previous year (1 of 2 regions)"
    assert graduates.proto.direction == graduates.proto.UP
