"""One query per view, read top to bottom: each asks the aggregate layer (data_access/routing.py)
for the measures it needs, adds names and the measures computed from sums (data_access/metrics.py),
and returns a tidy DataFrame whose columns its docstring lists. Every value reaches SQL as a
parameter.

Region and sector of supply and outcomes are those of the institution and of the program; a
program trains for its sectors in their shares (contract version 2), so counts grouped by sector
may be fractional, and graduates of programs linked to no sector are never supply: they are
reported apart as ``supply_not_linked``. Region and sector of a placement are those of the employer.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from . import caveats, panel
from .facts import DEMAND, ENROLMENTS, NOT_LINKED, OUTCOME_MEASURES, OUTCOMES, PLACEMENTS, CountDistinct, CountMissing, Sum
from .filters import Filters
from .metrics import add_outcome_rates, add_placement_rates, add_supply_demand_measures, counts, ratio
from .models import (
    Demand,
    Employer,
    Enrolment,
    Institution,
    Outcome,
    Placement,
    Program,
    ProgramSector,
    ProgramShare,
    Region,
    Sector,
)
from .routing import aggregate, current_data_version, output_columns, partner_totals, partners_over_span, with_names
from .summaries import DEFAULT_REPLACEMENT_RATE

__all__ = ["current_data_version"]  # re-exported: callers have always found it here

SUPPLY_DEMAND_COLUMNS = ["supply", "demand", "gap", "coverage_ratio"]
ENROLMENT_MEASURES = {
    "enrolled": Sum("enrolled"),
    "graduates": Sum("graduates"),
    "entrants": Sum("entrants"),
    "entrants_missing": CountMissing("entrants"),
    "enrolled_missing": CountMissing("enrolled"),
}


def _joined(left: pd.DataFrame, right: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Two frames of the same grouping side by side; a group on one side only gets empty measures on the other."""
    return left.merge(right, on=list(by), how="outer") if by else pd.concat([left, right], axis=1)


# --- supply and demand ---------------------------------------------------------------


def data_calendar(session: Session) -> dict[str, list[int]]:
    """The years each fact table has rows for (outcomes: cohort years), ascending: a year a table has
    no rows for is missing for that table, not zero. Read once per session and data version."""
    key = ("queries.calendar", current_data_version(session))
    if key not in session.info:
        session.info[key] = {
            name: sorted(int(y) for y in aggregate(session, fact, Filters(), ["year"], {})["year"])
            for name, fact in CALENDAR_TABLES.items()
        }
    return session.info[key]


CALENDAR_TABLES = {"enrolments": ENROLMENTS, "demand": DEMAND, "placements": PLACEMENTS, "outcomes": OUTCOMES}


def data_calendar_detail(session: Session) -> dict[str, dict]:
    """Per fact table: the years it covers and, where a region's years differ from them, that region's
    years ({"years": [...], "regions_differing": {region_code: [...]}}), for the Data page and the manifest."""
    regions = [str(code) for code in session.execute(select(Region.region_code)).scalars()]
    detail = {}
    for name, fact in CALENDAR_TABLES.items():
        cells = aggregate(session, fact, Filters(), ["region_code", "year"], {})
        years = sorted(int(y) for y in cells["year"].unique())
        by_region: dict[str, list[int]] = {}
        for region, year in zip(cells["region_code"], cells["year"]):
            by_region.setdefault(str(region), []).append(int(year))
        if years:  # a region without a single row of the table is missing from it too
            for region in regions:
                by_region.setdefault(region, [])
        differing = {region: sorted(ys) for region, ys in sorted(by_region.items()) if sorted(ys) != years}
        detail[name] = {"years": years, "regions_differing": differing}
    return detail


def comparable_years(session: Session) -> list[int]:
    """The years with both supply (enrolments) and demand rows: the only years a gap or a coverage ratio is computed for."""
    calendar = data_calendar(session)
    return sorted(set(calendar["enrolments"]) & set(calendar["demand"]))


def supply_demand(session: Session, *, filters: Filters, by: Sequence[str]) -> pd.DataFrame:
    """Supply (graduates of linked programs, by share) against demand (openings), grouped by ``by``
    (any ordered subset of ``year``, ``region_code``, ``sector_code``), over known and measured cells
    (data_access/panel.py, contract version 3).

    Per (year, region, sector): supply and demand, each empty where unknown, gap and coverage_ratio
    (empty unless the cell is measured), ``measured``; one row per cell with a row or a suppressed cell
    on either side. Grouped more coarsely (groups holding such a cell): supply, demand, gap and coverage_ratio over the measured cells
    only (empty when the group has none), ``measured`` (the group has a measured cell), then
    supply_unmeasured (known supply whose demand is unknown), demand_unmeasured (known demand whose
    supply is unknown), measured_cells and cells. coverage_ratio is empty when demand is 0.

    Columns follow when the data has what they say (data_access/caveats.py): demand_estimated
    (TRUE where some of the measured openings are estimated from employment), suppressed_cells (how
    many cells a published file suppressed on either side of the group), and, once a sector states an
    expected share other than 1, expected_demand (the measured openings the vocational graduates are
    expected to fill), expected_gap and expected_coverage (supply against them: what shortage and surplus
    are graded by; data_access/panel.py).
    """
    grid = panel.cells(session, filters)
    if tuple(by) == tuple(panel.CELL):
        frame = grid[grid["present"]]
        frame = frame.assign(
            suppressed_cells=frame["suppressed_supply"] + frame["suppressed_demand"],
            expected_demand=frame["demand"] * frame["expected_share"],
        )
        extra = ["measured"]
        expected = ["expected_demand"]
    else:
        frame = panel.totals(grid, by)
        listed = frame["present"] > 0  # a group of cells nobody reported anything for is not listed ...
        if "region_code" in by and "sector_code" in by:  # ... but a listed region's unknown cells show as such
            unknown = frame["measured_cells"] < frame["cells"]
            listed |= unknown & frame["region_code"].isin(frame.loc[listed, "region_code"])
        frame = frame[listed | (not by)]
        frame["measured"] = frame["measured_cells"] > 0
        extra = ["measured", "supply_unmeasured", "demand_unmeasured", "measured_cells", "cells"]
        expected = ["expected_demand", "expected_demand_unmeasured"]
    frame = with_names(
        session, frame[[*by, "supply", "demand", *extra, "estimated", "suppressed_cells", *expected]].reset_index(drop=True), by
    )
    frame = add_supply_demand_measures(frame)
    for column in ("supply_unmeasured", "demand_unmeasured"):
        if column in frame:
            frame[column] = counts(frame[column])
    graded = panel.graded(frame[["supply", *expected]].copy())
    frame = frame[[*output_columns(by), "supply", "demand", "gap", "coverage_ratio", *extra, "estimated", "suppressed_cells"]]
    estimated = frame.pop("estimated").fillna(False).astype(bool)
    suppressed_cells = frame.pop("suppressed_cells").fillna(0).astype("int64")
    if caveats.has_estimated_openings(session):
        frame["demand_estimated"] = estimated  # openings estimated from employment, in part or whole
    if len(caveats.unknown_cells(session)):
        frame["suppressed_cells"] = suppressed_cells
    if panel.shares_stated(session):  # graded against the openings the vocational graduates are expected to fill
        added = graded.columns.drop("supply")
        frame[added] = graded[added]
    return frame


