"""The Institution scorecard's logic (pure pandas, no SQL, no Streamlit widgets): which filters
describe the institution, its region and the whole selection; its rates next to theirs; the
sectors it trains for, marked shortage or surplus; and the takeaway in words. Words are in the
current language (locales/*/scorecard.toml); data names show as stored.

Rates are ratios of sums over the filtered years, never means of yearly rates. The sums are
taken over the exact yearly counts and the comparison is then protected by the same rule as
every view (rounded, small counts hidden, rates on small bases left blank).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

import pandas as pd

from data_access.filters import Filters
from data_access.queries import COMPARED_COUNTS, COMPARED_RATES, classify_gap

from .charts_placements import gap_status_words
from .context import ViewResult
from .formatting import fmt_rate, is_missing
from .i18n import label, t


@dataclass(frozen=True)
class Scope:
    """One column of the comparison: the institution, the institutions of its region, or all selected."""

    key: str
    label: str
    filters: Filters  # for enrolment, placements and outcomes
    gap_filters: Filters  # for supply against demand, which knows regions but not institutions


def institution_label(institutions: pd.DataFrame) -> Callable[[str], str]:
    """How the picker shows an institution: "name (id) · region"."""
    labels = {
        code: f"{name} ({code}) · {region}"
        for code, name, region in zip(
            institutions["institution_id"], institutions["institution_name"], institutions["region_name"]
        )
    }
    return labels.__getitem__  # one lookup per option: a national picker has 3,000


def inside_filters(institutions: pd.DataFrame, filters: Filters, with_data: Collection[str] | None = None) -> pd.DataFrame:
    """The institutions the picker offers for the sidebar's ``filters``, in the order given: those of
    its regions (every region when none is chosen) and, when sectors are chosen and ``with_data`` is
    given (see ``institutions_with_data``), only those with enrolments, placements or graduate
    outcomes in those sectors and years. Without chosen sectors the years remove nobody: an
    institution without data in them gets its scorecard's message, which says to widen them."""
    inside = institutions
    if filters.regions:
        inside = inside[inside["region_code"].isin(filters.regions)]
    if filters.sectors and with_data is not None:
        inside = inside[inside["institution_id"].isin(list(with_data))]
    return inside


def institutions_with_data(*frames: pd.DataFrame) -> set[str]:
    """The institution ids with a count above 0 in any of ``frames`` (rows by institution_id: the
    enrolment, outcomes and placements of the filters)."""
    found: set[str] = set()
    for frame in frames:
        columns = [c for c in COMPARISON_COUNTS if c in frame.columns]
        if frame.empty or not columns:
            continue
        some = frame[columns].apply(pd.to_numeric, errors="coerce").fillna(0).gt(0).any(axis=1)
        found |= set(frame.loc[some, "institution_id"].astype(str))
    return found


def left_out_reason(institution: pd.Series, filters: Filters) -> str:
    """The key of the text saying why ``institution`` (a row of the institutions) is outside
    ``filters``: outside the chosen regions, or without data in the chosen sectors."""
    if filters.regions and institution["region_code"] not in filters.regions:
        return "scorecard.outside_regions"
    return "scorecard.outside_sectors"


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
        Scope(
            "region",
            t("scorecard.scope_region", region=row["region_name"]),
            filters.narrowed(institutions=neighbours),
            its_region,
        ),
        Scope("all", t("scorecard.scope_all"), filters, filters),
    ]


def latest_year_with(frame: pd.DataFrame, count: str, *, year: str = "year") -> int | None:
    """The latest year in which ``count`` is above 0 (or hidden, so not known to be 0); None if none."""
    rows = frame[frame[count].isna() | (frame[count] > 0)]
    return None if rows.empty else int(rows[year].max())


RATES, COMPARISON_COUNTS = COMPARED_RATES, COMPARED_COUNTS  # the rates compared and the counts they are sums of


def rate_label(rate: str) -> str:
    """A compared rate's name under its bars, in the current language."""
    return t("scorecard.hire_rate_after_placement") if rate == "placement_hire_rate" else label(rate)


# column -> kind for the scorecard's tables: "count", "rate", "ratio", "money", "year" or "text".
COLUMNS = {
    "scope": "text",
    "scope_name": "text",
    "program_code": "text",
    "program_name": "text",
    "sector_code": "text",
    "sector_name": "text",
    "level": "text",
    "institutions": "count",
    "enrolled": "count",
    "graduates": "count",
    "graduates_per_enrolled": "rate",
    "enrolled_previous_year": "count",
    "enrolled_growth": "rate",
    "programs": "text",
    "coverage_ratio_region": "ratio",
    "gap_status_region": "text",
    "coverage_ratio_all": "ratio",
    "gap_status_all": "text",
    "cohort_year": "year",
    "surveyed": "count",
    "employed": "count",
    "employed_in_field": "count",
    "self_employed": "count",
    "further_study": "count",
    "unemployed": "count",
    "employment_rate": "rate",
    "job_rate": "rate",
    "in_field_rate": "rate",
    "self_employment_rate": "rate",
    "further_study_rate": "rate",
    "wage_employment_weighted": "money",
    "students_placed": "count",
    "hired": "count",
    "placement_hire_rate": "rate",
    "employer_id": "text",
    "employer_name": "text",
    "region_code": "text",
    "region_name": "text",
    "partner_since": "year",
    "tenure_years": "count",
    "placement_capacity": "count",
    "years_hosting": "count",
    "capacity_use": "rate",
}
# Columns only the scorecard has, or whose heading says more here than the column's usual one.
OWN_HEADINGS = (
    "scope",
    "scope_name",
    "institutions",
    "programs",
    "coverage_ratio_region",
    "gap_status_region",
    "coverage_ratio_all",
    "gap_status_all",
)
PARTNER_HEADINGS = {
    "region_name": "col_host_region",
    "placement_capacity": "col_capacity_per_year",
    "years_hosting": "col_years_hosting",
}


