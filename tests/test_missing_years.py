"""Missing is not zero: on the v2 fixture (enrolments for 2022 and 2024, demand for 2022–2024) no
headline, takeaway, trend or export compares with the missing year 2023 or counts it as 0.
Sentences checked whole in English and Chinese."""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Iterator

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from data_access.filters import Filters
from data_access.loading import load_paths
from data_access.snapshot import build_snapshot
from data_access.store import create_schema, make_engine

from .conftest import FIXTURES, app_database, clear_app_caches, open_page, run_app
from .test_pages_at_scale import values

SUPPLY_DEMAND = "pages/supply_demand.py"
OVERVIEW = "pages/home.py"


@pytest.fixture
def v2_app(migrated_sqlite, tmp_path_factory, tmp_path, monkeypatch) -> Iterator[str]:
    yield from app_database(FIXTURES / "v2", migrated_sqlite, tmp_path_factory, tmp_path, monkeypatch)


def metrics(app) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta) for m in app.metric}


def takeaways(app) -> list[str]:
    return [m.value for m in app.markdown if m.value.startswith(("**Takeaway", "**要点"))]


def test_the_overview_compares_no_figure_with_a_year_its_table_lacks(v2_app):
    app = open_page(OVERVIEW)
    assert not app.exception
    shown = metrics(app)
    # 2024: 35 + 28 + 10 graduates; 2023 has no enrolment rows, so no change, and the metric says why.
    assert shown["Graduates (2024)"] == ("73", "no 2023 data to compare with")
    assert shown["Openings (2024)"] == ("54", "+1 vs previous year")  # demand covers 2023: 25 + 29 against 22 + 31
    assert shown["Coverage ratio (2024)"] == ("1.17", "no 2023 data to compare with")  # (21 + 14 + 28) / 54
    assert takeaways(app) == [
        # The years 2022-2024 (2023 has no enrolments, so the trend compares the first and last years it has):
        # graduates 55 -> 73 - 10 not linked = 63, openings 65 -> 54.
        "**Takeaway:** From 2022 to 2024, graduates went from 55 to 63 (+14.5%) and openings from 65 to 54 (-16.9%): "
        "coverage rose from 0.85 to 1.17.",
        "**Takeaway:** Manufacturing has the largest shortage in 2024: 4 fewer graduates than openings (coverage 0.84); "
        "2023 has no supply or no demand data to compare with.",
    ]
    captions = [c.value for c in app.caption]
    assert "Not in any gap: 10 graduates of programs linked to no labour-market sector (see the Enrolment page)." in captions


def test_the_overview_in_chinese_says_the_same(v2_app):
    app = open_page(OVERVIEW, lang="zh-CN")
    assert not app.exception
    shown = metrics(app)
    assert shown["毕业生数（2024）"] == ("73", "2023年无数据可比")
    assert takeaways(app)[1:] == [
        "**要点**：2024年，Manufacturing短缺最大：毕业生数比岗位需求数少4人（供需比0.84）；2023年缺少供给或需求数据，无法比较。"
    ]


def test_the_supply_demand_trend_breaks_where_supply_is_missing_and_its_takeaway_skips_that_year(v2_app):
    app = open_page(SUPPLY_DEMAND)
    assert not app.exception
    trend = next(json.loads(c.proto.spec) for c in app.get("plotly_chart") if "over the years" in c.proto.spec)
    supply = next(trace for trace in trend["data"] if trace["name"] == "Supply (graduates)")
    years, graduates = values(supply["x"]), values(supply["y"])
    assert years == [2022, 2023, 2024] and math.isnan(graduates[1])  # a break, not a drop to 0
    assert takeaways(app)[-1].startswith("**Takeaway:** From 2022 to 2024")


def test_totals_over_the_years_say_which_year_they_leave_out(v2_app):
    app = open_page(SUPPLY_DEMAND)
    app.segmented_control(key="period").set_value("total").run()
    assert not app.exception
    assert "Totals leave out 2023: a year without supply or without demand data is missing, not zero." in [
        c.value for c in app.caption
    ]


def test_the_latest_year_shown_is_the_latest_with_both_sides_and_the_screen_says_so(db_url, monkeypatch, tmp_path):
    # Demand for 2025 arrives before the graduates of 2025: the default range ends in 2024, and a range
    # chosen to 2025 shows 2024's gaps and says why.
    folder = tmp_path / "v2more"
    folder.mkdir()
    for path in (FIXTURES / "v2").iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    with open(folder / "demand.csv", "a", encoding="utf-8") as file:
        file.write("2025,R1,C,26,\n")
    engine = make_engine(db_url)
    create_schema(engine)
    assert load_paths(engine, [folder]).ok
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", db_url)
    clear_app_caches()
    default = open_page(SUPPLY_DEMAND)
    assert default.sidebar.slider(key="filter_years").value == (2022, 2024)
    chosen = open_page(SUPPLY_DEMAND, to="2025")
    assert not chosen.exception
    assert (
        "2025 has no enrolment (supply) data yet, so gaps are shown for 2024, the latest year with both supply and demand."
    ) in [c.value for c in chosen.caption]
    clear_app_caches()


def test_the_exported_overview_leaves_a_year_without_enrolments_empty(v2_app):
    with Session(make_engine(v2_app)) as session:
        archive = zipfile.ZipFile(io.BytesIO(build_snapshot(session, filters=Filters())))
    overview = pd.read_csv(io.BytesIO(archive.read("overview.csv")), encoding="utf-8-sig").set_index("year")
    assert pd.isna(overview.loc[2023, "graduates"]) and pd.isna(overview.loc[2023, "coverage_ratio"])
    # no enrolments in 2023: no cell is measured, so the 53 openings stand beside an empty gap
    assert pd.isna(overview.loc[2023, "openings"]) and overview.loc[2023, "demand_unmeasured"] == 53
    assert overview.loc[2023, "measured_cells"] == 0 and overview.loc[2024, "common_cells"] == 0
    assert pd.isna(overview.loc[2024, "supply_change"])
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["data_calendar"]["enrolments"]["years"] == [2022, 2024]
    assert manifest["data_calendar"]["enrolments"]["regions_differing"] == {}  # both regions have 2022 and 2024
    assert manifest["data_calendar"]["placements"] == {"years": [], "regions_differing": {}}
    assert manifest["comparable_years"] == [2022, 2024]


def test_a_page_whose_table_the_data_set_lacks_says_so_and_the_projector_skips_it(v2_app):
    app = open_page("pages/placements.py")
    assert not app.exception
    assert [i.value for i in app.info] == [
        "This data set does not include placements: its placements.csv has no rows, so there is nothing to show here "
        "whatever the filters."
    ]
    presenting = open_page("pages/enrolment.py", present="1")
    presenting.button(key="presentation_next").click().run()
    assert not presenting.exception
    assert presenting.title[0].value == "Graduate outcomes"  # Placements skipped


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_every_page_opens_on_a_version_2_data_set(v2_app, lang):
    """Every page in turn in one session, as a reader moves through them."""
    app = run_app(lang=lang)  # the Overview
    for page in (
        "pages/home.py",
        SUPPLY_DEMAND,
        "pages/enrolment.py",
        "pages/placements.py",
        "pages/outcomes.py",
        "pages/scorecard.py",
        "pages/data.py",
    ):
        if page != "pages/home.py":
            app.switch_page(page).run()
        assert not app.exception, (page, [e.message for e in app.exception])
        assert not app.error, page
