"""Every view the dashboard shows: its query, what its columns are, and whether
it goes into the snapshot. Pages, the snapshot and small-number protection
all read this one list, so a view shown on screen and its exported CSV can
never drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.orm import Session

from . import caveats, panel, planning, queries
from .filters import Filters
from .metrics import OUTCOME_COUNTS
from .routing import one_data_version
from .suppression import Protected, protect

Query = Callable[..., pd.DataFrame]


@dataclass(frozen=True)
class View:
    """One tidy table behind a chart or table, declared: the grouped query of its fact (``query``), the
    dimensions it groups by (``by``, handed to the query when set), the order of its rows (``order``),
    and how small-number protection treats its columns.

    The grouped queries are one per fact (data_access/queries.py): ``supply_demand`` over the panel's
    known and measured cells (data_access/panel.py), ``enrolment_totals``, ``enrolment_trend`` (with the
    change over the common panel), ``outcome_totals``, ``placement_totals``, ``supply_not_linked`` and
    ``effective_supply``; each reads the aggregate layer (data_access/routing.py), adds names and the
    metrics computed from sums (data_access/metrics.py). A few views are queries of their own (the
    Overview's headline, the program table, the partner ranking, ...). A view whose rows are computed
    elsewhere (the projections, the planning tables) has no query and is protected through ``shown``.

    For small-number protection (data_access/suppression.py): ``counts`` are the columns
    of people, hidden when small and rounded otherwise; ``amounts`` maps every count-like
    column computed from counts (a gap, an effective supply) to the counts it comes from,
    so that it is rounded like them and hidden when one of them is; ``derived`` does the
    same for rates, ratios and words, which are not rounded; ``rate_bases`` names the base
    (denominator) of each rate on people, below which the rate is not shown.
    """

    name: str
    query: Query | None
    description: str
    snapshot_file: str | None = None
    by: tuple[str, ...] | None = None
    order: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()
    derived: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    amounts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rate_bases: Mapping[str, str] = field(default_factory=dict)
    applies: Callable[[Session], bool] | None = None  # whether the snapshot holds it for this data (default: always)

    def run(self, session: Session, filters: Filters) -> pd.DataFrame:
        """The view's rows for ``filters``: its query, grouped by ``by``, in the order of ``order``."""
        if self.query is None:
            raise TypeError(f"{self.name} is computed from other views, never queried")
        frame = self.query(session, filters=filters, **({} if self.by is None else {"by": self.by}))
        if self.order:
            frame = frame.sort_values(list(self.order), kind="stable").reset_index(drop=True)
        return frame


SUPPLY_DEMAND = dict(
    counts=("supply", "demand", "supply_unmeasured", "demand_unmeasured"),
    amounts={
        "gap": ("supply", "demand"),
        "expected_demand": ("demand",),
        "expected_gap": ("supply", "demand"),
        "expected_demand_unmeasured": ("demand_unmeasured",),
    },
    derived={"coverage_ratio": ("supply", "demand"), "expected_coverage": ("supply", "demand")},
)
ENROLMENT = dict(
    counts=("enrolled", "graduates"),
    derived={"graduates_per_enrolled": ("graduates", "enrolled")},
    rate_bases={"graduates_per_enrolled": "enrolled"},
)
GROWTH = dict(
    ENROLMENT,
    amounts={
        "enrolled_before": ("enrolled",),
        "graduates_before": ("graduates",),
        "enrolled_change": ("enrolled",),
        "graduates_change": ("graduates",),
    },
    derived={
        "enrolled_growth": ("enrolled",),
        "graduates_growth": ("graduates",),
        "graduates_per_enrolled": ("graduates", "enrolled"),
    },
)
OUTCOME_DERIVED = {
    "employment_rate": ("employed", "further_study", "surveyed"),
    "job_rate": ("employed", "surveyed"),
    "in_field_rate": ("employed_in_field", "employed"),
    "self_employment_rate": ("self_employed", "surveyed"),
    "further_study_rate": ("further_study", "surveyed"),
    "wage_employment_weighted": ("employed",),
}
OUTCOME_BASES = {
    "employment_rate": "surveyed",
    "job_rate": "surveyed",
    "in_field_rate": "employed",
    "self_employment_rate": "surveyed",
    "further_study_rate": "surveyed",
    "wage_employment_weighted": "employed",
}
OUTCOMES = dict(counts=OUTCOME_COUNTS, derived=OUTCOME_DERIVED, rate_bases=OUTCOME_BASES)
PLACEMENT_DERIVED = {"placement_hire_rate": ("hired", "students_placed")}
PLACEMENTS = dict(
    counts=("students_placed", "hired"), derived=PLACEMENT_DERIVED, rate_bases={"placement_hire_rate": "students_placed"}
)
PLACEMENTS_AGAINST_GAPS = dict(
    counts=("supply", "demand", "students_placed", "hired"),
    amounts={"gap": ("supply", "demand"), "expected_demand": ("demand",), "expected_gap": ("supply", "demand")},
    derived={
        "coverage_ratio": ("supply", "demand"),
        "expected_coverage": ("supply", "demand"),
        **PLACEMENT_DERIVED,
        "placed_per_100_openings": ("students_placed", "demand"),
        "gap_status": ("supply", "demand"),
    },
    rate_bases={"placement_hire_rate": "students_placed"},
)
# placements against gaps with the outcome counts and rates of the latest surveyed cohort beside them
PROFILE_RATES = ("in_field_rate", "employment_rate")
SECTOR_PROFILE = dict(
    PLACEMENTS_AGAINST_GAPS,
    counts=(*PLACEMENTS_AGAINST_GAPS["counts"], "surveyed", "employed", "employed_in_field", "further_study"),
    derived={**PLACEMENTS_AGAINST_GAPS["derived"], **{rate: OUTCOME_DERIVED[rate] for rate in PROFILE_RATES}},
    rate_bases={**PLACEMENTS_AGAINST_GAPS["rate_bases"], **{rate: OUTCOME_BASES[rate] for rate in PROFILE_RATES}},
)
COMPARISON = dict(
    counts=queries.COMPARED_COUNTS,
    derived={rate: (*numerator, denominator) for rate, (numerator, denominator) in queries.COMPARED_RATES.items()},
    rate_bases={rate: denominator for rate, (_, denominator) in queries.COMPARED_RATES.items()},
)
EFFECTIVE_SUPPLY = dict(
    counts=("supply", "demand", "supply_without_rate"),
    amounts={"effective_supply": ("supply",), "effective_gap": ("supply", "demand")},
    derived={"in_field_rate": ("supply",), "effective_coverage": ("supply", "demand")},
)


VIEWS: dict[str, View] = {
    view.name: view
    for view in (
        # Supply and demand
        View(
            "supply_demand",
            queries.supply_demand,
            "one row per (year, region, sector): graduates (supply), openings (demand), gap and coverage ratio",
            "supply_demand.csv",
            by=("year", "region_code", "sector_code"),
            **SUPPLY_DEMAND,
        ),
        View(
            "gaps_by_sector",
            queries.supply_demand,
            "supply and demand per sector, largest shortage first",
            by=("sector_code",),
            order=("gap", "sector_code"),
            **SUPPLY_DEMAND,
        ),
        View(
            "gaps_by_region_sector",
            queries.supply_demand,
            "supply and demand per region and sector, largest shortage first",
            by=("region_code", "sector_code"),
            order=("gap", "region_code", "sector_code"),
            **SUPPLY_DEMAND,
        ),
        View("supply_demand_trend", queries.supply_demand, "supply and demand per year", by=("year",), **SUPPLY_DEMAND),
        View(
            "supply_demand_ends",
            queries.supply_demand_ends,
            "supply and demand in the first and last measured years, over the cells measured in both",
            **SUPPLY_DEMAND,
        ),
        View(
            "coverage_by_region",
            queries.supply_demand,
            "supply and demand per region, for the map",
            "coverage_by_region.csv",
            by=("region_code",),
            **SUPPLY_DEMAND,
        ),
        View(
            "coverage_sensitivity",
            queries.coverage_sensitivity,
            "per sector and for all sectors: the coverage ratio with every replacement rate scaled by factor "
            "(estimated openings only)",
            "coverage_sensitivity.csv",
            applies=caveats.has_estimated_openings,
            counts=("supply", "demand"),
            derived={"coverage_ratio": ("supply", "demand")},
        ),
        View(
            "supply_not_linked",
            queries.supply_not_linked,
            "per year and region: graduates of programs linked to no sector, which no gap or coverage ratio counts",
            "supply_not_linked.csv",
            by=("year", "region_code"),
            counts=("supply_not_linked",),
        ),
        View(
            "supply_not_linked_by_year",
            queries.supply_not_linked,
            "per year: graduates of programs linked to no sector",
            by=("year",),
            counts=("supply_not_linked",),
        ),
        View(
            "overview",
            queries.headline_by_year,
            "the Overview's headline figures per year",
            "overview.csv",
            counts=(
                "graduates",
                "supply",
                "supply_not_linked",
                "openings",
                "supply_unmeasured",
                "demand_unmeasured",
                "surveyed",
                "students_placed",
            ),
            amounts={
                "graduates_change": ("graduates",),
                "openings_change": ("openings",),
                "supply_change": ("supply",),
                "demand_change": ("openings",),
            },
            derived={
                "coverage_ratio": ("supply", "openings"),
                "coverage_ratio_change": ("supply", "openings"),
                "employment_rate": ("surveyed",),
                "in_field_rate": ("surveyed",),
            },
            rate_bases={"employment_rate": "surveyed", "in_field_rate": "surveyed"},
        ),
        View(
            "crosswalk",
            lambda session, filters: queries.crosswalk(session),
            "every program with the sectors it trains for and their shares (the filters do not apply)",
            "crosswalk.csv",
        ),
        View(
            "projections",
            lambda session, filters: planning.projection_rows(session, filters),
            "per year after the last year of demand data, region and sector: projected openings with their 80% interval, "
            "projected graduates and the gap (estimates; see the manifest's planning)",
            "projections.csv",
            counts=("demand", "demand_low", "demand_high", "supply", "supply_entrants", "supply_trend"),
            amounts={"gap": ("supply", "demand"), "effective_supply": ("supply",)},
            derived={"coverage_ratio": ("supply", "demand")},
        ),
        # Enrolment
        View(
            "enrolment",
            queries.enrolment_totals,
            "enrolled and graduates per year, region, sector and institution type",
            "enrolment.csv",
            by=("year", "region_code", "sector_code", "institution_type"),
            **ENROLMENT,
        ),
        View("enrolment_trend", queries.enrolment_trend, "enrolled and graduates per year, with growth", by=(), **GROWTH),
        View(
            "enrolment_trend_by_sector",
            queries.enrolment_trend,
            "enrolled and graduates per year and sector, with growth",
            by=("sector_code",),
            **GROWTH,
        ),
        View(
            "enrolment_trend_by_region",
            queries.enrolment_trend,
            "enrolled and graduates per year and region, with growth",
            by=("region_code",),
            **GROWTH,
        ),
        View(
            "enrolment_trend_by_type",
            queries.enrolment_trend,
            "enrolled and graduates per year and institution type, with growth",
            by=("institution_type",),
            **GROWTH,
        ),
        View(
            "enrolment_by_institution",
            queries.enrolment_totals,
            "enrolled and graduates per institution",
            by=("institution_id",),
            **ENROLMENT,
        ),
        View(
            "programs",
            queries.program_table,
            "one row per program in the latest year: enrolled, graduates, growth",
            "programs.csv",
            counts=("enrolled", "graduates", "enrolled_previous_year"),
            derived={
                "graduates_per_enrolled": ("graduates", "enrolled"),
                "enrolled_growth": ("enrolled", "enrolled_previous_year"),  # of the common panel's enrolled
            },
            rate_bases={"graduates_per_enrolled": "enrolled", "enrolled_growth": "enrolled_previous_year"},
        ),
        # Placements and partners
        View(
            "placements",
            queries.placement_totals,
            "students placed and hired per year and host region and sector (the employer's)",
            "placements.csv",
            by=("year", "region_code", "sector_code"),
            **PLACEMENTS,
        ),
        View(
            "placements_by_sector", queries.placement_totals, "students placed per host sector", by=("sector_code",), **PLACEMENTS
        ),
        View(
            "placements_by_region", queries.placement_totals, "students placed per host region", by=("region_code",), **PLACEMENTS
        ),
        View("placements_by_year", queries.placement_totals, "students placed per year", by=("year",), **PLACEMENTS),
        View(
            "partners",
            queries.partner_ranking,
            "partner employers ranked by students placed: hires, capacity and its use, tenure",
            "partners.csv",
            counts=("students_placed", "hired"),
            derived={**PLACEMENT_DERIVED, "capacity_use": ("students_placed",)},
            rate_bases={"placement_hire_rate": "students_placed"},
        ),
        View(
            "capacity",
            queries.capacity_use_by_sector,
            "placement capacity and its use per year and sector",
            "capacity.csv",
            counts=("students_placed",),
            derived={"capacity_use": ("students_placed",)},
        ),
        View(
            "partnership_tenure",
            queries.partnership_tenure,
            "partners by length of partnership",
            "partnership_tenure.csv",
            **PLACEMENTS,
        ),
        View(
            "placements_vs_gaps",
            queries.placements_against_gaps,
            "per sector: placements and partners next to the gap between supply and demand",
            "placements_vs_gaps.csv",
            order=("gap", "sector_code"),
            **PLACEMENTS_AGAINST_GAPS,
        ),
        View(
            "sector_profile",
            queries.sector_profile,
            "per sector: gap, coverage, placements per 100 openings, hire rate, in-field and destination rates",
            "sector_profile.csv",
            **SECTOR_PROFILE,
        ),
        View(
            "scorecard_comparison",
            queries.rate_comparison,
            "an institution's rates next to its region's and the selection's, over the filters' years",
            **COMPARISON,
        ),
        # Outcomes
        View(
            "outcomes",
            queries.outcome_totals,
            "graduate outcomes per cohort, region, sector and institution type",
            "outcomes.csv",
            by=("cohort_year", "region_code", "sector_code", "institution_type"),
            **OUTCOMES,
        ),
        View("outcomes_by_cohort", queries.outcome_totals, "graduate outcomes per cohort", by=("cohort_year",), **OUTCOMES),
        View("outcomes_by_sector", queries.outcome_totals, "graduate outcomes per sector", by=("sector_code",), **OUTCOMES),
        View("outcomes_by_region", queries.outcome_totals, "graduate outcomes per region", by=("region_code",), **OUTCOMES),
        View(
            "outcomes_by_type",
            queries.outcome_totals,
            "graduate outcomes per institution type",
            by=("institution_type",),
            **OUTCOMES,
        ),
        View(
            "outcomes_by_institution",
            queries.outcome_totals,
            "graduate outcomes per institution",
            by=("institution_id",),
            **OUTCOMES,
        ),
        View(
            "in_field_vs_coverage",
            queries.in_field_against_coverage,
            "per sector: in-field rate of graduates against coverage of demand",
            "in_field_vs_coverage.csv",
            order=("gap", "sector_code"),
            counts=("supply", "demand", "surveyed", "employed", "employed_in_field"),
            amounts={"gap": ("supply", "demand")},
            derived={
                "coverage_ratio": ("supply", "demand"),
                "in_field_rate": ("employed_in_field", "employed"),
                "employment_rate": ("employed", "surveyed"),
            },
            rate_bases={"in_field_rate": "employed", "employment_rate": "surveyed"},
        ),
        View(
            "effective_supply",
            queries.effective_supply,
            "per region and sector: graduates x in-field rate (effective supply) against demand",
            "effective_supply.csv",
            by=("region_code", "sector_code"),
            **EFFECTIVE_SUPPLY,
        ),
        View(
            "effective_supply_by_sector",
            queries.effective_supply,
            "per sector: effective supply against demand",
            by=("sector_code",),
            **EFFECTIVE_SUPPLY,
        ),
    )
}

SNAPSHOT_VIEWS: tuple[View, ...] = tuple(v for v in VIEWS.values() if v.snapshot_file)


@dataclass(frozen=True)
class ViewRows:
    """A view's rows as they may be shown: ``numbers`` for charts and sentences (protected: rounded,
    hidden cells empty), ``table`` for on-screen tables and ``display`` for files (hidden counts
    written ``<t``), with which cells protection hid. Unprotected, all three are the exact rows."""

    name: str
    numbers: pd.DataFrame
    table: pd.DataFrame
    display: pd.DataFrame
    hidden: pd.DataFrame | None = None  # True where protection hid a value; None when protection is off
    threshold: int | None = None

    @property
    def hidden_cells(self) -> int:
        """How many cells protection hid."""
        return 0 if self.hidden is None else int(self.hidden.to_numpy().sum())

    @property
    def empty(self) -> bool:
        """True when the view has no rows for the filters."""
        return self.numbers.empty


def graded(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as charts and sentences read it (once a sector states an expected share, data_access/panel.py,
    they compare supply with the openings the vocational graduates are expected to fill): where it grades against expected shares, demand, gap,
    coverage_ratio and demand_unmeasured are the expected ones, and ``openings_all`` keeps every opening
    (tables and files keep both sets of columns); otherwise ``frame`` itself."""
    if "expected_gap" not in frame:
        return frame
    out = frame.assign(openings_all=frame["demand"])
    for plain, expected in panel.EXPECTED.items():
        if expected in out:
            out[plain] = out.pop(expected)
    return out


# Frames computed from other views (Planning's projections and tables) and protected like them: declared here,
# with no query, so that every table the dashboard shows is protected through ``shown``.
COMPUTED: dict[str, View] = {
    view.name: view
    for view in (
        View(
            "projected",
            None,
            "projected openings and graduates (any grain)",
            counts=("demand", "demand_low", "demand_high", "supply", "supply_baseline", "supply_entrants", "supply_trend"),
            amounts={"gap": ("supply", "demand"), "effective_supply": ("supply",)},
            derived={"coverage_ratio": ("supply", "demand")},
        ),
        View(
            "grow_shrink",
            None,
            "programs to grow or shrink",
            counts=("current_intake", "suggested_intake"),
            derived={"coverage": (), "destination_rate": (), "in_field_rate": (), "completion": ()},
        ),
        View(
            "backtest",
            None,
            "back-test errors of the methods",
            derived={"mae": (), "wape": (), "coverage": (), "held": ()},
        ),
    )
}


def shown(view: View, frame: pd.DataFrame, hide_below: int | None, *, name: str | None = None) -> ViewRows:
    """``frame``, rows of ``view``, as they may be shown (named ``name``, else the view's name): protected by
    small-number protection when ``hide_below`` is set. The one place protection is applied, for queried
    views (``read_view``) and computed ones alike."""
    name = name or view.name
    if not hide_below:
        return ViewRows(name, graded(frame), frame, frame)
    protected: Protected = protect(frame, view, hide_below)
    return ViewRows(
        name, graded(protected.numbers), protected.for_screen(), protected.for_display(), protected.hidden, hide_below
    )


def read_view(session: Session, name: str, filters: Filters, hide_below: int | None = None) -> ViewRows:
    """View ``name`` for ``filters``, protected by small-number protection when ``hide_below`` is set:
    the one way the pages, the meeting brief and the snapshot read a view."""
    with one_data_version(session):
        frame = VIEWS[name].run(session, filters)
    return shown(VIEWS[name], frame, hide_below)
