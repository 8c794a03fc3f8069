"""One aggregate query per view. Every query groups in the database, passes
every value as a parameter, and returns a tidy DataFrame whose columns its
docstring lists.

Region and sector of supply and outcomes are those of the institution and the
program; region and sector of a placement are those of the employer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import BigInteger, ColumnElement, Select, and_, case, func, literal, literal_column, or_, select, union_all
from sqlalchemy.orm import Session

from . import summaries
from .filters import Filters
from .metrics import add_growth, add_outcome_rates, add_placement_rates, add_supply_demand_measures, ratio
from .models import (Demand, Employer, Enrolment, Institution, LoadLog, Outcome, Placement, Program, Region, Sector,
                     SummaryPartner, SummaryPartnerCount, SummaryPlacementBySector, SummaryProgram)

SUPPLY_DEMAND_COLUMNS = ["supply", "demand", "gap", "coverage_ratio"]


@dataclass(frozen=True)
class _Fact:
    """A fact table with the joins that give it year, region, sector and the other dimensions,
    and its summary tables (data_access/summaries.py), smallest first."""

    base: type
    joins: tuple[tuple[type, ColumnElement], ...]
    dims: Mapping[str, ColumnElement]
    summaries: tuple[summaries.Summary, ...] = ()


def _taught(model: type, year: ColumnElement, found_in: tuple[summaries.Summary, ...], **extra: ColumnElement) -> _Fact:
    """A fact about one program at one institution: region from the institution, sector from the program."""
    return _Fact(
        model,
        (
            (Institution, Institution.institution_id == model.institution_id),
            (Program, Program.program_code == model.program_code),
        ),
        {
            **extra,
            "year": year,
            "region_code": Institution.region_code,
            "sector_code": Program.sector_code,
            "institution_type": Institution.institution_type,
            "institution_id": model.institution_id,
            "program_code": model.program_code,
        },
        found_in,
    )


_ENROLMENT = _taught(Enrolment, Enrolment.year, summaries.ENROLMENT_SUMMARIES)
_OUTCOME = _taught(Outcome, Outcome.cohort_year, summaries.OUTCOME_SUMMARIES, cohort_year=Outcome.cohort_year)
_PLACEMENT = _Fact(
    Placement,
    (
        (Employer, Employer.employer_id == Placement.employer_id),
        (Institution, Institution.institution_id == Placement.institution_id),
    ),
    {
        "year": Placement.year,
        "region_code": Employer.region_code,
        "sector_code": Employer.sector_code,
        "institution_type": Institution.institution_type,
        "institution_id": Placement.institution_id,
        "program_code": Placement.program_code,
        "employer_id": Placement.employer_id,
    },
    (*summaries.PLACEMENT_SUMMARIES, summaries.PARTNER_YEARS),
)
_DEMAND = _Fact(Demand, (), {"year": Demand.year, "region_code": Demand.region_code, "sector_code": Demand.sector_code},
                summaries.DEMAND_SUMMARIES)

# code column -> (table, its key, its name column, output name)
_NAMES = {
    "region_code": (Region, Region.region_code, Region.region_name, "region_name"),
    "sector_code": (Sector, Sector.sector_code, Sector.sector_name, "sector_name"),
    "institution_id": (Institution, Institution.institution_id, Institution.institution_name, "institution_name"),
    "program_code": (Program, Program.program_code, Program.program_name, "program_name"),
    "employer_id": (Employer, Employer.employer_id, Employer.employer_name, "employer_name"),
}


def _frame(session: Session, statement: Select, columns: Sequence[str]) -> pd.DataFrame:
    # Through the session's connection (Core), not the ORM: tens of thousands of rows come back at national scale.
    rows = session.connection().execute(statement).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))


def _restrict(statement: Select, filters: Filters, dims: Mapping[str, ColumnElement]) -> Select:
    """Apply the filters to the columns that carry year, region, sector, ... (``dims``)."""
    if filters.year_from is not None:
        statement = statement.where(dims["year"] >= filters.year_from)
    if filters.year_to is not None:
        statement = statement.where(dims["year"] <= filters.year_to)
    for name, chosen in (
        ("region_code", filters.regions),
        ("sector_code", filters.sectors),
        ("institution_type", filters.institution_types),
        ("institution_id", filters.institutions),
        ("program_code", filters.programs),
    ):
        if chosen and name in dims:
            statement = statement.where(dims[name].in_(chosen))
    return statement


_FILTERED_DIMS = (
    ("region_code", "regions"),
    ("sector_code", "sectors"),
    ("institution_type", "institution_types"),
    ("institution_id", "institutions"),
    ("program_code", "programs"),
)

# Whether views read the summary tables when they can; tests turn it off to compare with the raw rows.
use_summaries = True


def _summary_for(fact: _Fact, filters: Filters, by: Sequence[str], measures: Mapping[str, ColumnElement]):
    """The smallest summary of ``fact`` that keeps every dimension the grouping and the filters
    use and can give every measure asked for (literal measures need none), or None."""
    if not use_summaries:
        return None
    needed = set(by) | {dim for dim, name in _FILTERED_DIMS if getattr(filters, name) and dim in fact.dims}
    for summary in fact.summaries:
        if needed <= summary.dims.keys() and all(_from_summary(fact, summary, n, m) is not None for n, m in measures.items()):
            return summary
    return None


def _fact_column(fact: _Fact, expression) -> str | None:
    """The name of the fact table's column that ``expression`` is, else None."""
    table = getattr(expression, "table", None)
    return expression.name if table is not None and table.name == fact.base.__tablename__ else None


