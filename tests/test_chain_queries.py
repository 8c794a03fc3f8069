"""The enrolment, placement, partner and outcome views on the tiny fixture,
every number worked out by hand (tests/fixtures/README.md lists the rows)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from data_access import queries
from data_access.filters import Filters

from .test_queries import rows


@pytest.fixture
def session(tiny_engine):
    with Session(tiny_engine) as session:
        yield session


def test_enrolment_trend_gives_growth_against_the_previous_year_per_group(session):
    frame = queries.enrolment_trend(session, filters=Filters(), by=("sector_code",))
    assert rows(frame, ["year", "sector_code", "enrolled", "graduates", "enrolled_growth"]) == [
        (2023, "J", 50, 12, None),  # first year of J: no growth
        (2023, "Q", 100, 30, None),
        (2024, "Q", 110, 35, pytest.approx(0.1)),  # (110 - 100) / 100
    ]
    q_2024 = frame[(frame["year"] == 2024) & (frame["sector_code"] == "Q")].iloc[0]
    assert q_2024["graduates_growth"] == pytest.approx(5 / 30)
    assert q_2024["graduates_per_enrolled"] == pytest.approx(35 / 110)


def test_enrolment_growth_of_a_total_compares_only_the_regions_reporting_both_years(session):
    frame = queries.enrolment_trend(session, filters=Filters())
    # 2023: North 100 + South 50 = 150; 2024: North 110 only. South reports no 2024 enrolments, so the
    # change is North's alone, 110 - 100 = +10 (+10%), over 1 of the 2 regions, never 110 - 150 = -40.
    assert rows(frame, ["year", "enrolled", "enrolled_change", "regions_compared", "regions_reporting"]) == [
        (2023, 150, None, 0, 2),
        (2024, 110, 10.0, 1, 2),
    ]
    assert frame.loc[1, "enrolled_growth"] == pytest.approx(0.1) and frame.loc[1, "graduates_growth"] == pytest.approx(5 / 30)


def test_enrolment_by_institution_type_sums_every_year(session):
    frame = queries.enrolment_totals(session, filters=Filters(), by=("institution_type",))
    assert rows(frame, ["institution_type", "enrolled", "graduates"]) == [("college", 210, 65), ("school", 50, 12)]


def test_program_table_is_for_the_latest_year_with_the_year_before(session):
    frame = queries.program_table(session, filters=Filters(2023, 2024))
    assert rows(
        frame, ["program_code", "program_name", "sector_name", "institutions", "enrolled", "graduates", "enrolled_previous_year"]
    ) == [("P1", "Nursing", "Health", 1, 110, 35, 100)]
    assert frame.loc[0, "enrolled_growth"] == pytest.approx(0.1)
    assert frame.loc[0, "graduates_per_enrolled"] == pytest.approx(35 / 110)


def test_outcomes_by_institution_type_and_institution(session):
    by_type = queries.outcome_totals(session, filters=Filters(), by=("institution_type",))
    assert rows(by_type, ["institution_type", "surveyed", "employed", "employed_in_field"]) == [
        ("college", 28, 20, 15),
        ("school", 10, 6, 3),
    ]
    assert list(by_type["in_field_rate"]) == [pytest.approx(0.75), pytest.approx(0.5)]
    by_institution = queries.outcome_totals(session, filters=Filters(institutions=("I2",)), by=("institution_id",))
    assert rows(by_institution, ["institution_id", "institution_name", "employment_rate"]) == [("I2", "South School", 0.8)]


def test_effective_supply_uses_the_in_field_rate_of_each_region_and_sector(session):
    frame = queries.effective_supply(session, filters=Filters(), by=("sector_code",))
    by_sector = frame.set_index("sector_code")
    # Q: (30 + 35) graduates in R1 x 15/20 in field = 48.75 against R1's 60 measured openings; R3 has no
    # institution, so its 5 openings have no known supply and stay out of the gap. J: 12 x 3/6 = 6.
    assert by_sector.loc["Q", "effective_supply"] == pytest.approx(48.75)
    assert by_sector.loc["Q", "effective_gap"] == pytest.approx(48.75 - 60)
    assert by_sector.loc["Q", "effective_coverage"] == pytest.approx(48.75 / 60)
    assert by_sector.loc["J", "effective_supply"] == pytest.approx(6.0)
    assert by_sector.loc["J", "effective_coverage"] == pytest.approx(0.6)
    assert by_sector["supply_without_rate"].tolist() == [0, 0]


def test_effective_supply_falls_back_to_the_sector_rate_and_counts_graduates_without_any(session):
    # Only 2024 cohorts are selected: there are none, so no rate anywhere; 35 Q graduates have no rate.
    frame = queries.effective_supply(session, filters=Filters(2024, 2024), by=("sector_code",))
    row = frame.set_index("sector_code").loc["Q"]
    assert (row["supply"], row["supply_without_rate"], row["effective_supply"]) == (35, 35, 0.0)
    assert math.isnan(row["in_field_rate"])


def test_in_field_rate_against_coverage_per_sector(session):
    frame = queries.in_field_against_coverage(session, filters=Filters())
    # largest shortage first: J's gap is 2, Q's 65 - 60 = 5 over its measured cells
    assert rows(frame, ["sector_code", "coverage_ratio", "employed", "employed_in_field"]) == [
        ("J", 1.2, 6, 3),
        ("Q", pytest.approx(65 / 60), 20, 15),
    ]


def test_partner_ranking_orders_by_students_placed_with_capacity_use_and_tenure(session):
    frame = queries.partner_ranking(session, filters=Filters())
    assert rows(frame, ["employer_id", "students_placed", "hired", "years_hosting", "placement_hire_rate", "capacity_use"]) == [
        ("E1", 10, 4, 1, 0.4, 0.5),  # 10 placed over 1 year at a capacity of 20 a year
        ("E2", 5, 5, 1, 1.0, None),  # no stated capacity: no capacity use
    ]
    assert frame.loc[0, "tenure_years"] == 2024 - 2010
    assert pd.isna(frame.loc[1, "tenure_years"])


def test_capacity_use_by_sector_counts_partners_that_hosted_nobody_that_year(session):
    frame = queries.capacity_use_by_sector(session, filters=Filters())
    # E1 (Q, capacity 20) hosted 10 in 2023 and nobody in 2024; E2 states no capacity.
    assert rows(
        frame, ["year", "sector_code", "employers_with_capacity", "placement_capacity", "students_placed", "capacity_use"]
    ) == [
        (2023, "Q", 1, 20, 10, 0.5),
        (2024, "Q", 1, 20, 0, 0.0),
    ]


def test_partnership_tenure_bands(session):
    frame = queries.partnership_tenure(session, filters=Filters()).set_index("tenure_band")
    assert frame.loc["10 years or more", ["partners", "students_placed", "hired"]].tolist() == [1, 10, 4]
    assert frame.loc["not stated", ["partners", "students_placed", "hired"]].tolist() == [1, 5, 5]
    assert frame.loc["under 2 years", "partners"] == 0


def test_placements_against_gaps_puts_placements_next_to_the_sector_gap(session):
    frame = queries.placements_against_gaps(session, filters=Filters())
    assert rows(frame, ["sector_code", "coverage_ratio", "gap_status", "students_placed", "partners"]) == [
        ("J", 1.2, "surplus", 5, 1),
        ("Q", pytest.approx(65 / 60), "balanced", 10, 1),  # 1.083: within 0.9-1.1
    ]
    # per 100 measured openings: J 5 / 10, Q 10 / 60 (R3's 5 openings have no known supply)
    assert frame["placed_per_100_openings"].tolist() == [pytest.approx(50.0), pytest.approx(100 * 10 / 60)]


def test_gap_status_thresholds():
    coverage = pd.Series([0.89, 0.9, 1.1, 1.11, float("nan")])
    assert queries.classify_gap(coverage).tolist() == ["shortage", "balanced", "balanced", "surplus", "no demand"]


def test_page_selections_narrow_every_fact(session):
    only_i2 = Filters(institutions=("I2",))
    assert queries.enrolment_totals(session, filters=only_i2, by=("year",))["enrolled"].tolist() == [50]
    assert queries.placement_totals(session, filters=only_i2, by=("year",))["students_placed"].tolist() == [5]
    only_p1 = Filters(programs=("P1",))
    assert queries.outcome_totals(session, filters=only_p1)["surveyed"].tolist() == [28]


def test_the_partner_ranking_a_session_remembers_follows_a_new_load(tiny_engine, tmp_path):
    from data_access.loading import load_paths

    from .conftest import write_csv

    with Session(tiny_engine) as session:
        before = queries.partner_ranking(session, filters=Filters())
        before.loc[:, "students_placed"] = -1  # a caller changing its copy changes nothing remembered
        assert queries.partner_ranking(session, filters=Filters()).set_index("employer_id")["students_placed"].to_dict() == {
            "E1": 10,
            "E2": 5,
        }
        write_csv(
            tmp_path, "placements", ["year,institution_id,program_code,employer_id,students_placed,hired", "2023,I1,P1,E1,12,4"]
        )
        assert load_paths(tiny_engine, [tmp_path / "placements.csv"]).ok
        after = queries.partner_ranking(session, filters=Filters()).set_index("employer_id")["students_placed"].to_dict()
        assert after == {"E1": 12, "E2": 5}
