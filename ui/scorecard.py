"""The Institution scorecard's logic (pure pandas, no SQL, no Streamlit calls): which filters
describe the institution, its region and the whole selection; its rates next to theirs; and
the sectors it trains for, marked shortage or surplus.

Rates are ratios of sums over the filtered years, never means of yearly rates. A sum that
includes a count hidden by small-number protection is unknown, so it and the rates built on
it are left blank, and the comparison is protected by the same rule as every view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from data_access.filters import Filters
from data_access.metrics import ratio
from data_access.queries import classify_gap
from data_access.suppression import protect
from data_access.views import View

from .charts_placements import gap_status_words
from .context import ViewResult


@dataclass(frozen=True)
class Scope:
    """One column of the comparison: the institution, the institutions of its region, or all selected."""

    key: str
    label: str
    filters: Filters  # for enrolment, placements and outcomes
    gap_filters: Filters  # for supply against demand, which knows regions but not institutions


def institution_label(institutions: pd.DataFrame) -> Callable[[str], str]:
    """How the picker shows an institution: "name (id) · region"."""
    rows = institutions.set_index("institution_id")
    return lambda institution_id: (f"{rows.at[institution_id, 'institution_name']} ({institution_id}) · "
                                   f"{rows.at[institution_id, 'region_name']}")


def scopes(filters: Filters, institution_id: str, institutions: pd.DataFrame) -> list[Scope]:
    """The institution, the institutions of its region, and the sidebar's selection.

    The region is given as the list of its institutions rather than as a region filter
    because a placement's region is the host employer's: narrowing placements to a region
    would compare the institution with the employers of its region, not with its neighbours.
    For enrolment and outcomes both give the same rows.
    """
    row = institutions.set_index("institution_id").loc[institution_id]
    neighbours = tuple(institutions.loc[institutions["region_code"] == row["region_code"], "institution_id"])
    its_region = filters.narrowed(regions=(row["region_code"],))
    return [
        Scope("institution", str(row["institution_name"]), filters.narrowed(institutions=(institution_id,)), its_region),
        Scope("region", f"Institutions in {row['region_name']}", filters.narrowed(institutions=neighbours), its_region),
        Scope("all", "All selected", filters, filters),
    ]


def latest_year_with(frame: pd.DataFrame, count: str, *, year: str = "year") -> int | None:
    """The latest year in which ``count`` is above 0 (or hidden, so not known to be 0); None if none."""
    rows = frame[frame[count].isna() | (frame[count] > 0)]
    return None if rows.empty else int(rows[year].max())


# rate -> (its label, the counts summed for its numerator, the count summed for its denominator)
RATES = {
    "graduates_per_enrolled": ("Graduates per enrolled", ("graduates",), "enrolled"),
    "employment_rate": ("Destination rate", ("employed", "further_study"), "surveyed"),
    "in_field_rate": ("In-field rate", ("employed_in_field",), "employed"),
    "placement_hire_rate": ("Hire rate after placement", ("hired",), "students_placed"),
}
COMPARISON_COUNTS = ("enrolled", "graduates", "surveyed", "employed", "further_study", "employed_in_field",
                     "students_placed", "hired")


# column -> (label, kind) for the scorecard's tables; kind "count", "rate", "ratio", "money", "year" or "text".
COLUMNS = {
    "scope": ("Scope", "text"), "scope_name": ("Compared with", "text"), "program_code": ("Program code", "text"), "program_name": ("Program", "text"),
    "sector_code": ("Sector code", "text"), "sector_name": ("Sector", "text"), "level": ("Level", "text"),
    "institutions": ("Institutions offering it", "count"), "enrolled": ("Enrolled", "count"),
    "graduates": ("Graduates", "count"), "graduates_per_enrolled": ("Graduates per enrolled", "rate"),
    "enrolled_previous_year": ("Enrolled the year before", "count"), "enrolled_growth": ("Enrolment change", "rate"),
    "programs": ("Its programs", "text"), "coverage_ratio_region": ("Coverage in its region", "ratio"),
    "gap_status_region": ("In its region", "text"), "coverage_ratio_all": ("Coverage, all selected", "ratio"),
    "gap_status_all": ("All selected", "text"), "cohort_year": ("Cohort", "year"), "surveyed": ("Surveyed", "count"),
    "employed": ("Employed", "count"), "employed_in_field": ("Employed in field", "count"),
    "self_employed": ("Self-employed", "count"), "further_study": ("Further study", "count"),
    "unemployed": ("Unemployed", "count"), "employment_rate": ("Destination rate", "rate"), "job_rate": ("Job rate", "rate"),
    "in_field_rate": ("In-field rate", "rate"), "self_employment_rate": ("Self-employment rate", "rate"),
    "further_study_rate": ("Further-study rate", "rate"), "wage_employment_weighted": ("Monthly wage (mean of medians, weighted by employed)", "money"),
    "students_placed": ("Students placed", "count"), "hired": ("Hired", "count"),
    "placement_hire_rate": ("Hire rate", "rate"), "employer_id": ("Employer ID", "text"), "employer_name": ("Employer", "text"),
    "region_code": ("Region code", "text"), "region_name": ("Host region", "text"), "partner_since": ("Partner since", "year"),
    "tenure_years": ("Years as partner", "count"), "placement_capacity": ("Capacity per year", "count"),
    "years_hosting": ("Years hosting", "count"), "capacity_use": ("Capacity use", "rate"),
}


def _not_queried(*_args, **_kwargs) -> pd.DataFrame:
    raise TypeError("the scorecard comparison is computed from other views, never queried")


COMPARISON_VIEW = View(
    "scorecard_comparison", _not_queried, "the institution's rates next to its region's and the selection's",
    counts=COMPARISON_COUNTS,
    derived={rate: (*numerator, denominator) for rate, (_, numerator, denominator) in RATES.items()},
)


def _totals(frames: list[pd.DataFrame]) -> dict[str, float]:
    """Each count of ``COMPARISON_COUNTS`` summed over the rows of the frame that has it;
    NaN (unknown) when one of the rows is hidden."""
    totals = {}
    for column in COMPARISON_COUNTS:
        values = next((frame[column] for frame in frames if column in frame.columns), pd.Series(dtype="float64"))
        totals[column] = float("nan") if values.isna().any() else float(values.sum())
    return totals


def _whole_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts as whole numbers (130, not 130.0) in a table or CSV, leaving "<t" and blanks as they are."""
    shown = frame.copy()
    for column in COMPARISON_COUNTS:
        shown[column] = pd.Series([int(v) if isinstance(v, float) and v == v else v for v in shown[column]],
                                  index=shown.index, dtype=object)
    return shown