def regions_missing_a_side(session: Session, filters: Filters) -> pd.DataFrame:
    """Regions that, in a year with rows of both tables, have rows of one table only: a region a publisher
    left out of one side, or one without any institution, whose other side then has nothing to be compared
    with (its cells there are not measured: data_access/panel.py). Columns:
    year, region_code, region_name, missing ("demand" or "enrolments"), within the filters."""
    known = panel.reports(session)
    years = set(comparable_years(session))
    if filters.year_from is not None:
        years = {y for y in years if y >= filters.year_from}
    if filters.year_to is not None:
        years = {y for y in years if y <= filters.year_to}
    rows = []
    for missing, present in (("demand", "enrolments"), ("enrolments", "demand")):
        for year, region in sorted(known[present] - known[missing]):
            if year in years and (not filters.regions or region in filters.regions):
                rows.append({"year": year, "region_code": region, "missing": missing})
    frame = pd.DataFrame(rows, columns=["year", "region_code", "missing"])
    return with_names(session, frame, ["year", "region_code"])


def _zero_within(frame: pd.DataFrame, column: str, years: list[int]) -> pd.Series:
    """``column`` with an empty cell counted 0 in the years its table covers and left empty in the others."""
    keep = frame[column].notna() | ~frame["year"].isin(years)
    return frame[column].where(keep, 0.0)


def supply_demand_ends(session: Session, *, filters: Filters) -> pd.DataFrame:
    """Supply and demand in the first and the last year of the filters with a measured cell, each over the
    cells measured in both years (the common panel of a "from A to B" sentence).

    Columns: year, supply, demand, gap, coverage_ratio, common_cells, regions (with a common cell),
    regions_of (with a measured cell in either year); no rows without two such years."""
    frame = panel.ends(panel.cells(session, filters))
    frame["supply"] = counts(frame["supply"], missing_is_zero=False)
    frame["demand"] = counts(frame["demand"], missing_is_zero=False)
    frame["gap"] = frame["supply"] - frame["demand"]
    frame["coverage_ratio"] = ratio(frame["supply"], frame["demand"])
    return frame[["year", "supply", "demand", "gap", "coverage_ratio", "common_cells", "regions", "regions_of"]]


def replacement_rates(session: Session) -> pd.DataFrame:
    """Every sector's replacement rate: the one sectors.csv states, else the documented default.

    Columns: sector_code, sector_name, replacement_rate (as stated, empty when not), rate_used, stated, and
    expected_share (the share of openings the sector's vocational graduates are expected to fill, as stated,
    empty when not: data_access/panel.py), the other figure a sector states about its openings."""
    frame = _frame(
        session,
        select(Sector.sector_code, Sector.sector_name, Sector.replacement_rate, Sector.expected_share).order_by(
            Sector.sector_code
        ),
        ["sector_code", "sector_name", "replacement_rate", "expected_share"],
    )
    frame["replacement_rate"] = pd.to_numeric(frame["replacement_rate"], errors="coerce")
    frame["expected_share"] = pd.to_numeric(frame["expected_share"], errors="coerce")
    frame["stated"] = frame["replacement_rate"].notna()
    frame["rate_used"] = frame["replacement_rate"].fillna(DEFAULT_REPLACEMENT_RATE)
    return frame


RATE_FACTORS = (0.5, 0.75, 1.0, 1.25, 1.5)  # the replacement rates a coverage is recomputed at, as multiples of the ones used


def coverage_sensitivity(session: Session, *, filters: Filters) -> pd.DataFrame:
    """How the coverage ratio of each sector, and of all sectors together, moves with the replacement rate
    that estimated openings rest on: every known estimate is worked out again at ``factor`` times its rate
    (0.5 = half the rate used), max(0, change + factor x rate x E(t-1)) row by row, since the floor at 0 is on
    the whole estimate and a summed replacement part cannot simply be scaled; stated openings stay, and an
    unknown estimate stays unknown. Only the cells whose supply and demand are both known (those a gap and a
    coverage ratio are computed over) move.

    Columns: sector_code (empty for all sectors together), sector_name, factor, supply, demand,
    coverage_ratio. Empty when no opening is estimated. Over the filtered years with both sides."""
    columns = ["sector_code", "sector_name", "factor", "supply", "demand", "coverage_ratio"]
    if not caveats.has_estimated_openings(session):
        return pd.DataFrame(columns=columns)
    cell = ["year", "region_code", "sector_code"]
    base = supply_demand(session, filters=filters, by=("sector_code",))[["sector_code", "sector_name", "supply", "demand"]]
    cells = supply_demand(session, filters=filters, by=cell)
    measured = cells.loc[cells["supply"].notna() & cells["demand"].notna(), cell]
    estimates = aggregate(
        session,
        DEMAND,
        filters,
        cell,
        {
            "openings": Sum("openings"),
            "estimated": Sum("estimated"),
            "change": Sum("employment_change"),
            "part": Sum("replacement_part"),
        },
    )
    estimates = estimates[(estimates["estimated"] > 0) & estimates["openings"].notna()]
    moving = measured.astype({"year": "int64"}).merge(estimates.astype({"year": "int64"}), on=cell)
    openings, change, part = (moving[c].astype(float) for c in ("openings", "change", "part"))
    rows = []
    for factor in RATE_FACTORS:
        moved = (change + factor * part).clip(lower=0.0) - openings  # how far each estimate moves at this factor
        by_sector = moved.groupby(moving["sector_code"]).sum()
        sectors = base.assign(factor=factor, demand=base["demand"] + base["sector_code"].map(by_sector).fillna(0.0))
        total = {
            "sector_code": "",
            "sector_name": "",
            "factor": factor,
            **sectors[["supply", "demand"]].sum(min_count=1).to_dict(),
        }
        rows += [pd.DataFrame([total]), sectors]
    frame = pd.concat(rows, ignore_index=True)
    frame["coverage_ratio"] = ratio(frame["supply"], frame["demand"])
    return frame[columns]


def supply_not_linked(session: Session, *, filters: Filters, by: Sequence[str] = ("year", "region_code")) -> pd.DataFrame:
    """Graduates of programs linked to no labour-market sector, which no gap or coverage ratio counts.

    Columns: the ``by`` columns (with names), supply_not_linked. Empty when every program is
    linked, or when the filters name sectors (such graduates are in none).
    """
    frame = aggregate(
        session, ENROLMENTS, filters, by, {"supply_not_linked": Sum("graduates")}, where={"sector_code": NOT_LINKED}
    )
    frame = with_names(session, frame, by)
    frame["supply_not_linked"] = counts(frame["supply_not_linked"])
    return frame


# --- enrolment --------------------------------------------------------------------------


