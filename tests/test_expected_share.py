"""Expected shares of openings (``sectors.expected_share``): a bureau states per sector the part of the openings
its vocational graduates are expected to fill, and shortage and surplus are graded against that part, while the
contract's gap and coverage stay beside it in every export.

The tiny fixture (tests/fixtures/README.md) with Health (Q) at 0.6 and ICT (J) at 0.8, worked out by hand:
  2023 cells: North Health 30 graduates / 60 openings (expected 36: gap -6, coverage 30/36 = 0.83),
  South ICT 12 / 10 (expected 8: gap +4, coverage 1.5), North ICT 0 / 0, South Health 0 / 0,
  Remote Health ? / 5 (no institution: supply unknown, 3 expected openings beside the gap).
  2023 in all: supply 42 against 70 openings (coverage 0.6) and 36 + 8 = 44 expected (coverage 42/44 = 0.95).
"""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from data_access import queries
from data_access.filters import Filters
from data_access.loading import load_paths, load_sources, undo_load
from data_access.snapshot import build_snapshot
from data_access.views import VIEWS, read_view
from tests.conftest import TINY, write_csv
from ui.i18n import speaking
from ui.published import sectors_source
from ui.takeaways import largest_shortage_takeaway

SHARES = "sector_code,sector_name,expected_share\nQ,Health,0.6\nJ,ICT,0.8\n"
YEAR_2023 = Filters(year_from=2023, year_to=2023)


@pytest.fixture
def shared(engine, tmp_path):
    """The tiny fixture with the expected shares stated in its sectors.csv."""
    assert load_paths(engine, [TINY], loaded_by="test").ok
    assert load_paths(engine, [write_csv(tmp_path, "sectors", SHARES)], loaded_by="test").ok
    return engine


def test_shortage_is_graded_against_the_expected_openings_and_the_contract_figures_stay(shared):
    with Session(shared) as session:
        by_sector = read_view(session, "gaps_by_sector", YEAR_2023)
        cells = VIEWS["supply_demand"].run(session, YEAR_2023).set_index(["region_code", "sector_code"])
        placements = queries.placements_against_gaps(session, filters=YEAR_2023).set_index("sector_code")
    table = by_sector.table.set_index("sector_code")
    # the contract's figures: Health 30 against 60 (the 5 openings of Remote, whose supply is unknown, beside)
    assert table.loc["Q", ["supply", "demand", "gap", "demand_unmeasured"]].tolist() == [30, 60, -30, 5]
    assert table.loc["Q", "coverage_ratio"] == pytest.approx(0.5)
    # ... and the expected ones beside them
    assert table.loc["Q", ["expected_demand", "expected_gap", "expected_demand_unmeasured"]].tolist() == pytest.approx(
        [36, -6, 3]
    )
    assert table.loc["Q", "expected_coverage"] == pytest.approx(30 / 36)
    assert table.loc["J", ["expected_demand", "expected_gap", "expected_coverage"]].tolist() == pytest.approx([8, 4, 1.5])
    # charts and sentences read the graded figures, with every opening kept as openings_all
    numbers = by_sector.numbers.set_index("sector_code")
    assert numbers.loc["Q", ["demand", "gap", "openings_all"]].tolist() == pytest.approx([36, -6, 60])
    assert "expected_gap" not in numbers
    # a cell: the expected openings are known where the openings are, the gap only where the cell is measured
    assert cells.loc[("R1", "Q"), ["expected_demand", "expected_gap"]].tolist() == pytest.approx([36, -6])
    assert cells.loc[("R3", "Q"), "expected_demand"] == pytest.approx(3)
    assert pd.isna(cells.loc[("R3", "Q"), "expected_gap"])
    # 0.83 is a shortage against expected openings (below 0.9); 1.5 a surplus
    assert placements["gap_status"].to_dict() == {"J": "surplus", "Q": "shortage"}


