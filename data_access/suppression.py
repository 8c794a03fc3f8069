"""Small-number protection for meetings and exports: rounding to a base with suppression of
small cells and of rates on small bases, the method England's Department for Education and
HESA publish their statistics with.

With a threshold t (default 5):

- a count of 1 to t-1 people is hidden, shown as ``<t``; zero is shown, as it describes nobody;
- every other count is rounded to the nearest multiple of t (half away from zero), whether it
  is a cell, a subtotal or a total, and whatever view, chart, brief or file shows it;
- an amount computed from counts (a gap, an effective supply) is rounded the same way, and left
  blank when a count it comes from is hidden;
- a rate, ratio or average is computed from the exact counts, and left blank when a count it
  comes from is hidden or when its base is fewer than ``RATE_BASE_FACTOR`` x t people.

Because every shown count is rounded on its own, the protection does not depend on which
other views are shown beside it: subtracting shown parts from a shown total gives a multiple
of t, never the value of a hidden count (1 to t-1), on any page, chart, brief or exported file,
and no cell is ever hidden for another's sake, so ``<t`` always means 1 to t-1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .views import View

DEFAULT_THRESHOLD = 5
RATE_BASE_FACTOR = 5  # rates on fewer than 5 x t people are not shown (25 at t = 5; HESA's percentages need 22.5)
METHOD = "rounding to a base with suppression of small counts and of rates on small bases (as DfE and HESA publish)"


@dataclass(frozen=True)
class Protected:
    """A view's numbers rounded, with hidden cells set to empty, and which cells are hidden."""

    numbers: pd.DataFrame
    hidden: pd.DataFrame  # same shape, True where a value is hidden
    threshold: int
    counts: tuple[str, ...]

    def for_display(self) -> pd.DataFrame:
        """Hidden counts written ``<t`` and hidden measures left blank, for tables and CSV files."""
        shown = self.numbers.astype(object).where(self.numbers.notna(), None)
        for column in self.hidden.columns:
            mask = self.hidden[column]
            if mask.any():
                shown.loc[mask, column] = f"<{self.threshold}" if column in self.counts else None
        return shown

    def for_screen(self) -> pd.DataFrame:
        """Like ``for_display`` but for an on-screen table: a count column with hidden cells
        becomes text with thousands separators (a table column cannot mix numbers and "<t"),
        hidden measures are empty, every other column keeps its numbers."""
        shown = self.numbers.copy()
        marker = f"<{self.threshold}"
        for column in self.counts:
            mask = self.hidden[column]
            if mask.any():
                shown[column] = [marker if hide else ("" if pd.isna(v) else f"{v:,.0f}") for v, hide in zip(shown[column], mask)]
        return shown

    @property
    def hidden_cells(self) -> int:
        """How many cells are hidden (small counts and the measures left blank with them)."""
        return int(self.hidden.to_numpy().sum())


def round_to_base(values: pd.Series, base: int) -> pd.Series:
    """``values`` rounded to the nearest multiple of ``base``, halves away from zero (7.5 -> 10 at base 5);
    whole-number columns stay whole (int64) unless a value is empty (then floats, NaN for empty)."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    rounded = pd.Series(np.sign(numbers) * np.floor(np.abs(numbers) / base + 0.5) * base, index=values.index)
    if pd.api.types.is_integer_dtype(values) and rounded.notna().all():
        return rounded.astype("int64")
    return rounded


def protect(frame: pd.DataFrame, view: View, threshold: int = DEFAULT_THRESHOLD) -> Protected:
    """``frame`` (a result of ``view``) with small counts hidden, counts and amounts rounded to a
    multiple of ``threshold`` and rates on hidden counts or small bases left blank."""
    counts = [c for c in view.counts if c in frame.columns]
    hidden = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for column in counts:
        values = pd.to_numeric(frame[column], errors="coerce").astype("float64")  # unknown counts (NaN) hide nothing
        hidden[column] = (values > 0) & (values < threshold)
    for column, sources in {**view.amounts, **view.derived}.items():
        if column in frame.columns:
            hidden[column] = hidden[[s for s in sources if s in frame.columns]].any(axis=1)
    for column, base in view.rate_bases.items():
        if column in frame.columns and base in frame.columns:
            hidden[column] |= (
                pd.to_numeric(frame[base], errors="coerce").astype("float64").fillna(0) < RATE_BASE_FACTOR * threshold
            )
    numbers = frame.copy()
    for column in [*counts, *[a for a in view.amounts if a in frame.columns]]:
        numbers[column] = round_to_base(frame[column], threshold)
    for column in frame.columns:
        if hidden[column].any():
            # Numbers become floats with NaN where hidden (charts and sums skip them; files write whole
            # floats without ".0"); words stay words.
            if pd.api.types.is_numeric_dtype(numbers[column]):
                numbers[column] = numbers[column].astype("float64").mask(hidden[column])
            else:
                numbers[column] = numbers[column].astype(object).mask(hidden[column], None)
    return Protected(numbers, hidden, threshold, tuple(counts))


def describe(threshold: int | None) -> dict | None:
    """The rule as written into the snapshot manifest (None when protection is off)."""
    if not threshold:
        return None
    return {
        "method": METHOD,
        "threshold": threshold,
        "rounding_base": threshold,
        "counts": f"counts from 1 to {threshold - 1} are shown as <{threshold}; every other count, subtotal and total "
        f"is rounded to the nearest multiple of {threshold} (halves away from zero); 0 is shown",
        "amounts": f"gaps and effective supply are rounded to the nearest multiple of {threshold}, "
        f"and left blank when a count they come from is hidden",
        "rates": f"rates, ratios and averages are computed from the unrounded counts and left blank when a count "
        f"they come from is hidden or their base is fewer than {RATE_BASE_FACTOR * threshold} people",
        "guarantee": f"a shown total less its shown parts is a multiple of {threshold}, never a hidden count; "
        f"no cell is hidden for another's sake, so <{threshold} always means 1 to {threshold - 1}",
    }