def enrolment_totals(session: Session, *, filters: Filters, by: Sequence[str] = ("year",)) -> pd.DataFrame:
    """Enrolled students, graduates and entrants grouped by ``by`` (any of year, region_code,
    sector_code, institution_type, institution_id, program_code).

    Columns: the ``by`` columns (code dimensions followed by their names),
    enrolled and entrants (empty where a row of the group does not report
    them: a partial sum would understate them; enrolled is optional since
    contract version 3), graduates, graduates_per_enrolled (graduates ÷
    enrolled, the completion indicator; empty when nobody is enrolled or
    enrolled is unknown). Grouped by sector, counts are split by the programs'
    sector shares, and programs linked to no sector form a group of their own
    with an empty sector code.
    """
    frame = with_names(session, aggregate(session, ENROLMENTS, filters, by, ENROLMENT_MEASURES), by)
    frame["graduates"] = counts(frame["graduates"])
    for column in ("enrolled", "entrants"):
        complete = frame.pop(f"{column}_missing").fillna(0) == 0
        frame[column] = counts(frame[column].where(complete), missing_is_zero=False)
    frame["graduates_per_enrolled"] = ratio(frame["graduates"], frame["enrolled"])
    return frame


def enrolment_trend(session: Session, *, filters: Filters, by: Sequence[str] = ()) -> pd.DataFrame:
    """Enrolment per year (and per ``by`` group) with the change against the previous year, like for like.

    Columns: year, the ``by`` columns, enrolled, graduates, entrants, graduates_per_enrolled, then
    enrolled_before and graduates_before (the year before, over the regions whose enrolments report both
    years), enrolled_change and graduates_change (this year minus the year before over those regions),
    enrolled_growth and graduates_growth (that change ÷ the same regions' value the year before; empty for
    the first year of a group or when it was 0), regions_compared and regions_reporting
    (how many regions the change compares, of how many that report either year). Grouped by region, each
    region is its own panel.
    """
    frame = enrolment_totals(session, filters=filters, by=("year", *by))
    measures = ["enrolled", "graduates"]
    keys = [dim for dim in by if dim != "region_code"]
    regional = enrolment_totals(session, filters=filters, by=("year", *keys, "region_code"))
    regional = regional[["year", *keys, "region_code", *measures]].assign(_rows=1)
    reported = panel.reports(session)["enrolments"]
    before = regional.assign(year=regional["year"] + 1)
    both = regional.merge(before, on=["year", *keys, "region_code"], how="outer", suffixes=("", "_before"))
    now_reports = pd.Series([(int(y), r) in reported for y, r in zip(both["year"], both["region_code"])], index=both.index)
    then_reports = pd.Series([(int(y) - 1, r) in reported for y, r in zip(both["year"], both["region_code"])], index=both.index)
    both = both[now_reports & then_reports]  # a region a year leaves out is not compared, never taken as 0
    for measure in measures:
        # A region without rows of the group in a year has 0 of it there; a region whose rows leave the
        # measure unknown (enrolled is optional) makes the group's change unknown, never a change from or to 0.
        unknown_now = both[measure].isna() & both["_rows"].notna()
        unknown_then = both[f"{measure}_before"].isna() & both["_rows_before"].notna()
        both[f"{measure}_unknown"] = (unknown_now | unknown_then).astype("int64")
        both[f"{measure}_before"] = both[f"{measure}_before"].astype(float).fillna(0.0)
        both[measure] = both[measure].astype(float).fillna(0.0)
    group = ["year", *by] if "region_code" in by else ["year", *keys]
    summed_columns = [*measures, *[f"{m}_{part}" for part in ("before", "unknown") for m in measures]]
    summed = both.groupby(group, as_index=False)[summed_columns].sum()
    for measure in measures:
        summed[f"{measure}_change"] = summed[measure] - summed[f"{measure}_before"]
        summed[f"{measure}_growth"] = ratio(summed[f"{measure}_change"], summed[f"{measure}_before"])
        unknown = summed[f"{measure}_unknown"] > 0
        summed.loc[unknown, [f"{measure}_{part}" for part in ("before", "change", "growth")]] = float("nan")
    compared = both.groupby(group)["region_code"].nunique().rename("regions_compared").reset_index()
    changes = summed[[*group, *[f"{m}_{part}" for part in ("before", "change", "growth") for m in measures]]].merge(
        compared, on=group, how="left"
    )
    frame = frame.merge(changes, on=["year", *by], how="left")
    if "region_code" in by:
        frame["regions_reporting"] = 1
    else:  # the regions with rows of the group in this year or the year before
        places = regional[["year", *keys, "region_code"]]
        either = pd.concat([places, places.assign(year=places["year"] + 1)]).drop_duplicates()
        counted = either.groupby(["year", *keys])["region_code"].nunique().rename("regions_reporting").reset_index()
        frame = frame.merge(counted, on=["year", *keys], how="left")
    frame["regions_compared"] = frame["regions_compared"].fillna(0).astype("int64")
    frame["regions_reporting"] = frame["regions_reporting"].fillna(0).astype("int64")
    first = frame.groupby(list(by))["year"].transform("min") if by else frame["year"].min()
    frame.loc[frame["year"] == first, [f"{m}_{part}" for part in ("before", "change", "growth") for m in measures]] = float("nan")
    return frame.reset_index(drop=True)


def program_table(session: Session, *, filters: Filters) -> pd.DataFrame:
    """One row per program for the latest year of the filters, with the year before for growth.
    With sectors in the filters: the programs that train for any of them, with their whole counts.

    Columns: program_code, program_name, sector_code, sector_name (the program's sector when it
    trains for one; empty for several or none), sectors (its sectors and shares in words, e.g.
    "C 60% · F 40%"; empty when not linked), level, institutions (offering it that year), enrolled,
    graduates, graduates_per_enrolled, enrolled_previous_year (over the regions whose enrolments report both
    years: the common panel), enrolled_growth (against this year's enrolled of those same regions, which is
    the whole of enrolled when every region reports both years), regions_compared and regions_reporting (of
    the filters' regions reporting either year). Only the growth and its base are shown for the common
    panel, so that protection's pin check sees the one pair of counts a growth rests on.
    Enrolled, its year before and what is computed from them are empty where an institution's row leaves
    enrolled unknown.
    """
    year = filters.year_to if filters.year_to is not None else _latest_year(session, Enrolment.year)
    if year is None:
        year = 0
    shares = _program_shares(session)
    programs = filters.programs
    if filters.sectors:
        linked = sorted(set(shares.loc[shares["sector_code"].isin(filters.sectors), "program_code"]))
        programs = tuple(p for p in linked if not filters.programs or p in filters.programs) or ("",)
    by_program = filters.narrowed(sectors=(), programs=programs)
    measures = {
        "institutions": CountDistinct("institution_id"),
        "enrolled": Sum("enrolled"),
        "graduates": Sum("graduates"),
        "enrolled_missing": CountMissing("enrolled"),
    }
    current = aggregate(session, ENROLMENTS, by_program.with_years(year, year), ["program_code"], measures)
    # growth over the regions whose enrolments report both years (the common panel), none when there are none
    common, reporting = panel.common_regions(session, "enrolments", year - 1, year, filters)
    compared_by = by_program.narrowed(regions=tuple(common) or ("",))
    pair = {"enrolled_compared": (year, year), "enrolled_previous_year": (year - 1, year - 1)}
    for column, (first, last) in pair.items():
        compared = aggregate(
            session,
            ENROLMENTS,
            compared_by.with_years(first, last),
            ["program_code"],
            {column: Sum("enrolled"), f"{column}_missing": CountMissing("enrolled")},
        )
        current = current.merge(compared, on="program_code", how="left")
    frame = with_names(session, current, ["program_code"])
    details = _frame(session, select(Program.program_code, Program.level), ["program_code", "level"])
    frame = frame.merge(details, on="program_code", how="left").merge(
        _sectors_in_words(session, shares), on="program_code", how="left"
    )
    for column in ("institutions", "graduates"):
        frame[column] = counts(frame[column])
    # an institution's row without enrolled makes the program's sum unknown, not smaller
    frame["enrolled"] = counts(frame["enrolled"].where(frame["enrolled_missing"] == 0), missing_is_zero=False)
    for column in pair:
        known = frame[f"{column}_missing"].fillna(0) == 0
        frame[column] = counts(frame[column].where(known), missing_is_zero=False)
    frame["graduates_per_enrolled"] = ratio(frame["graduates"], frame["enrolled"])
    frame["enrolled_growth"] = ratio(
        frame["enrolled_compared"] - frame["enrolled_previous_year"], frame["enrolled_previous_year"]
    )
    frame["regions_compared"], frame["regions_reporting"] = len(common), reporting
    frame["level"] = frame["level"].astype(object).where(frame["level"].notna(), "")  # not stated: blank, not "None"
    columns = [
        "program_code",
        "program_name",
        "sector_code",
        "sector_name",
        "sectors",
        "level",
        "institutions",
        "enrolled",
        "graduates",
        "graduates_per_enrolled",
        "enrolled_previous_year",
        "enrolled_growth",
        "regions_compared",
        "regions_reporting",
    ]
    return frame[columns].sort_values(["sector_code", "program_code"], kind="stable").reset_index(drop=True)


