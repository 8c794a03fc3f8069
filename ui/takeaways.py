"""One plain-language takeaway per chart, computed from the view behind it (pure pandas, no Streamlit).

Each function takes the frames the page already draws and returns one sentence
a planner can read out in a meeting. Rows whose figures are hidden by
small-number protection (NaN) are left out rather than guessed.
"""

from __future__ import annotations

import pandas as pd

from data_access.filters import Filters

from .filters import describe_years
from .formatting import fmt_count, fmt_rate, fmt_ratio, is_missing
from .i18n import t

HIDDEN_NOTE = " (some figures are hidden by small-number protection)"


def in_years(filters: Filters) -> str:
    """The period of ``filters`` as the ``when=`` phrase of a takeaway: "in 2025", "in 2019–2025" (Chinese "2025年")."""
    if filters.year_from is None and filters.year_to is None:
        return t("period.in_all_years")
    return t("period.in_years", years=describe_years(filters))


def _numeric(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """``frame`` with ``columns`` as floats (hidden counts become NaN) and rows missing any of them dropped."""
    converted = frame.assign(**{c: pd.to_numeric(frame[c], errors="coerce").astype(float) for c in columns})
    return converted.dropna(subset=list(columns))


def _signed_percent(change: float) -> str:
    return f"{100 * change:+.1f}%"


def largest_shortage_takeaway(current: pd.DataFrame, previous: pd.DataFrame | None = None, *, when: str,
                              previous_year: int | None = None) -> str:
    """The sector with the largest shortage (most negative gap) in ``current`` and how it changed since ``previous``.

    ``current``/``previous`` are ``gaps_by_sector`` frames; ``when`` names the period ("in 2025");
    ``previous`` and ``previous_year`` are the year before (left out of the sentence when missing).
    """
    known = _numeric(current, "gap")
    hidden = HIDDEN_NOTE if len(known) < len(current) else ""
    shortages = known[known["gap"] < 0]
    if shortages.empty:
        return f"No sector has a shortage {when}: each trains at least as many graduates as it has openings{hidden}."
    row = shortages.sort_values(["gap", "sector_name"]).iloc[0]
    shortage = -row["gap"]
    sentence = (f"{row['sector_name']} has the largest shortage {when}: {fmt_count(shortage)} fewer graduates than "
                f"openings (coverage {fmt_ratio(row['coverage_ratio'])})")
    return sentence + _shortage_change(row["sector_code"], shortage, previous, previous_year) + "."


def _shortage_change(sector_code: str, shortage: float, previous: pd.DataFrame | None, previous_year: int | None) -> str:
    """", 120 more than in 2024" and the like; empty when the year before is unknown or hidden."""
    if previous is None or previous_year is None:
        return ""
    before = previous[previous["sector_code"] == sector_code]
    if before.empty or is_missing(before.iloc[0]["gap"]):
        return ""
    earlier = max(0.0, -float(before.iloc[0]["gap"]))
    if earlier == 0:
        return f", up from no shortage in {previous_year}"
    change = shortage - earlier
    if change == 0:
        return f", the same as in {previous_year}"
    return f", {fmt_count(abs(change))} {'more' if change > 0 else 'fewer'} than in {previous_year}"


def lowest_coverage_takeaway(cells: pd.DataFrame, *, when: str) -> str:
    """The region and sector with the lowest coverage ratio among cells with openings (a ``gaps_by_region_sector`` frame)."""
    known = _numeric(cells, "supply", "demand", "coverage_ratio")
    known = known[known["demand"] > 0]
    if known.empty:
        return f"No region and sector has openings to compare graduates with {when}."
    row = known.sort_values(["coverage_ratio", "region_name", "sector_name"]).iloc[0]
    return (f"The lowest coverage {when} is {row['sector_name']} in {row['region_name']}: "
            f"{fmt_ratio(row['coverage_ratio'])}, {fmt_count(row['supply'])} graduates for {fmt_count(row['demand'])} openings.")


def trend_takeaway(trend: pd.DataFrame) -> str:
    """How supply and demand grew between the first and last years that have both (a ``supply_demand_trend`` frame)."""
    known = _numeric(trend, "supply", "demand")
    known = known[(known["supply"] > 0) & (known["demand"] > 0)].sort_values("year")
    if len(known) < 2:
        return "Supply and demand can be compared for at most one year in this selection, so there is no trend to show."
    first, last = known.iloc[0], known.iloc[-1]
    first_coverage, last_coverage = first["supply"] / first["demand"], last["supply"] / last["demand"]
    moved = "rose" if round(last_coverage, 2) > round(first_coverage, 2) else (
        "fell" if round(last_coverage, 2) < round(first_coverage, 2) else "stayed")
    return (f"From {int(first['year'])} to {int(last['year'])}, graduates went from {fmt_count(first['supply'])} to "
            f"{fmt_count(last['supply'])} ({_signed_percent(last['supply'] / first['supply'] - 1)}) and openings from "
            f"{fmt_count(first['demand'])} to {fmt_count(last['demand'])} ({_signed_percent(last['demand'] / first['demand'] - 1)}): "
            f"coverage {moved} {'at' if moved == 'stayed' else 'from ' + fmt_ratio(first_coverage) + ' to'} {fmt_ratio(last_coverage)}.")


def enrolment_growth_takeaway(growth: pd.DataFrame, *, name: str, year: int) -> str:
    """Where enrolment grew and fell most from ``year - 1`` to ``year`` (an ``enrolment_trend_by_*`` frame of both years;
    ``name`` is the column naming the groups)."""
    known = _numeric(growth, "enrolled")
    counts = known.pivot_table(index=name, columns="year", values="enrolled", aggfunc="sum")
    if year not in counts or year - 1 not in counts:
        return f"No change in enrolment can be shown: this selection has no enrolments in {year - 1} or {year}."
    both = counts[[year - 1, year]].dropna()
    both = both[both[year - 1] > 0]
    if both.empty:
        return f"No group has enrolments in both {year - 1} and {year}, so no change can be shown."
    change = (both[year] - both[year - 1]).sort_values(kind="stable")
    parts = []
    for group, verb in ((change.index[-1], "grew"), (change.index[0], "fell")):
        difference = change[group]
        if (verb == "grew") == (difference > 0) and difference != 0:
            parts.append(f"{verb} most in {group} ({difference:+,.0f}, {_signed_percent(difference / both.loc[group, year - 1])})")
    if not parts:
        return f"From {year - 1} to {year}, enrolment did not change in any group."
    return f"From {year - 1} to {year}, enrolment {' and '.join(parts)}."


def placements_takeaway(by_sector: pd.DataFrame) -> str:
    """The host sector with the most students placed, its share and its hire rate (a ``placements_by_sector`` frame)."""
    known = _numeric(by_sector, "students_placed")
    hidden = HIDDEN_NOTE if len(known) < len(by_sector) else ""
    total = known["students_placed"].sum()
    if known.empty or total <= 0:
        return f"No students are placed in this selection{hidden}."
    row = known.sort_values(["students_placed", "sector_name"], ascending=[False, True]).iloc[0]
    hired = "" if is_missing(row["placement_hire_rate"]) else f"; {fmt_rate(row['placement_hire_rate'])} of them were hired"
    return (f"{row['sector_name']} hosts the most placements: {fmt_count(row['students_placed'])} of "
            f"{fmt_count(total)} students placed ({fmt_rate(row['students_placed'] / total)}){hired}{hidden}.")


def in_field_takeaway(in_field: pd.DataFrame, *, overall: float) -> str:
    """The sector whose employed graduates work in their field least often (an ``in_field_vs_coverage`` frame),
    against ``overall``, the in-field rate of all graduates in the selection (NaN when unknown)."""
    known = _numeric(in_field, "in_field_rate")
    if known.empty:
        return "No sector has survey results on in-field work in this selection."
    row = known.sort_values(["in_field_rate", "sector_name"]).iloc[0]
    against = "" if is_missing(overall) else f", against {fmt_rate(overall)} overall"
    coverage = "" if is_missing(row["coverage_ratio"]) else f" (coverage {fmt_ratio(row['coverage_ratio'])})"
    return (f"{row['sector_name']} graduates work in their field least often: {fmt_rate(row['in_field_rate'])} of those "
            f"employed{against}{coverage}.")
