"""Summary tables: the fact tables summed at the grain the sidebar's filters need.

A national data set has millions of enrolment, placement and outcome rows, but the views group
them by year, region, sector and institution type, of which there are thousands of
combinations. Every load and every undo rebuilds, inside its own transaction, the summaries
whose input tables it changed (and the program sector shares they read), so a reader sees the
summaries and the rows they came from change together, never one without the other. A schema
upgrade rebuilds them all after its migrations (data_access/migrate.py), so a migration only
changes their shape.

Each summary has a name, the dimensions it keeps, the measures it stores (declared like the
views ask for them, data_access/facts.py) and whether its sector comes by share. The routing
(data_access/routing.py) reads the smallest summary that answers a query; both give the same
numbers, which tests/test_summaries.py checks view by view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Select,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
)

from . import facts, stored_settings
from .facts import NOT_LINKED, CountDistinct, CountMissing, Fact, Measure, Sum
from .models import (
    Demand,
    DemandOpenings,
    Employer,
    Enrolment,
    Institution,
    Placement,
    Program,
    ProgramSector,
    ProgramShare,
    Sector,
    SummaryDemandBySector,
    SummaryEnrolment,
    SummaryEnrolmentByRegion,
    SummaryEnrolmentBySector,
    SummaryOutcome,
    SummaryOutcomeByRegion,
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
    """One summary table of a fact.

    ``dims`` maps a view's dimension to the summary's column; ``stored`` maps each measure the
    summary holds to its column. A stored count of distinct values is right only for the groups
    it was counted in: ``counted_within`` names the dimensions a query must group by (or fix to
    one value) to use it. ``by_share``: the sector comes through the program sector shares, so
    its counts are weighted.
    """

    name: str
    model: type
    fact: Fact
    dims: Mapping[str, ColumnElement]
    stored: Mapping[Measure, str]
    inputs: frozenset[str]
    fill: Callable[[], Select]
    by_share: bool = False
    counted_within: frozenset[str] = field(default_factory=frozenset)

    def column(self, name: str) -> ColumnElement:
        """The summary's column called ``name``."""
        return getattr(self.model, name)


def _dims(model: type, *names: str, year: str = "year") -> dict:
    dims = {name: getattr(model, name) for name in names}
    dims["year"] = getattr(model, year)
    if year != "year":
        dims[year] = getattr(model, year)
    return dims


def _stored(*names: str) -> dict[Measure, str]:
    return {Sum(name): name for name in names}


TAUGHT_COUNTS = ("enrolled", "graduates", "entrants")
OUTCOME_STORED: dict[Measure, str] = {measure: name for name, measure in facts.OUTCOME_MEASURES.items()}
PLACEMENT_COUNTS = ("students_placed", "hired")
TAUGHT = frozenset({"institutions", "programs", "program_sectors"})
MASK_FIRST_YEAR, MASK_LAST_YEAR = 1990, 2052  # the years a 63-bit years_mask can hold


# --- how each summary is computed ---------------------------------------------------------------


def _program_shares() -> Select:
    """program_sectors rows; else the program's own sector with share 1; else NOT_LINKED with share 1."""
    crosswalked = select(ProgramSector.program_code).distinct()
    own = select(Program.program_code, Program.sector_code, literal(1.0)).where(
        Program.sector_code.is_not(None), Program.program_code.not_in(crosswalked)
    )
    unlinked = select(Program.program_code, literal(NOT_LINKED), literal(1.0)).where(
        Program.sector_code.is_(None), Program.program_code.not_in(crosswalked)
    )
    return union_all(select(ProgramSector.program_code, ProgramSector.sector_code, ProgramSector.share), own, unlinked)


