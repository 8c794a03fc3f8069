"""The snapshot zip and the CSV rules every export follows.

CSV rules (the data contract's): UTF-8 with BOM so Excel shows any script,
comma separated, numbers written as numbers, and text cells that begin with
``=``, ``+``, ``-``, ``@``, tab or carriage return prefixed with ``'`` so a
spreadsheet does not run them as formulas.
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from . import __version__, caveats, queries, stored_settings
from .facts import DEMAND, CountMissing
from .filters import Filters
from .i18n import DEFAULT_LANGUAGE, column_labels
from .planning import PlanningSettings, project
from .routing import aggregate, one_data_version
from .summaries import DEFAULT_RATE_SOURCE, DEFAULT_REPLACEMENT_RATE
from .suppression import describe as describe_protection
from .views import SNAPSHOT_VIEWS, VIEWS, read_view, shown

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` written by the contract's CSV rules: UTF-8 with BOM, a header of the column names,
    numbers as numbers (floats in their shortest exact form, whole ones without ".0"), blanks for
    missing values, text cells neutralised against spreadsheet formulas and quoted only where
    needed.

    The cells are formatted, neutralised, quoted and joined column by column in Arrow's compute
    functions rather than cell by cell in Python: about fifteen times faster than pandas' writer on
    the snapshot's hundreds of thousands of rows. A column mixing numbers and text (counts shown as
    "<5" under small-number protection) keeps its numbers as numbers.
    """
    header = io.StringIO()
    csv.writer(header, lineterminator="\r\n").writerow([str(name) for name in frame.columns])
    if frame.empty or not len(frame.columns):
        return b"\xef\xbb\xbf" + header.getvalue().encode("utf-8")
    lines = pc.binary_join_element_wise(
        *[_column_texts(frame[name], lower=name in LOWER_CASE_BOOLEANS) for name in frame.columns], _text(",")
    )
    lines = pc.binary_join_element_wise(lines, _text("\r\n"), _text(""))  # every line ends in CRLF
    # The lines' characters lie one after another in the array's data buffer: that is the body.
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    body = lines.buffers()[2].to_pybytes()[offsets[lines.offset] : offsets[lines.offset + len(lines)]]
    return b"\xef\xbb\xbf" + header.getvalue().encode("utf-8") + body


# yes-or-no columns the contract spells in lower case (version 3: ``measured`` is ``true``/``false``)
LOWER_CASE_BOOLEANS = frozenset({"measured"})


def _column_texts(column: pd.Series, *, lower: bool = False) -> pa.Array:
    """The CSV texts of a column's cells ("" for blanks), as an Arrow large_string array; yes-or-no
    cells as TRUE and FALSE, as a spreadsheet writes them (``lower``: true and false)."""
    if pd.api.types.is_bool_dtype(column):
        yes, no = ("true", "false") if lower else ("TRUE", "FALSE")
        return pa.array(np.where(column.to_numpy(dtype=bool), yes, no), type=pa.large_string())
    if column.dtype != object and not pd.api.types.is_string_dtype(column):
        if pd.api.types.is_float_dtype(column):
            column = column + 0.0  # -0.0 (a small negative rounded) is written 0
        return pc.cast(pa.Array.from_pandas(column), pa.large_string()).fill_null("")
    if pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):  # numbers among text
        # Only the text cells are neutralised: a negative number is a number, not a formula.
        cells = [None if _is_blank(v) else neutralise_cell(v) if isinstance(v, str) else _number_text(v) for v in column]
        return _quoted(pa.array(cells, type=pa.large_string()).fill_null(""), neutralise=False)
    text = pa.array(column, from_pandas=True)  # pandas' Arrow-backed text without copying
    if isinstance(text, pa.ChunkedArray):  # text merged from several frames keeps its chunks
        text = text.combine_chunks()
    text = pc.cast(text, pa.large_string())
    return _quoted(text.fill_null(""), neutralise=True)


