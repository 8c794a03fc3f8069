"""The snapshot zip and the CSV rules every export follows.

CSV rules (the data contract's): UTF-8 with BOM so Excel shows any script,
comma separated, numbers written as numbers, and text cells that begin with
``=``, ``+``, ``-``, ``@``, tab or carriage return prefixed with ``'`` so a
spreadsheet does not run them as formulas.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import pandas as pd
from sqlalchemy.orm import Session

from . import __version__, queries
from .filters import Filters

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` written by the contract's CSV rules."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_cell)
    text = safe.to_csv(index=False, lineterminator="\r\n", float_format=_float_format)
    return text.encode("utf-8-sig")


def _float_format(value: float) -> str:
    # repr gives the shortest text that reads back as the same float.
    return "" if math.isnan(value) else repr(float(value))


@dataclass(frozen=True)
class SnapshotTable:
    """One CSV of the snapshot and the query that makes it."""

    file_name: str
    query: Callable[..., pd.DataFrame]
    description: str


SNAPSHOT_TABLES: tuple[SnapshotTable, ...] = (
    SnapshotTable(
        "supply_demand.csv",
        queries.supply_demand_detail,
        "one row per (year, region, sector) with supply, demand, gap and coverage_ratio",
    ),
    SnapshotTable("overview.csv", queries.headline_by_year, "the Overview's headline figures per year"),
)


def snapshot_frames(session: Session, *, filters: Filters) -> dict[str, pd.DataFrame]:
    """Every snapshot table for ``filters``, by file name."""
    return {table.file_name: table.query(session, filters=filters) for table in SNAPSHOT_TABLES}


def build_snapshot(session: Session, *, filters: Filters, generated_at: datetime | None = None) -> bytes:
    """The snapshot zip for ``filters``: manifest.json and one CSV per view."""
    frames = snapshot_frames(session, filters=filters)
    manifest = {
        "generated_at": (generated_at or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "filters": filters.as_dict(),
        "data_version": queries.current_data_version(session),
        "app_version": __version__,
        "row_counts": {name: int(len(frame)) for name, frame in frames.items()},
        "files": {table.file_name: table.description for table in SNAPSHOT_TABLES},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for name, frame in frames.items():
            archive.writestr(name, csv_bytes(frame))
    return buffer.getvalue()
