"""An incomplete panel (tests/fixtures/panel, contract version 3): a region that reports enrolments in
one year only (B), a region without any demand row (C), a suppressed demand cell (A, Y, 2022) and a
region joining in the last year (D). Every number is worked out by hand below; nothing unknown is
counted, compared or stated.

Cells, 2021 (enrolments report A and C, demand A and B):
  A X 10/20 measured · A Y 4/5 measured · B X ?/25 · B Y ?/3 · C X 0/? (nothing reported) · C Y 5/?
Cells, 2022 (enrolments report A, B, C, D; demand A, B, D):
  A X 12/22 measured · A Y 6/suppressed · B X 22/24 measured · B Y 0/4 measured · C X 0/? · C Y 6/?
  D X 40/50 measured · D Y 0/0 measured (nothing reported)
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from data_access import queries
from data_access.filters import Filters
from data_access.recipes import folder_opener, import_recipe, run_recipe
from data_access.snapshot import build_snapshot
from data_access.views import VIEWS
from tests.conftest import clear_app_caches, open_page
from ui.headline import coverage_basis, headline_figures
from ui.i18n import speaking
from ui.takeaways import largest_shortage_takeaway, trend_takeaway

PANEL = Path(__file__).resolve().parent / "fixtures" / "panel"


@pytest.fixture
def panel_engine(engine):
    recipe = PANEL / "recipe.toml"
    outcome = import_recipe(engine, run_recipe(recipe.read_bytes(), recipe.name, folder_opener(recipe), None))
    assert outcome.ok, outcome.validation.report_lines()
    return engine


def snapshot_csv(engine, name: str) -> str:
    with Session(engine) as session:
        archive = zipfile.ZipFile(io.BytesIO(build_snapshot(session, filters=Filters())))
    return archive.read(name).decode("utf-8-sig")


def test_supply_demand_csv_leaves_every_unknown_side_empty_and_says_which_cells_are_measured(panel_engine):
    text = snapshot_csv(panel_engine, "supply_demand.csv")
    frame = pd.read_csv(io.StringIO(text), keep_default_na=False, dtype=str)
    got = [
        tuple(r)
        for r in frame[
            ["year", "region_code", "sector_code", "supply", "demand", "gap", "coverage_ratio", "measured"]
        ].itertuples(index=False)
    ]
    assert got == [
        ("2021", "A", "X", "10", "20", "-10", "0.5", "true"),
        ("2021", "A", "Y", "4", "5", "-1", "0.8", "true"),
        ("2021", "B", "X", "", "25", "", "", "false"),  # B reports no enrolments in 2021
        ("2021", "B", "Y", "", "3", "", "", "false"),
        ("2021", "C", "Y", "5", "", "", "", "false"),  # C has no demand row at all
        ("2022", "A", "X", "12", "22", "-10", repr(12 / 22), "true"),
        ("2022", "A", "Y", "6", "", "", "", "false"),  # suppressed ("c") in the published file
        ("2022", "B", "X", "22", "24", "-2", repr(22 / 24), "true"),
        ("2022", "B", "Y", "0", "4", "-4", "0", "true"),
        ("2022", "C", "Y", "6", "", "", "", "false"),
        ("2022", "D", "X", "40", "50", "-10", "0.8", "true"),
    ]
    assert (
        frame.loc[
            (frame["year"] == "2022") & (frame["region_code"] == "A") & (frame["sector_code"] == "Y"), "suppressed_cells"
        ].item()
        == "1"
    )


def test_overview_csv_counts_measured_cells_only_and_compares_years_over_the_common_cells(panel_engine):
    overview = pd.read_csv(io.StringIO(snapshot_csv(panel_engine, "overview.csv"))).set_index("year")
    # 2021: measured A X + A Y = 14 / 25; beside them C Y's 5 graduates and B's 25 + 3 openings
    first = overview.loc[2021]
    assert (first["supply"], first["openings"], first["supply_unmeasured"], first["demand_unmeasured"]) == (14, 25, 5, 28)
    assert first["coverage_ratio"] == pytest.approx(14 / 25) and first["measured_cells"] == 2
    assert first["common_cells"] == 0 and pd.isna(first["supply_change"])
    # 2022: measured A X, B X, B Y, D X, D Y = 74 / 100; beside them A Y's 6 (suppressed openings), C's 0 + 6
    last = overview.loc[2022]
    assert (last["supply"], last["openings"], last["supply_unmeasured"], last["demand_unmeasured"]) == (74, 100, 12, 0)
    assert last["coverage_ratio"] == pytest.approx(0.74) and last["measured_cells"] == 5
    # measured in both years: A X alone. 12 - 10, 22 - 20, 12/22 - 10/20 (a naive total would say 14 -> 74)
    assert (last["common_cells"], last["supply_change"], last["demand_change"]) == (1, 2, 2)
    assert last["coverage_ratio_change"] == pytest.approx(12 / 22 - 10 / 20)
    # graduates over the regions reporting enrolments both years (A, C): (12 + 6 + 6) - (10 + 4 + 5) = 5, 2 of 4
    assert (last["graduates"], last["graduates_change"], last["graduates_regions"], last["graduates_regions_of"]) == (86, 5, 2, 4)
    # openings over the regions reporting demand both years (A, B), cells known in both: A X 22 - 20, B X 24 - 25,
    # B Y 4 - 3 (A Y is suppressed in 2022) = +2, over 2 of 3 regions
    assert (last["openings_change"], last["openings_regions"], last["openings_regions_of"]) == (2, 2, 3)


def test_the_sentences_compare_like_with_like_in_both_languages(panel_engine):
    with Session(panel_engine) as session:
        by_year = queries.headline_by_year(session, filters=Filters())
        ends = queries.supply_demand_ends(session, filters=Filters())
        latest = VIEWS["gaps_by_sector"].run(session, Filters(2022, 2022))
        before = VIEWS["gaps_by_sector"].run(session, Filters(2021, 2021))
        calendar = queries.data_calendar(session)
    with speaking("en"):
        figures = {f.key: f for f in headline_figures(by_year, year_to=None, covered=calendar)}
        assert figures["graduates"].change == "+5 vs previous year (2 of 4 regions)"
        # openings over the cells known in both years of A and B: A X 20 -> 22, B X 25 -> 24, B Y 3 -> 4 (A Y is
        # suppressed in 2022, so its 5 of 2021 are not compared with nothing): +2
        assert figures["openings"].shown == "100" and figures["openings"].change == "+2 vs previous year (2 of 3 regions)"
        assert figures["coverage_ratio"].change == "+0.05 vs previous year (1 of 5 cells)"
        assert coverage_basis(by_year, list(figures.values())) == (
            "Coverage 0.74 compares 74 graduates of programs linked to a sector (split by the crosswalk's shares, on the "
            "Data page) with 100 openings, in the 5 region-sector cells where both are known. Not in it: 12 graduates "
            "where openings are not known."
        )
        assert trend_takeaway(ends) == (
            "From 2021 to 2022, graduates went from 10 to 12 (+20.0%) and openings from 20 to 22 (+10.0%): coverage rose "
            "from 0.50 to 0.55. Compared over the 1 of 3 regions measured in both years."
        )
        # X over A, B, D: 74 - 96 = -22; measured in 1 cell in 2021 and 3 in 2022, so not compared
        assert largest_shortage_takeaway(latest, before, when="in 2022", previous_year=2021) == (
            "Machining has the largest shortage in 2022: 22 fewer graduates than openings (coverage 0.77); 2021 measured "
            "other regions for this sector, so the two years are not compared."
        )
    with speaking("zh-CN"):
        figures = {f.key: f for f in headline_figures(by_year, year_to=None, covered=calendar)}
        assert figures["graduates"].change == "+5（较上年）（4个地区中的2个）"
        assert trend_takeaway(ends).endswith("按两年均有测算的1个地区（共3个）比较。")
        assert largest_shortage_takeaway(latest, before, when="2022年", previous_year=2021).endswith(
            "2021年该行业测算的地区不同，因此不比较这两年。"
        )


def test_enrolment_growth_by_sector_compares_the_regions_reporting_both_years(panel_engine):
    with Session(panel_engine) as session:
        by_sector = queries.enrolment_trend(session, filters=Filters(), by=("sector_code",)).set_index(["year", "sector_code"])
    # Machining 2021: Alder 40; 2022: Alder 44, Birch 66, Dogwood 100 (210 in all). Birch and Dogwood report no
    # 2021 enrolments, so the change is Alder's alone: 40 -> 44, +4 (+10%), over 1 of the 3 regions with rows.
    machining = by_sector.loc[(2022, "X")]
    assert (machining["enrolled"], machining["enrolled_before"], machining["enrolled_change"]) == (210, 40, 4)
    assert machining["enrolled_growth"] == pytest.approx(0.1)
    assert (machining["regions_compared"], machining["regions_reporting"]) == (1, 3)
    with speaking("en"):
        two_years = by_sector.reset_index().assign(sector_name=lambda f: f["sector_code"].map({"X": "Machining", "Y": "Care"}))
        from ui.takeaways import enrolment_growth_takeaway

        # Care: Alder 20 -> 22 and Cedar 30 -> 33, +5 (+10%): the same growth, the larger change
        assert enrolment_growth_takeaway(two_years, name="sector_name", year=2022) == (
            "From 2021 to 2022, enrolment grew fastest in Care (+10.0%, +5)."
        )


def test_the_program_table_s_growth_compares_the_regions_reporting_both_years(panel_engine):
    with Session(panel_engine) as session:
        programs = queries.program_table(session, filters=Filters(year_to=2022)).set_index("program_code")
    # 2022 enrolments report A, B, C and D; 2021 only A and C. Machining: 44 + 66 + 100 = 210 enrolled, of which
    # Alder's 44 in the regions of both years, against its 40: +10%, not 210 against 40 (+425%). Care work: Alder
    # 22 + Cedar 33 = 55 against 20 + 30 = 50, +10%.
    assert programs.loc["PX", ["enrolled", "enrolled_previous_year"]].tolist() == [210, 40]
    assert programs.loc["PY", ["enrolled", "enrolled_previous_year"]].tolist() == [55, 50]
    assert programs["enrolled_growth"].tolist() == pytest.approx([0.1, 0.1])
    assert programs[["regions_compared", "regions_reporting"]].drop_duplicates().values.tolist() == [[2, 4]]
    from ui.charts_enrolment import program_panel_note

    with speaking("en"):
        assert program_panel_note(programs.reset_index(), 2022) == (
            "Enrolled the year before and growth compare the 2 of 4 regions whose enrolments report both 2021 and 2022."
        )
    with speaking("zh-CN"):
        assert program_panel_note(programs.reset_index(), 2022) == (
            "上年在校生数与增长率只比较4个地区中2021年和2022年均报送招生数据的2个。"
        )


def test_project_by_total_sums_the_measured_cells_and_keeps_the_unknown_beside(panel_engine, db_url, cli, tmp_path):
    out = tmp_path / "total.csv"
    code, said, _ = cli("project", "--to", "2023", "--by", "total", "--out", out, "--db", db_url)
    assert code == 0, said
    row = pd.read_csv(out, encoding="utf-8-sig").iloc[0]
    # Each cell from its own known years; with fewer than three, carried forward flat (method naive): openings
    # A X 20, 22 -> 22; A Y 5 (2022 suppressed: one year) -> 5; B X 25, 24 -> 24; B Y 3, 4 -> 4; D X 50 (joined in
    # 2022) -> 50: 105. Graduates of the same measured cells A X 10, 12 -> 12; A Y 4, 6 -> 6; B X 22; B Y 0;
    # D X 40: 80. Cedar's graduates (5, 6 -> 6) have no openings to meet: beside the total.
    assert (row["year"], row["demand"], row["supply"], row["gap"]) == (2023, 105, 80, -25)
    assert row["coverage_ratio"] == pytest.approx(80 / 105)
    assert (row["measured_cells"], row["supply_unmeasured"], row["demand_unmeasured"]) == (5, 6, 0)
    assert row["demand_low"] < 105 < row["demand_high"]


def test_planning_for_a_region_without_demand_draws_no_empty_chart_and_marks_nothing(panel_engine, db_url, monkeypatch):
    """Region C has no demand row in any year: no year is measured, so the over-the-years chart is not drawn
    (an empty frame of axes would look like zero), and the takeaway says that no gap is stated."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    clear_app_caches()
    app = open_page("pages/planning.py", region="C")
    assert not app.exception
    assert any("nothing to draw over the years" in i.value for i in app.info)
    charts = [c for c in app.get("plotly_chart") if "observed to" in c.proto.spec]
    assert charts == []
    assert any("no sector has both its graduates and its openings projected" in m.value for m in app.markdown)
    clear_app_caches()


