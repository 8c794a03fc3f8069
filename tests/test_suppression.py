"""Small-number protection (rounding to a base with suppression of small cells and of rates on
small bases): hand-built tables whose shown values are worked out by hand, and the same
protection in the export."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
from sqlalchemy.orm import Session

from data_access.filters import Filters
from data_access.snapshot import build_snapshot
from data_access.suppression import ThresholdError, check_threshold, describe, protect
from data_access.views import VIEWS

SUPPLY_DEMAND = VIEWS["supply_demand"]


def sd_frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["year", "region_code", "sector_code", "supply", "demand"])
    frame["gap"] = frame["supply"] - frame["demand"]
    frame["coverage_ratio"] = frame["supply"] / frame["demand"]
    return frame


def test_counts_from_1_to_threshold_minus_1_are_hidden_zero_is_shown_and_every_other_count_is_rounded():
    frame = sd_frame([(2023, f"R{i}", "Q", supply, 60) for i, supply in enumerate([4, 0, 5, 7, 8, 12, 13, 1234])])
    shown = protect(frame, SUPPLY_DEMAND, 5).for_display()
    # 7 is nearer 5 than 10; 8 is nearer 10; 12 nearer 10; 13 nearer 15; 1234 nearer 1235.
    assert shown["supply"].tolist() == ["<5", 0, 5, 5, 10, 10, 15, 1235]
    assert shown["demand"].tolist() == [60] * 8


def test_halves_round_away_from_zero_and_weighted_counts_are_rounded_like_whole_ones():
    frame = sd_frame([(2023, "R1", "Q", 2.5, 7.5), (2023, "R2", "Q", 12.4, 17.5), (2023, "R3", "Q", 0.3, 22.49)])
    shown = protect(frame, SUPPLY_DEMAND, 5).for_display()
    assert shown["supply"].tolist() == ["<5", 10.0, "<5"]
    assert shown["demand"].tolist() == [10.0, 20.0, 20.0]
    # gap: hidden with its supply; 12.4 - 17.5 = -5.1 rounds to -5.
    assert shown["gap"].tolist() == [None, -5.0, None]


def test_a_gap_is_rounded_and_a_ratio_is_computed_from_the_exact_counts_and_published_to_two_decimals():
    frame = sd_frame([(2023, "R1", "Q", 100, 150), (2023, "R2", "Q", 38, 61)])
    shown = protect(frame, SUPPLY_DEMAND, 5).for_display()
    assert (shown.at[0, "supply"], shown.at[0, "demand"], shown.at[0, "gap"]) == (100, 150, -50)
    assert shown.at[0, "coverage_ratio"] == 0.67  # 100 / 150 = 0.6667; 98-102 over 148-152 allow it many ways
    assert (shown.at[1, "supply"], shown.at[1, "demand"], shown.at[1, "gap"]) == (40, 60, -25)  # -23 rounds to -25
    # 38 / 61 = 0.62 to two decimals, and of the supplies 38-42 over the demands 58-62 only 38 / 61 rounds to
    # 0.62 (60 allows 36.9-37.5, 62 allows 38.1-38.7): the ratio would give both exact counts back, so it is blank.
    assert shown.at[1, "coverage_ratio"] is None


def test_a_gap_or_ratio_built_on_a_hidden_count_is_blank_so_the_count_cannot_be_recovered():
    frame = sd_frame([(2023, "R1", "Q", 4, 60)])
    protected = protect(frame, SUPPLY_DEMAND, 5)
    shown = protected.for_display().iloc[0]
    # Without this, 60 + gap (-56) would give the hidden 4 back.
    assert shown["gap"] is None and shown["coverage_ratio"] is None
    assert protected.numbers["gap"].isna().all()


def test_no_cell_is_hidden_for_another_s_sake():
    # Within (2023, R1) the sectors add up to the region's total. The old rule hid J's 8 as "<5" to
    # protect Q's 3, a false statement; rounding protects Q instead: 40 + 10 + "<5" against a rounded total.
    frame = sd_frame([(2023, "R1", "C", 40, 50), (2023, "R1", "J", 8, 9), (2023, "R1", "Q", 3, 20)])
    shown = protect(frame, SUPPLY_DEMAND, 5).for_display()
    assert shown["supply"].tolist() == [40, 10, "<5"]
    assert shown["demand"].tolist() == [50, 10, 20]
    assert shown["gap"].tolist() == [-10, 0, None]  # J's gap of -1 rounds to 0


def test_an_outcome_rate_is_hidden_with_its_numerator_not_only_its_base():
    frame = pd.DataFrame(
        {
            "sector_code": ["Q"],
            "surveyed": [203],
            "employed": [151],
            "employed_in_field": [121],
            "self_employed": [3],
            "further_study": [20],
            "unemployed": [30],
        }
    )
    frame["self_employment_rate"] = 3 / 203
    frame["in_field_rate"] = 121 / 151
    shown = protect(frame, VIEWS["outcomes_by_sector"], 5).for_display().iloc[0]
    assert shown["self_employed"] == "<5"
    assert shown["self_employment_rate"] is None  # 0.0148 x 203 would give 3 back
    # 121 / 151 = 0.80 (from the exact counts, not 120 / 150), to a whole percent: employed 148-152 and
    # in-field 118-122 match it in five ways (118/148 ... 122/152), so nothing is pinned.
    assert shown["in_field_rate"] == 0.8
    assert (shown["surveyed"], shown["employed"], shown["employed_in_field"]) == (205, 150, 120)


def test_a_rate_on_fewer_than_five_times_the_threshold_people_is_not_shown():
    frame = pd.DataFrame(
        {
            "sector_code": ["A", "B"],
            "surveyed": [24, 25],
            "employed": [20, 22],
            "employed_in_field": [10, 10],
            "self_employed": [5, 5],
            "further_study": [0, 0],
            "unemployed": [4, 5],
        }
    )
    frame["employment_rate"] = frame["employed"] / frame["surveyed"]
    frame["in_field_rate"] = frame["employed_in_field"] / frame["employed"]
    shown = protect(frame, VIEWS["outcomes_by_sector"], 5).for_display()
    # 24 surveyed is below 25; 22 / 25 = 0.88, which 21 / 24 gives too (20-22 employed of 23-27 surveyed
    # to a reader), so neither count is pinned
    assert shown["employment_rate"].tolist() == [None, 0.88]
    assert shown["in_field_rate"].tolist() == [None, None]  # 20 and 22 employed are below 25


def test_a_rate_that_would_pin_its_base_with_the_rounded_counts_is_blank():
    # 25 surveyed (23-27 to a reader) and 20 employed (18-22): 0.80 fits only 20 / 25 (23 allows 18.3-18.5,
    # 24 19.1-19.3, 26 20.7-20.9, 27 21.5-21.7), so it would give both exact counts back.
    frame = pd.DataFrame(
        {"sector_code": ["A"], "surveyed": [25], "employed": [20], "employed_in_field": [10], "self_employed": [5]}
        | {"further_study": [0], "unemployed": [5], "employment_rate": [0.8]}
    )
    assert protect(frame, VIEWS["outcomes_by_sector"], 5).for_display().at[0, "employment_rate"] is None


def test_a_capacity_use_on_an_exact_capacity_that_would_pin_the_placed_is_blank():
    # 26 placed (shown 25: 23-27) of a capacity of 20 for one year: 1.30 allows only 26 (25.9-26.1).
    frame = pd.DataFrame(
        {"employer_id": ["E1", "E2"], "students_placed": [26, 206], "hired": [13, 37], "placement_capacity": [20, 55]}
        | {"years_hosting": [1, 7], "placement_hire_rate": [13 / 26, 37 / 206], "capacity_use": [26 / 20, 206 / 385]}
    )
    shown = protect(frame, VIEWS["partners"], 5).for_display()
    assert shown.at[0, "capacity_use"] is None
    # 206 placed of 55 x 7 = 385 places: 0.54 leaves 206 or 207 of the 203-207 placed a reader allows; then
    # 0.18 of 206 (36.1-38.1) or of 207 (36.2-38.3) leaves only 37 of the 33-37 hired: the hire rate would give
    # the exact hires back and is blank; the capacity use alone leaves two values and stays.
    row = shown.iloc[1]
    assert (row["students_placed"], row["hired"]) == (205, 35)
    assert (row["capacity_use"], row["placement_hire_rate"]) == (0.54, None)


def test_a_threshold_that_would_hide_nothing_is_refused():
    assert check_threshold(2) == 2 and check_threshold(100) == 100
    for bad in (1, 0, -1, 101, 10**9, 5.0, True, "5"):
        try:
            check_threshold(bad)
        except ThresholdError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def test_the_manifest_states_the_rule_or_null():
    assert describe(None) is None
    rule = describe(5)
    assert rule["threshold"] == 5 and rule["rounding_base"] == 5 and "<5" in rule["counts"]
    assert "DfE and HESA" in rule["method"] and "never a hidden count" in rule["guarantee"]


def test_the_snapshot_with_protection_hides_exactly_what_the_view_hides(tiny_engine):
    filters = Filters()
    with Session(tiny_engine) as session:
        archive = zipfile.ZipFile(io.BytesIO(build_snapshot(session, filters=filters, hide_below=11)))
        expected = protect(VIEWS["supply_demand"].run(session, filters), VIEWS["supply_demand"], 11).for_display()
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["small_number_protection"]["threshold"] == 11
    exported = pd.read_csv(io.BytesIO(archive.read("supply_demand.csv")), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    # tiny: demand 10 (R2 J) and 5 (R3 Q) are below 11, and so R2 J's gap; R3 Q's supply is unknown (no
    # institution), so it and its gap are empty; the rest is rounded to multiples of 11: supply 30, 12, 35 ->
    # 33, 11, 33; demand 60 -> 55; gaps -30, 35 -> -33, 33.
    assert exported["supply"].tolist() == ["33", "11", "", "33"]
    assert exported["demand"].tolist() == ["55", "<11", "<11", "0"]
    assert exported["gap"].tolist() == ["-33", "", "", "33"]
    assert exported["demand"].tolist() == [f"{v:g}" if isinstance(v, float) else str(v) for v in expected["demand"]]


def test_a_gap_status_in_words_is_hidden_with_the_counts_it_comes_from():
    frame = pd.DataFrame(
        {
            "sector_code": ["Q", "F", "J"],
            "supply": [3, 2, 40],
            "demand": [50, 60, 30],
            "gap": [-47, -58, 10],
            "coverage_ratio": [0.06, 0.03, 1.33],
            "gap_status": ["shortage", "shortage", "surplus"],
            "students_placed": [20, 20, 20],
            "hired": [10, 10, 10],
        }
    )
    shown = protect(frame, VIEWS["placements_vs_gaps"], 5).for_display()
    # "shortage" would say supply is small next to a shown demand: hidden with the supply.
    assert shown["gap_status"].tolist() == [None, None, "surplus"]
    assert shown["supply"].tolist() == ["<5", "<5", 40]
    assert shown["gap"].tolist() == [None, None, 10]
