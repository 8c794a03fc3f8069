"""Small-number protection for meetings and exports: rounding to a base with suppression of
small cells and of rates on small bases, the method England's Department for Education and
HESA publish their statistics with.

With a threshold t (default 5):

- a count of 1 to t-1 people is hidden, shown as ``<t``; zero is shown, as it describes nobody;
- every other count is rounded to the nearest multiple of t (half away from zero), whether it
  is a cell, a subtotal or a total, and whatever view, chart, brief or file shows it;
- an amount computed from counts (a gap, an effective supply) is rounded the same way, and left
  blank when a count it comes from is hidden;
- a rate, ratio or average is computed from the exact counts and published rounded, as agencies
  publish them: a rate or ratio to a whole percent (0.01; placements per 100 openings and wages to a
  whole number); it is left blank when a count it comes from is hidden, when its base is fewer than
  ``RATE_BASE_FACTOR`` x t people, or when, read with the rounded counts of its row (its base, its
  numerator and every other rate on the same base), it would pin a count to one exact value.

Because every shown count is rounded on its own, the protection does not depend on which
other views are shown beside it: subtracting shown parts from a shown total gives a multiple
of t, never the value of a hidden count (1 to t-1), on any page, chart, brief or exported file,
and no cell is ever hidden for another's sake, so ``<t`` always means 1 to t-1. A rate cannot
undo the rounding either: a count's exact value is never the only one consistent with the rounded
counts and rounded rates shown in its row, so it cannot be subtracted from a total to give a hidden count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .views import View

DEFAULT_THRESHOLD = 5
MIN_THRESHOLD, MAX_THRESHOLD = 2, 100  # the thresholds protection accepts (a link, the sidebar, the command line)
RATE_BASE_FACTOR = 5  # rates on fewer than 5 x t people are not shown (25 at t = 5; HESA's percentages need 22.5)
METHOD = "rounding to a base with suppression of small counts and of rates on small bases (as DfE and HESA publish)"
RATE_STEPS = 100  # rates and ratios are published to 1/100: a whole percent, a ratio to two decimals
# Measures published to a whole number instead (placements per 100 openings is a ratio to 1/100 too).
WHOLE_MEASURES = frozenset({"placed_per_100_openings", "wage_employment_weighted"})
PER_100 = frozenset({"placed_per_100_openings"})
GROWTH = frozenset({"enrolled_growth", "graduates_growth"})  # a ratio less one
# Ratios whose parts are not the (numerators..., denominator) of ``View.derived``: numerator, exact denominators.
RATIO_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "capacity_use": (("students_placed",), ("placement_capacity", "years_hosting")),
}


class ThresholdError(ValueError):
    """A small-number threshold outside MIN_THRESHOLD..MAX_THRESHOLD."""


def check_threshold(threshold: object) -> int:
    """``threshold`` as a whole number of people from MIN_THRESHOLD to MAX_THRESHOLD, else ThresholdError
    (a threshold of 1, 0 or below would hide nothing and silently turn protection off)."""
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)):
        raise ThresholdError(f"the small-number threshold must be a whole number, not {threshold!r}")
    if not MIN_THRESHOLD <= int(threshold) <= MAX_THRESHOLD:
        raise ThresholdError(f"the small-number threshold must be from {MIN_THRESHOLD} to {MAX_THRESHOLD}, not {threshold}")
    return int(threshold)


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


def round_to_base(values: pd.Series, base: int) -> pd.Series:
    """``values`` rounded to the nearest multiple of ``base``, halves away from zero (7.5 -> 10 at base 5);
    whole-number columns stay whole (int64) unless a value is empty (then floats, NaN for empty)."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    rounded = pd.Series(np.sign(numbers) * np.floor(np.abs(numbers) / base + 0.5) * base + 0.0, index=values.index)
    if pd.api.types.is_integer_dtype(values) and rounded.notna().all():
        return rounded.astype("int64")
    return rounded