def _same_column(one, other) -> bool:
    one, other = getattr(one, "expression", one), getattr(other, "expression", other)
    return (getattr(one, "name", None), getattr(getattr(one, "table", None), "name", None)) == (
        getattr(other, "name", None), getattr(getattr(other, "table", None), "name", None))


def _from_summary(fact: _Fact, summary: summaries.Summary, name: str, measure: ColumnElement):
    """``measure`` computed from ``summary``, or None when it cannot be. SUM(column) sums the
    summary's column of that name (the wage sums: the column named like the measure);
    COUNT(DISTINCT dimension) counts the summary's column when the summary keeps that dimension
    (a summary row exists exactly when a fact row of its group does)."""
    if getattr(measure, "is_literal", False):
        return measure
    kind = getattr(measure, "name", None)
    arguments = list(getattr(measure, "clauses", ()))
    if kind == "sum":
        column = _fact_column(fact, arguments[0]) if len(arguments) == 1 else None
        column = column or name
        return func.sum(summary.column(column)) if column in summary.measures else None
    if kind == "count" and len(arguments) == 1 and getattr(arguments[0], "name", None) == "distinct":
        inner = list(arguments[0].clauses)
        dim = next((d for d, c in fact.dims.items() if len(inner) == 1 and _same_column(c, inner[0])), None)
        return func.count(func.distinct(summary.dims[dim])) if dim in summary.dims else None
    return None


def _grouped(fact: _Fact, filters: Filters, by: Sequence[str], measures: Mapping[str, ColumnElement],
             *, summarised: bool = True) -> Select:
    """SELECT the ``by`` dimensions and the ``measures`` from ``fact``, filtered and grouped.

    Each measure is a SUM (or a literal) over the fact's rows; it is read from a summary
    table when one keeps what the grouping and the filters need (``summarised``), and
    from the fact's rows otherwise: the numbers are the same.
    """
    summary = _summary_for(fact, filters, by, measures) if summarised else None
    if summary is not None:
        columns = [_from_summary(fact, summary, name, m) for name, m in measures.items()]
        statement = select(*[summary.dims[d].label(d) for d in by], *[c.label(n) for c, n in zip(columns, measures)])
        statement = statement.select_from(summary.model)
        return _restrict(statement, filters, summary.dims).group_by(*[summary.dims[d] for d in by])
    statement = select(*[fact.dims[d].label(d) for d in by], *[m.label(name) for name, m in measures.items()])
    statement = statement.select_from(fact.base)
    for target, onclause in fact.joins:
        statement = statement.join(target, onclause)
    return _restrict(statement, filters, fact.dims).group_by(*[fact.dims[d] for d in by])


def _output_columns(by: Sequence[str]) -> list[str]:
    names = []
    for dim in by:
        names.append(dim)
        if dim in _NAMES:
            names.append(_NAMES[dim][3])
    return names