def test_a_region_with_a_suppressed_graduates_cell_is_left_out_of_the_graduates_change(engine, tmp_path):
    folder = tmp_path / "panel"
    shutil.copytree(PANEL, folder)
    enrolments = (folder / "enrolments.csv").read_text(encoding="utf-8")
    (folder / "enrolments.csv").write_text(enrolments.replace("2022,IC,PY,33,6", "2022,IC,PY,33,c"), encoding="utf-8")
    recipe = folder / "recipe.toml"
    columns = '[table.columns]\nyear = "year"\ninstitution_id = "institution_id"\nprogram_code = "program_code"\n'
    columns += 'enrolled = "enrolled"\ngraduates = "graduates"\n'
    text = recipe.read_text(encoding="utf-8").replace('file = "enrolments.csv"\n', f'file = "enrolments.csv"\n{columns}')
    recipe.write_text(text, encoding="utf-8")
    outcome = import_recipe(engine, run_recipe(recipe.read_bytes(), recipe.name, folder_opener(recipe), None))
    assert outcome.ok, outcome.validation.report_lines()
    last = pd.read_csv(io.StringIO(snapshot_csv(engine, "overview.csv"))).set_index("year").loc[2022]
    # A and C report enrolments in both years, but C's 2022 graduates hold a suppressed cell: its total is not
    # known, so only A is compared, (12 + 6) - (10 + 4) = 4, over 1 of the 4 regions reporting either year
    assert (last["graduates_change"], last["graduates_regions"], last["graduates_regions_of"]) == (4, 1, 4)
