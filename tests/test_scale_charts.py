"""Charts and tables at national scale: the top items and one "other" item that adds up."""

from __future__ import annotations

import pandas as pd

from ui.scale import OTHER_CODE, keep_top


def with_coverage(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(coverage_ratio=frame["supply"] / frame["demand"])


CELLS = pd.DataFrame(
    {
        "region_code": ["R1", "R1", "R2", "R2", "R3", "R3", "R4", "R4"],
        "region_name": ["One", "One", "Two", "Two", "Three", "Three", "Four", "Four"],
        "sector_code": ["A", "B"] * 4,
        "supply": [10, 20, 30, 40, 5, 6, 7, 8],
        "demand": [20, 20, 10, 10, 10, 12, 14, 16],
    }
)


def test_the_rest_is_folded_into_one_other_item_per_sector_with_ratios_of_sums():
    cells = with_coverage(CELLS)
    rank = cells.groupby("region_code")["demand"].sum()  # R1 40, R2 20, R3 22, R4 30
    kept = keep_top(
        cells,
        key="region_code",
        name="region_name",
        rank=rank,
        limit=2,
        sums=("supply", "demand"),
        other_name="2 other regions",
        by=("sector_code",),
        recompute=with_coverage,
    )
    assert list(kept["region_code"].drop_duplicates()) == ["R1", "R4", OTHER_CODE]
    other = kept[kept["region_code"] == OTHER_CODE].set_index("sector_code")
    # R2 + R3: A supply 30 + 5, demand 10 + 10; B supply 40 + 6, demand 10 + 12
    assert other.loc["A", ["supply", "demand"]].tolist() == [35, 20]
    assert other.loc["B", ["supply", "demand"]].tolist() == [46, 22]
    assert other.loc["A", "coverage_ratio"] == 35 / 20 and other.loc["B", "coverage_ratio"] == 46 / 22
    assert set(other["region_name"]) == {"2 other regions"}
    assert kept["supply"].sum() == CELLS["supply"].sum() and kept["demand"].sum() == CELLS["demand"].sum()


def test_nothing_is_folded_when_only_one_item_would_be_other():
    rank = CELLS.groupby("region_code")["demand"].sum()
    assert (
        keep_top(
            CELLS,
            key="region_code",
            name="region_name",
            rank=rank,
            limit=3,
            sums=("supply", "demand"),
            other_name="other",
            by=("sector_code",),
        )
        is CELLS
    )


def test_without_other_dimensions_the_other_item_is_one_row():
    by_region = CELLS.groupby(["region_code", "region_name"], as_index=False)[["supply", "demand"]].sum()
    kept = keep_top(
        by_region,
        key="region_code",
        name="region_name",
        rank=by_region.set_index("region_code")["supply"],
        limit=1,
        sums=("supply", "demand"),
        other_name="3 other regions",
    )
    assert kept.to_dict("records") == [
        {"region_code": "R2", "region_name": "Two", "supply": 70, "demand": 20},
        {"region_code": OTHER_CODE, "region_name": "3 other regions", "supply": 56, "demand": 92},
    ]