def _taught_fill(fact: Fact, measures: Mapping[str, Measure], *, by_sector: bool) -> Select:
    """The fact's measures per year, region, (sector by share,) institution type, from its rows."""
    model, year = fact.model, fact.dims["year"]
    keys = [year, Institution.region_code, *([ProgramShare.sector_code] if by_sector else []), Institution.institution_type]
    weight = ProgramShare.share if by_sector else None
    statement = select(*keys, *[fact.measure(m, fact.dims, weight) for m in measures.values()]).select_from(model)
    statement = statement.join(Institution, Institution.institution_id == model.institution_id)
    if by_sector:
        statement = statement.join(ProgramShare, ProgramShare.program_code == model.program_code)
    return statement.group_by(*keys)


def _coarser(fine: type, year: str, keys: Iterable[str], measures: Iterable[str]) -> Callable[[], Select]:
    """A summary of a finer summary with fewer keys (the sums are additive)."""

    def fill() -> Select:
        columns = [getattr(fine, year), *[getattr(fine, k) for k in keys]]
        return select(*columns, *[func.sum(getattr(fine, m)) for m in measures]).group_by(*columns)

    return fill


ENROLMENT_MEASURES: dict[str, Measure] = {
    **{name: Sum(name) for name in TAUGHT_COUNTS},
    "entrants_missing": CountMissing("entrants"),
    "enrolled_missing": CountMissing("enrolled"),
}
ENROLMENT_STORED: dict[Measure, str] = {measure: name for name, measure in ENROLMENT_MEASURES.items()}


def _placements_fill() -> Select:
    return (
        select(
            Placement.year,
            Employer.region_code,
            Employer.sector_code,
            Institution.institution_type,
            func.sum(Placement.students_placed),
            func.sum(Placement.hired),
        )
        .select_from(Placement)
        .join(Employer, Employer.employer_id == Placement.employer_id)
        .join(Institution, Institution.institution_id == Placement.institution_id)
        .group_by(Placement.year, Employer.region_code, Employer.sector_code, Institution.institution_type)
    )


def _partner_years_fill() -> Select:
    return (
        select(
            Placement.year,
            Placement.employer_id,
            Employer.region_code,
            Employer.sector_code,
            func.sum(Placement.students_placed),
            func.sum(Placement.hired),
        )
        .select_from(Placement)
        .join(Employer, Employer.employer_id == Placement.employer_id)
        .group_by(Placement.year, Placement.employer_id, Employer.region_code, Employer.sector_code)
    )


def _partners_fill() -> Select:
    year = SummaryPartnerYear.year
    bit = case((year <= MASK_LAST_YEAR, literal(1, BigInteger).op("<<")(year - MASK_FIRST_YEAR)), else_=0)
    return select(
        SummaryPartnerYear.employer_id,
        SummaryPartnerYear.region_code,
        SummaryPartnerYear.sector_code,
        case((func.max(year) > MASK_LAST_YEAR, None), else_=func.sum(bit)),  # one row per year, so the sum is an OR
        func.count(),
        func.sum(SummaryPartnerYear.students_placed),
        func.sum(SummaryPartnerYear.hired),
    ).group_by(SummaryPartnerYear.employer_id, SummaryPartnerYear.region_code, SummaryPartnerYear.sector_code)


def _partner_counts_fill() -> Select:
    keys = (SummaryPartnerYear.year, SummaryPartnerYear.region_code, SummaryPartnerYear.sector_code)
    return select(*keys, func.count()).group_by(*keys)


def _programs_fill() -> Select:
    return select(
        Enrolment.year,
        Enrolment.program_code,
        func.count(),
        *[facts.ENROLMENTS.measure(m, facts.ENROLMENTS.dims, None) for m in ENROLMENT_MEASURES.values()],
    ).group_by(Enrolment.year, Enrolment.program_code)


# The replacement rate of a sector that states none: the share of a year's employment that leaves and must be
# replaced. US BLS Employment Projections put the occupational separations rate, averaged over all occupations,
# at about 10-11% a year (2022-32); a bureau with its own figure states it per sector in sectors.csv.
DEFAULT_REPLACEMENT_RATE = 0.10
DEFAULT_RATE_SOURCE = (
    "U.S. Bureau of Labor Statistics, Employment Projections: occupational separations (labour-force exits plus "
    "transfers to other occupations) average about 10-11% of employment a year"
)


