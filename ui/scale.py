"""Keeping charts and tables readable and light when the data is national.

At 300 regions or 60,000 partner employers a chart of every item is unreadable
and a table of every row is megabytes for the browser. A chart keeps the items
that matter most and folds the rest into one "other" item whose numbers are the
sums of what it holds (its rates recomputed from those sums, never averaged).
Tables send their first rows (ui.components.table_with_data).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

OTHER_CODE = "…"  # the code of the folded item: sorts after letters and digits, cannot clash with a contract code

Recompute = Callable[[pd.DataFrame], pd.DataFrame]


def keep_top(
    frame: pd.DataFrame,
    *,
    key: str,
    name: str,
    rank: pd.Series,
    limit: int,
    sums: Sequence[str],
    other_name: str,
    by: Sequence[str] = (),
    recompute: Recompute | None = None,
) -> pd.DataFrame:
    """``frame`` with only the ``limit`` items of column ``key`` that rank first and one "other" item.

    ``rank`` is indexed by the values of ``key``: higher ranks first. The rows of every
    other item are summed into rows with ``key`` = OTHER_CODE and ``name`` = ``other_name``,
    one per value of the frame's other dimensions ``by`` (e.g. the year or the sector, with
    their names); ``recompute`` then fills the derived columns of those rows (ratios of the
    sums; everything else is left empty). With at most ``limit + 1`` items,
    the frame is returned unchanged (folding one item into "other" only hides its name).
    """
    items = frame[key].drop_duplicates()
    if len(items) <= limit + 1:
        return frame
    ordered = rank.reindex(items.to_numpy()).fillna(float("-inf")).sort_values(ascending=False, kind="stable")
    kept = set(ordered.index[:limit])
    top, rest = frame[frame[key].isin(kept)], frame[~frame[key].isin(kept)]
    if by:
        summed = rest.groupby(list(by), sort=False, dropna=False)[list(sums)].sum(min_count=1).reset_index()
    else:
        summed = rest[list(sums)].sum(min_count=1).to_frame().T
    summed[key], summed[name] = OTHER_CODE, other_name
    if recompute is not None:
        summed = recompute(summed)
    return pd.concat([top, summed.reindex(columns=frame.columns)], ignore_index=True)


def with_gap_measures(frame: pd.DataFrame) -> pd.DataFrame:
    """Gap and coverage ratio recomputed from summed supply and demand (coverage empty without demand)."""
    supply, demand = frame["supply"].astype(float), frame["demand"].astype(float)
    return frame.assign(gap=supply - demand, coverage_ratio=(supply / demand).where(demand > 0))


def by_largest_gap(frame: pd.DataFrame, key: str) -> pd.Series:
    """Items ranked by the size of their gap, shortage or surplus, over every other dimension."""
    return frame.groupby(key)[["supply", "demand"]].sum().pipe(lambda sums: (sums["supply"] - sums["demand"]).abs())


def with_hire_rate(frame: pd.DataFrame) -> pd.DataFrame:
    """The placement hire rate recomputed from summed students placed and hired."""
    placed = frame["students_placed"].astype(float)
    return frame.assign(placement_hire_rate=(frame["hired"].astype(float) / placed).where(placed > 0))
