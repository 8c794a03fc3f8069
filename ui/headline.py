"""The Overview's headline figures: each measure for its latest year in the
selection, with the change against the year before (pandas, no widgets; labels,
help and change texts in the current language)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .formatting import fmt_count, fmt_rate, fmt_ratio, is_missing, rate_decimals
from .i18n import t


@dataclass(frozen=True)
class Headline:
    """One headline figure as shown: label, value, change and the year it is for."""

    key: str
    label: str
    value: float | None
    previous: float | None
    year: int | None
    shown: str
    change: str | None
    help: str


# key, kind, the count whose year must have data, the tables that year must cover; the label is
# metric.<key>, the help text headline.help_<key>
MEASURES = (
    ("graduates", "count", "graduates", ("enrolments",)),
    ("openings", "count", "openings", ("demand",)),
    ("coverage_ratio", "ratio", "openings", ("enrolments", "demand")),
    ("employment_rate", "rate", "surveyed", ("outcomes",)),
    ("in_field_rate", "rate", "surveyed", ("outcomes",)),
    ("students_placed", "count", "students_placed", ("placements",)),
)


def headline_figures(
    by_year: pd.DataFrame, *, year_to: int | None, covered: dict[str, list[int]] | None = None
) -> list[Headline]:
    """Each measure at the latest year <= ``year_to`` that has data, and its change from the year before.

    ``covered`` (the data calendar: the years each table has rows for) tells a year before that is
    missing from the data, which the change then says it cannot be compared with, from one that is
    only hidden or empty (no change shown)."""
    figures = []
    first_of_data = min((y for years in (covered or {}).values() for y in years), default=None)
    for key, kind, base, tables in MEASURES:
        label, help_text = t(f"metric.{key}"), t(f"headline.help_{key}")
        rows = by_year[(by_year[base] > 0) & by_year[key].notna()]
        if year_to is not None:
            rows = rows[rows["year"] <= year_to]
        if rows.empty:
            figures.append(Headline(key, label, None, None, None, "–", None, help_text))
            continue
        current = rows.iloc[-1]
        year = int(current["year"])
        earlier = rows[rows["year"] == year - 1]
        value = float(current[key])
        previous = float(earlier.iloc[0][key]) if not earlier.empty else None
        change = _change(kind, value, previous)
        within_data = first_of_data is not None and year - 1 >= first_of_data
        if previous is None and covered is not None and within_data and any(year - 1 not in covered[table] for table in tables):
            change = t("headline.no_comparison", year=year - 1)
        figures.append(Headline(key, label, value, previous, year, _show(kind, value), change, help_text))
    return figures


def _show(kind: str, value: float) -> str:
    return {"count": fmt_count, "ratio": fmt_ratio, "rate": fmt_rate}[kind](value)


def _change(kind: str, value: float, previous: float | None) -> str | None:
    if previous is None or is_missing(previous):
        return None
    # An ASCII sign: st.metric reads the direction of a change from a leading "-".
    if kind == "count":
        return t("headline.change_count", change=f"{int(value - previous):+,}")
    if kind == "ratio":
        return t("headline.change_ratio", change=f"{value - previous:+.2f}")
    return t("headline.change_rate", change=f"{100 * (value - previous):+.{rate_decimals()}f}")