def _program_shares(session: Session) -> pd.DataFrame:
    """Every program's sectors and shares (NOT_LINKED for a program in none). Columns: program_code, sector_code, share."""
    statement = select(ProgramShare.program_code, ProgramShare.sector_code, ProgramShare.share)
    return _frame(session, statement, ["program_code", "sector_code", "share"])


def _sectors_in_words(session: Session, shares: pd.DataFrame) -> pd.DataFrame:
    """Per program: its one sector's code and name (empty for several or none) and its sectors and shares in words."""
    linked = shares[shares["sector_code"] != NOT_LINKED].sort_values(
        ["program_code", "share", "sector_code"], ascending=[True, False, True]
    )
    pieces = linked.assign(piece=[f"{code} {share:.0%}" for code, share in zip(linked["sector_code"], linked["share"])])
    words = pieces.groupby("program_code")["piece"].agg(" · ".join)
    single = linked.groupby("program_code")["sector_code"].agg(lambda codes: codes.iloc[0] if len(codes) == 1 else "")
    frame = pd.DataFrame({"program_code": pd.Series(sorted(set(shares["program_code"])), dtype=object)})
    frame["sector_code"] = frame["program_code"].map(single).fillna("")
    frame["sector_name"] = frame["sector_code"].map(_names(session, "sector_code"))
    frame["sectors"] = frame["program_code"].map(words).fillna("")
    return frame


def _names(session: Session, dim: str) -> dict[str, str]:
    from .routing import name_map

    return name_map(session, dim)


def _latest_year(session: Session, column) -> int | None:
    return session.execute(select(func.max(column))).scalar_one()


def _frame(session: Session, statement, columns: Sequence[str]) -> pd.DataFrame:
    # Through the session's connection (Core), not the ORM: tens of thousands of rows come back at national scale.
    rows = session.connection().execute(statement).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))


# --- outcomes ----------------------------------------------------------------------------


def outcome_totals(session: Session, *, filters: Filters, by: Sequence[str] = ("cohort_year",)) -> pd.DataFrame:
    """Graduate outcome counts and rates, grouped by ``by`` (any of cohort_year,
    region_code, sector_code, institution_type, institution_id, program_code).

    Columns: the ``by`` columns (with names), surveyed, employed,
    employed_in_field, self_employed, further_study, unemployed,
    employment_rate (destination rate), job_rate, in_field_rate,
    self_employment_rate, further_study_rate, wage_employment_weighted (mean
    of median_monthly_wage weighted by employed, over rows that state a wage).
    Rates are ratios of sums; empty when the base is 0. The year filters apply
    to cohort_year. Grouped by sector, counts are split by the programs' sector
    shares; programs linked to no sector form a group with an empty sector code.
    """
    frame = with_names(session, aggregate(session, OUTCOMES, filters, by, OUTCOME_MEASURES), by)
    return add_outcome_rates(frame)


def in_field_against_coverage(session: Session, *, filters: Filters) -> pd.DataFrame:
    """Per sector: how many graduates work in their field, against how well training covers demand.

    Columns: sector_code, sector_name, supply, demand, gap, coverage_ratio,
    surveyed, employed, employed_in_field, in_field_rate, employment_rate.
    """
    gaps = supply_demand(session, filters=filters, by=("sector_code",))
    outcomes = outcome_totals(session, filters=filters, by=("sector_code",))
    outcome_columns = ["sector_code", "surveyed", "employed", "employed_in_field", "in_field_rate", "employment_rate"]
    frame = gaps.merge(outcomes[outcome_columns], on="sector_code", how="left")
    for column in ("surveyed", "employed", "employed_in_field"):
        frame[column] = counts(frame[column])
    return frame


def effective_supply(session: Session, *, filters: Filters, by: Sequence[str] = ("sector_code",)) -> pd.DataFrame:
    """Graduates who can be expected to work in their field, against demand.

    For each (region, sector): effective_supply = graduates x in-field rate of
    that region and sector over the filtered cohorts; where that cell has no
    employed graduates surveyed, the sector's rate over all filtered regions
    is used. The cells are then summed to ``by`` (region_code and/or sector_code).

    Columns: the ``by`` columns (with names), supply, demand, in_field_rate
    (the rate implied for the group: effective_supply ÷ supply),
    effective_supply (may be fractional), effective_gap (effective_supply -
    demand), effective_coverage (effective_supply ÷ demand; empty when demand
    is 0), supply_without_rate (graduates in sectors with no outcome data,
    left out of effective_supply).
    """
    cells = supply_demand(session, filters=filters, by=("region_code", "sector_code"))
    cell_rates = outcome_totals(session, filters=filters, by=("region_code", "sector_code"))[
        ["region_code", "sector_code", "in_field_rate"]
    ]
    sector_rates = outcome_totals(session, filters=filters, by=("sector_code",))[["sector_code", "in_field_rate"]]
    cells = cells.merge(cell_rates, on=["region_code", "sector_code"], how="left")
    cells = cells.merge(sector_rates.rename(columns={"in_field_rate": "sector_rate"}), on="sector_code", how="left")
    rate = cells["in_field_rate"].fillna(cells["sector_rate"])
    cells["effective_supply"] = cells["supply"] * rate
    cells["supply_without_rate"] = cells["supply"].where(rate.isna(), 0)
    keys = output_columns(by)
    grouped = cells.groupby(keys, dropna=False, sort=True)[["supply", "demand", "effective_supply", "supply_without_rate"]].sum(
        min_count=1
    )
    frame = grouped.reset_index()
    # 0 where no graduate has a rate; empty where supply itself is unknown (no measured cell)
    frame["effective_supply"] = frame["effective_supply"].fillna(0.0).where(frame["supply"].notna())
    for column in ("supply", "demand", "supply_without_rate"):
        frame[column] = counts(frame[column])
    frame["in_field_rate"] = ratio(frame["effective_supply"], frame["supply"] - frame["supply_without_rate"])
    frame["effective_gap"] = frame["effective_supply"] - frame["demand"]
    frame["effective_coverage"] = ratio(frame["effective_supply"], frame["demand"])
    columns = keys + [
        "supply",
        "demand",
        "in_field_rate",
        "effective_supply",
        "effective_gap",
        "effective_coverage",
        "supply_without_rate",
    ]
    return frame[columns]


