"""Plain-language sentences computed from query results, in the current language
(whole-sentence templates in ``locales/<language>/takeaways.toml``; no widgets here)."""

from __future__ import annotations

import pandas as pd

from .formatting import fmt_count, fmt_ratio
from .i18n import t


def _gap_sentence(row: pd.Series) -> str:
    """ "Health in North: 30 fewer graduates than openings (…)" for a sector, or a sector in a region."""
    key = "narrative.shortage" if row["gap"] < 0 else "narrative.surplus"
    if "region_name" in row:
        key += "_in_region"
    return t(
        key,
        sector=row.get("sector_name", ""),
        region=row.get("region_name", ""),
        gap=fmt_count(abs(row["gap"])),
        supply=fmt_count(row["supply"]),
        demand=fmt_count(row["demand"]),
        coverage=fmt_ratio(row["coverage_ratio"]),
    )


def shortage_sentences(gaps: pd.DataFrame, *, limit: int = 3) -> list[str]:
    """The largest shortages (most negative gap first), one sentence each."""
    return [_gap_sentence(row) for _, row in gaps[gaps["gap"] < 0].sort_values("gap").head(limit).iterrows()]


def surplus_sentences(gaps: pd.DataFrame, *, limit: int = 3) -> list[str]:
    """The largest surpluses (most positive gap first), one sentence each."""
    surpluses = gaps[gaps["gap"] > 0].sort_values("gap", ascending=False).head(limit)
    return [_gap_sentence(row) for _, row in surpluses.iterrows()]
