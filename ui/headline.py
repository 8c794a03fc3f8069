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
        value = _value(current, key)
        previous = _value(earlier.iloc[0], key) if not earlier.empty else None
        change = _panel_change(kind, current, key) if key in PANELS and key in current else _change(kind, value, previous)
        within_data = first_of_data is not None and year - 1 >= first_of_data
        if previous is None and covered is not None and within_data and any(year - 1 not in covered[table] for table in tables):
            change = t("headline.no_comparison", year=year - 1)
        figures.append(Headline(key, label, value, previous, year, _show(kind, value), change, help_text))
    return figures


# the figures whose change runs over a common panel (data_access/panel.py): key -> (the change column,
# how many it compared, of how many)
PANELS = {
    "graduates": ("graduates_change", "graduates_regions", "graduates_regions_of"),
    "openings": ("openings_change", "openings_regions", "openings_regions_of"),
    "coverage_ratio": ("coverage_ratio_change", "common_cells", "measured_cells"),
}


def _value(row: pd.Series, key: str) -> float:
    """The figure shown for ``key``: openings count every known opening, also where graduates are unknown."""
    if key == "openings" and "demand_unmeasured" in row and not is_missing(row["demand_unmeasured"]):
        return float(row["openings"]) + float(row["demand_unmeasured"])
    return float(row[key])


def _panel_change(kind: str, row: pd.Series, key: str) -> str | None:
    """The change against the year before over the common panel, and over how many of how many regions (or
    region-sector cells for coverage) when that is not all of them; None when nothing is common."""
    change_column, compared, of = PANELS[key]
    change = row[change_column]
    if is_missing(change) or not row[compared]:
        return None
    text = _change(kind, float(change), 0.0)
    if int(row[compared]) < int(row[of]):
        unit = "cells" if key == "coverage_ratio" else "regions"
        text = t(f"headline.over_{unit}", change=text, count=int(row[compared]), of=int(row[of]))
    return text


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


def coverage_basis(by_year: pd.DataFrame, figures: list[Headline], *, short: bool = False) -> str | None:
    """What the coverage figure compares, in one line: the linked graduates and the openings of the cells
    where both are known, and what stands outside it (graduates of programs linked to no sector, graduates
    whose openings are unknown, openings whose graduates are unknown), so that the three figures reconcile.
    ``short``: the comparison alone, for the projector."""
    coverage = next((f for f in figures if f.key == "coverage_ratio" and f.year is not None), None)
    if coverage is None:
        return None
    row = by_year[by_year["year"] == coverage.year].iloc[0]
    expected = row.get("expected_coverage")  # coverage against the expected openings, once a share is stated
    expected = None if expected is None or is_missing(expected) else fmt_ratio(expected)
    if short:
        shown = {
            "coverage": fmt_ratio(row["coverage_ratio"]),
            "supply": fmt_count(row["supply"]),
            "openings": fmt_count(row["openings"]),
        }
        if expected:
            return t("headline.coverage_basis_short_expected", **shown, expected=expected)
        return t("headline.coverage_basis_short", **shown)
    outside = [
        t(f"headline.outside_{column}", count=fmt_count(row[column]))
        for column in ("supply_not_linked", "supply_unmeasured", "demand_unmeasured")
        if column in row and not is_missing(row[column]) and float(row[column]) > 0
    ]
    sentence = t(
        "headline.coverage_basis",
        coverage=fmt_ratio(row["coverage_ratio"]),
        supply=fmt_count(row["supply"]),
        openings=fmt_count(row["openings"]),
        cells=f"{int(row['measured_cells']):,}",
    )
    if outside:
        sentence += t("headline.outside", items=t("headline.outside_separator").join(outside))
    if expected:
        sentence += t("headline.expected_basis", expected=fmt_count(row["expected_demand"]), coverage=expected)
    return sentence