# --- placements and partners -----------------------------------------------------------

PLACEMENT_SUMS = {"students_placed": Sum("students_placed"), "hired": Sum("hired")}


def placement_totals(session: Session, *, filters: Filters, by: Sequence[str] = ("year",)) -> pd.DataFrame:
    """Students placed and hired, grouped by ``by`` (any of year, region_code and
    sector_code of the employer, institution_type, institution_id, program_code, employer_id).

    Columns: the ``by`` columns (with names), students_placed, hired,
    partners (distinct employers), placement_hire_rate.
    """
    frame = aggregate(session, PLACEMENTS, filters, by, PLACEMENT_SUMS)
    partners = partners_over_span(session, filters, by)
    if partners is None:
        partners = aggregate(session, PLACEMENTS, filters, by, {"partners": CountDistinct("employer_id")})
    frame = with_names(session, _joined(frame, partners, by), by)
    frame["partners"] = counts(frame["partners"])
    return add_placement_rates(frame)


PARTNER_RANKING_MEMO = "partner_ranking_memo"  # session.info key of the one remembered ranking's key


def partner_ranking(session: Session, *, filters: Filters) -> pd.DataFrame:
    """Partner employers with placements in the filters, most students placed first (a copy of the
    session's earlier result for the same filters and data version: the snapshot asks twice, for the
    partners and for their tenure bands).

    Columns: employer_id, employer_name, sector_code, sector_name,
    region_code, region_name, partner_since, tenure_years (years from
    partner_since to the last filtered year), placement_capacity (per year),
    years_hosting (years with placements), students_placed, hired,
    placement_hire_rate, capacity_use (students_placed ÷ (capacity x
    years_hosting); empty without a stated capacity or when it is 0).
    """
    key = ("partner_ranking", filters, current_data_version(session))
    if key not in session.info:
        session.info.pop(session.info.pop(PARTNER_RANKING_MEMO, None), None)  # remember one ranking only
        session.info[PARTNER_RANKING_MEMO] = key
        session.info[key] = _partner_ranking(session, filters=filters)
    return session.info[key].copy()


def _partner_ranking(session: Session, *, filters: Filters) -> pd.DataFrame:
    placed = with_names(session, partner_totals(session, filters), ["employer_id"])
    details = (
        select(
            Employer.employer_id,
            Employer.sector_code,
            Sector.sector_name,
            Employer.region_code,
            Region.region_name,
            Employer.partner_since,
            Employer.placement_capacity,
        )
        .join(Sector, Sector.sector_code == Employer.sector_code)
        .join(Region, Region.region_code == Employer.region_code)
    )
    if len(placed) * 4 < _employer_count(session):  # few partners: select their details rather than read every employer's
        details = details.where(Employer.employer_id.in_(list(placed["employer_id"])))
    details = _frame(
        session,
        details,
        ["employer_id", "sector_code", "sector_name", "region_code", "region_name", "partner_since", "placement_capacity"],
    )
    frame = placed.merge(details, on="employer_id", how="left")
    last_year = filters.year_to if filters.year_to is not None else _latest_year(session, Placement.year)
    frame["tenure_years"] = (last_year - frame["partner_since"]) if last_year is not None else float("nan")
    frame = add_placement_rates(frame)
    frame["years_hosting"] = counts(frame["years_hosting"])
    frame["capacity_use"] = ratio(frame["students_placed"], frame["placement_capacity"] * frame["years_hosting"])
    columns = [
        "employer_id",
        "employer_name",
        "sector_code",
        "sector_name",
        "region_code",
        "region_name",
        "partner_since",
        "tenure_years",
        "placement_capacity",
        "years_hosting",
        "students_placed",
        "hired",
        "placement_hire_rate",
        "capacity_use",
    ]
    for column in ("partner_since", "tenure_years", "placement_capacity"):
        frame[column] = frame[column].astype("Int64")  # whole numbers that may be missing
    frame = frame[columns].sort_values(["students_placed", "hired", "employer_id"], ascending=[False, False, True], kind="stable")
    return frame.reset_index(drop=True)


def _employer_count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Employer)).scalar_one())


def capacity_use_by_sector(session: Session, *, filters: Filters) -> pd.DataFrame:
    """Placement capacity and its use per year and sector, over employers that state a capacity.

    The capacity of a year counts every employer of the sector and region
    filters that states a capacity and was a partner that year (partner_since
    empty or not after it), whether or not it hosted anyone.

    Columns: year, sector_code, sector_name, employers_with_capacity,
    placement_capacity, students_placed (at those employers), capacity_use
    (students_placed ÷ placement_capacity; empty when capacity is 0).
    """
    years = aggregate(session, PLACEMENTS, filters.narrowed(regions=(), sectors=()), ["year"], {})["year"].tolist()
    partners = (
        select(
            Employer.sector_code, Employer.partner_since, func.count(Employer.employer_id), func.sum(Employer.placement_capacity)
        )
        .where(Employer.placement_capacity.is_not(None))
        .group_by(Employer.sector_code, Employer.partner_since)
    )
    if filters.regions:
        partners = partners.where(Employer.region_code.in_(filters.regions))
    if filters.sectors:
        partners = partners.where(Employer.sector_code.in_(filters.sectors))
    by_since = _frame(session, partners, ["sector_code", "partner_since", "employers_with_capacity", "placement_capacity"])
    rows = []
    for year in years:  # a partner counts from its partner_since year on (always, when it states none)
        current = by_since[by_since["partner_since"].isna() | (by_since["partner_since"] <= year)]
        summed = current.groupby("sector_code", as_index=False)[["employers_with_capacity", "placement_capacity"]].sum()
        rows.append(summed.assign(year=year))
    capacity = (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=["sector_code", "employers_with_capacity", "placement_capacity", "year"])
    )
    capacity = with_names(
        session, capacity[["year", "sector_code", "employers_with_capacity", "placement_capacity"]], ["year", "sector_code"]
    )
    used = aggregate(
        session,
        PLACEMENTS,
        filters,
        ["year", "sector_code"],
        {"students_placed": Sum("students_placed")},
        where={"employer_states_capacity": True},
    )
    frame = capacity.merge(used, on=["year", "sector_code"], how="left")
    for column in ("employers_with_capacity", "placement_capacity", "students_placed"):
        frame[column] = counts(frame[column])
    frame["capacity_use"] = ratio(frame["students_placed"], frame["placement_capacity"])
    return frame[
        ["year", "sector_code", "sector_name", "employers_with_capacity", "placement_capacity", "students_placed", "capacity_use"]
    ]


TENURE_BANDS = ((0, 1, "under 2 years"), (2, 4, "2–4 years"), (5, 9, "5–9 years"), (10, 1000, "10 years or more"))


