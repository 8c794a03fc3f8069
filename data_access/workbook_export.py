"""The snapshot as an Excel workbook: the same frames and manifest as the zip, for readers who
open it in a spreadsheet.

One sheet per CSV of the zip (named after the file, without ".csv", in English; in another language by
the catalogue's name for it, ``workbook.sheet_*``) and a first sheet "manifest" with the manifest flattened to two columns: a key path and its value (lists as
JSON text). Each sheet's first row holds the columns' headings in the workbook's language,
bold, frozen and with a filter. Numbers are rounded as the screen shows them, and the rounded
value is what the cell holds: counts and amounts whole (``#,##0``), rates and growth as
percentages with one decimal (``0.0%``), coverage and other ratios with two decimals
(``0.00``), years without a thousands separator. Text stays text, exactly as written: a
count hidden by small-number protection reads "<5", and a text cell that begins with ``=``,
``+``, ``-``, ``@``, tab or carriage return is stored as a string (never a formula) with
Excel's quote prefix, not with the ``'`` the CSV files put before it.

The workbook is written in openpyxl's write-only mode: rows stream to the file as they are
made, so memory stays bounded by the frames themselves at national scale.
"""

from __future__ import annotations

import io
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from sqlalchemy.orm import Session

from .filters import Filters
from .i18n import DEFAULT_LANGUAGE, catalogue, column_labels, supported, translate
from .planning import PlanningSettings
from .snapshot import FORMULA_TRIGGERS, snapshot_contents
from .views import VIEWS

WHOLE, PERCENT, RATIO, YEAR = "#,##0", "0.0%", "0.00", "0"
DECIMALS = {WHOLE: 0, PERCENT: 3, RATIO: 2, YEAR: 0}  # digits the value is rounded to (a percentage's are of the fraction)

YEARS = frozenset({"year", "cohort_year", "outcomes_cohort", "from_year", "partner_since", "last_known_year"})
# Whole numbers besides the views' counts and amounts: numbers of things, money, and the placements per 100
# openings, which the Placements page shows whole.
OTHER_WHOLE = frozenset(
    {
        "institutions",
        "partners",
        "employers_with_capacity",
        "placement_capacity",
        "years_hosting",
        "tenure_years",
        "entrants",
        "observed_years",
        "suppressed_cells",
        "wage_employment_weighted",
        "placed_per_100_openings",
        # how many cells and regions a figure or a comparison rests on (data_access/panel.py)
        "measured_cells",
        "cells",
        "common_cells",
        "cells_not_projected",
        "regions",
        "regions_of",
        "regions_compared",
        "regions_reporting",
        "graduates_regions",
        "graduates_regions_of",
        "openings_regions",
        "openings_regions_of",
    }
)
WHOLE_COLUMNS = frozenset({c for view in VIEWS.values() for c in (*view.counts, *view.amounts)} | OTHER_WHOLE)
OTHER_PERCENT = frozenset({"capacity_use", "share", "completion", "change"})  # change: a scenario's change of intake
OTHER_RATIO = frozenset({"graduates_per_enrolled", "factor"})

SHEET_NAME_LIMIT = 31
CELL_TEXT_LIMIT = 32_767  # the most characters a spreadsheet cell holds
WIDTH_SAMPLE = 200  # rows whose values set a column's width (with its heading)
CHUNK_ROWS = 10_000
WIDTH_LIMIT = 60
MANIFEST_SHEET = "manifest"


def number_format(column: str) -> str | None:
    """The number format of a snapshot column by its name (None for text and yes-or-no columns)."""
    if column in YEARS:
        return YEAR
    if column in WHOLE_COLUMNS:  # before the rates: supply_without_rate is a count
        return WHOLE
    if column.endswith(("_rate", "_growth")) or column in OTHER_PERCENT:
        return PERCENT
    if "coverage" in column or column in OTHER_RATIO:
        return RATIO
    return None


def build_workbook(
    session: Session,
    *,
    filters: Filters,
    hide_below: int | None = None,
    language: str = DEFAULT_LANGUAGE,
    plan: PlanningSettings = PlanningSettings(),
    generated_at: datetime | None = None,
) -> bytes:
    """The snapshot for ``filters`` as an .xlsx workbook: the zip's manifest and frames
    (data_access.snapshot.snapshot_contents), headed in ``language``."""
    manifest, frames = snapshot_contents(
        session, filters=filters, hide_below=hide_below, generated_at=generated_at, language=language, plan=plan
    )
    return workbook_bytes(manifest, frames, language)