def _with_names(session: Session, inner: Select, by: Sequence[str], measures: Sequence[str]) -> pd.DataFrame:
    """Run ``inner`` and add the name of every code dimension (region_name after region_code, ...)."""
    sub = inner.subquery("grouped")
    columns: list = []
    statement_joins = []
    for dim in by:
        columns.append(sub.c[dim])
        if dim in _NAMES:
            table, key, name, label = _NAMES[dim]
            alias = select(key.label("code"), name.label("name")).subquery(f"names_{dim}")
            statement_joins.append((alias, alias.c.code == sub.c[dim]))
            columns.append(alias.c.name.label(label))
    columns += [sub.c[m] for m in measures]
    statement = select(*columns).select_from(sub)
    for alias, onclause in statement_joins:
        statement = statement.outerjoin(alias, onclause)
    statement = statement.order_by(*[sub.c[d] for d in by])
    return _frame(session, statement, _output_columns(by) + list(measures))


# --- supply and demand ---------------------------------------------------------------


def supply_demand(session: Session, *, filters: Filters, by: Sequence[str]) -> pd.DataFrame:
    """Supply (graduates) against demand (openings), grouped by ``by``.

    ``by`` is any ordered subset of ``year``, ``region_code``, ``sector_code``.
    Returns the ``by`` columns (with ``region_name`` / ``sector_name`` after
    their codes), then supply, demand, gap, coverage_ratio; one row per group
    present on either side (a missing side counts 0); coverage_ratio is empty
    when demand is 0.
    """
    supply = _grouped(_ENROLMENT, filters, by, {"supply": func.sum(Enrolment.graduates), "demand": literal_column("0")})
    demand = _grouped(_DEMAND, filters, by, {"supply": literal_column("0"), "demand": func.sum(Demand.openings)})
    both = union_all(supply, demand).subquery("both_sides")
    combined = select(
        *[both.c[d] for d in by], func.sum(both.c.supply).label("supply"), func.sum(both.c.demand).label("demand")
    ).group_by(*[both.c[d] for d in by])
    frame = _with_names(session, combined, by, ["supply", "demand"])
    return add_supply_demand_measures(frame)


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


# --- enrolment --------------------------------------------------------------------------


def enrolment_totals(session: Session, *, filters: Filters, by: Sequence[str] = ("year",)) -> pd.DataFrame:
    """Enrolled students and graduates grouped by ``by`` (any of year, region_code,
    sector_code, institution_type, institution_id, program_code).

    Columns: the ``by`` columns (code dimensions followed by their names),
    enrolled, graduates, graduates_per_enrolled (graduates ÷ enrolled, the
    completion indicator; empty when nobody is enrolled).
    """
    measures = {"enrolled": func.sum(Enrolment.enrolled), "graduates": func.sum(Enrolment.graduates)}
    frame = _with_names(session, _grouped(_ENROLMENT, filters, by, measures), by, list(measures))
    for column in measures:
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["graduates_per_enrolled"] = ratio(frame["graduates"], frame["enrolled"])
    return frame


def enrolment_trend(session: Session, *, filters: Filters, by: Sequence[str] = ()) -> pd.DataFrame:
    """Enrolment per year (and per ``by`` group) with the change against the previous year.

    Columns: year, the ``by`` columns, enrolled, graduates, graduates_per_enrolled,
    enrolled_growth and graduates_growth (change ÷ previous year's value; empty
    for the first year of a group or when the previous year was 0).
    """
    frame = enrolment_totals(session, filters=filters, by=("year", *by))
    return add_growth(frame, keys=list(by), measures=["enrolled", "graduates"])


