"""Small-number protection: hand-built tables whose hidden cells are worked out by hand,
and the same protection on screen (AppTest) and in the export."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
from sqlalchemy.orm import Session

from data_access.filters import Filters
from data_access.snapshot import build_snapshot
from data_access.suppression import describe, protect
from data_access.views import VIEWS, View

SUPPLY_DEMAND = VIEWS["supply_demand"]


def sd_frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["year", "region_code", "sector_code", "supply", "demand"])
    frame["gap"] = frame["supply"] - frame["demand"]
    frame["coverage_ratio"] = frame["supply"] / frame["demand"]
    return frame


def test_counts_from_1_to_threshold_minus_1_are_hidden_and_zero_is_shown():
    frame = sd_frame([(2023, "R1", "Q", 4, 60), (2023, "R9", "Q", 0, 5), (2023, "R8", "Q", 5, 7)])
    protected = protect(frame, View("t", SUPPLY_DEMAND.query, "", counts=("supply", "demand"), derived=SUPPLY_DEMAND.derived), 5)
    shown = protected.for_display()
    # The view has no group, so the whole table is one: the lone hidden 4 takes the smallest other supply (5) with it.
    assert shown["supply"].tolist() == ["<5", 0, "<5"]
    assert shown["demand"].tolist() == [60, 5, 7]


def test_a_gap_or_ratio_built_on_a_hidden_count_is_blank_so_the_count_cannot_be_recovered():
    frame = sd_frame([(2023, "R1", "Q", 4, 60)])
    protected = protect(frame, View("t", SUPPLY_DEMAND.query, "", counts=("supply", "demand"), derived=SUPPLY_DEMAND.derived), 5)
    shown = protected.for_display().iloc[0]
    # Without this, 60 + gap (-56) would give the hidden 4 back.
    assert shown["gap"] is None and shown["coverage_ratio"] is None
    assert protected.numbers["gap"].isna().all()


def test_a_lone_hidden_cell_in_a_group_takes_the_smallest_other_count_with_it():
    # Within (2023, R1) the sectors add up to the region's total; hiding only Q's 3 would let
    # anyone subtract C and J from that total. The smallest other supply (J, 8) is hidden too.
    frame = sd_frame([(2023, "R1", "C", 40, 50), (2023, "R1", "J", 8, 9), (2023, "R1", "Q", 3, 20), (2023, "R2", "Q", 30, 30)])
    protected = protect(frame, SUPPLY_DEMAND, 5)
    shown = protected.for_display()
    assert shown["supply"].tolist() == [40, "<5", "<5", 30]
    assert shown["demand"].tolist() == [50, 9, 20, 30]
    assert shown["gap"].tolist()[:3] == [-10, None, None]


def test_two_hidden_cells_in_a_group_need_no_complement():
    frame = sd_frame([(2023, "R1", "C", 40, 50), (2023, "R1", "J", 2, 9), (2023, "R1", "Q", 3, 20)])
    shown = protect(frame, SUPPLY_DEMAND, 5).for_display()
    assert shown["supply"].tolist() == [40, "<5", "<5"]


def test_an_outcome_rate_is_hidden_with_its_numerator_not_only_its_base():
    frame = pd.DataFrame({"sector_code": ["Q"], "surveyed": [200], "employed": [150], "employed_in_field": [120],
                          "self_employed": [3], "further_study": [20], "unemployed": [30]})
    frame["self_employment_rate"] = 3 / 200
    frame["in_field_rate"] = 120 / 150
    shown = protect(frame, VIEWS["outcomes_by_sector"], 5).for_display().iloc[0]
    assert shown["self_employed"] == "<5"
    assert shown["self_employment_rate"] is None  # 0.015 x 200 would give 3 back
    assert shown["in_field_rate"] == 0.8


def test_the_manifest_states_the_rule_or_null():
    assert describe(None) is None
    rule = describe(5)
    assert rule["threshold"] == 5 and "<5" in rule["counts"]


def test_the_snapshot_with_protection_hides_exactly_what_the_view_hides(tiny_engine):
    filters = Filters()
    with Session(tiny_engine) as session:
        archive = zipfile.ZipFile(io.BytesIO(build_snapshot(session, filters=filters, hide_below=11)))
        expected = protect(VIEWS["supply_demand"].run(session, filters), VIEWS["supply_demand"], 11).for_display()
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["small_number_protection"]["threshold"] == 11
    exported = pd.read_csv(io.BytesIO(archive.read("supply_demand.csv")), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    # tiny: demand 10 (R2 J) and 5 (R3 Q) are below 11; so are their gaps and ratios.
    assert exported["demand"].tolist() == ["60", "<11", "<11", "0"]
    assert exported["gap"].tolist() == ["-30", "", "", "35"]
    assert exported["demand"].tolist() == [str(v) for v in expected["demand"]]


def test_a_gap_status_in_words_is_hidden_with_the_counts_it_comes_from():
    frame = pd.DataFrame({"sector_code": ["Q", "F", "J"], "supply": [3, 2, 40], "demand": [50, 60, 30], "gap": [-47, -58, 10],
                          "coverage_ratio": [0.06, 0.03, 1.33], "gap_status": ["shortage", "shortage", "surplus"],
                          "students_placed": [20, 20, 20], "hired": [10, 10, 10]})
    shown = protect(frame, VIEWS["placements_vs_gaps"], 5).for_display()
    # "shortage" would say supply is small next to a shown demand: hidden with the supply.
    assert shown["gap_status"].tolist() == [None, None, "surplus"]
    assert shown["supply"].tolist() == ["<5", "<5", 40]
