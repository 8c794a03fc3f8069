"""Every metric of the supply-vs-demand and overview views, on the tiny fixture
whose numbers are worked out by hand in tests/fixtures/README.md."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from data_access import queries
from data_access.filters import Filters
from data_access.loading import load_paths
from data_access.views import VIEWS

from .conftest import TINY, write_csv


def rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """Frame rows as tuples, NaN shown as None, for exact comparison."""
    return [
        tuple(None if isinstance(v, float) and math.isnan(v) else v for v in row)
        for row in frame[columns].itertuples(index=False)
    ]


def test_supply_demand_detail_has_one_row_per_year_region_sector_on_either_side(tiny_engine):
    with Session(tiny_engine) as session:
        frame = VIEWS["supply_demand"].run(session, Filters())
    assert list(frame.columns) == [
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
    assert rows(frame, ["year", "region_code", "sector_code", "supply", "demand", "gap", "coverage_ratio", "measured"]) == [
        (2023, "R1", "Q", 30, 60, -30, 0.5, True),
        (2023, "R2", "J", 12, 10, 2, 1.2, True),
        # R3 has no institution, so enrolments never report it: its supply is unknown, not 0, and no gap is measured
        (2023, "R3", "Q", None, 5, None, None, False),
        (2024, "R1", "Q", 35, 0, 35, None, True),  # demand 0: coverage is empty, not infinite
    ]
    assert frame.loc[frame["region_code"] == "R3", "region_name"].item() == "Remote"


def test_coverage_by_sector_is_a_ratio_of_sums_not_a_mean_of_ratios(tiny_engine):
    with Session(tiny_engine) as session:
        frame = VIEWS["gaps_by_sector"].run(session, Filters())
    # Q over its measured cells, 2023 R1 (30/60), 2023 R2 (0/0: both report, R2 teaches no Q) and 2024 R1 (35/0):
    # (30 + 0 + 35) / (60 + 0 + 0) = 65/60, while the mean of the cell ratios would be 0.5. R3's 5 openings
    # have no known supply: beside the gap, not in it. J: 2023 R2 12/10; R1 reports 0/0 in both years.
    assert rows(
        frame, ["sector_code", "supply", "demand", "gap", "coverage_ratio", "demand_unmeasured", "measured_cells", "cells"]
    ) == [
        ("J", 12, 10, 2, 1.2, 0, 3, 4),
        ("Q", 65, 60, 5, pytest.approx(65 / 60), 5, 3, 4),
    ]


def test_filters_restrict_years_regions_and_sectors(tiny_engine):
    with Session(tiny_engine) as session:
        only_2023_q = VIEWS["gaps_by_region_sector"].run(session, Filters(2023, 2023, sectors=("Q",)))
        north = VIEWS["supply_demand_trend"].run(session, Filters(regions=("R1",)))
    # R2 reports both tables in 2023 but has no Q row on either side: not listed; R3's supply is unknown
    assert rows(only_2023_q, ["region_code", "supply", "demand", "gap", "demand_unmeasured"]) == [
        ("R1", 30, 60, -30, 0),
        ("R3", None, None, None, 5),
    ]
    assert rows(north, ["year", "supply", "demand", "gap", "coverage_ratio"]) == [
        (2023, 30, 60, -30, 0.5),
        (2024, 35, 0, 35, None),
    ]


def test_an_empty_selection_gives_empty_frames_with_the_documented_columns(tiny_engine):
    nothing = Filters(2030, 2031)
    with Session(tiny_engine) as session:
        detail = VIEWS["supply_demand"].run(session, nothing)
        headline = queries.headline_by_year(session, filters=nothing)
        outcomes = queries.outcome_totals(session, filters=nothing)
    assert detail.empty and headline.empty and outcomes.empty
    assert "coverage_ratio" in detail.columns and "employment_rate" in headline.columns


def test_outcome_rates_are_ratios_of_summed_counts(tiny_engine):
    with Session(tiny_engine) as session:
        frame = queries.outcome_totals(session, filters=Filters())
    row = frame.iloc[0]
    assert (row["cohort_year"], row["surveyed"], row["employed"], row["further_study"]) == (2023, 38, 26, 7)
    assert row["employment_rate"] == pytest.approx(33 / 38)
    assert row["job_rate"] == pytest.approx(26 / 38)
    assert row["in_field_rate"] == pytest.approx(18 / 26)
    assert row["self_employment_rate"] == pytest.approx(3 / 38)
    assert row["further_study_rate"] == pytest.approx(7 / 38)
    # Only I1/P1 states a wage (5000, 20 employed); I2/P2's 6 employed are left out of the weights.
    assert row["wage_employment_weighted"] == pytest.approx(5000)


def test_a_cohort_with_nobody_surveyed_has_empty_rates(engine, tmp_path):
    folder = tmp_path / "nobody"
    for table in ("regions", "sectors", "institutions", "programs"):
        (folder / f"{table}.csv").parent.mkdir(parents=True, exist_ok=True)
        (folder / f"{table}.csv").write_bytes((TINY / f"{table}.csv").read_bytes())
    write_csv(
        folder,
        "outcomes",
        [
            "cohort_year,institution_id,program_code,surveyed,employed,employed_in_field,self_employed,further_study,unemployed",
            "2022,I1,P1,0,0,0,0,0,0",
        ],
    )
    assert load_paths(engine, [folder]).ok
    with Session(engine) as session:
        row = queries.outcome_totals(session, filters=Filters()).iloc[0]
    assert row["surveyed"] == 0
    for rate in ("employment_rate", "job_rate", "in_field_rate", "self_employment_rate", "wage_employment_weighted"):
        assert math.isnan(row[rate]), rate


def test_placements_count_in_the_employers_region_and_sector(tiny_engine):
    with Session(tiny_engine) as session:
        by_year = queries.placement_totals(session, filters=Filters())
        south = queries.placement_totals(session, filters=Filters(regions=("R2",)), by=("region_code", "sector_code"))
    assert rows(by_year, ["year", "students_placed", "hired", "placement_hire_rate"]) == [(2023, 10, 4, 0.4), (2024, 5, 5, 1.0)]
    assert rows(south, ["region_code", "sector_code", "students_placed", "hired"]) == [("R2", "J", 5, 5)]


def test_headline_by_year_joins_supply_demand_outcomes_and_placements(tiny_engine):
    with Session(tiny_engine) as session:
        frame = queries.headline_by_year(session, filters=Filters())
    # openings over measured cells: 2023 R1 Q 60 + R2 J 10; R3's 5 (no institution, supply unknown) beside them
    assert rows(frame, ["year", "graduates", "openings", "demand_unmeasured", "surveyed", "students_placed"]) == [
        (2023, 42, 70, 5, 38, 10),
        (2024, 35, 0, 0, None, 5),  # no survey of cohort 2024 at all: missing, not 0
    ]
    assert frame.loc[0, "coverage_ratio"] == pytest.approx(42 / 70)
    assert frame.loc[0, "employment_rate"] == pytest.approx(33 / 38)
    assert math.isnan(frame.loc[1, "coverage_ratio"]) and math.isnan(frame.loc[1, "employment_rate"])


def test_filter_options_list_every_year_region_and_sector(tiny_engine):
    with Session(tiny_engine) as session:
        assert queries.available_years(session) == [2023, 2024]
        assert list(queries.list_regions(session)["region_code"]) == ["R1", "R2", "R3"]
        assert list(queries.list_sectors(session)["sector_name"]) == ["ICT", "Health"]  # ordered by code: J, Q
        assert queries.current_data_version(session) == 1


def test_the_scorecard_comparison_is_a_view_with_the_institution_its_region_and_everyone(tiny_engine):
    with Session(tiny_engine) as session:
        rows = VIEWS["scorecard_comparison"].run(session, Filters(institutions=("I1",))).set_index("scope")
        alone = VIEWS["scorecard_comparison"].run(session, Filters())
    assert list(rows.index) == ["institution", "region", "all"]
    assert rows.at["institution", "scope_name"] == "North College" and rows.at["region", "scope_name"] == "North"
    # North College, the only institution of R1: 100 + 110 enrolled, 30 + 35 graduates; 10 placed, 4 hired
    for scope in ("institution", "region"):
        assert (rows.at[scope, "enrolled"], rows.at[scope, "graduates"]) == (210, 65)
        assert rows.at[scope, "graduates_per_enrolled"] == pytest.approx(65 / 210)
        assert rows.at[scope, "placement_hire_rate"] == pytest.approx(4 / 10)
    # everyone: 260 enrolled, 77 graduates; 15 placed, 9 hired
    assert (rows.at["all", "enrolled"], rows.at["all", "graduates"]) == (260, 77)
    assert rows.at["all", "placement_hire_rate"] == pytest.approx(9 / 15)
    assert alone["scope"].tolist() == ["all"] and alone.at[0, "graduates"] == 77


def test_the_scorecard_comparison_leaves_the_counts_of_a_table_without_rows_in_the_years_unknown(tiny_engine):
    with Session(tiny_engine) as session:
        rows = VIEWS["scorecard_comparison"].run(session, Filters(2024, 2024, institutions=("I1",))).set_index("scope")
    # outcomes have a 2023 cohort only: nobody is known to be surveyed in 2024, which is not 0 surveyed
    assert rows[["surveyed", "employed", "employed_in_field"]].isna().all().all()
    # placements cover 2024: North College placed nobody that year (0, a known figure); South School placed 5
    assert rows.at["institution", "students_placed"] == 0 and rows.at["all", "students_placed"] == 5
    assert rows.at["institution", "graduates"] == 35