def program_table(session: Session, *, filters: Filters) -> pd.DataFrame:
    """One row per program for the latest year of the filters, with the year before for growth.

    Columns: program_code, program_name, sector_code, sector_name, level,
    institutions (offering it that year), enrolled, graduates,
    graduates_per_enrolled, enrolled_previous_year, enrolled_growth.
    """
    year = filters.year_to if filters.year_to is not None else _latest_year(session, Enrolment.year)
    if year is None:
        year = 0
    this_year = filters.with_years(year, year)
    measures = {
        "institutions": func.count(func.distinct(Enrolment.institution_id)),
        "enrolled": func.sum(Enrolment.enrolled),
        "graduates": func.sum(Enrolment.graduates),
    }
    by = ["program_code", "sector_code"]
    if use_summaries and not (filters.regions or filters.institution_types or filters.institutions):
        # One enrolment row per institution and program in a year: the summary's row count is the institutions.
        grouped = select(SummaryProgram.program_code, SummaryProgram.sector_code,
                         func.sum(SummaryProgram.institutions).label("institutions"),
                         func.sum(SummaryProgram.enrolled).label("enrolled"), func.sum(SummaryProgram.graduates).label("graduates"))
        grouped = _restrict(grouped, this_year, summaries.ENROLMENT_SUMMARIES[1].dims).group_by(*[getattr(SummaryProgram, d) for d in by])
    else:
        grouped = _grouped(_ENROLMENT, this_year, by, measures)
    current = _with_names(session, grouped, by, list(measures))
    previous = enrolment_totals(session, filters=filters.with_years(year - 1, year - 1), by=("program_code",))
    previous = previous[["program_code", "enrolled"]].rename(columns={"enrolled": "enrolled_previous_year"})
    levels = _frame(session, select(Program.program_code, Program.level), ["program_code", "level"])
    frame = current.merge(levels, on="program_code", how="left").merge(previous, on="program_code", how="left")
    frame["graduates_per_enrolled"] = ratio(frame["graduates"], frame["enrolled"])
    frame["enrolled_growth"] = ratio(frame["enrolled"] - frame["enrolled_previous_year"], frame["enrolled_previous_year"])
    columns = ["program_code", "program_name", "sector_code", "sector_name", "level", "institutions", "enrolled",
               "graduates", "graduates_per_enrolled", "enrolled_previous_year", "enrolled_growth"]
    return frame[columns].sort_values(["sector_code", "program_code"]).reset_index(drop=True)


def _latest_year(session: Session, column) -> int | None:
    return session.execute(select(func.max(column))).scalar_one()


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
    to cohort_year.
    """
    has_wage = Outcome.median_monthly_wage.is_not(None)
    measures = {
        "surveyed": func.sum(Outcome.surveyed),
        "employed": func.sum(Outcome.employed),
        "employed_in_field": func.sum(Outcome.employed_in_field),
        "self_employed": func.sum(Outcome.self_employed),
        "further_study": func.sum(Outcome.further_study),
        "unemployed": func.sum(Outcome.unemployed),
        "wage_x_employed": func.sum(case((has_wage, Outcome.median_monthly_wage * Outcome.employed), else_=0)),
        "employed_with_wage": func.sum(case((has_wage, Outcome.employed), else_=0)),
    }
    frame = _with_names(session, _grouped(_OUTCOME, filters, by, measures), by, list(measures))
    return add_outcome_rates(frame)


def in_field_against_coverage(session: Session, *, filters: Filters) -> pd.DataFrame:
    """Per sector: how many graduates work in their field, against how well training covers demand.

    Columns: sector_code, sector_name, supply, demand, gap, coverage_ratio,
    surveyed, employed, employed_in_field, in_field_rate, employment_rate.
    """
    gaps = gaps_by_sector(session, filters=filters)
    outcomes = outcome_totals(session, filters=filters, by=("sector_code",))
    outcome_columns = ["sector_code", "surveyed", "employed", "employed_in_field", "in_field_rate", "employment_rate"]
    frame = gaps.merge(outcomes[outcome_columns], on="sector_code", how="left")
    for column in ("surveyed", "employed", "employed_in_field"):
        frame[column] = frame[column].fillna(0).astype("int64")
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
    cell_rates = outcome_totals(session, filters=filters, by=("region_code", "sector_code"))[["region_code", "sector_code", "in_field_rate"]]
    sector_rates = outcome_totals(session, filters=filters, by=("sector_code",))[["sector_code", "in_field_rate"]]
    cells = cells.merge(cell_rates, on=["region_code", "sector_code"], how="left")
    cells = cells.merge(sector_rates.rename(columns={"in_field_rate": "sector_rate"}), on="sector_code", how="left")
    rate = cells["in_field_rate"].fillna(cells["sector_rate"])
    cells["effective_supply"] = cells["supply"] * rate
    cells["supply_without_rate"] = cells["supply"].where(rate.isna(), 0)
    keys = _output_columns(by)
    grouped = cells.groupby(keys, dropna=False, sort=True)[["supply", "demand", "effective_supply", "supply_without_rate"]].sum(min_count=1)
    frame = grouped.reset_index()
    frame["effective_supply"] = frame["effective_supply"].fillna(0.0)
    frame["in_field_rate"] = ratio(frame["effective_supply"], frame["supply"] - frame["supply_without_rate"])
    frame["effective_gap"] = frame["effective_supply"] - frame["demand"]
    frame["effective_coverage"] = ratio(frame["effective_supply"], frame["demand"])
    columns = keys + ["supply", "demand", "in_field_rate", "effective_supply", "effective_gap", "effective_coverage", "supply_without_rate"]
    return frame[columns]


# --- placements and partners -----------------------------------------------------------


def placement_totals(session: Session, *, filters: Filters, by: Sequence[str] = ("year",)) -> pd.DataFrame:
    """Students placed and hired, grouped by ``by`` (any of year, region_code and
    sector_code of the employer, institution_type, institution_id, program_code, employer_id).

    Columns: the ``by`` columns (with names), students_placed, hired,
    partners (distinct employers), placement_hire_rate.
    """
    measures = {
        "students_placed": func.sum(Placement.students_placed),
        "hired": func.sum(Placement.hired),
        "partners": func.count(func.distinct(Placement.employer_id)),
    }
    if by and _partner_summaries_usable(session, filters, by):
        sums = {name: measures[name] for name in ("students_placed", "hired")}
        frame = _with_names(session, _grouped(_PLACEMENT, filters, by, sums), by, list(sums))
        partners = _frame(session, _partner_counts(filters, by), [*by, "partners"])
        frame = frame.merge(partners, on=list(by), how="left")
    else:
        frame = _with_names(session, _grouped(_PLACEMENT, filters, by, measures), by, list(measures))
    frame["partners"] = frame["partners"].fillna(0).astype("int64")
    return add_placement_rates(frame)


def _partner_summaries_usable(session: Session, filters: Filters, by: Sequence[str] = ()) -> bool:
    """Whether distinct partners and the partner ranking can come from the per-partner summaries:
    no institution type, institution or program in the filters or the grouping, and every
    partner's years held in its years_mask."""
    return (
        use_summaries
        and not (filters.institution_types or filters.institutions or filters.programs)
        and set(by) <= {"year", "region_code", "sector_code"}
        and summaries.years_mask(filters.year_from, filters.year_to) is not None
        and not session.execute(select(SummaryPartner.employer_id).where(SummaryPartner.years_mask.is_(None)).limit(1)).first()
    )


