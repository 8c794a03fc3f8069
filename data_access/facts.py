"""The fact tables as the aggregate layer sees them: their dimensions, the measures a view can
ask of them (declared as data, not as SQL), and the SQL that computes a measure from the rows.

A view asks for measures by name: ``{"graduates": Sum("graduates")}``, ``{"partners":
CountDistinct("employer_id")}``. The routing (data_access/routing.py) answers them from the
smallest summary table that holds them (data_access/summaries.py), or from these rows.

Region and sector of supply and outcomes are those of the institution and of the program; a
program trains for the sectors of its ``program_sectors`` rows in their shares, else wholly for
``programs.sector_code``, else for none (not linked). The derived table
``program_sector_shares`` holds that resolution (``NOT_LINKED`` as the sector of a program that
is not linked, share 1), so a fact grouped or filtered by sector is weighted by the share, and
a fact that is not keeps its exact whole counts. Region and sector of a placement are those of
the employer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, case, func

from .models import DemandOpenings, Employer, Enrolment, Institution, Outcome, Placement, ProgramShare

NOT_LINKED = ""  # the sector "code" of graduates whose program is linked to no sector


@dataclass(frozen=True)
class Sum:
    """The sum of a fact column; ``times`` multiplies it by another column first and
    ``where_present`` keeps only rows where that column is not empty (the wage sums)."""

    column: str
    times: str | None = None
    where_present: str | None = None


@dataclass(frozen=True)
class CountDistinct:
    """How many different values of a dimension (partner employers, institutions) the rows hold."""

    dimension: str


@dataclass(frozen=True)
class CountMissing:
    """How many rows leave a column empty (entrants not reported, openings that could not be estimated):
    a sum of that column over a group with such rows is incomplete, and is shown as unknown rather than as
    a smaller number."""

    column: str


Measure = Sum | CountDistinct | CountMissing


@dataclass(frozen=True)
class Fact:
    """A fact table, the joins that give it its dimensions, and whether its sector comes through
    the program's sector shares (``shared``)."""

    name: str
    model: type
    dims: Mapping[str, ColumnElement]
    joins: tuple[tuple[type, ColumnElement], ...] = ()
    shared: bool = False
    # dims that are facts about one of its keys (an employer states a capacity): dim -> (key dim, table, expression)
    attributes: Mapping[str, tuple[str, type, ColumnElement]] = field(default_factory=dict)
    tables: frozenset[str] = frozenset()  # contract tables its rows and dimensions come from

    def column(self, name: str) -> ColumnElement:
        """The fact table's column ``name``."""
        return getattr(self.model, name)

    def measure(self, measure: Measure, dims: Mapping[str, ColumnElement], weight: ColumnElement | None) -> ColumnElement:
        """The SQL aggregate of ``measure`` over this fact's rows (weighted by the sector share when given)."""
        if isinstance(measure, CountDistinct):
            return func.count(func.distinct(dims[measure.dimension]))
        if isinstance(measure, CountMissing):
            return func.sum(case((self.column(measure.column).is_(None), 1), else_=0))
        value: ColumnElement = self.column(measure.column)
        if measure.times:
            value = value * self.column(measure.times)
        if weight is not None:
            value = value * weight
        if measure.where_present:
            value = case((self.column(measure.where_present).is_not(None), value), else_=0)
        return func.sum(value)


def _taught(name: str, model: type, year: ColumnElement, contract_table: str, **extra: ColumnElement) -> Fact:
    return Fact(
        name,
        model,
        {
            **extra,
            "year": year,
            "region_code": Institution.region_code,
            "sector_code": ProgramShare.sector_code,  # only through the share join (see routing)
            "institution_type": Institution.institution_type,
            "institution_id": model.institution_id,
            "program_code": model.program_code,
        },
        ((Institution, Institution.institution_id == model.institution_id),),
        shared=True,
        tables=frozenset({contract_table, "institutions", "programs", "program_sectors"}),
    )


ENROLMENTS = _taught("enrolments", Enrolment, Enrolment.year, "enrolments")
OUTCOMES = _taught("outcomes", Outcome, Outcome.cohort_year, "outcomes", cohort_year=Outcome.cohort_year)
PLACEMENTS = Fact(
    "placements",
    Placement,
    {
        "year": Placement.year,
        "region_code": Employer.region_code,
        "sector_code": Employer.sector_code,
        "institution_type": Institution.institution_type,
        "institution_id": Placement.institution_id,
        "program_code": Placement.program_code,
        "employer_id": Placement.employer_id,
    },
    (
        (Employer, Employer.employer_id == Placement.employer_id),
        (Institution, Institution.institution_id == Placement.institution_id),
    ),
    attributes={"employer_states_capacity": ("employer_id", Employer, Employer.placement_capacity.is_not(None))},
    tables=frozenset({"placements", "employers", "institutions"}),
)
DEMAND = Fact(
    "demand",
    DemandOpenings,
    {"year": DemandOpenings.year, "region_code": DemandOpenings.region_code, "sector_code": DemandOpenings.sector_code},
    tables=frozenset({"demand", "sectors"}),
)

OUTCOME_MEASURES: dict[str, Measure] = {
    "surveyed": Sum("surveyed"),
    "employed": Sum("employed"),
    "employed_in_field": Sum("employed_in_field"),
    "self_employed": Sum("self_employed"),
    "further_study": Sum("further_study"),
    "unemployed": Sum("unemployed"),
    "wage_x_employed": Sum("median_monthly_wage", times="employed", where_present="median_monthly_wage"),
    "employed_with_wage": Sum("employed", where_present="median_monthly_wage"),
}
