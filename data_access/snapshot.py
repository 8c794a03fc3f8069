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
from datetime import datetime, timezone

import pandas as pd
from sqlalchemy.orm import Session

from . import __version__, queries
from .filters import Filters
from .i18n import DEFAULT_LANGUAGE, column_labels
from .suppression import describe as describe_protection
from .suppression import protect
from .views import SNAPSHOT_VIEWS

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
            # Built as object on purpose: Series.map would turn whole numbers next to blanks into floats (60.0).
            safe[column] = pd.Series([neutralise_cell(v) for v in safe[column]], index=safe.index, dtype=object)
    text = safe.to_csv(index=False, lineterminator="\r\n", float_format=_float_format)
    return text.encode("utf-8-sig")


def _float_format(value: float) -> str:
    # repr gives the shortest text that reads back as the same float.
    return "" if math.isnan(value) else repr(float(value))


def snapshot_frames(session: Session, *, filters: Filters, hide_below: int | None = None) -> dict[str, pd.DataFrame]:
    """Every snapshot view for ``filters``, by file name, protected when ``hide_below`` is set."""
    frames = {}
    for view in SNAPSHOT_VIEWS:
        frame = view.run(session, filters)
        frames[view.snapshot_file] = protect(frame, view, hide_below).for_display() if hide_below else frame
    return frames


def build_snapshot(
    session: Session, *, filters: Filters, hide_below: int | None = None, generated_at: datetime | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> bytes:
    """The snapshot zip for ``filters``: manifest.json and one CSV per view.

    With ``hide_below``, small numbers are hidden exactly as on screen and the
    manifest states the rule. The CSV headers are the contract's column names in
    every language (outside checks read them); the manifest's ``column_labels``
    gives each column's heading in ``language``.
    """
    frames = snapshot_frames(session, filters=filters, hide_below=hide_below)
    manifest = {
        "generated_at": (generated_at or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "filters": filters.as_dict(),
        "data_version": queries.current_data_version(session),
        "app_version": __version__,
        "small_number_protection": describe_protection(hide_below),
        "row_counts": {name: int(len(frame)) for name, frame in frames.items()},
        "files": {view.snapshot_file: view.description for view in SNAPSHOT_VIEWS},
        "language": language,
        "column_labels": column_labels(language, sorted({c for frame in frames.values() for c in frame.columns})),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for name, frame in frames.items():
            archive.writestr(name, csv_bytes(frame))
    return buffer.getvalue()