def partnership_tenure(session: Session, *, filters: Filters) -> pd.DataFrame:
    """Partners with placements in the filters, by how long they have been partners.

    Columns: tenure_band, partners, students_placed, hired,
    placement_hire_rate; one row per band in order, plus "not stated" for
    employers without partner_since.
    """
    ranking = partner_ranking(session, filters=filters)
    band = pd.Series("not stated", index=ranking.index, dtype=object)
    for low, high, label in TENURE_BANDS:
        band[(ranking["tenure_years"] >= low) & (ranking["tenure_years"] <= high)] = label
    ranking["tenure_band"] = band
    order = [label for _, _, label in TENURE_BANDS] + ["not stated"]
    grouped = ranking.groupby("tenure_band").agg(
        partners=("employer_id", "count"), students_placed=("students_placed", "sum"), hired=("hired", "sum")
    )
    frame = grouped.reindex(order, fill_value=0).reset_index()
    return add_placement_rates(frame)


def placements_against_gaps(session: Session, *, filters: Filters) -> pd.DataFrame:
    """Per sector: placements and partners next to the sector's gap, so that
    shortage sectors can be compared with surplus ones.

    Columns: sector_code, sector_name, supply, demand, gap, coverage_ratio,
    gap_status ("shortage" below 0.9 coverage, "surplus" above 1.1,
    "balanced" between, "no demand" without openings, "not measured" without a
    cell where both sides are known; graded by the expected coverage once a sector
    states an expected share), students_placed, hired, partners, placement_hire_rate,
    placed_per_100_openings; then expected_demand, expected_gap and expected_coverage
    when a share is stated.
    """
    gaps = supply_demand(session, filters=filters, by=("sector_code",))
    placed = placement_totals(session, filters=filters, by=("sector_code",))
    frame = gaps.merge(placed[["sector_code", "students_placed", "hired", "partners"]], on="sector_code", how="left")
    for column in ("students_placed", "hired", "partners"):
        frame[column] = counts(frame[column])
    frame["gap_status"] = classify_gap(panel.grading(frame, "coverage_ratio")).where(frame["measured"], "not measured")
    frame = add_placement_rates(frame)
    frame["placed_per_100_openings"] = 100 * ratio(frame["students_placed"], frame["demand"])
    expected = [c for c in ("expected_demand", "expected_gap", "expected_coverage") if c in frame]
    return frame[
        [
            "sector_code",
            "sector_name",
            "supply",
            "demand",
            "gap",
            "coverage_ratio",
            "gap_status",
            "students_placed",
            "hired",
            "partners",
            "placement_hire_rate",
            "placed_per_100_openings",
            *expected,
        ]
    ]


def sector_profile(session: Session, *, filters: Filters) -> pd.DataFrame:
    """The planner's question on one table: per sector, the gap and coverage, the placements it gets per 100
    openings and how many of them hire, and whether its graduates find work and work in their field; the
    largest shortage first (sectors without a measured cell last). Gaps and placements are of the filters'
    last year, the outcomes of the latest cohort within the filters' years that has a survey.

    Columns: those of ``placements_against_gaps`` (supply, demand, gap, coverage_ratio, gap_status,
    students_placed, hired, partners, placement_hire_rate, placed_per_100_openings, and the expected
    figures when a share is stated), then outcomes_cohort (the latest cohort of the filters' years with a
    survey), surveyed, employed, employed_in_field, further_study, in_field_rate and employment_rate of
    that cohort (empty where its sector has no survey).
    """
    latest = filters if filters.year_to is None else filters.with_years(filters.year_to, filters.year_to)
    frame = placements_against_gaps(session, filters=latest)
    cohorts = outcome_totals(session, filters=filters)
    surveyed = cohorts[pd.to_numeric(cohorts["surveyed"], errors="coerce").fillna(0) > 0]
    cohort = int(surveyed["cohort_year"].max()) if len(surveyed) else None
    outcome_columns = ["surveyed", "employed", "employed_in_field", "further_study", "in_field_rate", "employment_rate"]
    if cohort is not None:
        outcomes = outcome_totals(session, filters=filters.with_years(cohort, cohort), by=("sector_code",))
        frame = frame.merge(outcomes[["sector_code", *outcome_columns]], on="sector_code", how="left")
    else:
        frame = frame.assign(**{column: float("nan") for column in outcome_columns})
    frame.insert(frame.columns.get_loc("surveyed"), "outcomes_cohort", cohort)
    order = panel.grading(frame, "gap").where(frame["gap_status"] != "not measured").rank(method="first", na_option="bottom")
    return frame.assign(_order=order).sort_values(["_order", "sector_code"]).drop(columns="_order").reset_index(drop=True)


# --- the institution scorecard ------------------------------------------------------------

# rate -> (the counts summed for its numerator, the count summed for its denominator)
COMPARED_RATES = {
    "graduates_per_enrolled": (("graduates",), "enrolled"),
    "employment_rate": (("employed", "further_study"), "surveyed"),
    "in_field_rate": (("employed_in_field",), "employed"),
    "placement_hire_rate": (("hired",), "students_placed"),
}
COMPARED_COUNTS = (
    "enrolled",
    "graduates",
    "surveyed",
    "employed",
    "further_study",
    "employed_in_field",
    "students_placed",
    "hired",
)


def compared_totals(scopes: Sequence[tuple[str, str, Sequence[pd.DataFrame | None]]]) -> pd.DataFrame:
    """One row per (scope, scope_name, frames of its yearly counts): each count of ``COMPARED_COUNTS``
    summed over the years of the frame that has it (empty where that frame is None: its table has no rows
    in the filters' years), then the rates of ``COMPARED_RATES`` as ratios of those
    sums (never means of yearly rates). A total over a year whose enrolled is unknown (optional since
    contract version 3) is unknown, never the sum of the known years; so is every rate built on it.

    Columns: scope, scope_name, the rates, then the counts."""
    rows = []
    for scope, name, frames in scopes:
        row: dict[str, object] = {"scope": scope, "scope_name": name}
        for column in COMPARED_COUNTS:
            source = next((f for f in frames if f is not None and column in f.columns), None)
            if source is None:  # its table has no rows in the filters' years: unknown, not 0
                row[column] = float("nan")
                continue
            values = pd.to_numeric(source[column], errors="coerce")
            row[column] = float("nan") if column == "enrolled" and bool(values.isna().any()) else float(values.sum())
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["scope", "scope_name", *COMPARED_COUNTS])
    for rate, (numerator, denominator) in COMPARED_RATES.items():
        frame[rate] = ratio(sum(frame[c] for c in numerator), frame[denominator])
    for column in COMPARED_COUNTS:
        frame[column] = counts(frame[column], missing_is_zero=False)
    return frame[["scope", "scope_name", *COMPARED_RATES, *COMPARED_COUNTS]]  # rates first: they are what is compared