def _demand_openings() -> Select:
    """Each demand row's openings: as stated, else estimated from employment by contract version 3's formula,
    max(0, E(t) - E(t-1) + rate x E(t-1)): the net change plus replacement, floored at 0 as a whole. E is the
    employment, or with the stored employment_smoothing of k years (data_access/stored_settings.py) its mean over
    t-k+1..t, so E(t) - E(t-1) = (employment(t) - employment(t-k)) / k. An estimate needs employment in each of
    the k + 1 years t-k..t; without one of them (the first year of a series, a gap, a suppressed cell) it is
    unknown: openings empty (never rate x employment), still marked estimated. Also stored: the replacement part
    rate x E(t-1) and the change E(t) - E(t-1) of every known estimate, from which the coverage at other rates is
    recomputed row by row (data_access/queries.py::coverage_sensitivity)."""
    cell = (Demand.region_code, Demand.sector_code)
    back = range(1, max(stored_settings.SMOOTHING_YEARS) + 1)
    series = (
        select(
            Demand.year,
            Demand.region_code,
            Demand.sector_code,
            Demand.openings,
            Demand.employment.label("employment_0"),
            *[
                func.lag(Demand.employment, j).over(partition_by=cell, order_by=Demand.year).label(f"employment_{j}")
                for j in back
            ],
            *[func.lag(Demand.year, j).over(partition_by=cell, order_by=Demand.year).label(f"year_{j}") for j in back],
            func.coalesce(Sector.replacement_rate, DEFAULT_REPLACEMENT_RATE).label("rate"),
            func.coalesce(stored_settings.stored_value(stored_settings.EMPLOYMENT_SMOOTHING), 1).label("smoothing"),
        )
        .join(Sector, Sector.sector_code == Demand.sector_code)
        .subquery("series")
    )
    c = series.c

    def employment(j: int) -> ColumnElement:  # as a float: a sum of 32-bit counts may pass 32 bits
        return cast(c[f"employment_{j}"], Float)

    def complete(k: int) -> ColumnElement:
        # years are unique within a cell, so the row k back being year t-k means t-k..t are all there
        return and_(c[f"year_{k}"] == c.year - k, *[c[f"employment_{j}"].is_not(None) for j in range(k + 1)])

    def mean(first: int, k: int) -> ColumnElement:
        total = employment(first)
        for j in range(first + 1, first + k):
            total = total + employment(j)
        return total / float(k)

    ks = stored_settings.SMOOTHING_YEARS
    parts = select(
        c.year,
        c.region_code,
        c.sector_code,
        c.openings,
        case((or_(*[and_(c.smoothing == k, complete(k)) for k in ks]), 1), else_=0).label("known"),
        case(*[(c.smoothing == k, (employment(0) - employment(k)) / float(k)) for k in ks]).label("change"),
        (c.rate * case(*[(c.smoothing == k, mean(1, k)) for k in ks])).label("replacement"),
    ).subquery("parts")
    p = parts.c
    stated, known, net = p.openings.is_not(None), p.known == 1, p.change + p.replacement
    return select(
        p.year,
        p.region_code,
        p.sector_code,
        case((stated, p.openings), (known, case((net > 0, net), else_=0.0)), else_=None),
        case((stated, 0), else_=1),
        case((stated, 0.0), (known, p.replacement), else_=None),
        case((stated, None), (known, p.change), else_=None),
    ).select_from(parts)


def _demand_fill() -> Select:
    return select(
        DemandOpenings.year,
        DemandOpenings.sector_code,
        func.sum(DemandOpenings.openings),
        func.sum(case((DemandOpenings.openings.is_(None), 1), else_=0)),
        func.sum(DemandOpenings.estimated),
    ).group_by(DemandOpenings.year, DemandOpenings.sector_code)


# --- the summaries, smallest first within each fact ---------------------------------------------

