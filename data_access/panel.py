"""Known, unknown and measured cells (data contract version 3): the one place that decides which
supply and demand figures may be added, compared and stated.

A cell is a (year, region, sector). A table *reports* (year, region) when it has a row there
(enrolments: a row of an institution of the region). Supply of a cell is unknown when enrolments
do not report its (year, region) or a suppressed cell falls in it; otherwise it is the sum of the
linked graduates (0 where the region teaches nothing for the sector). Demand is unknown when demand
does not report the (year, region), a suppressed cell falls in it, or its openings could not be
estimated; within a reported (year, region) a sector without a row has 0 openings. A cell is
*measured* when both sides are known: only measured cells enter a gap or a coverage ratio, and a
total carries the supply whose demand is unknown and the demand whose supply is unknown beside it.

A comparison between two years uses the *common panel*: the cells measured in both years (for one
side alone, the regions whose table reports both years), and says how many it compared.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from . import caveats
from .facts import DEMAND, ENROLMENTS, CountMissing, Sum
from .filters import Filters
from .metrics import ratio
from .models import Sector
from .routing import aggregate, current_data_version

CELL = ["year", "region_code", "sector_code"]
# what a total over cells carries: the measured sums, the one-sided amounts beside them, and how many cells
TOTAL_COLUMNS = ["supply", "demand", "supply_unmeasured", "demand_unmeasured", "measured_cells", "cells"]


def reports(session: Session) -> dict[str, set[tuple[int, str]]]:
    """The (year, region) pairs that enrolments and demand report (have a row for), over the whole data."""
    key = ("panel.reports", current_data_version(session))
    if key not in session.info:
        session.info[key] = {
            name: {
                (int(y), str(r))
                for y, r in aggregate(session, fact, Filters(), ["year", "region_code"], {}).itertuples(index=False)
            }
            for name, fact in (("enrolments", ENROLMENTS), ("demand", DEMAND))
        }
    return session.info[key]


def cells(session: Session, filters: Filters) -> pd.DataFrame:
    """Every cell of the filters' years, regions and sectors in a (year, region) that either table reports.

    Columns: year, region_code, sector_code, supply, demand (empty where unknown), supply_known,
    demand_known, measured, present (a row or a suppressed cell on either side: the cells a per-cell
    table lists), estimated (openings estimated from employment), suppressed_supply, suppressed_demand
    (suppressed cells falling in the cell). Linked graduates only: graduates of programs linked to no
    sector are never supply."""
    key = ("panel.cells", filters, current_data_version(session))
    if key not in session.info:
        session.info[key] = _cells(session, filters)
    return session.info[key]


def _cells(session: Session, filters: Filters) -> pd.DataFrame:
    supply = aggregate(session, ENROLMENTS, filters, CELL, {"supply": Sum("graduates")}, linked_only=True)
    demand = aggregate(
        session,
        DEMAND,
        filters,
        CELL,
        {"demand": Sum("openings"), "estimated": Sum("estimated"), "openings_unknown": CountMissing("openings")},
    )
    reported = reports(session)
    pairs = sorted(
        (year, region)
        for year, region in reported["enrolments"] | reported["demand"]
        if filters.covers_year(year) and (not filters.regions or region in filters.regions)
    )
    shares = expected_shares(session)
    sectors = list(filters.sectors) or sorted(shares)
    grid = pd.DataFrame([(year, region, sector) for year, region in pairs for sector in sectors], columns=CELL).astype(
        {"year": "int64", "region_code": object, "sector_code": object}
    )
    frame = grid.merge(supply.astype({"year": "int64"}), on=CELL, how="left").merge(
        demand.astype({"year": "int64"}), on=CELL, how="left"
    )
    present = frame["supply"].notna() | frame["demand"].notna() | frame["openings_unknown"].fillna(0).gt(0)
    for side, table in (("supply", "enrolments"), ("demand", "demand")):
        suppressed = caveats.suppressed_counts(session, filters, CELL, (table,))
        suppressed = suppressed.rename(columns={"suppressed_cells": f"suppressed_{side}"})
        if len(suppressed):
            frame = frame.merge(suppressed.astype({"year": "int64"}), on=CELL, how="left")
        frame[f"suppressed_{side}"] = frame.get(f"suppressed_{side}", pd.Series(0, index=frame.index)).fillna(0).astype("int64")
    pair = list(zip(frame["year"], frame["region_code"]))
    frame["supply_known"] = np.array([p in reported["enrolments"] for p in pair], dtype=bool) & (frame["suppressed_supply"] == 0)
    frame["demand_known"] = (
        np.array([p in reported["demand"] for p in pair], dtype=bool)
        & (frame["suppressed_demand"] == 0)
        & (frame["openings_unknown"].fillna(0) == 0)
    )
    frame["supply"] = frame["supply"].astype(float).fillna(0.0).where(frame["supply_known"])
    frame["demand"] = frame["demand"].astype(float).fillna(0.0).where(frame["demand_known"])
    frame["measured"] = frame["supply_known"] & frame["demand_known"]
    frame["present"] = present | (frame["suppressed_supply"] > 0) | (frame["suppressed_demand"] > 0)
    frame["estimated"] = frame["estimated"].fillna(0).gt(0)
    frame["expected_share"] = frame["sector_code"].map(shares).fillna(1.0).astype(float)
    return frame.drop(columns=["openings_unknown"])


def expected_shares(session: Session) -> dict[str, float]:
    """Every sector's expected share: the part of its openings its vocational graduates are expected to fill,
    as the bureau stated it in ``sectors.expected_share``, else 1 (all of them)."""
    key = ("panel.expected_shares", current_data_version(session))
    if key not in session.info:
        rows = session.execute(select(col(Sector.sector_code), col(Sector.expected_share)).order_by(col(Sector.sector_code)))
        session.info[key] = {str(code): 1.0 if share is None else float(share) for code, share in rows}
    return session.info[key]


def shares_stated(session: Session) -> bool:
    """Whether some sector states an expected share other than 1 (and shortage is graded against it)."""
    return any(share != 1.0 for share in expected_shares(session).values())


# The figure a shortage or surplus is graded by, for each plain one, once a sector states an expected share.
EXPECTED = {
    "demand": "expected_demand",
    "gap": "expected_gap",
    "coverage_ratio": "expected_coverage",
    "demand_unmeasured": "expected_demand_unmeasured",
}


def grading(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column a shortage or surplus is graded by: ``column``'s expected figure where ``frame`` has it
    (a sector states an expected share), else ``column`` itself."""
    return frame[EXPECTED[column]] if EXPECTED[column] in frame else frame[column]