def rate_comparison(session: Session, *, filters: Filters) -> pd.DataFrame:
    """The scorecard's comparison: when the filters name one institution, its rates next to those of the
    institutions of its region and of every institution of the filters (scopes "institution", "region" and
    "all"); otherwise the "all" row alone. Totals over the filters' years (``compared_totals``).

    The region is the list of its institutions, not a region filter: a placement's region is the host
    employer's, so a region filter would compare the institution with the employers of its region, not
    with its neighbours. scope_name is the institution's or the region's name (empty for "all").
    Columns: scope, scope_name, graduates_per_enrolled, employment_rate, in_field_rate,
    placement_hire_rate, then enrolled, graduates, surveyed, employed, further_study, employed_in_field,
    students_placed, hired."""
    everyone = filters.narrowed(institutions=())
    scopes = [("all", "", everyone)]
    institutions = list_institutions(session).set_index("institution_id")
    if len(filters.institutions) == 1 and filters.institutions[0] in institutions.index:
        chosen = institutions.loc[filters.institutions[0]]
        neighbours = tuple(institutions.index[institutions["region_code"] == chosen["region_code"]])
        scopes = [
            ("institution", str(chosen["institution_name"]), filters),
            ("region", str(chosen["region_name"]), filters.narrowed(institutions=neighbours)),
            *scopes,
        ]
    calendar = data_calendar(session)
    covered = {table: any(filters.covers_year(year) for year in calendar[table]) for table in calendar}
    return compared_totals(
        [
            (
                scope,
                name,
                (
                    enrolment_totals(session, filters=scoped) if covered["enrolments"] else None,
                    outcome_totals(session, filters=scoped) if covered["outcomes"] else None,
                    placement_totals(session, filters=scoped) if covered["placements"] else None,
                ),
            )
            for scope, name, scoped in scopes
        ]
    )


SHORTAGE_BELOW, SURPLUS_ABOVE = 0.9, 1.1


def classify_gap(coverage: pd.Series) -> pd.Series:
    """ "shortage" (< 0.9), "balanced", "surplus" (> 1.1) or "no demand" (empty coverage)."""
    status = pd.Series("balanced", index=coverage.index, dtype=object)
    status[coverage < SHORTAGE_BELOW] = "shortage"
    status[coverage > SURPLUS_ABOVE] = "surplus"
    status[coverage.isna()] = "no demand"
    return status


# --- overview and options -------------------------------------------------------------


def headline_by_year(session: Session, *, filters: Filters) -> pd.DataFrame:
    """The Overview's headline figures per year.

    Columns: year, graduates (of every program), supply (graduates of programs linked to a sector, by
    share) and openings over the year's measured cells, coverage_ratio (supply ÷ openings), supply_not_linked,
    supply_unmeasured and demand_unmeasured (beside the measured cells: data_access/panel.py), measured_cells,
    common_cells (measured in this year and the year before), supply_change, demand_change and
    coverage_ratio_change over those common cells; graduates_change and openings_change over the regions
    whose table reports both years (graduates_regions of graduates_regions_of, and the same for openings), surveyed, employment_rate (destination
    rate, by cohort year), in_field_rate, students_placed; once a sector states an expected share,
    expected_demand and expected_coverage (data_access/panel.py). A count of a year its table has no rows
    for is empty (missing), not 0; so is every rate built on it.
    """
    trend = supply_demand(session, filters=filters, by=("year",)).rename(columns={"demand": "openings"})
    trend = trend.merge(panel.changes(panel.cells(session, filters)), on="year", how="left")
    graduates = enrolment_totals(session, filters=filters, by=("year",))[["year", "graduates"]]
    graduates = graduates.merge(
        _one_sided_changes(session, filters, graduates["year"], ENROLMENTS, "graduates", "enrolments", "graduates"),
        on="year",
        how="left",
    )
    trend = trend.merge(
        _one_sided_changes(session, filters, trend["year"], DEMAND, "openings", "demand", "openings"), on="year", how="left"
    )
    not_linked = supply_not_linked(session, filters=filters, by=("year",))
    outcomes = outcome_totals(session, filters=filters).rename(columns={"cohort_year": "year"})
    placements = placement_totals(session, filters=filters)
    frame = graduates.merge(trend[["year", *OVERVIEW_PANEL, *ONE_SIDED["openings"]]], on="year", how="outer")
    frame = frame.merge(not_linked, on="year", how="outer")
    frame = frame.merge(outcomes[["year", "surveyed", "employment_rate", "in_field_rate"]], on="year", how="outer")
    frame = frame.merge(placements[["year", "students_placed"]], on="year", how="outer")
    calendar = data_calendar(session)
    covered_by = {
        "graduates": "enrolments",
        "supply_not_linked": "enrolments",
        "surveyed": "outcomes",
        "students_placed": "placements",
    }
    for column, table in covered_by.items():  # 0 within the years a table covers, empty (missing) outside them
        frame[column] = counts(_zero_within(frame, column, calendar[table]), missing_is_zero=False)
    changes = ("supply_change", "demand_change", "graduates_change", "openings_change")
    for column in ("supply", "openings", "supply_unmeasured", "demand_unmeasured", *changes):
        frame[column] = counts(frame[column], missing_is_zero=False)
    for column in ("measured_cells", "common_cells", *ONE_SIDED["graduates"][1:], *ONE_SIDED["openings"][1:]):
        frame[column] = frame[column].fillna(0).astype("int64")
    expected = ["expected_demand", "expected_coverage"] if "expected_coverage" in trend else []
    if expected:
        frame = frame.merge(trend[["year", *expected]], on="year", how="left")
    return frame[OVERVIEW_COLUMNS + expected].sort_values("year").reset_index(drop=True)


OVERVIEW_PANEL = [
    "supply",
    "openings",
    "coverage_ratio",
    "supply_unmeasured",
    "demand_unmeasured",
    "measured_cells",
    "common_cells",
    "supply_change",
    "demand_change",
    "coverage_ratio_change",
]
ONE_SIDED = {side: [f"{side}_change", f"{side}_regions", f"{side}_regions_of"] for side in ("graduates", "openings")}
OVERVIEW_COLUMNS = [
    "year",
    "graduates",
    "supply",
    "supply_not_linked",
    "openings",
    "coverage_ratio",
    *OVERVIEW_PANEL[3:],
    *ONE_SIDED["graduates"],
    *ONE_SIDED["openings"],
    "surveyed",
    "employment_rate",
    "in_field_rate",
    "students_placed",
]


def _one_sided_changes(
    session: Session, filters: Filters, years: pd.Series, fact, measure: str, table: str, name: str
) -> pd.DataFrame:
    """Per year: ``measure`` of ``fact`` this year minus the year before over the regions whose ``table``
    reports both years without a suppressed cell in either (``<name>_change``; empty without such a region), how many regions that is
    (``<name>_regions``) and how many of the filters' regions report either year (``<name>_regions_of``).
    Openings compare the cells known in both years only: a suppressed or unestimable cell is no 0."""
    wanted = sorted(int(y) for y in years)
    columns = ["year", f"{name}_change", f"{name}_regions", f"{name}_regions_of"]
    if not wanted:
        return pd.DataFrame(columns=columns)
    span = filters.with_years(wanted[0] - 1, wanted[-1])
    if fact is DEMAND:  # by cell: one unknown in either year (suppressed, not estimable) leaves that cell out
        grid = panel.cells(session, span)
        known = grid[grid["demand_known"]]
        values = {
            (int(y), str(r), str(c)): float(v)
            for y, r, c, v in known[["year", "region_code", "sector_code", "demand"]].itertuples(index=False)
        }
    else:
        by_region = aggregate(session, fact, span, ["year", "region_code"], {"value": Sum(measure)})
        values = {(int(y), str(r), ""): float(v or 0) for y, r, v in by_region.itertuples(index=False)}
    # a region with a suppressed cell of the table in either year has no known total there: not compared
    suppressed = caveats.suppressed_counts(session, span, ["year", "region_code"], (table,))
    incomplete = {(int(y), str(r)) for y, r in suppressed[["year", "region_code"]].itertuples(index=False)}
    rows = []
    for year in wanted:
        regions, of = panel.common_regions(session, table, year - 1, year, filters)
        if fact is not DEMAND:  # demand leaves out the unknown cells themselves, above
            regions = [r for r in regions if (year, r) not in incomplete and (year - 1, r) not in incomplete]
        common = set(regions)
        pairs = {key[1:] for key in values if key[0] in (year, year - 1) and key[1] in common}
        both = [(r, c) for r, c in pairs if (year, r, c) in values and (year - 1, r, c) in values] if fact is DEMAND else pairs
        change = sum(values.get((year, r, c), 0.0) - values.get((year - 1, r, c), 0.0) for r, c in both) if regions else None
        rows.append(dict(zip(columns, (year, change, len(regions), of))))
    return pd.DataFrame(rows, columns=columns)