PLACED = frozenset({"placements", "employers", "institutions"})
DEMAND_INPUTS = frozenset({"demand", "sectors"})  # the contract tables openings are computed from

SUMMARIES: dict[str, Summary] = {
    summary.name: summary
    for summary in (
        Summary(
            "enrolments_by_sector",
            SummaryEnrolmentBySector,
            facts.ENROLMENTS,
            _dims(SummaryEnrolmentBySector, "sector_code", "institution_type"),
            ENROLMENT_STORED,
            TAUGHT | {"enrolments"},
            _coarser(SummaryEnrolment, "year", ("sector_code", "institution_type"), ENROLMENT_MEASURES),
            by_share=True,
        ),
        Summary(
            "enrolments_by_region",
            SummaryEnrolmentByRegion,
            facts.ENROLMENTS,
            _dims(SummaryEnrolmentByRegion, "region_code", "institution_type"),
            ENROLMENT_STORED,
            TAUGHT | {"enrolments"},
            lambda: _taught_fill(facts.ENROLMENTS, ENROLMENT_MEASURES, by_sector=False),
        ),
        Summary(
            "programs_by_year",
            SummaryProgram,
            facts.ENROLMENTS,
            _dims(SummaryProgram, "program_code"),
            {**ENROLMENT_STORED, CountDistinct("institution_id"): "institutions"},
            frozenset({"enrolments"}),
            _programs_fill,
            counted_within=frozenset({"year", "program_code"}),
        ),
        Summary(
            "enrolments_by_region_sector",
            SummaryEnrolment,
            facts.ENROLMENTS,
            _dims(SummaryEnrolment, "region_code", "sector_code", "institution_type"),
            ENROLMENT_STORED,
            TAUGHT | {"enrolments"},
            lambda: _taught_fill(facts.ENROLMENTS, ENROLMENT_MEASURES, by_sector=True),
            by_share=True,
        ),
        Summary(
            "outcomes_by_sector",
            SummaryOutcomeBySector,
            facts.OUTCOMES,
            _dims(SummaryOutcomeBySector, "sector_code", "institution_type", year="cohort_year"),
            OUTCOME_STORED,
            TAUGHT | {"outcomes"},
            _coarser(SummaryOutcome, "cohort_year", ("sector_code", "institution_type"), facts.OUTCOME_MEASURES),
            by_share=True,
        ),
        Summary(
            "outcomes_by_region",
            SummaryOutcomeByRegion,
            facts.OUTCOMES,
            _dims(SummaryOutcomeByRegion, "region_code", "institution_type", year="cohort_year"),
            OUTCOME_STORED,
            TAUGHT | {"outcomes"},
            lambda: _taught_fill(facts.OUTCOMES, facts.OUTCOME_MEASURES, by_sector=False),
        ),
        Summary(
            "outcomes_by_region_sector",
            SummaryOutcome,
            facts.OUTCOMES,
            _dims(SummaryOutcome, "region_code", "sector_code", "institution_type", year="cohort_year"),
            OUTCOME_STORED,
            TAUGHT | {"outcomes"},
            lambda: _taught_fill(facts.OUTCOMES, facts.OUTCOME_MEASURES, by_sector=True),
            by_share=True,
        ),
        Summary(
            "placements_by_sector",
            SummaryPlacementBySector,
            facts.PLACEMENTS,
            _dims(SummaryPlacementBySector, "sector_code", "institution_type"),
            _stored(*PLACEMENT_COUNTS),
            PLACED,
            _coarser(SummaryPlacement, "year", ("sector_code", "institution_type"), PLACEMENT_COUNTS),
        ),
        Summary(
            "placements_by_region_sector",
            SummaryPlacement,
            facts.PLACEMENTS,
            _dims(SummaryPlacement, "region_code", "sector_code", "institution_type"),
            _stored(*PLACEMENT_COUNTS),
            PLACED,
            _placements_fill,
        ),
        Summary(
            "partner_counts",
            SummaryPartnerCount,
            facts.PLACEMENTS,
            _dims(SummaryPartnerCount, "region_code", "sector_code"),
            {CountDistinct("employer_id"): "partners"},
            frozenset({"placements", "employers"}),
            _partner_counts_fill,
            counted_within=frozenset({"year"}),
        ),  # an employer has one region and sector: additive over those
        Summary(
            "partner_years",
            SummaryPartnerYear,
            facts.PLACEMENTS,
            _dims(SummaryPartnerYear, "region_code", "sector_code", "employer_id"),
            _stored(*PLACEMENT_COUNTS),
            frozenset({"placements", "employers"}),
            _partner_years_fill,
        ),
        Summary(
            "partners",
            SummaryPartner,
            facts.PLACEMENTS,
            {
                "region_code": SummaryPartner.region_code,
                "sector_code": SummaryPartner.sector_code,
                "employer_id": SummaryPartner.employer_id,
            },
            {},
            frozenset({"placements", "employers"}),
            _partners_fill,
        ),  # read by routing.partner_totals only
        Summary(
            "demand_by_sector",
            SummaryDemandBySector,
            facts.DEMAND,
            _dims(SummaryDemandBySector, "sector_code"),
            {Sum("openings"): "openings", CountMissing("openings"): "openings_missing", Sum("estimated"): "estimated"},
            DEMAND_INPUTS,
            _demand_fill,
        ),
    )
}


