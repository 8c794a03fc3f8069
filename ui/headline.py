"""The Overview's headline figures: each measure for its latest year in the
selection, with the change against the year before (pandas, no widgets; labels,
help and change texts in the current language)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .formatting import fmt_count, fmt_rate, fmt_ratio, is_missing
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


# key, kind, the count whose year must have data; the label is metric.<key>, the help text headline.help_<key>
MEASURES = (
    ("graduates", "count", "graduates"),
    ("openings", "count", "openings"),
    ("coverage_ratio", "ratio", "openings"),
    ("employment_rate", "rate", "surveyed"),
    ("in_field_rate", "rate", "surveyed"),
    ("students_placed", "count", "students_placed"),
)


def headline_figures(by_year: pd.DataFrame, *, year_to: int | None) -> list[Headline]:
    """Each measure at the latest year <= ``year_to`` that has data, and its change from the year before."""
    figures = []
    for key, kind, base in MEASURES:
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
        figures.append(Headline(key, label, value, previous, year, _show(kind, value), _change(kind, value, previous), help_text))
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
    return t("headline.change_rate", change=f"{100 * (value - previous):+.1f}")
