"""Every view the dashboard shows: its query, what its columns are, and whether
it goes into the snapshot. Pages, the snapshot and small-number protection
all read this one list, so a view shown on screen and its exported CSV can
never drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

import pandas as pd
from sqlalchemy.orm import Session

from . import queries
from .filters import Filters

Query = Callable[..., pd.DataFrame]


@dataclass(frozen=True)
class View:
    """One tidy table behind a chart or table.

    ``counts`` are the columns of people that small-number protection may hide;
    ``derived`` maps every column computed from counts (rates, gaps, ratios) to
    the counts it comes from, so that it is hidden when one of them is (or when
    its base is below the threshold); ``group`` names the key columns of one
    group of rows whose counts add up to a total shown elsewhere on the page,
    across which a second cell is hidden when only one would be.
    """

    name: str
    query: Query
    description: str
    snapshot_file: str | None = None
    counts: tuple[str, ...] = ()
    derived: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    group: tuple[str, ...] = ()

    def run(self, session: Session, filters: Filters) -> pd.DataFrame:
        """The view's rows for ``filters``."""
        return self.query(session, filters=filters)


SUPPLY_DEMAND_DERIVED = {"gap": ("supply", "demand"), "coverage_ratio": ("supply", "demand")}
ENROLMENT_DERIVED = {"graduates_per_enrolled": ("graduates", "enrolled")}
GROWTH_DERIVED = {
    "enrolled_growth": ("enrolled",),
    "graduates_growth": ("graduates",),
    **ENROLMENT_DERIVED,
}
OUTCOME_COUNTS = ("surveyed", "employed", "employed_in_field", "self_employed", "further_study", "unemployed")
OUTCOME_DERIVED = {
    "employment_rate": ("employed", "further_study", "surveyed"),
    "job_rate": ("employed", "surveyed"),
    "in_field_rate": ("employed_in_field", "employed"),
    "self_employment_rate": ("self_employed", "surveyed"),
    "further_study_rate": ("further_study", "surveyed"),
    "wage_employment_weighted": ("employed",),
}
PLACEMENT_DERIVED = {"placement_hire_rate": ("hired", "students_placed")}


def _by(query: Query, *by: str) -> Query:
    return partial(query, by=by)