def _mask_test(mask: int):
    """years_mask AND ``mask`` (a parameter, as a 64-bit integer)."""
    return SummaryPartner.years_mask.op("&")(literal(mask, BigInteger))


def _partner_counts(filters: Filters, by: Sequence[str]) -> Select:
    """Distinct partner employers per ``by`` group (a subset of year, region_code, sector_code):
    per year they add up over regions and sectors; over a span of years a partner counts once
    when any of its hosting years is in the span."""
    if "year" in by or (filters.year_from is not None and filters.year_from == filters.year_to):
        dims = summaries.PARTNER_COUNTS.dims
        statement = select(*[dims[d].label(d) for d in by], func.sum(SummaryPartnerCount.partners).label("partners"))
        return _restrict(statement.select_from(SummaryPartnerCount), filters, dims).group_by(*[dims[d] for d in by])
    dims = summaries.PARTNERS.dims
    statement = select(*[dims[d].label(d) for d in by], func.count().label("partners")).select_from(SummaryPartner)
    statement = statement.where(_mask_test(summaries.years_mask(filters.year_from, filters.year_to)) != 0)
    return _restrict(statement, filters.with_years(None, None), dims).group_by(*[dims[d] for d in by])


def _partner_totals(session: Session, filters: Filters) -> Select:
    """Per partner employer with placements in the filters: students_placed, hired, years_hosting.
    A partner whose every hosting year is in the span gives its stored totals; one with hosting
    years on both sides of the span is summed from its rows per year."""
    span = summaries.years_mask(filters.year_from, filters.year_to)
    outside = summaries.ALL_YEARS_MASK & ~span
    whole = (
        select(SummaryPartner.employer_id.label("employer_id"), SummaryPartner.students_placed.label("students_placed"),
               SummaryPartner.hired.label("hired"), SummaryPartner.years_hosting.label("years_hosting"))
        .where(_mask_test(span) != 0, _mask_test(outside) == 0)
    )
    whole = _restrict(whole, filters.with_years(None, None), summaries.PARTNERS.dims)
    partly_in_span = and_(_mask_test(span) != 0, _mask_test(outside) != 0)
    if not session.execute(select(SummaryPartner.employer_id).where(partly_in_span).limit(1)).first():
        return whole  # the usual case of the whole span of years: no per-year rows to read
    per_year = summaries.PARTNER_YEARS
    partly = (
        select(per_year.dims["employer_id"], func.sum(per_year.column("students_placed")), func.sum(per_year.column("hired")),
               func.count())
        .select_from(per_year.model)
        .join(SummaryPartner, SummaryPartner.employer_id == per_year.dims["employer_id"])
        .where(partly_in_span)
        .group_by(per_year.dims["employer_id"])
    )
    return union_all(whole, _restrict(partly, filters, per_year.dims))


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
    measures = {
        "students_placed": func.sum(Placement.students_placed),
        "hired": func.sum(Placement.hired),
        "years_hosting": func.count(func.distinct(Placement.year)),
    }
    by = ["employer_id"]
    details = (
        select(Employer.employer_id, Employer.sector_code, Sector.sector_name, Employer.region_code, Region.region_name,
               Employer.partner_since, Employer.placement_capacity)
        .join(Sector, Sector.sector_code == Employer.sector_code)
        .join(Region, Region.region_code == Employer.region_code)
    )
    if _partner_summaries_usable(session, filters):
        # Most partners are in the ranking then: reading every employer's details once is cheaper than selecting them.
        placed_rows = _partner_totals(session, filters).subquery("partner_totals")
        inner = select(*placed_rows.c)
    else:
        inner = _grouped(_PLACEMENT, filters, by, measures)
        details = details.where(Employer.employer_id.in_(select(_grouped(_PLACEMENT, filters, by, {}).subquery().c.employer_id)))
    placed = _with_names(session, inner, by, list(measures))
    details = _frame(
        session,
        details,
        ["employer_id", "sector_code", "sector_name", "region_code", "region_name", "partner_since", "placement_capacity"],
    )
    frame = placed.merge(details, on="employer_id", how="left")
    last_year = filters.year_to if filters.year_to is not None else _latest_year(session, Placement.year)
    frame["tenure_years"] = (last_year - frame["partner_since"]) if last_year is not None else float("nan")
    frame = add_placement_rates(frame)
    frame["capacity_use"] = ratio(frame["students_placed"], frame["placement_capacity"] * frame["years_hosting"])
    columns = ["employer_id", "employer_name", "sector_code", "sector_name", "region_code", "region_name", "partner_since",
               "tenure_years", "placement_capacity", "years_hosting", "students_placed", "hired", "placement_hire_rate", "capacity_use"]
    for column in ("partner_since", "tenure_years", "placement_capacity"):
        frame[column] = frame[column].astype("Int64")  # whole numbers that may be missing
    frame = frame[columns].sort_values(["students_placed", "hired", "employer_id"], ascending=[False, False, True], kind="stable")
    return frame.reset_index(drop=True)


