"""The Overview's headline figures: each measure for its latest year in the
selection, with the change against the year before (pure pandas, no Streamlit)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .formatting import fmt_count, fmt_rate, fmt_ratio, is_missing


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


# key, label, kind, the count whose year must have data, help text
MEASURES = (
    ("graduates", "Graduates", "count", "graduates", "Supply: graduates of programs in the selected sectors at institutions in the selected regions."),
    ("openings", "Openings", "count", "openings", "Demand: job openings in the selected sectors and regions."),
    ("coverage_ratio", "Coverage ratio", "ratio", "openings", "Graduates ÷ openings. Below 1 means a shortage of trained people."),
    ("employment_rate", "Destination rate", "rate", "surveyed", "(Employed + further study) ÷ surveyed graduates, latest cohort in the selection."),
    ("in_field_rate", "In-field rate", "rate", "surveyed", "Employed in the field they trained for ÷ employed, latest cohort in the selection."),
    ("students_placed", "Students placed", "count", "students_placed", "Students on placements at partner employers in the selected sectors and regions."),
)


def headline_figures(by_year: pd.DataFrame, *, year_to: int | None) -> list[Headline]:
    """Each measure at the latest year <= ``year_to`` that has data, and its change from the year before."""
    figures = []
    for key, label, kind, base, help_text in MEASURES:
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
        return f"{int(value - previous):+,} vs previous year"
    if kind == "ratio":
        return f"{value - previous:+.2f} vs previous year"
    return f"{100 * (value - previous):+.1f} pp vs previous year"
