"""Summary tables: the fact tables summed at the grain the sidebar's filters need.

A national data set has millions of enrolment, placement and outcome rows, but
the dashboard's views group them by year, region, sector and institution type,
of which there are thousands of combinations. Every load and every undo
rebuilds, inside its own transaction, the summaries whose input tables it
changed, so a reader sees the summaries and the rows they came from change
together, and never one without the other. The queries (data_access/queries.py)
read a summary whenever the filters and the grouping allow (no institution,
program or employer in them) and the raw rows otherwise; both give the same
numbers, which tests/test_summaries.py checks view by view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import BigInteger, case, delete, func, insert, literal, select

from .models import (
    Demand,
    Employer,
    Enrolment,
    Institution,
    Outcome,
    Placement,
    Program,
    SummaryDemandBySector,
    SummaryEnrolment,
    SummaryEnrolmentBySector,
    SummaryOutcome,
    SummaryOutcomeBySector,
    SummaryPartner,
    SummaryPartnerCount,
    SummaryPartnerYear,
    SummaryPlacement,
    SummaryPlacementBySector,
    SummaryProgram,
)


@dataclass(frozen=True)
class Summary:
    """One summary table: the dimensions it keeps (view name -> its column) and its summed measures."""

    model: type
    dims: dict
    measures: tuple[str, ...]
    inputs: frozenset[str]  # contract tables it is computed from

    def column(self, name: str):
        """The summary's column called ``name``."""
        return getattr(self.model, name)


def _dims(model: type, *names: str, year: str = "year") -> dict:
    dims = {name: getattr(model, name) for name in names}
    dims["year"] = getattr(model, year)
    if year != "year":
        dims[year] = getattr(model, year)
    return dims


OUTCOME_MEASURES = ("surveyed", "employed", "employed_in_field", "self_employed", "further_study", "unemployed",
                    "wage_x_employed", "employed_with_wage")
TAUGHT = frozenset({"institutions", "programs"})

# Per fact, its summaries smallest first: a query uses the first one that keeps every dimension it needs.
ENROLMENT_SUMMARIES = (
    Summary(SummaryEnrolmentBySector, _dims(SummaryEnrolmentBySector, "sector_code", "institution_type"),
            ("enrolled", "graduates"), TAUGHT | {"enrolments"}),
    Summary(SummaryProgram, _dims(SummaryProgram, "program_code", "sector_code"), ("enrolled", "graduates"),
            TAUGHT | {"enrolments"}),
    Summary(SummaryEnrolment, _dims(SummaryEnrolment, "region_code", "sector_code", "institution_type"),
            ("enrolled", "graduates"), TAUGHT | {"enrolments"}),
)
OUTCOME_SUMMARIES = (
    Summary(SummaryOutcomeBySector, _dims(SummaryOutcomeBySector, "sector_code", "institution_type", year="cohort_year"),
            OUTCOME_MEASURES, TAUGHT | {"outcomes"}),
    Summary(SummaryOutcome, _dims(SummaryOutcome, "region_code", "sector_code", "institution_type", year="cohort_year"),
            OUTCOME_MEASURES, TAUGHT | {"outcomes"}),
)
PLACEMENT_SUMMARIES = (
    Summary(SummaryPlacementBySector, _dims(SummaryPlacementBySector, "sector_code", "institution_type"),
            ("students_placed", "hired"), frozenset({"placements", "employers", "institutions"})),
    Summary(SummaryPlacement, _dims(SummaryPlacement, "region_code", "sector_code", "institution_type"),
            ("students_placed", "hired"), frozenset({"placements", "employers", "institutions"})),
)
DEMAND_SUMMARIES = (
    Summary(SummaryDemandBySector, _dims(SummaryDemandBySector, "sector_code"), ("openings",), frozenset({"demand"})),
)
PARTNER_YEARS = Summary(SummaryPartnerYear, _dims(SummaryPartnerYear, "region_code", "sector_code", "employer_id"),
                        ("students_placed", "hired"), frozenset({"placements", "employers"}))

PARTNERS = Summary(SummaryPartner, {"region_code": SummaryPartner.region_code, "sector_code": SummaryPartner.sector_code,
                                    "employer_id": SummaryPartner.employer_id},
                   ("students_placed", "hired", "years_hosting"), frozenset({"placements", "employers"}))
PARTNER_COUNTS = Summary(SummaryPartnerCount, _dims(SummaryPartnerCount, "region_code", "sector_code"), ("partners",),
                         frozenset({"placements", "employers"}))

MASK_FIRST_YEAR, MASK_LAST_YEAR = 1990, 2052  # the years a 63-bit years_mask can hold


def years_mask(year_from: int | None, year_to: int | None) -> int | None:
    """The bits of the years from ``year_from`` to ``year_to`` (open ends: every year the mask holds);
    None when the span reaches past the years a mask can hold."""
    first = MASK_FIRST_YEAR if year_from is None else max(year_from, MASK_FIRST_YEAR)
    last = MASK_LAST_YEAR if year_to is None else year_to
    if last > MASK_LAST_YEAR:
        return None
    if last < first:
        return 0
    return ((1 << (last - first + 1)) - 1) << (first - MASK_FIRST_YEAR)


ALL_YEARS_MASK = years_mask(None, None)


def _taught_source(model: type, year):
    return (
        select(year, Institution.region_code, Program.sector_code, Institution.institution_type)
        .select_from(model)
        .join(Institution, Institution.institution_id == model.institution_id)
        .join(Program, Program.program_code == model.program_code)
    )