def test_the_takeaway_and_the_coverage_line_say_what_they_grade_against(shared):
    with Session(shared) as session:
        numbers = read_view(session, "gaps_by_sector", YEAR_2023).numbers
        by_year = queries.headline_by_year(session, filters=Filters())
    with speaking("en"):
        assert largest_shortage_takeaway(numbers, when="in 2023") == (
            "Health has the largest shortage in 2023: 6 fewer graduates than openings (coverage 0.83). "
            "Graded against the openings vocational graduates are expected to fill."
        )
    with speaking("zh-CN"):
        assert largest_shortage_takeaway(numbers, when="2023年") == (
            "2023年，Health短缺最大：毕业生数比岗位需求数少6人（供需比0.83）。按职业院校毕业生预期填补的岗位判定。"
        )
    row = by_year.set_index("year").loc[2023]
    assert row[["supply", "openings", "expected_demand"]].tolist() == [42, 70, pytest.approx(44)]
    assert row["coverage_ratio"] == pytest.approx(0.6) and row["expected_coverage"] == pytest.approx(42 / 44)


def test_without_a_stated_share_nothing_changes(tiny_engine):
    with Session(tiny_engine) as session:
        rows = read_view(session, "gaps_by_sector", YEAR_2023)
        by_year = queries.headline_by_year(session, filters=Filters())
    assert not any(c.startswith("expected_") or c == "openings_all" for c in rows.numbers.columns)
    assert "expected_coverage" not in by_year
    with speaking("en"):
        assert largest_shortage_takeaway(rows.numbers, when="in 2023") == (
            "Health has the largest shortage in 2023: 30 fewer graduates than openings (coverage 0.50)."
        )


def test_the_snapshot_writes_both_sets_of_figures(shared):
    with Session(shared) as session:
        archive = zipfile.ZipFile(io.BytesIO(build_snapshot(session, filters=YEAR_2023)))
    detail = pd.read_csv(io.BytesIO(archive.read("supply_demand.csv")), encoding="utf-8-sig")
    assert list(detail.columns[-3:]) == ["expected_demand", "expected_gap", "expected_coverage"]
    north = detail[(detail["region_code"] == "R1") & (detail["sector_code"] == "Q")].iloc[0]
    assert north[["gap", "expected_demand", "expected_gap"]].tolist() == [-30, 36, -6]


def test_a_share_must_be_above_0_and_at_most_1(engine, tmp_path):
    assert load_paths(engine, [TINY], loaded_by="test").ok
    bad = write_csv(tmp_path, "sectors", "sector_code,sector_name,expected_share\nQ,Health,0\nJ,ICT,1.5\n")
    outcome = load_paths(engine, [bad], loaded_by="test")
    assert not outcome.ok
    lines = outcome.validation.report_lines()
    assert any("sectors.csv:2: expected_share" in line for line in lines)
    assert any("sectors.csv:3: expected_share" in line for line in lines)
    with Session(engine) as session:
        assert queries.replacement_rates(session)["expected_share"].isna().all()


def test_saving_one_figure_of_a_sector_keeps_the_other_and_undo_takes_it_back(shared):
    with Session(shared) as session:
        sectors = queries.replacement_rates(session)
    edited = sectors[sectors["sector_code"] == "Q"].assign(replacement_rate=0.05)
    assert load_sources(shared, [sectors_source(edited)], loaded_by="test").ok
    with Session(shared) as session:
        after = queries.replacement_rates(session).set_index("sector_code")
    assert after.loc["Q", "replacement_rate"] == 0.05 and after.loc["Q", "expected_share"] == 0.6
    assert after.loc["J", "expected_share"] == 0.8
    assert undo_load(shared).ok
    with Session(shared) as session:
        again = queries.replacement_rates(session).set_index("sector_code")
    assert pd.isna(again.loc["Q", "replacement_rate"]) and again.loc["Q", "expected_share"] == 0.6
