"""Excel workbooks (.xlsx) as contract tables.

A workbook is read as one table: its only sheet, or the sheet named after the
table. The sheet is turned into CSV text and then checked exactly like a CSV
file, so line numbers are the sheet's row numbers. What a CSV cannot have is
reported here, precisely: several sheets and none named after the table,
merged cells in the header row, formulas without a saved value.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, time

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .messages import Message

XLSX_SUFFIXES = (".xlsx", ".xlsm")


def is_workbook(name: str) -> bool:
    """True for a file name that says Excel workbook."""
    return name.lower().endswith(XLSX_SUFFIXES)


def workbook_to_csv(data: bytes, table: str) -> tuple[bytes | None, tuple[int, str, Message] | None]:
    """The sheet holding ``table`` as UTF-8 CSV bytes, or ``(None, (line, column, message))``."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        return None, (1, "-", Message("validation.workbook_unreadable", error=str(error)))
    names = workbook.sheetnames
    if len(names) == 1:
        sheet = workbook[names[0]]
    else:
        matching = [n for n in names if n.strip().lower() == table]
        if not matching:
            return None, (1, "-", Message("validation.workbook_sheets", count=len(names), sheets=names, table=table))
        sheet = workbook[matching[0]]
    for merged in sheet.merged_cells.ranges:
        if merged.min_row == 1:
            return None, (1, "-", Message("validation.workbook_merged_header", cells=merged.coord, sheet=sheet.title))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in sheet.iter_rows(values_only=True):
        writer.writerow([_cell_text(value) for value in row])
    return out.getvalue().encode("utf-8"), None


def _cell_text(value: object) -> str:
    """A cell as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"  # 12.0: a whole number, as Excel's CSV would write it
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)