def _quoted(text: pa.Array, *, neutralise: bool) -> pa.Array:
    """Text cells with formula triggers prefixed by ``'`` (when ``neutralise``) and CSV quoting where needed."""
    if neutralise:
        risky = pc.match_substring_regex(text, "^[=+\\-@\t\r]")
        text = pc.if_else(risky, pc.binary_join_element_wise(_text("'"), text, _text("")), text)
    needs_quotes = pc.match_substring_regex(text, '[,"\r\n]')
    quoted = pc.binary_join_element_wise(_text('"'), pc.replace_substring(text, '"', '""'), _text('"'), _text(""))
    return pc.if_else(needs_quotes, quoted, text)


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _number_text(value: object) -> str:
    """A number as the numeric columns write it (yes or no as TRUE or FALSE, never -0)."""
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (float, np.floating)):
        value = float(value) + 0.0
    return pc.cast(pa.array([value]), pa.large_string())[0].as_py()


def _is_blank(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def snapshot_frames(session: Session, *, filters: Filters, hide_below: int | None = None) -> dict[str, pd.DataFrame]:
    """Every snapshot view for ``filters``, by file name, protected when ``hide_below`` is set."""
    return {
        view.snapshot_file or view.name: read_view(session, view.name, filters, hide_below).display
        for view in SNAPSHOT_VIEWS
        if view.applies is None or view.applies(session)
    }


def build_snapshot(
    session: Session,
    *,
    filters: Filters,
    hide_below: int | None = None,
    generated_at: datetime | None = None,
    language: str = DEFAULT_LANGUAGE,
    plan: PlanningSettings = PlanningSettings(),
) -> bytes:
    """The snapshot zip for ``filters``: manifest.json and one CSV per view.

    With ``hide_below``, small numbers are hidden exactly as on screen and the
    manifest states the rule. The CSV headers are the contract's column names in
    every language (outside checks read them); the manifest's ``column_labels``
    gives each column's heading in ``language``. ``projections.csv`` follows ``plan``
    (horizon, method, scenario), with the scenario in ``scenario.csv`` and the methods
    and assumptions under ``planning`` in the manifest.
    """
    with one_data_version(session):  # every file of one snapshot is of the same data version
        manifest, frames = snapshot_contents(
            session, filters=filters, hide_below=hide_below, generated_at=generated_at, language=language, plan=plan
        )
    buffer = io.BytesIO()
    # The fastest deflate level: at national scale it halves the compression time for a zip some 20 % larger.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for name, frame in frames.items():
            archive.writestr(name, csv_bytes(frame))
    return buffer.getvalue()


# How exact the numbers of each format are: the CSV files keep what was computed, the workbook what the screen shows.
PRECISION = {
    "csv": "full precision, as computed (weighted counts and projections may be fractional); scripts read these",
    "workbook": "rounded as the screen shows them, and the rounded value is what each cell holds: counts and amounts "
    "whole, rates and growth as percentages with one decimal, coverage and other ratios with two decimals; the CSV "
    "files of the zip snapshot keep the full precision",
}


def snapshot_contents(
    session: Session,
    *,
    filters: Filters,
    hide_below: int | None = None,
    generated_at: datetime | None = None,
    language: str = DEFAULT_LANGUAGE,
    plan: PlanningSettings = PlanningSettings(),
) -> tuple[dict, dict[str, pd.DataFrame]]:
    """What every snapshot holds, whatever its file format: the manifest and the frames by CSV file
    name (protected when ``hide_below`` is set), including projections.csv and scenario.csv for
    ``plan``. The zip (``build_snapshot``) and the workbook (workbook_export.py) are both written
    from it."""
    frames = snapshot_frames(session, filters=filters, hide_below=hide_below)
    planning_note = _planning(session, filters, plan, hide_below, frames)
    manifest = {
        "generated_at": (generated_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        "filters": filters.as_dict(),
        "data_version": queries.current_data_version(session),
        "app_version": __version__,
        "small_number_protection": describe_protection(hide_below),
        "precision": PRECISION,
        "row_counts": {name: int(len(frame)) for name, frame in frames.items()},
        "files": {view.snapshot_file: view.description for view in SNAPSHOT_VIEWS if view.snapshot_file in frames},
        "planning": planning_note,
        "data_calendar": queries.data_calendar_detail(session),
        "caveats": caveats_note(session, filters),
        "comparable_years": queries.comparable_years(session),
        "language": language,
        "column_labels": column_labels(language, sorted({c for frame in frames.values() for c in frame.columns})),
    }
    return manifest, frames


def _planning(
    session: Session, filters: Filters, plan: PlanningSettings, hide_below: int | None, frames: dict[str, pd.DataFrame]
) -> dict:
    """Put the projection for ``plan`` (and its scenario) into ``frames``; returns its methods and assumptions."""
    to_year = plan.horizon(session, filters)
    if to_year is None:
        return {"projected": False, "why": "there is no demand data to project from"}
    result = project(session, to_year=to_year, method=plan.method, filters=filters.with_years(None, None), scenario=plan.scenario)
    frame = result.rows
    frames["projections.csv"] = shown(VIEWS["projections"], frame, hide_below).display
    if plan.scenario:
        frames["scenario.csv"] = pd.DataFrame(
            [
                {"program_code": c.program_code, "region_code": c.region_code or "", "from_year": c.from_year, "change": c.change}
                for c in plan.scenario
            ]
        )
    return {
        **result.assumptions,
        "methods": {
            "trend": "least-squares straight line through the cell's observed years",
            "cagr": "last observed value grown at the compound annual rate between the first and last observed years",
            "ets": "damped additive-trend exponential smoothing, ETS(A,Ad,N), parameters per cell from a grid",
            "auto": "per cell the method with the smallest mean absolute error on its last observed years (up to 3)",
        },
        "supply": "graduates(t) = entrants(t - duration) x completion per program and institution; entrants of later "
        "years as the last observed, changed by the scenario; without entrants, the graduates' own series",
        "estimate": "every figure of projections.csv is an estimate, not an observation",
        "backtest": result.backtest.to_dict(orient="records"),
        "scenario": [
            {"program_code": c.program_code, "region_code": c.region_code, "from_year": c.from_year, "change": c.change}
            for c in plan.scenario
        ],
    }


def unknown_estimates(session: Session, filters: Filters) -> int:
    """How many demand rows within ``filters`` give employment only and lack a year their estimate needs."""
    frame = aggregate(session, DEMAND, filters, [], {"unknown": CountMissing("openings")})
    return int(frame["unknown"].fillna(0).sum()) if len(frame) else 0


def caveats_note(session: Session, filters: Filters) -> dict:
    """The caveats of the data within ``filters``, for the snapshot's manifest: how openings were estimated
    and at which rates, the suppressed cells the figures include, the rounding the publishers state, the
    academic years, and the imports in force."""
    rates = queries.replacement_rates(session)
    missing = queries.regions_missing_a_side(session, filters)
    return {
        "estimated_openings": {
            "any": caveats.has_estimated_openings(session),
            "formula": "openings(t) = max(0, E(t) - E(t-1) + rate x E(t-1)): the net change plus replacement, floored "
            "at 0 as a whole (data contract version 3); E = employment, or its mean over the employment_smoothing years "
            "up to that year; unknown (empty, never 0) in the first year of a series, after a gap, or where a year the "
            "mean needs has no employment",
            "unknown_within_filters": unknown_estimates(session, filters),
            "employment_smoothing": stored_settings.employment_smoothing(session),
            "employment_smoothing_meaning": "years of a trailing moving average of employment taken before the change "
            "is: 1 = off (the default), 2 or 3; set by an editor on the Data page (recorded and undoable)",
            "default_rate": DEFAULT_REPLACEMENT_RATE,
            "default_rate_source": DEFAULT_RATE_SOURCE,
            "rates_used": {code: float(rate) for code, rate in zip(rates["sector_code"], rates["rate_used"])},
            "rates_stated": sorted(rates.loc[rates["stated"], "sector_code"]),
            "marked_in": "supply_demand.csv and every view with demand: column demand_estimated",
        },
        "suppressed_cells": {
            "within_filters": {
                table: caveats.suppressed_total(session, filters, (table,)) for table in ("enrolments", "outcomes", "demand")
            },
            "meaning": "cells a published file suppressed: unknown, not zero; a figure that includes them is a lower bound "
            "(column suppressed_cells)",
        },
        "rounding": caveats.roundings(session),
        "year_labels": {str(year): label for year, label in sorted(caveats.year_labels(session).items())},
        "academic_year_tables": caveats.academic_year_tables(session),
        "regions_missing_a_side": missing[["year", "region_code", "missing"]].to_dict(orient="records"),
        "imports": [{"version": r["load_id"], "title": r["title"], "report": r["report"]} for r in caveats.imports(session)],
    }