def protect(frame: pd.DataFrame, view: View, threshold: int = DEFAULT_THRESHOLD) -> Protected:
    """``frame`` (a result of ``view``) with small counts hidden, counts and amounts rounded to a
    multiple of ``threshold``, rates rounded as published and left blank on hidden counts, small
    bases, or where they would pin a count to its exact value."""
    threshold = check_threshold(threshold)
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
    measures = [c for c in view.derived if c in frame.columns and _is_number(frame[c])]
    for column in measures:
        numbers[column] = round_measure(frame[column], column)
    for column, rows in _pinning(frame, numbers, hidden, view, measures, counts, threshold).items():
        hidden[column] |= rows
    for column in frame.columns:
        if hidden[column].any():
            # Numbers become floats with NaN where hidden (charts and sums skip them; files write whole
            # floats without ".0"); words stay words.
            if pd.api.types.is_numeric_dtype(numbers[column]):
                numbers[column] = numbers[column].astype("float64").mask(hidden[column])
            else:
                numbers[column] = numbers[column].astype(object).mask(hidden[column], None)
    return Protected(numbers, hidden, threshold, tuple(counts))


def _is_number(values: pd.Series) -> bool:
    """True for a column of numbers (blanks allowed, also in an object column), not of words or yes/no."""
    if pd.api.types.is_bool_dtype(values):
        return False
    if pd.api.types.is_numeric_dtype(values):
        return True
    return pd.api.types.infer_dtype(values, skipna=True) in ("floating", "integer", "mixed-integer-float", "decimal")