def rate_comparison(scope_list: list[Scope], results: Mapping[str, tuple[ViewResult, ...]],
                    threshold: int | None) -> ViewResult:
    """One row per scope: its enrolment, outcome and placement totals and the four rates.

    ``results`` maps a scope's key to its (enrolment_trend, outcomes_by_cohort,
    placements_by_year) view results. Columns: scope, scope_name, the rates of
    ``RATES``, then the counts of ``COMPARISON_COUNTS`` they are computed from.
    """
    frame = pd.DataFrame([
        {"scope": scope.key, "scope_name": scope.label, **_totals([r.numbers for r in results[scope.key]])}
        for scope in scope_list
    ])
    for rate, (_, numerator, denominator) in RATES.items():
        frame[rate] = ratio(sum(frame[c] for c in numerator), frame[denominator])
    frame = frame[["scope", "scope_name", *RATES, *COMPARISON_COUNTS]]  # rates first: they are what is compared
    if not threshold:
        shown = _whole_counts(frame)
        return ViewResult(COMPARISON_VIEW.name, frame, shown, shown, 0, None)
    protected = protect(frame, COMPARISON_VIEW, threshold)
    # A total left unknown because a yearly count was hidden counts as hidden, with its rates.
    hidden = protected.hidden.copy()
    hidden[list(COMPARISON_COUNTS)] |= frame[list(COMPARISON_COUNTS)].isna()
    for rate, sources in COMPARISON_VIEW.derived.items():
        hidden[rate] |= hidden[list(sources)].any(axis=1)
    return ViewResult(COMPARISON_VIEW.name, protected.numbers, _whole_counts(protected.for_screen()),
                      _whole_counts(protected.for_display()), int(hidden.to_numpy().sum()), threshold)


def _status(gaps: pd.DataFrame, codes: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Coverage ratio and status in words of each sector code, from a gaps_by_sector result."""
    rows = gaps.set_index("sector_code").reindex(codes)
    status = classify_gap(rows["coverage_ratio"]).map(gap_status_words)
    # An empty coverage is "no demand" only when demand is known to be 0; otherwise it was hidden.
    hidden = rows["coverage_ratio"].isna() & rows["demand"].isna() & rows.index.isin(gaps["sector_code"])
    status[hidden] = "· hidden (small numbers)"
    return rows["coverage_ratio"].to_numpy(), status.to_numpy()


def sector_status(programs: pd.DataFrame, region_gaps: ViewResult, all_gaps: ViewResult) -> ViewResult:
    """The sectors the institution's programs train for, with the coverage ratio and its status
    ("▼ shortage", "≈ balanced", "▲ surplus", "○ no demand") in its region and in the whole selection.

    Columns: sector_code, sector_name, gap_status_region, coverage_ratio_region,
    gap_status_all, coverage_ratio_all, programs (their names).
    """
    sectors = (programs.groupby(["sector_code", "sector_name"], sort=True)["program_name"]
               .agg(lambda names: ", ".join(sorted(map(str, names)))).reset_index(name="programs"))
    frame = sectors.copy()
    frame["coverage_ratio_region"], frame["gap_status_region"] = _status(region_gaps.numbers, sectors["sector_code"])
    frame["coverage_ratio_all"], frame["gap_status_all"] = _status(all_gaps.numbers, sectors["sector_code"])
    frame = frame[["sector_code", "sector_name", "gap_status_region", "coverage_ratio_region", "gap_status_all",
                   "coverage_ratio_all", "programs"]]
    hidden = int(frame[["gap_status_region", "gap_status_all"]].apply(lambda c: c.str.startswith("· hidden")).to_numpy().sum())
    threshold = region_gaps.threshold or all_gaps.threshold
    return ViewResult("scorecard_sectors", frame, frame, frame, hidden, threshold)