VIEWS: dict[str, View] = {
    view.name: view
    for view in (
        # Supply and demand
        View("supply_demand", queries.supply_demand_detail,
             "one row per (year, region, sector): graduates (supply), openings (demand), gap and coverage ratio",
             "supply_demand.csv", ("supply", "demand"), SUPPLY_DEMAND_DERIVED, ("year", "region_code")),
        View("gaps_by_sector", queries.gaps_by_sector, "supply and demand per sector",
             None, ("supply", "demand"), SUPPLY_DEMAND_DERIVED, ()),
        View("gaps_by_region_sector", queries.gaps_by_region_sector, "supply and demand per region and sector",
             None, ("supply", "demand"), SUPPLY_DEMAND_DERIVED, ("region_code",)),
        View("supply_demand_trend", queries.supply_demand_trend, "supply and demand per year",
             None, ("supply", "demand"), SUPPLY_DEMAND_DERIVED, ()),
        View("overview", queries.headline_by_year, "the Overview's headline figures per year", "overview.csv",
             ("graduates", "openings", "surveyed", "students_placed"),
             {"coverage_ratio": ("graduates", "openings"), "employment_rate": ("surveyed",), "in_field_rate": ("surveyed",)}),
        # Enrolment
        View("enrolment", _by(queries.enrolment_totals, "year", "region_code", "sector_code", "institution_type"),
             "enrolled and graduates per year, region, sector and institution type", "enrolment.csv",
             ("enrolled", "graduates"), ENROLMENT_DERIVED, ("year", "region_code", "sector_code")),
        View("enrolment_trend", queries.enrolment_trend, "enrolled and graduates per year, with growth",
             None, ("enrolled", "graduates"), GROWTH_DERIVED, ()),
        View("enrolment_trend_by_sector", _by(queries.enrolment_trend, "sector_code"),
             "enrolled and graduates per year and sector, with growth", None, ("enrolled", "graduates"), GROWTH_DERIVED, ("year",)),
        View("enrolment_trend_by_region", _by(queries.enrolment_trend, "region_code"),
             "enrolled and graduates per year and region, with growth", None, ("enrolled", "graduates"), GROWTH_DERIVED, ("year",)),
        View("enrolment_trend_by_type", _by(queries.enrolment_trend, "institution_type"),
             "enrolled and graduates per year and institution type, with growth", None, ("enrolled", "graduates"), GROWTH_DERIVED, ("year",)),
        View("enrolment_by_institution", _by(queries.enrolment_totals, "institution_id"),
             "enrolled and graduates per institution", None, ("enrolled", "graduates"), ENROLMENT_DERIVED, ()),
        View("programs", queries.program_table, "one row per program in the latest year: enrolled, graduates, growth",
             "programs.csv", ("enrolled", "graduates", "enrolled_previous_year"),
             {**ENROLMENT_DERIVED, "enrolled_growth": ("enrolled", "enrolled_previous_year")}, ("sector_code",)),
        # Placements and partners
        View("placements", _by(queries.placement_totals, "year", "region_code", "sector_code"),
             "students placed and hired per year and host region and sector (the employer's)", "placements.csv",
             ("students_placed", "hired"), PLACEMENT_DERIVED, ("year", "region_code")),
        View("placements_by_sector", _by(queries.placement_totals, "sector_code"), "students placed per host sector",
             None, ("students_placed", "hired"), PLACEMENT_DERIVED, ()),
        View("placements_by_region", _by(queries.placement_totals, "region_code"), "students placed per host region",
             None, ("students_placed", "hired"), PLACEMENT_DERIVED, ()),
        View("placements_by_year", _by(queries.placement_totals, "year"), "students placed per year",
             None, ("students_placed", "hired"), PLACEMENT_DERIVED, ()),
        View("partners", queries.partner_ranking,
             "partner employers ranked by students placed: hires, capacity and its use, tenure", "partners.csv",
             ("students_placed", "hired"), {**PLACEMENT_DERIVED, "capacity_use": ("students_placed",)}, ()),
        View("capacity", queries.capacity_use_by_sector, "placement capacity and its use per year and sector",
             "capacity.csv", ("students_placed",), {"capacity_use": ("students_placed",)}, ("year",)),
        View("partnership_tenure", queries.partnership_tenure, "partners by length of partnership", "partnership_tenure.csv",
             ("students_placed", "hired"), PLACEMENT_DERIVED, ()),
        View("placements_vs_gaps", queries.placements_against_gaps,
             "per sector: placements and partners next to the gap between supply and demand", "placements_vs_gaps.csv",
             ("supply", "demand", "students_placed", "hired"),
             {**SUPPLY_DEMAND_DERIVED, **PLACEMENT_DERIVED, "placed_per_100_openings": ("students_placed", "demand"),
              "gap_status": ("supply", "demand")}, ()),
        # Outcomes
        View("outcomes", _by(queries.outcome_totals, "cohort_year", "region_code", "sector_code", "institution_type"),
             "graduate outcomes per cohort, region, sector and institution type", "outcomes.csv",
             OUTCOME_COUNTS, OUTCOME_DERIVED, ("cohort_year", "region_code", "sector_code")),
        View("outcomes_by_cohort", queries.outcome_totals, "graduate outcomes per cohort", None, OUTCOME_COUNTS, OUTCOME_DERIVED, ()),
        View("outcomes_by_sector", _by(queries.outcome_totals, "sector_code"), "graduate outcomes per sector",
             None, OUTCOME_COUNTS, OUTCOME_DERIVED, ()),
        View("outcomes_by_region", _by(queries.outcome_totals, "region_code"), "graduate outcomes per region",
             None, OUTCOME_COUNTS, OUTCOME_DERIVED, ()),
        View("outcomes_by_type", _by(queries.outcome_totals, "institution_type"), "graduate outcomes per institution type",
             None, OUTCOME_COUNTS, OUTCOME_DERIVED, ()),
        View("outcomes_by_institution", _by(queries.outcome_totals, "institution_id"), "graduate outcomes per institution",
             None, OUTCOME_COUNTS, OUTCOME_DERIVED, ()),
        View("in_field_vs_coverage", queries.in_field_against_coverage,
             "per sector: in-field rate of graduates against coverage of demand", "in_field_vs_coverage.csv",
             ("supply", "demand", "surveyed", "employed", "employed_in_field"),
             {**SUPPLY_DEMAND_DERIVED, "in_field_rate": ("employed_in_field", "employed"),
              "employment_rate": ("employed", "surveyed")}, ()),
        View("effective_supply", _by(queries.effective_supply, "region_code", "sector_code"),
             "per region and sector: graduates x in-field rate (effective supply) against demand", "effective_supply.csv",
             ("supply", "demand", "supply_without_rate"),
             {"in_field_rate": ("supply",), "effective_supply": ("supply",), "effective_gap": ("supply", "demand"),
              "effective_coverage": ("supply", "demand")}, ("region_code",)),
        View("effective_supply_by_sector", queries.effective_supply, "per sector: effective supply against demand",
             None, ("supply", "demand", "supply_without_rate"),
             {"in_field_rate": ("supply",), "effective_supply": ("supply",), "effective_gap": ("supply", "demand"),
              "effective_coverage": ("supply", "demand")}, ()),
    )
}

SNAPSHOT_VIEWS: tuple[View, ...] = tuple(v for v in VIEWS.values() if v.snapshot_file)