def graded(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (supply, demand, expected_demand) with the figures a shortage or surplus is graded by:
    expected_gap = supply - expected_demand and expected_coverage = supply / expected_demand, where
    expected_demand is the part of the openings the vocational graduates are expected to fill. With every
    expected share at 1 (the default) they are the gap and the coverage ratio themselves."""
    frame["expected_gap"] = frame["supply"] - frame["expected_demand"]
    frame["expected_coverage"] = ratio(frame["supply"], frame["expected_demand"])
    if "expected_demand_unmeasured" in frame:  # the expected part of the openings beside the gap, last
        frame["expected_demand_unmeasured"] = frame.pop("expected_demand_unmeasured")
    return frame


def totals(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Cells summed to ``by`` (any subset of year, region_code, sector_code): supply and demand over the
    measured cells (empty when a group has none), the known supply of cells whose demand is unknown
    (supply_unmeasured) and the known demand of cells whose supply is unknown (demand_unmeasured), how
    many cells were measured and how many there were, how many hold a row or a suppressed cell (present);
    plus expected_demand (the measured openings times their sector's expected share), estimated (some measured
    openings are estimated) and suppressed_cells."""
    measured = frame["measured"]
    demand_only = frame["demand_known"] & ~frame["supply_known"]
    expected = frame["demand"] * frame["expected_share"]
    parts = pd.DataFrame(
        {
            **{dim: frame[dim] for dim in by},
            "supply": frame["supply"].where(measured, 0.0),
            "demand": frame["demand"].where(measured, 0.0),
            "expected_demand": expected.where(measured, 0.0),
            "supply_unmeasured": frame["supply"].where(frame["supply_known"] & ~frame["demand_known"], 0.0),
            "demand_unmeasured": frame["demand"].where(demand_only, 0.0),
            "expected_demand_unmeasured": expected.where(demand_only, 0.0),
            "measured_cells": measured.astype("int64"),
            "cells": 1,
            "present": frame["present"].astype("int64"),
            "estimated": (frame["estimated"] & measured).astype("int64"),
            "suppressed_cells": frame["suppressed_supply"] + frame["suppressed_demand"],
        }
    )
    summed = parts.groupby(list(by), as_index=False).sum() if by else parts.sum().to_frame().T
    if summed.empty and not by:
        summed = pd.DataFrame([{column: 0 for column in parts.columns}])
    none_measured = summed["measured_cells"] == 0
    summed["supply"] = summed["supply"].astype(float).mask(none_measured)
    summed["demand"] = summed["demand"].astype(float).mask(none_measured)
    summed["expected_demand"] = summed["expected_demand"].astype(float).mask(none_measured)
    summed["expected_demand_unmeasured"] = summed["expected_demand_unmeasured"].astype(float)
    for column in ("measured_cells", "cells", "present", "estimated", "suppressed_cells"):
        summed[column] = summed[column].astype("int64")
    summed["estimated"] = summed["estimated"] > 0
    return summed


def changes(frame: pd.DataFrame) -> pd.DataFrame:
    """Per year: the cells measured in it and in the year before (common_cells) and, over those cells
    alone, supply_change, demand_change and coverage_ratio_change (this year minus the year before;
    empty without common cells)."""
    measured = frame[frame["measured"]][CELL + ["supply", "demand"]]
    before = measured.assign(year=measured["year"] + 1)
    both = measured.merge(before, on=CELL, suffixes=("", "_before"))
    summed = both.groupby("year")[["supply", "demand", "supply_before", "demand_before"]].sum()
    summed["common_cells"] = both.groupby("year").size()
    years = pd.DataFrame({"year": sorted(frame["year"].unique())}, dtype="int64")
    out = years.merge(summed.reset_index(), on="year", how="left")
    out["common_cells"] = out["common_cells"].fillna(0).astype("int64")
    out["supply_change"] = out["supply"] - out["supply_before"]
    out["demand_change"] = out["demand"] - out["demand_before"]
    out["coverage_ratio_change"] = ratio(out["supply"], out["demand"]) - ratio(out["supply_before"], out["demand_before"])
    return out[["year", "common_cells", "supply_change", "demand_change", "coverage_ratio_change"]]


def common_regions(session: Session, table: str, first: int, last: int, filters: Filters) -> tuple[list[str], int]:
    """The regions of the filters whose ``table`` (enrolments or demand) reports both ``first`` and ``last``,
    and how many of the filters' regions report either: the panel a one-sided comparison runs over."""
    reported = reports(session)[table]
    chosen = set(filters.regions) if filters.regions else None
    regions = {r for y, r in reported if y in (first, last) and (chosen is None or r in chosen)}
    both = sorted(r for r in regions if (first, r) in reported and (last, r) in reported)
    return both, len(regions)


def ends(frame: pd.DataFrame) -> pd.DataFrame:
    """The first and the last year of ``frame`` with a measured cell, each summed over the cells measured
    in both (the common panel of a "from A to B" comparison). Columns: year, supply, demand, common_cells,
    regions (with a common cell), regions_of (with a measured cell in either year); no rows without two
    such years, supply and demand empty when no cell is common."""
    columns = ["year", "supply", "demand", "common_cells", "regions", "regions_of"]
    measured = frame[frame["measured"]]
    years = sorted(int(y) for y in measured["year"].unique())
    if len(years) < 2:
        return pd.DataFrame(columns=columns)
    first, last = measured[measured["year"] == years[0]], measured[measured["year"] == years[-1]]
    place = ["region_code", "sector_code"]
    common = first[place].merge(last[place], on=place)
    rows = []
    for year, cells_of_year in ((years[0], first), (years[-1], last)):
        within = cells_of_year.merge(common, on=place)
        rows.append(
            {
                "year": year,
                "supply": float(within["supply"].sum()) if len(common) else np.nan,
                "demand": float(within["demand"].sum()) if len(common) else np.nan,
                "common_cells": len(common),
                "regions": common["region_code"].nunique(),
                "regions_of": pd.concat([first["region_code"], last["region_code"]]).nunique(),
            }
        )
    return pd.DataFrame(rows, columns=columns)