def _fills():
    """(summary model, its column names, the SELECT that computes it), in an order where every
    summary read by a later one is filled first."""
    has_wage = Outcome.median_monthly_wage.is_not(None)
    enrolment = _taught_source(Enrolment, Enrolment.year).add_columns(
        func.sum(Enrolment.enrolled), func.sum(Enrolment.graduates)
    ).group_by(Enrolment.year, Institution.region_code, Program.sector_code, Institution.institution_type)
    outcome = _taught_source(Outcome, Outcome.cohort_year).add_columns(
        func.sum(Outcome.surveyed), func.sum(Outcome.employed), func.sum(Outcome.employed_in_field),
        func.sum(Outcome.self_employed), func.sum(Outcome.further_study), func.sum(Outcome.unemployed),
        func.sum(case((has_wage, Outcome.median_monthly_wage * Outcome.employed), else_=0.0)),
        func.sum(case((has_wage, Outcome.employed), else_=0)),
    ).group_by(Outcome.cohort_year, Institution.region_code, Program.sector_code, Institution.institution_type)
    placement = (
        select(Placement.year, Employer.region_code, Employer.sector_code, Institution.institution_type,
               func.sum(Placement.students_placed), func.sum(Placement.hired))
        .select_from(Placement)
        .join(Employer, Employer.employer_id == Placement.employer_id)
        .join(Institution, Institution.institution_id == Placement.institution_id)
        .group_by(Placement.year, Employer.region_code, Employer.sector_code, Institution.institution_type)
    )
    partner_years = (
        select(Placement.year, Placement.employer_id, Employer.region_code, Employer.sector_code,
               func.sum(Placement.students_placed), func.sum(Placement.hired))
        .select_from(Placement)
        .join(Employer, Employer.employer_id == Placement.employer_id)
        .group_by(Placement.year, Placement.employer_id, Employer.region_code, Employer.sector_code)
    )
    demand = select(Demand.year, Demand.sector_code, func.sum(Demand.openings)).group_by(Demand.year, Demand.sector_code)
    year = SummaryPartnerYear.year
    bit = case((year <= MASK_LAST_YEAR, literal(1, BigInteger).op("<<")(year - MASK_FIRST_YEAR)), else_=0)
    partners = select(
        SummaryPartnerYear.employer_id, SummaryPartnerYear.region_code, SummaryPartnerYear.sector_code,
        case((func.max(year) > MASK_LAST_YEAR, None), else_=func.sum(bit)),  # one row per year, so the sum is an OR
        func.count(), func.sum(SummaryPartnerYear.students_placed), func.sum(SummaryPartnerYear.hired),
    ).group_by(SummaryPartnerYear.employer_id, SummaryPartnerYear.region_code, SummaryPartnerYear.sector_code)
    partner_counts = select(
        SummaryPartnerYear.year, SummaryPartnerYear.region_code, SummaryPartnerYear.sector_code, func.count()
    ).group_by(SummaryPartnerYear.year, SummaryPartnerYear.region_code, SummaryPartnerYear.sector_code)

    def by_sector(fine: type, year: str, measures: Iterable[str]):
        keys = [getattr(fine, year), fine.sector_code, fine.institution_type]
        return select(*keys, *[func.sum(getattr(fine, m)) for m in measures]).group_by(*keys)

    programs = (
        select(Enrolment.year, Enrolment.program_code, Program.sector_code, func.count(),
               func.sum(Enrolment.enrolled), func.sum(Enrolment.graduates))
        .join(Program, Program.program_code == Enrolment.program_code)
        .group_by(Enrolment.year, Enrolment.program_code, Program.sector_code)
    )
    return (
        (ENROLMENT_SUMMARIES[2], enrolment),
        (ENROLMENT_SUMMARIES[0], by_sector(SummaryEnrolment, "year", ("enrolled", "graduates"))),
        (ENROLMENT_SUMMARIES[1], programs),
        (OUTCOME_SUMMARIES[1], outcome),
        (OUTCOME_SUMMARIES[0], by_sector(SummaryOutcome, "cohort_year", OUTCOME_MEASURES)),
        (PLACEMENT_SUMMARIES[1], placement),
        (PLACEMENT_SUMMARIES[0], by_sector(SummaryPlacement, "year", ("students_placed", "hired"))),
        (PARTNER_YEARS, partner_years),
        (PARTNERS, partners),
        (PARTNER_COUNTS, partner_counts),
        (DEMAND_SUMMARIES[0], demand),
    )


def rebuild(connection, changed: Iterable[str] | None = None, *, tables: Iterable[str] | None = None) -> list[str]:
    """Recompute, on ``connection`` (inside the caller's transaction), every summary computed from
    a table in ``changed`` (every summary when None); ``tables`` limits it to those summary tables
    (a migration fills only the ones it creates). Returns the summary tables rebuilt."""
    changed = None if changed is None else set(changed)
    tables = None if tables is None else set(tables)
    rebuilt = []
    for summary, statement in _fills():
        if changed is not None and not (summary.inputs & changed):
            continue
        if tables is not None and summary.model.__tablename__ not in tables:
            continue
        table = summary.model.__table__
        connection.execute(delete(table))
        connection.execute(insert(table).from_select([c.name for c in table.columns], statement))
        rebuilt.append(table.name)
    return rebuilt