def capacity_use_by_sector(session: Session, *, filters: Filters) -> pd.DataFrame:
    """Placement capacity and its use per year and sector, over employers that state a capacity.

    The capacity of a year counts every employer of the sector and region
    filters that states a capacity and was a partner that year (partner_since
    empty or not after it), whether or not it hosted anyone.

    Columns: year, sector_code, sector_name, employers_with_capacity,
    placement_capacity, students_placed (at those employers), capacity_use
    (students_placed ÷ placement_capacity; empty when capacity is 0).
    """
    # The years with placements: the summary by sector has a row for each of them, in far fewer rows.
    placement_year = SummaryPlacementBySector.year if use_summaries else Placement.year
    years = select(placement_year.label("year")).distinct()
    if filters.year_from is not None:
        years = years.where(placement_year >= filters.year_from)
    if filters.year_to is not None:
        years = years.where(placement_year <= filters.year_to)
    year = years.subquery("years")
    partners = (
        select(year.c.year, Employer.sector_code.label("sector_code"),
               func.count(Employer.employer_id).label("employers_with_capacity"),
               func.sum(Employer.placement_capacity).label("placement_capacity"))
        .select_from(year)
        .join(Employer, and_(Employer.placement_capacity.is_not(None),
                             or_(Employer.partner_since.is_(None), Employer.partner_since <= year.c.year)))
    )
    if filters.regions:
        partners = partners.where(Employer.region_code.in_(filters.regions))
    if filters.sectors:
        partners = partners.where(Employer.sector_code.in_(filters.sectors))
    partners = partners.group_by(year.c.year, Employer.sector_code)
    capacity = _with_names(session, partners, ["year", "sector_code"], ["employers_with_capacity", "placement_capacity"])
    placed = _placed_at_employers_with_capacity(filters)
    used = _frame(session, placed, ["year", "sector_code", "students_placed"])
    frame = capacity.merge(used, on=["year", "sector_code"], how="left")
    frame["students_placed"] = frame["students_placed"].fillna(0).astype("int64")
    frame["capacity_use"] = ratio(frame["students_placed"], frame["placement_capacity"])
    return frame[["year", "sector_code", "sector_name", "employers_with_capacity", "placement_capacity", "students_placed", "capacity_use"]]