def column_heading(column: str) -> str:
    """A scorecard table's column heading in the current language."""
    if column in OWN_HEADINGS:
        return t(f"scorecard.col_{column}")
    if column in PARTNER_HEADINGS:
        return t(f"placements.{PARTNER_HEADINGS[column]}")
    return label(column)


def _whole_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts as whole numbers (130, not 130.0) in a table or CSV, leaving "<t" and blanks as they are."""
    shown = frame.copy()
    for column in COMPARISON_COUNTS:
        shown[column] = pd.Series(
            [int(v) if isinstance(v, float) and v == v else v for v in shown[column]], index=shown.index, dtype=object
        )
    return shown


def labelled_comparison(comparison: ViewResult, scope_list: list[Scope]) -> ViewResult:
    """The ``scorecard_comparison`` view's rows with each scope named as the scorecard names it (the
    institution, "Institutions in <region>", "All selected", in the current language) and counts written
    as whole numbers in its table and download."""
    names = {scope.key: scope.label for scope in scope_list}

    def named(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(scope_name=frame["scope"].map(names).fillna(frame["scope_name"]))

    return replace(
        comparison,
        numbers=named(comparison.numbers),
        table=_whole_counts(named(comparison.table)),
        display=_whole_counts(named(comparison.display)),
    )


def _status(gaps: pd.DataFrame, codes: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Coverage ratio and status in words of each sector code, from a gaps_by_sector result,
    and which statuses are unknown because protection hid the coverage."""
    rows = gaps.set_index("sector_code").reindex(codes)
    status = classify_gap(rows["coverage_ratio"]).map(gap_status_words)
    listed = rows.index.isin(gaps["sector_code"])
    measured = rows["measured"].astype("boolean").fillna(False).to_numpy(dtype=bool) if "measured" in rows else listed
    # A sector without a measured cell is "not measured", not "no demand"; an empty coverage of a measured
    # sector is "no demand" only when demand is known to be 0, otherwise protection hid it.
    status[listed & ~measured] = gap_status_words("not measured")
    hidden = rows["coverage_ratio"].isna() & rows["demand"].isna() & listed & measured
    status[hidden] = "· " + t("placements.status_hidden")
    return rows["coverage_ratio"].to_numpy(), status.to_numpy(), hidden.to_numpy()


def sector_status(
    programs: pd.DataFrame, region_gaps: ViewResult, all_gaps: ViewResult, crosswalk: pd.DataFrame | None = None
) -> ViewResult:
    """The sectors the institution's programs train for, with the coverage ratio and its status
    ("▼ shortage", "≈ balanced", "▲ surplus", "○ no demand", in the current language) in its region
    and in the whole selection. With the ``crosswalk`` (the crosswalk view), a program training for
    several sectors counts under each of them, and one linked to none under none.

    Columns: sector_code, sector_name, gap_status_region, coverage_ratio_region,
    gap_status_all, coverage_ratio_all, programs (their names).
    """
    if crosswalk is not None:
        linked = crosswalk[crosswalk["source"] != "not linked"][["program_code", "sector_code", "sector_name"]]
        programs = programs.drop(columns=["sector_code", "sector_name"]).merge(linked, on="program_code")
    sectors = (
        programs.groupby(["sector_code", "sector_name"], sort=True)["program_name"]
        .agg(lambda names: ", ".join(sorted(map(str, names))))
        .reset_index(name="programs")
    )
    frame = sectors.copy()
    frame["coverage_ratio_region"], frame["gap_status_region"], hidden_region = _status(
        region_gaps.numbers, sectors["sector_code"]
    )
    frame["coverage_ratio_all"], frame["gap_status_all"], hidden_all = _status(all_gaps.numbers, sectors["sector_code"])
    frame = frame[
        [
            "sector_code",
            "sector_name",
            "gap_status_region",
            "coverage_ratio_region",
            "gap_status_all",
            "coverage_ratio_all",
            "programs",
        ]
    ]
    threshold = region_gaps.threshold or all_gaps.threshold
    hidden = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    hidden["gap_status_region"], hidden["gap_status_all"] = hidden_region, hidden_all
    return ViewResult("scorecard_sectors", frame, frame, frame, hidden if threshold else None, threshold)


def for_download(result: ViewResult) -> ViewResult:
    """``result`` with the scorecard's own columns headed in the current language in its download
    (the common column headings, which the download adds itself, do not know them)."""
    own = {column: column_heading(column) for column in OWN_HEADINGS if column in result.display}
    return replace(result, display=result.display.rename(columns=own)) if own else result


def comparison_takeaway(comparison: pd.DataFrame) -> str:
    """One sentence for the meeting: the first rate of the institution that is known (destination
    rate, in-field rate, hire rate after placement, graduates per enrolled) against its region
    and the whole selection (a ``rate_comparison`` frame)."""
    rows = comparison.set_index("scope")
    name = rows.at["institution", "scope_name"]
    for rate in ("employment_rate", "in_field_rate", "placement_hire_rate", "graduates_per_enrolled"):
        if not is_missing(rows.at["institution", rate]):
            return t(
                f"scorecard.takeaway_{rate}",
                name=name,
                value=fmt_rate(rows.at["institution", rate]),
                region=fmt_rate(rows.at["region", rate]),
                all=fmt_rate(rows.at["all", rate]),
            )
    return t("scorecard.takeaway_none", name=name)