def available_years(session: Session) -> list[int]:
    """Every year that has enrolments, demand, placements or an outcome cohort, ascending."""
    years = union_all(
        select(Enrolment.year.label("year")).distinct(),
        select(Demand.year.label("year")).distinct(),
        select(Placement.year.label("year")).distinct(),
        select(Outcome.cohort_year.label("year")).distinct(),
    ).subquery()
    statement = select(years.c.year).distinct().order_by(years.c.year)
    return [int(y) for y in session.execute(statement).scalars()]


def list_regions(session: Session) -> pd.DataFrame:
    """Every region. Columns: region_code, region_name."""
    return _frame(
        session, select(Region.region_code, Region.region_name).order_by(Region.region_code), ["region_code", "region_name"]
    )


def list_sectors(session: Session) -> pd.DataFrame:
    """Every sector. Columns: sector_code, sector_name."""
    return _frame(
        session, select(Sector.sector_code, Sector.sector_name).order_by(Sector.sector_code), ["sector_code", "sector_name"]
    )


def list_institutions(session: Session) -> pd.DataFrame:
    """Every institution. Columns: institution_id, institution_name, region_code, region_name, institution_type."""
    statement = (
        select(
            Institution.institution_id,
            Institution.institution_name,
            Institution.region_code,
            Region.region_name,
            Institution.institution_type,
        )
        .join(Region, Region.region_code == Institution.region_code)
        .order_by(Institution.institution_name, Institution.institution_id)
    )
    return _frame(session, statement, ["institution_id", "institution_name", "region_code", "region_name", "institution_type"])


# --- the crosswalk: which sectors each program trains for ---------------------------------------


def crosswalk(session: Session) -> pd.DataFrame:
    """Every program with the sectors it trains for, as the views use them.

    Columns: program_code, program_name, sector_code, sector_name, share, source ("program_sectors" for
    a row of that table, "programs" for a program trained wholly for its own sector_code, "not linked"
    for a program with neither, which then has an empty sector and share).
    """
    shares = _program_shares(session)
    crosswalked = set(_frame(session, select(ProgramSector.program_code).distinct(), ["program_code"])["program_code"])
    frame = shares.assign(
        source=[
            "not linked" if s == NOT_LINKED else "program_sectors" if p in crosswalked else "programs"
            for p, s in zip(shares["program_code"], shares["sector_code"])
        ]
    )
    frame["share"] = frame["share"].where(frame["sector_code"] != NOT_LINKED)
    frame = with_names(session, frame, ["program_code", "sector_code"])
    frame["sector_name"] = frame["sector_name"].where(frame["sector_code"] != NOT_LINKED)
    return frame.sort_values(["program_code", "share", "sector_code"], ascending=[True, False, True], kind="stable").reset_index(
        drop=True
    )[["program_code", "program_name", "sector_code", "sector_name", "share", "source"]]


def crosswalk_preview(session: Session, *, filters: Filters, edited: pd.DataFrame) -> pd.DataFrame:
    """What an edit of the crosswalk moves: supply, gap and coverage by sector before and after it, over
    the measured cells of the filters (contract version 3: a cell whose supply or demand is unknown is in
    no gap or coverage).

    ``edited`` holds the new rows of the edited programs (program_code, sector_code, share); a program
    given no rows falls back to its own sector_code, as without program_sectors rows. Supply: each
    program's graduates per (year, region) times its shares before or after the edit, counted in the
    (year, region, sector) cells that are measured (``panel.cells``); demand: the openings of those cells.
    Columns: sector_code, sector_name, demand, supply_before, supply_after, gap_before, gap_after,
    coverage_before, coverage_after (empty when demand is 0); only sectors with a measured cell.
    """
    everything = filters.narrowed(sectors=())
    cells = panel.cells(session, everything)
    measured = cells.loc[cells["measured"], ["year", "region_code", "sector_code", "demand"]]
    by = ["year", "region_code", "program_code"]
    graduates = aggregate(session, ENROLMENTS, everything, by, {"graduates": Sum("graduates")}).astype({"year": "int64"})
    before = _program_shares(session)
    edited_programs = set(edited["program_code"])
    own = _frame(session, select(Program.program_code, Program.sector_code), ["program_code", "own_sector"])
    fallback = own[own["program_code"].isin(edited_programs - set(edited["program_code"][edited["share"].notna()]))]
    after = pd.concat(
        [
            before[~before["program_code"].isin(edited_programs)],
            edited[["program_code", "sector_code", "share"]].dropna(),
            fallback.dropna().rename(columns={"own_sector": "sector_code"}).assign(share=1.0),
        ],
        ignore_index=True,
    )

    def supply(shares: pd.DataFrame) -> pd.Series:
        linked = graduates.merge(shares[shares["sector_code"] != NOT_LINKED], on="program_code")
        linked = linked.merge(measured[["year", "region_code", "sector_code"]], on=["year", "region_code", "sector_code"])
        return (linked["graduates"] * linked["share"]).groupby(linked["sector_code"]).sum()

    demand = measured.groupby("sector_code")["demand"].sum()
    frame = pd.DataFrame({"supply_before": supply(before), "supply_after": supply(after), "demand": demand})
    frame = frame.rename_axis("sector_code").reset_index()
    if filters.sectors:
        frame = frame[frame["sector_code"].isin(filters.sectors)]
    frame = frame.fillna({"supply_before": 0.0, "supply_after": 0.0, "demand": 0.0})
    frame = with_names(session, frame, ["sector_code"])
    for side in ("before", "after"):
        frame[f"gap_{side}"] = frame[f"supply_{side}"] - frame["demand"]
        frame[f"coverage_{side}"] = ratio(frame[f"supply_{side}"], frame["demand"])
    moved = (frame["supply_before"] - frame["supply_after"]).abs() > 1e-9
    frame = frame.assign(moved=moved).sort_values(["moved", "sector_code"], ascending=[False, True], kind="stable")
    columns = [
        "sector_code",
        "sector_name",
        "demand",
        "supply_before",
        "supply_after",
        "gap_before",
        "gap_after",
        "coverage_before",
        "coverage_after",
    ]
    return frame[columns].reset_index(drop=True)
