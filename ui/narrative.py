"""Plain-language sentences computed from query results (no Streamlit here)."""

from __future__ import annotations

import pandas as pd

from .formatting import fmt_count, fmt_ratio


def _place(row: pd.Series) -> str:
    words = [str(row["sector_name"])] if "sector_name" in row else []
    if "region_name" in row:
        words.append(f"in {row['region_name']}")
    return " ".join(words)


def _gap_sentence(row: pd.Series) -> str:
    direction = "fewer" if row["gap"] < 0 else "more"
    return (
        f"{_place(row)}: {fmt_count(abs(row['gap']))} {direction} graduates than openings "
        f"({fmt_count(row['supply'])} against {fmt_count(row['demand'])}; coverage {fmt_ratio(row['coverage_ratio'])})."
    )


def shortage_sentences(gaps: pd.DataFrame, *, limit: int = 3) -> list[str]:
    """The largest shortages (most negative gap first), one sentence each."""
    return [_gap_sentence(row) for _, row in gaps[gaps["gap"] < 0].sort_values("gap").head(limit).iterrows()]


def surplus_sentences(gaps: pd.DataFrame, *, limit: int = 3) -> list[str]:
    """The largest surpluses (most positive gap first), one sentence each."""
    surpluses = gaps[gaps["gap"] > 0].sort_values("gap", ascending=False).head(limit)
    return [_gap_sentence(row) for _, row in surpluses.iterrows()]
