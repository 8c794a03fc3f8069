"""One aggregate query per view. Every query groups in the database, passes
every value as a parameter, and returns a tidy DataFrame whose columns its
docstring lists.

Region and sector of supply and outcomes are those of the institution and the
program; region and sector of a placement are those of the employer.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import ColumnElement, Select, case, func, literal_column, select, union_all
from sqlalchemy.orm import Session

from .filters import Filters
from .metrics import add_outcome_rates, add_placement_rates, add_supply_demand_measures
from .models import Demand, Employer, Enrolment, Institution, LoadLog, Outcome, Placement, Program, Region, Sector

SUPPLY_DEMAND_COLUMNS = ["supply", "demand", "gap", "coverage_ratio"]


def _frame(session: Session, statement: Select, columns: Sequence[str]) -> pd.DataFrame:
    rows = session.execute(statement).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))


def _restrict(
    statement: Select,
    filters: Filters,
    *,
    year: ColumnElement,
    region: ColumnElement,
    sector: ColumnElement,
) -> Select:
    """Apply the filters to the columns that carry year, region and sector for this fact."""
    if filters.year_from is not None:
        statement = statement.where(year >= filters.year_from)
    if filters.year_to is not None:
        statement = statement.where(year <= filters.year_to)
    if filters.regions:
        statement = statement.where(region.in_(filters.regions))
    if filters.sectors:
        statement = statement.where(sector.in_(filters.sectors))
    return statement


def _named(statement: Select, dims: Sequence[str], source) -> Select:
    """Add region_name / sector_name for the dimensions that carry codes."""
    if "region_code" in dims:
        statement = statement.join(Region, Region.region_code == source.c.region_code).add_columns(Region.region_name)
    if "sector_code" in dims:
        statement = statement.join(Sector, Sector.sector_code == source.c.sector_code).add_columns(Sector.sector_name)
    return statement


def _output_columns(dims: Sequence[str]) -> list[str]:
    names = list(dims)
    if "region_code" in dims:
        names.insert(names.index("region_code") + 1, "region_name")
    if "sector_code" in dims:
        names.insert(names.index("sector_code") + 1, "sector_name")
    return names


def supply_demand(session: Session, *, filters: Filters, by: Sequence[str]) -> pd.DataFrame:
    """Supply (graduates) against demand (openings), grouped by ``by``.

    ``by`` is any ordered subset of ``year``, ``region_code``, ``sector_code``.
    Returns the ``by`` columns (with ``region_name`` / ``sector_name`` after
    their codes), then supply, demand, gap, coverage_ratio; one row per group
    present on either side (a missing side counts 0); coverage_ratio is empty
    when demand is 0.
    """
    supply_dims = {"year": Enrolment.year, "region_code": Institution.region_code, "sector_code": Program.sector_code}
    demand_dims = {"year": Demand.year, "region_code": Demand.region_code, "sector_code": Demand.sector_code}
    supply = _restrict(
        select(
            *[supply_dims[d].label(d) for d in by],
            func.sum(Enrolment.graduates).label("supply"),
            literal_column("0").label("demand"),
        )
        .join(Institution, Institution.institution_id == Enrolment.institution_id)
        .join(Program, Program.program_code == Enrolment.program_code),
        filters,
        year=Enrolment.year,
        region=Institution.region_code,
        sector=Program.sector_code,
    ).group_by(*[supply_dims[d] for d in by])
    demand = _restrict(
        select(
            *[demand_dims[d].label(d) for d in by],
            literal_column("0").label("supply"),
            func.sum(Demand.openings).label("demand"),
        ),
        filters,
        year=Demand.year,
        region=Demand.region_code,
        sector=Demand.sector_code,
    ).group_by(*[demand_dims[d] for d in by])
    both = union_all(supply, demand).subquery("both_sides")
    statement = select(
        *[both.c[d] for d in by], func.sum(both.c.supply).label("supply"), func.sum(both.c.demand).label("demand")
    ).select_from(both)
    statement = _named(statement, by, both)
    group = [both.c[d] for d in by]
    if "region_code" in by:
        group.append(Region.region_name)
    if "sector_code" in by:
        group.append(Sector.sector_name)
    statement = statement.group_by(*group).order_by(*[both.c[d] for d in by])
    raw_columns = list(by) + ["supply", "demand"] + [c for c in ("region_name", "sector_name") if c in _output_columns(by)]
    frame = _frame(session, statement, raw_columns)
    frame = add_supply_demand_measures(frame)
    return frame[_output_columns(by) + SUPPLY_DEMAND_COLUMNS]


def supply_demand_detail(session: Session, *, filters: Filters) -> pd.DataFrame:
    """The contract's supply_demand table: one row per (year, region, sector).

    Columns: year, region_code, region_name, sector_code, sector_name, supply,
    demand, gap, coverage_ratio.
    """
    return supply_demand(session, filters=filters, by=("year", "region_code", "sector_code"))


def gaps_by_sector(session: Session, *, filters: Filters) -> pd.DataFrame:
    """Supply and demand per sector over the filtered years, largest shortage first.

    Columns: sector_code, sector_name, supply, demand, gap, coverage_ratio.
    """
    frame = supply_demand(session, filters=filters, by=("sector_code",))
    return frame.sort_values(["gap", "sector_code"], kind="stable").reset_index(drop=True)


def gaps_by_region_sector(session: Session, *, filters: Filters) -> pd.DataFrame:
    """Supply and demand per (region, sector) over the filtered years, largest shortage first.

    Columns: region_code, region_name, sector_code, sector_name, supply, demand, gap, coverage_ratio.
    """
    frame = supply_demand(session, filters=filters, by=("region_code", "sector_code"))
    return frame.sort_values(["gap", "region_code", "sector_code"], kind="stable").reset_index(drop=True)


def supply_demand_trend(session: Session, *, filters: Filters) -> pd.DataFrame:
    """Supply and demand per year for the selection.

    Columns: year, supply, demand, gap, coverage_ratio.
    """
    return supply_demand(session, filters=filters, by=("year",))


def outcome_totals(session: Session, *, filters: Filters, by: Sequence[str] = ("cohort_year",)) -> pd.DataFrame:
    """Graduate outcome counts and rates, grouped by ``by`` (cohort_year, region_code, sector_code).

    Columns: the ``by`` columns, surveyed, employed, employed_in_field,
    self_employed, further_study, unemployed, employment_rate (destination
    rate), job_rate, in_field_rate, self_employment_rate, further_study_rate,
    wage_employment_weighted (mean of median_monthly_wage weighted by employed,
    over rows that state a wage). Rates are ratios of sums; empty when the base is 0.
    """
    dims = {"cohort_year": Outcome.cohort_year, "region_code": Institution.region_code, "sector_code": Program.sector_code}
    has_wage = Outcome.median_monthly_wage.is_not(None)
    statement = _restrict(
        select(
            *[dims[d].label(d) for d in by],
            func.sum(Outcome.surveyed),
            func.sum(Outcome.employed),
            func.sum(Outcome.employed_in_field),
            func.sum(Outcome.self_employed),
            func.sum(Outcome.further_study),
            func.sum(Outcome.unemployed),
            func.sum(case((has_wage, Outcome.median_monthly_wage * Outcome.employed), else_=0)),
            func.sum(case((has_wage, Outcome.employed), else_=0)),
        )
        .join(Institution, Institution.institution_id == Outcome.institution_id)
        .join(Program, Program.program_code == Outcome.program_code),
        filters,
        year=Outcome.cohort_year,
        region=Institution.region_code,
        sector=Program.sector_code,
    ).group_by(*[dims[d] for d in by]).order_by(*[dims[d] for d in by])
    columns = list(by) + ["surveyed", "employed", "employed_in_field", "self_employed", "further_study", "unemployed", "wage_x_employed", "employed_with_wage"]
    return add_outcome_rates(_frame(session, statement, columns))


def placement_totals(session: Session, *, filters: Filters, by: Sequence[str] = ("year",)) -> pd.DataFrame:
    """Students placed and hired, grouped by ``by`` (year, region_code, sector_code of the employer).

    Columns: the ``by`` columns, students_placed, hired, placement_hire_rate.
    """
    dims = {"year": Placement.year, "region_code": Employer.region_code, "sector_code": Employer.sector_code}
    statement = _restrict(
        select(
            *[dims[d].label(d) for d in by],
            func.sum(Placement.students_placed),
            func.sum(Placement.hired),
        ).join(Employer, Employer.employer_id == Placement.employer_id),
        filters,
        year=Placement.year,
        region=Employer.region_code,
        sector=Employer.sector_code,
    ).group_by(*[dims[d] for d in by]).order_by(*[dims[d] for d in by])
    return add_placement_rates(_frame(session, statement, list(by) + ["students_placed", "hired"]))


def headline_by_year(session: Session, *, filters: Filters) -> pd.DataFrame:
    """The Overview's headline figures per year.

    Columns: year, graduates, openings, coverage_ratio, surveyed,
    employment_rate (destination rate, by cohort year), in_field_rate,
    students_placed. A year missing on one side has 0 counts and empty rates.
    """
    trend = supply_demand_trend(session, filters=filters).rename(columns={"supply": "graduates", "demand": "openings"})
    outcomes = outcome_totals(session, filters=filters).rename(columns={"cohort_year": "year"})
    placements = placement_totals(session, filters=filters)
    frame = trend[["year", "graduates", "openings", "coverage_ratio"]]
    frame = frame.merge(outcomes[["year", "surveyed", "employment_rate", "in_field_rate"]], on="year", how="outer")
    frame = frame.merge(placements[["year", "students_placed"]], on="year", how="outer")
    for column in ("graduates", "openings", "surveyed", "students_placed"):
        frame[column] = frame[column].fillna(0).astype("int64")
    return frame.sort_values("year").reset_index(drop=True)


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
    return _frame(session, select(Region.region_code, Region.region_name).order_by(Region.region_code), ["region_code", "region_name"])


def list_sectors(session: Session) -> pd.DataFrame:
    """Every sector. Columns: sector_code, sector_name."""
    return _frame(session, select(Sector.sector_code, Sector.sector_name).order_by(Sector.sector_code), ["sector_code", "sector_name"])


def current_data_version(session: Session) -> int:
    """The id of the latest successful load; 0 for a database never loaded."""
    return int(session.execute(select(func.coalesce(func.max(LoadLog.id), 0))).scalar_one())