def workbook_bytes(manifest: dict, frames: dict[str, pd.DataFrame], language: str = DEFAULT_LANGUAGE) -> bytes:
    """The workbook of a manifest and the frames by CSV file name: the manifest sheet, then one sheet per frame."""
    book = Workbook(write_only=True)
    names = sheet_titles([MANIFEST_SHEET, *frames], language)
    _write_manifest(book, names[0], manifest, language)
    for sheet, frame in zip(names[1:], frames.values()):
        _write_frame(book, sheet, frame, language)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_titles(file_names: list[str], language: str = DEFAULT_LANGUAGE) -> list[str]:
    """The sheets' names in ``language``: each file's name in the catalogue (``workbook.sheet_<name without .csv>``;
    in English the file's own name), else the file's name, made valid and unique by ``sheet_names``."""
    texts = catalogue(supported(language))
    return sheet_names([texts.get(f"workbook.sheet_{name.removesuffix('.csv')}", name) for name in file_names])


def sheet_names(file_names: list[str]) -> list[str]:
    """A sheet name per file: the name without ".csv", without the characters a sheet name may not hold,
    at most 31 characters, and unique (a spreadsheet compares sheet names without case)."""
    names: list[str] = []
    taken: set[str] = set()
    for file_name in file_names:
        base = re.sub(r"[\[\]:*?/\\]", "_", file_name.removesuffix(".csv")).strip("'") or "sheet"
        name, number = base[:SHEET_NAME_LIMIT], 1
        while name.casefold() in taken:
            number += 1
            suffix = f"~{number}"
            name = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


def _write_frame(book: Workbook, title: str, frame: pd.DataFrame, language: str) -> None:
    sheet = book.create_sheet(title)
    headings = column_labels(language, frame.columns)
    formats = [number_format(str(column)) for column in frame.columns]
    sample = [_cell_values(frame[column].iloc[:WIDTH_SAMPLE], fmt, sheet) for column, fmt in zip(frame.columns, formats)]
    widths = [
        _width([headings[column], *(_shown(value, fmt) for value in values)])
        for column, fmt, values in zip(frame.columns, formats, sample)
    ]
    _start(sheet, [headings[column] for column in frame.columns], widths, len(frame))
    # One cell per number column, filled anew for every row (openpyxl writes a row as soon as it is appended);
    # text and yes-or-no cells go in as plain values.
    formatted: list[Cell | None] = []
    for fmt in formats:
        cell = None
        if fmt:
            cell = WriteOnlyCell(sheet)
            cell.number_format = fmt
        formatted.append(cell)
    for start in range(0, len(frame), CHUNK_ROWS):  # cell values made a chunk at a time: memory stays bounded
        chunk = frame.iloc[start : start + CHUNK_ROWS]
        columns = [_cell_values(chunk[column], fmt, sheet) for column, fmt in zip(frame.columns, formats)]
        for row in zip(*columns):
            sheet.append([value if cell is None else _filled(cell, value) for cell, value in zip(formatted, row)])


def _write_manifest(book: Workbook, title: str, manifest: dict, language: str) -> None:
    sheet = book.create_sheet(title)
    rows = [[_plain(key, sheet), _plain(value, sheet)] for key, value in _flattened("", manifest)]
    headings = [translate(language, "workbook.item"), translate(language, "workbook.value")]
    widths = [_width([heading, *(_shown(row[index], None) for row in rows)]) for index, heading in enumerate(headings)]
    _start(sheet, headings, widths, len(rows))
    for row in rows:
        sheet.append(row)


def _start(sheet, headings: list[str], widths: list[float], rows: int) -> None:
    """Column widths, the frozen heading row and its filter (all before the first row, as write-only
    mode requires), then the heading row in bold."""
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    if headings:
        sheet.auto_filter = AutoFilter(ref=f"A1:{get_column_letter(len(headings))}{rows + 1}")
    bold = Font(bold=True)
    heading_cells = []
    for heading in headings:
        text = _text(heading, sheet)
        cell = text if isinstance(text, Cell) else WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        cell.font = bold
        heading_cells.append(cell)
    sheet.append(heading_cells)