def of_fact(fact: Fact) -> list[Summary]:
    """The summaries of ``fact`` that answer grouped queries, smallest first."""
    return [s for s in SUMMARIES.values() if s.fact is fact and s.stored]


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

# In the order they are filled: a summary computed from another comes after it.
FILL_ORDER = (
    "enrolments_by_region_sector",
    "enrolments_by_sector",
    "enrolments_by_region",
    "programs_by_year",
    "outcomes_by_region_sector",
    "outcomes_by_sector",
    "outcomes_by_region",
    "placements_by_region_sector",
    "placements_by_sector",
    "partner_years",
    "partners",
    "partner_counts",
    "demand_by_sector",
)
assert set(FILL_ORDER) == set(SUMMARIES)


def _refill(connection, model: type, statement: Select) -> None:
    table = model.__table__
    connection.execute(delete(table))
    connection.execute(insert(table).from_select([c.name for c in table.columns], statement))


def refills(
    changed: Iterable[str] | None = None, *, only: Iterable[str] | None = None
) -> list[tuple[type, Callable[[], Select]]]:
    """What a rebuild after a change of the tables ``changed`` (everything when None) refills, in order: the
    program sector shares, the demand openings and every summary computed from a changed table (of those
    named in ``only``, when given), each as (model, the statement that fills it). A change of the stored
    settings (``stored_settings``) refills what a change of the demand rows would."""
    changed = None if changed is None else set(changed)
    steps: list[tuple[type, Callable[[], Select]]] = []
    if changed is None or changed & {"programs", "program_sectors"}:
        steps.append((ProgramShare, _program_shares))
    if changed is not None and stored_settings.TABLE in changed:
        changed |= DEMAND_INPUTS  # a setting of the estimates moves the openings as a change of the demand rows would
    if changed is None or changed & DEMAND_INPUTS:
        steps.append((DemandOpenings, _demand_openings))
    for name in FILL_ORDER:
        summary = SUMMARIES[name]
        if (changed is not None and not (summary.inputs & changed)) or (only is not None and name not in only):
            continue
        steps.append((summary.model, summary.fill))
    return steps


def rebuild(connection, changed: Iterable[str] | None = None, *, only: Iterable[str] | None = None) -> list[str]:
    """Recompute, on ``connection`` (inside the caller's transaction), what ``refills(changed, only=only)``
    names. Returns the tables rebuilt."""
    steps = refills(changed, only=only)
    for model, fill in steps:
        _refill(connection, model, fill())
    return [model.__tablename__ for model, _ in steps]