def round_measure(values: pd.Series, column: str) -> pd.Series:
    """A rate or ratio rounded to 1/100 (a whole percent), halves up; a measure of ``WHOLE_MEASURES``
    to a whole number. Never ``-0``."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    steps = 1 if column in WHOLE_MEASURES else RATE_STEPS
    # The rounding of the pin check (``_steps``): floor(x * steps + 0.5), with a hair of tolerance for the
    # binary fraction of an exact half (0.125 * 100 = 12.499999...).
    return pd.Series(np.floor(numbers * steps + 0.5 + 1e-9) / steps + 0.0, index=values.index)


def _parts(column: str, view: View, frame: pd.DataFrame, counts: list[str]) -> tuple[list[str], list[str]] | None:
    """(numerator columns, denominator columns) of the ratio ``column``; the numerator list is empty when
    the numerator is not shown. None when ``column`` is no ratio of counts in ``frame``."""
    if column in RATIO_PARTS:
        numerator, denominator = RATIO_PARTS[column]
    elif column in view.rate_bases:
        denominator = (view.rate_bases[column],)
        numerator = tuple(s for s in view.derived[column] if s not in denominator)
    elif len(view.derived[column]) == 2 and all(s in counts for s in view.derived[column]):
        numerator, denominator = view.derived[column][:1], view.derived[column][1:]
    else:
        return None
    if not all(c in frame.columns for c in (*numerator, *denominator)) or column in ("wage_employment_weighted",):
        return None
    return list(numerator), list(denominator)


def _ranges(frame: pd.DataFrame, numbers: pd.DataFrame, hidden: pd.DataFrame, column: str, counts: list[str], threshold: int):
    """Per row, the whole values ``column`` may hold for one who sees only the protected row: (low, high,
    known), ``known`` False where it is not a whole number at all (fractions of a crosswalk share), so
    nothing can be pinned, or unknown."""
    exact = pd.to_numeric(frame[column], errors="coerce").astype("float64").to_numpy()
    known = np.isfinite(exact) & (np.floor(exact) == exact)
    if column not in counts:  # an exact figure (a stated capacity, years hosting)
        value = np.where(known, exact, 0).astype("int64")
        return value, value, known
    shown = pd.to_numeric(numbers[column], errors="coerce").astype("float64").to_numpy()
    half = threshold / 2
    low = np.where(shown > 0, np.maximum(np.ceil(shown - half), threshold), shown)
    high = np.where(shown > 0, np.ceil(shown + half) - 1, shown)
    is_hidden = hidden[column].to_numpy()
    low, high = np.where(is_hidden, 1, low), np.where(is_hidden, threshold - 1, high)
    known &= np.isfinite(low)
    return np.where(known, low, 0).astype("int64"), np.where(known, high, 0).astype("int64"), known


def _steps(values: pd.Series, column: str) -> tuple[np.ndarray, np.ndarray]:
    """A shown ratio as K with ratio in [(K - 1/2) / 100, (K + 1/2) / 100), and where it is shown."""
    shown = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    scaled = shown if column in PER_100 else shown * RATE_STEPS
    if column in GROWTH:
        scaled = scaled + RATE_STEPS
    ok = np.isfinite(scaled)
    return np.where(ok, np.rint(scaled), 0).astype("int64"), ok


CHUNK_CELLS = 1_000_000  # cells of the largest array ``_pinning`` holds at once (rows x t x t): bounded memory


def _pinning(
    frame: pd.DataFrame,
    numbers: pd.DataFrame,
    hidden: pd.DataFrame,
    view: View,
    measures: list[str],
    counts: list[str],
    threshold: int,
) -> dict[str, pd.Series]:
    """The ratios to leave blank, and in which rows, because with the row's rounded counts and its other
    ratios they would leave one whole value for a count.

    Each count of a row may hold the ``threshold`` whole values its rounded figure allows (1 to t-1 when
    hidden); an exact figure (a stated capacity) only itself. Every shown ratio, rounded to 1/100, keeps
    only the values of its numerator and denominator that some value of the other matches, and this runs
    until nothing changes (a count may be one ratio's denominator and another's numerator). Where a count
    of a row is left with one value, the row's ratios on that count are blanked and the row checked again.
    """
    specs = {c: parts for c in measures if (parts := _parts(c, view, frame, counts)) is not None}
    if not specs or frame.empty:
        return {}
    blank = {c: np.zeros(len(frame), dtype=bool) for c in specs}
    chunk_rows = max(1, CHUNK_CELLS // (threshold * threshold))
    for start in range(0, len(frame), chunk_rows):
        rows = slice(start, min(start + chunk_rows, len(frame)))
        chunk = _Chunk(frame.iloc[rows], numbers.iloc[rows], hidden.iloc[rows], specs, counts, threshold)
        for column, where in chunk.blanked().items():
            blank[column][rows] = where
    return {c: pd.Series(v, index=frame.index) for c, v in blank.items() if v.any()}


class _Chunk:
    """The pin check of ``_pinning`` on a block of rows."""

    def __init__(self, frame, numbers, hidden, specs, counts, threshold) -> None:
        self.specs, self.width, self.n = specs, threshold, len(frame)
        self.low: dict[str, np.ndarray] = {}
        self.start: dict[str, np.ndarray] = {}  # the candidate values' mask as the row shows them
        self.known = np.ones(self.n, dtype=bool)
        offsets = np.arange(threshold, dtype="int64")
        for parts in specs.values():
            for column in (*parts[0], *parts[1]):
                if column in self.low:
                    continue
                low, high, known = _ranges(frame, numbers, hidden, column, counts, threshold)
                self.low[column] = low
                self.start[column] = (low[:, None] + offsets[None, :] <= high[:, None]) & known[:, None]
        # exact denominators that are products (capacity x years) become one exact figure
        for column, (numerator, denominator) in list(specs.items()):
            if len(denominator) > 1:
                name = "*".join(denominator)
                product = np.ones(self.n, dtype="int64")
                known = np.ones(self.n, dtype=bool)
                for part in denominator:
                    product, known = product * self.low[part], known & self.start[part][:, 0]
                self.low[name] = product
                self.start[name] = np.zeros((self.n, threshold), dtype=bool)
                self.start[name][:, 0] = known
                self.specs = {**self.specs, column: (numerator, [name])}
        self.k = {}
        self.shown = {}
        for column in specs:
            k, shown = _steps(numbers[column], column)
            parts = (*self.specs[column][0], *self.specs[column][1])
            self.k[column] = k
            self.shown[column] = shown & ~hidden[column].to_numpy() & np.all([self.start[p].any(axis=1) for p in parts], axis=0)

    def blanked(self) -> dict[str, np.ndarray]:
        blank = {c: np.zeros(self.n, dtype=bool) for c in self.specs}
        rows = np.arange(self.n)
        for _ in range(len(self.specs) + 1):
            if not rows.size:
                break
            masks = self._narrowed(rows, blank)
            pinned = {c: (m.sum(axis=1) == 1) & (self.start[c][rows].sum(axis=1) > 1) for c, m in masks.items()}
            again = np.zeros(rows.size, dtype=bool)
            for column, (numerator, denominator) in self.specs.items():
                hit = np.any([pinned[p] for p in (*numerator, *denominator)], axis=0)
                hit &= self.shown[column][rows] & ~blank[column][rows]
                blank[column][rows[hit]] = True
                again |= hit
            rows = rows[again]  # rows with a ratio blanked now are checked again without it
        return blank

    def _narrowed(self, rows: np.ndarray, blank: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The candidate masks of ``rows`` once every shown ratio has narrowed them until nothing changes;
        each pass works only on the rows the pass before changed."""
        masks = {c: m[rows] for c, m in self.start.items()}
        applies = {c: (self.shown[c] & ~blank[c])[rows] for c in self.specs}
        active = np.arange(rows.size)
        while active.size:
            low = {c: v[rows[active]] for c, v in self.low.items()}
            sub = {c: m[active] for c, m in masks.items()}
            changed = np.zeros(active.size, dtype=bool)
            for column, (numerator, denominator) in self.specs.items():
                where = applies[column][active]
                if not where.any():
                    continue
                d = denominator[0]
                k = self.k[column][rows[active]][:, None, None]
                d_values = self._values(low[d])[:, None, :]
                if not numerator:
                    lowest = _ceil_div((2 * k - 1) * d_values, 2 * RATE_STEPS)
                    ok = lowest <= _ceil_div((2 * k + 1) * d_values, 2 * RATE_STEPS) - 1
                    changed |= self._update(sub, d, ok[:, 0, :], where)
                    continue
                if len(numerator) == 1:
                    n_values, n_mask = self._values(low[numerator[0]]), sub[numerator[0]]
                else:  # a sum of counts: its possible values first
                    n_values, n_mask = self._sums(numerator, sub, low)
                n_values = n_values[:, :, None]
                ok = (2 * RATE_STEPS * n_values >= (2 * k - 1) * d_values) & (2 * RATE_STEPS * n_values < (2 * k + 1) * d_values)
                pair = n_mask[:, :, None] & sub[d][:, None, :] & ok & (d_values > 0)
                if len(numerator) == 1:
                    changed |= self._update(sub, numerator[0], pair.any(axis=2), where)
                else:
                    for part, narrowed in self._parts_of_sum(numerator, sub, pair.any(axis=2)).items():
                        changed |= self._update(sub, part, narrowed, where)
                changed |= self._update(sub, d, pair.any(axis=1), where)
            for column, mask in sub.items():
                masks[column][active] = mask
            active = active[changed]
        return masks

    def _values(self, low: np.ndarray) -> np.ndarray:
        return low[:, None] + np.arange(self.width, dtype="int64")[None, :]

    @staticmethod
    def _update(masks: dict[str, np.ndarray], column: str, new: np.ndarray, applies: np.ndarray) -> np.ndarray:
        """Narrow ``column``'s mask by ``new`` in the rows where the ratio applies; which rows changed."""
        updated = np.where(applies[:, None], masks[column] & new, masks[column])
        changed = (updated != masks[column]).any(axis=1)
        masks[column] = updated
        return changed

    def _sums(self, parts: list[str], masks: dict[str, np.ndarray], low: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The values a sum of two or more counts may take (from the sum of their lows) and which it can."""
        total = masks[parts[0]]
        for part in parts[1:]:
            total = _add_masks(total, masks[part])
        lowest = np.sum([low[p] for p in parts], axis=0)
        values = lowest[:, None] + np.arange(total.shape[1], dtype="int64")[None, :]
        return values, total

    @staticmethod
    def _parts_of_sum(parts: list[str], masks: dict[str, np.ndarray], sums: np.ndarray) -> dict[str, np.ndarray]:
        """Each part's values that, with some values of the others, give an allowed sum."""
        result = {}
        for part in parts:
            others = None
            for other in parts:
                if other != part:
                    others = masks[other] if others is None else _add_masks(others, masks[other])
            assert others is not None
            allowed = np.zeros_like(masks[part])
            for i in range(masks[part].shape[1]):  # part's offset i: some others' offset j with i + j allowed
                window = sums[:, i : i + others.shape[1]]
                allowed[:, i] = (others[:, : window.shape[1]] & window).any(axis=1)
            result[part] = allowed
        return result


def _add_masks(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The offsets a sum may take, given which offsets each of two terms may take."""
    out = np.zeros((a.shape[0], a.shape[1] + b.shape[1] - 1), dtype=bool)
    for i in range(a.shape[1]):
        out[:, i : i + b.shape[1]] |= a[:, i : i + 1] & b
    return out


def _ceil_div(a: np.ndarray, b: int) -> np.ndarray:
    return -((-a) // b)


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
        "rates": f"rates, ratios and averages are computed from the unrounded counts and published rounded (rates "
        f"to a whole percent, ratios to two decimals, placements per 100 openings and wages to a whole number); "
        f"left blank when a count they come from is hidden, their base is fewer than {RATE_BASE_FACTOR * threshold} "
        f"people, or, read with the rounded counts and other rates of their row, they would leave a count one value",
        "guarantee": f"a shown total less its shown parts is a multiple of {threshold}, never a hidden count; "
        f"no cell is hidden for another's sake, so <{threshold} always means 1 to {threshold - 1}",
    }