def _filled(cell: WriteOnlyCell, value: object) -> object:
    """``cell`` holding ``value`` (a value that is already a cell goes in as it is; None leaves the cell out)."""
    if value is None or isinstance(value, Cell):
        return value
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _cell_values(column: pd.Series, fmt: str | None, sheet) -> list:
    """A column's cells as ``sheet`` holds them: numbers rounded for ``fmt`` (whole ones as int), text
    made safe (texts among numbers, such as "<5" of a hidden count, stay text), blanks as None."""
    if fmt is None:
        return [_plain(value, sheet) for value in column.tolist()]
    numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    rounded = np.round(numbers, DECIMALS[fmt])
    whole = DECIMALS[fmt] == 0
    originals = None if pd.api.types.is_numeric_dtype(column) else column.tolist()
    values: list = []
    for index, number in enumerate(rounded.tolist()):
        original = originals[index] if originals is not None else None
        if isinstance(original, str):
            values.append(_text(original, sheet) if original else None)
        elif not math.isfinite(number):
            values.append(None)
        else:
            values.append(int(number) if whole else number + 0.0)  # + 0.0: no negative zero
    return values


def _plain(value: object, sheet) -> object:
    """A cell without number format: text made safe, yes-or-no as a boolean, blanks as None."""
    if isinstance(value, str):
        return _text(value, sheet) if value else None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _text(value: str, sheet) -> object:
    """A text as a cell holds it: exactly as written (a code such as ``-R02`` stays ``-R02``), without the control
    characters a workbook cannot hold, and no longer than a cell holds.

    A cell typed as text (``data_type`` "s") is never run as a formula, so the CSV files' ``'`` prefix is not
    needed here and would change the text. openpyxl would store a text beginning with "=" as a formula and an
    error word ("#N/A") as an error: such texts go in as cells typed as text. A text that begins like a formula
    (``FORMULA_TRIGGERS``) also gets Excel's quote prefix, the style of a cell typed with a leading ``'``, so that
    editing the cell in Excel keeps it text."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value)[:CELL_TEXT_LIMIT]
    formula_like = text.startswith(FORMULA_TRIGGERS)
    if formula_like or text in ERROR_CODES:
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # written as a string whatever it holds
        cell.quotePrefix = formula_like
        return cell
    return text


def _readable(value: object) -> object:
    """``value`` with every fraction in it rounded as a reader takes it in: 100 and more to a whole number,
    less to four significant digits (the workbook is rounded; manifest.json keeps full precision)."""
    if isinstance(value, float) and math.isfinite(value) and value != int(value):
        return round(value) if abs(value) >= 100 else float(f"{value:.4g}")
    if isinstance(value, dict):
        return {key: _readable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_readable(item) for item in value]
    return value


def _flattened(prefix: str, value: object) -> Iterator[tuple[str, object]]:
    """(key path, value) for every leaf of the manifest: a dict's entries one by one (``planning.method``),
    a list as JSON text, or item by item (``caveats.imports[0]``) when its text would not fit in a cell;
    fractions rounded (``_readable``)."""
    value = _readable(value)
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _flattened(f"{prefix}.{key}" if prefix else str(key), item)
    elif isinstance(value, dict | list | tuple):
        text = json.dumps(value, ensure_ascii=False)
        if len(text) <= CELL_TEXT_LIMIT or not value:
            yield prefix, text
        else:
            for index, item in enumerate(value):  # an item that fits in a cell stays whole, as JSON
                whole = json.dumps(item, ensure_ascii=False) if isinstance(item, dict | list | tuple) else None
                if whole is not None and len(whole) <= CELL_TEXT_LIMIT:
                    yield f"{prefix}[{index}]", whole
                else:
                    yield from _flattened(f"{prefix}[{index}]", item)
    else:
        yield prefix, value


def _shown(value: object, fmt: str | None) -> str:
    """Roughly the text a spreadsheet shows for a cell, for the column's width."""
    if isinstance(value, Cell):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if fmt == PERCENT:
        return f"{100 * value:.1f}%"
    if fmt == RATIO:
        return f"{value:.2f}"
    if fmt == WHOLE:
        return f"{value:,.0f}"
    return str(value)


def _width(texts: list[str]) -> float:
    """A column width (in characters) that fits the longest of ``texts``, a wide (Chinese) character counting
    twice; between 6 and 60."""
    longest = max((sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text) for text in texts), default=0)
    return float(min(max(longest + 2, 6), WIDTH_LIMIT))
