"""One number format for the whole dashboard."""

from __future__ import annotations

import pandas as pd


def floats(values: pd.Series) -> pd.Series:
    """A column as plain floats for Plotly and the formatters, hidden values NaN (protection leaves
    whole-number columns as nullable integers whose pd.NA neither takes)."""
    return pd.to_numeric(values, errors="coerce").astype("float64")


def is_missing(value: object) -> bool:
    """True for None, NaN and pandas' NA (a hidden whole-number count)."""
    if isinstance(value, (list, tuple)):
        return False
    return value is None or bool(pd.isna(value))


def fmt_count(value: object) -> str:
    """A count with thousands separators; an en dash when missing."""
    return "–" if is_missing(value) else f"{int(value):,}"


def fmt_ratio(value: object) -> str:
    """A coverage ratio with two decimals; an en dash when missing."""
    return "–" if is_missing(value) else f"{float(value):.2f}"


def fmt_rate(value: object) -> str:
    """A rate as a percentage with one decimal; an en dash when missing."""
    return "–" if is_missing(value) else f"{100 * float(value):.1f}%"