def _placed_at_employers_with_capacity(filters: Filters) -> Select:
    """Students placed per year and sector at employers that state a capacity: from the
    per-employer summary unless the filters name institution types, institutions or programs."""
    partner_years = summaries.PARTNER_YEARS
    if not use_summaries or filters.institution_types or filters.institutions or filters.programs:
        placed = _grouped(_PLACEMENT, filters, ["year", "sector_code"], {"students_placed": func.sum(Placement.students_placed)},
                          summarised=False)
        return placed.where(Employer.placement_capacity.is_not(None))
    dims = partner_years.dims
    placed = (
        select(dims["year"].label("year"), dims["sector_code"].label("sector_code"),
               func.sum(partner_years.column("students_placed")).label("students_placed"))
        .select_from(partner_years.model)
        .join(Employer, Employer.employer_id == dims["employer_id"])
        .where(Employer.placement_capacity.is_not(None))
    )
    return _restrict(placed, filters, dims).group_by(dims["year"], dims["sector_code"])


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
    "balanced" between, "no demand" without openings), students_placed,
    hired, partners, placement_hire_rate, placed_per_100_openings.
    """
    gaps = gaps_by_sector(session, filters=filters)
    placed = placement_totals(session, filters=filters, by=("sector_code",))
    frame = gaps.merge(placed[["sector_code", "students_placed", "hired", "partners"]], on="sector_code", how="left")
    for column in ("students_placed", "hired", "partners"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["gap_status"] = classify_gap(frame["coverage_ratio"])
    frame = add_placement_rates(frame)
    frame["placed_per_100_openings"] = 100 * ratio(frame["students_placed"], frame["demand"])
    return frame[["sector_code", "sector_name", "supply", "demand", "gap", "coverage_ratio", "gap_status", "students_placed",
                  "hired", "partners", "placement_hire_rate", "placed_per_100_openings"]]


SHORTAGE_BELOW, SURPLUS_ABOVE = 0.9, 1.1


def classify_gap(coverage: pd.Series) -> pd.Series:
    """"shortage" (< 0.9), "balanced", "surplus" (> 1.1) or "no demand" (empty coverage)."""
    status = pd.Series("balanced", index=coverage.index, dtype=object)
    status[coverage < SHORTAGE_BELOW] = "shortage"
    status[coverage > SURPLUS_ABOVE] = "surplus"
    status[coverage.isna()] = "no demand"
    return status


# --- overview and options -------------------------------------------------------------


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


def list_institutions(session: Session) -> pd.DataFrame:
    """Every institution. Columns: institution_id, institution_name, region_code, region_name, institution_type."""
    statement = (
        select(Institution.institution_id, Institution.institution_name, Institution.region_code, Region.region_name,
               Institution.institution_type)
        .join(Region, Region.region_code == Institution.region_code)
        .order_by(Institution.institution_name, Institution.institution_id)
    )
    return _frame(session, statement, ["institution_id", "institution_name", "region_code", "region_name", "institution_type"])


def current_data_version(session: Session) -> int:
    """The id of the latest successful load; 0 for a database never loaded."""
    return int(session.execute(select(func.coalesce(func.max(LoadLog.id), 0))).scalar_one())
