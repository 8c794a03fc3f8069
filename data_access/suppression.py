"""Small-number protection for meetings and exports.

With a threshold t (default 5), a count of 1 to t-1 people is hidden (shown as
``<t``); zero is shown, as it describes nobody. Every measure computed from a
hidden count (a rate, a gap, a ratio) is hidden too (left blank), because it
would give the count back: a rate times its base, or a gap plus demand. And
where a view's rows add up to a total shown in the same view's group, a lone
hidden cell in a group takes a second one with it (the smallest other count),
so that it cannot be recovered by subtracting the others from the total.

The same function protects what the pages show and what the exports write.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .views import View

DEFAULT_THRESHOLD = 5


@dataclass(frozen=True)
class Protected:
    """A view's numbers with hidden cells set to empty, and which cells are hidden."""

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
                shown[column] = [marker if hide else ("" if pd.isna(v) else f"{int(v):,}") for v, hide in zip(shown[column], mask)]
        return shown

    @property
    def any_hidden(self) -> bool:
        """True when at least one cell is hidden."""
        return bool(self.hidden.to_numpy().any())


def protect(frame: pd.DataFrame, view: View, threshold: int = DEFAULT_THRESHOLD) -> Protected:
    """Hide small counts of ``frame`` (a result of ``view``) and everything they could be recovered from."""
    counts = [c for c in view.counts if c in frame.columns]
    hidden = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for column in counts:
        values = pd.to_numeric(frame[column], errors="coerce")
        hidden[column] = (values > 0) & (values < threshold)
    _hide_complements(frame, hidden, counts, [g for g in view.group if g in frame.columns])
    for column, sources in view.derived.items():
        if column in frame.columns:
            hidden[column] = hidden[[s for s in sources if s in frame.columns]].any(axis=1)
    numbers = frame.copy()
    for column in frame.columns:
        if hidden[column].any():
            # Whole numbers stay whole (nullable) so that exports write 60, not 60.0; words stay words.
            if pd.api.types.is_integer_dtype(frame[column]):
                numbers[column] = numbers[column].astype("Int64").mask(hidden[column])
            elif pd.api.types.is_numeric_dtype(frame[column]):
                numbers[column] = numbers[column].astype("float64").mask(hidden[column])
            else:
                numbers[column] = numbers[column].astype(object).mask(hidden[column], None)
    return Protected(numbers, hidden, threshold, tuple(counts))


def _hide_complements(frame: pd.DataFrame, hidden: pd.DataFrame, counts: list[str], group: list[str]) -> None:
    """Where a group has exactly one hidden count, hide its smallest other positive count too."""
    keys = group[0] if len(group) == 1 else group
    groups = frame.groupby(keys, sort=False).groups.values() if group else [frame.index]
    for column in counts:
        values = pd.to_numeric(frame[column], errors="coerce")
        for index in groups:
            members = hidden.loc[index, column]
            if members.sum() != 1 or len(index) < 2:
                continue
            candidates = values[index][(~members) & (values[index] > 0)]
            if not candidates.empty:
                hidden.loc[candidates.sort_values(kind="stable").index[0], column] = True


def describe(threshold: int | None) -> dict | None:
    """The rule as written into the snapshot manifest (None when protection is off)."""
    if not threshold:
        return None
    return {
        "threshold": threshold,
        "counts": f"counts from 1 to {threshold - 1} are shown as <{threshold}",
        "derived": "rates, gaps and ratios computed from a hidden count are left blank",
        "complementary": "where one count of a group would be hidden alone, the smallest other count of the group is hidden too",
    }
