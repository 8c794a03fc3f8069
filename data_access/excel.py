"""Excel workbooks (.xlsx) as contract tables.

A workbook is read as one table: its only sheet, or the sheet named after the
table. The sheet is turned into CSV text and then checked exactly like a CSV
file, so line numbers are the sheet's row numbers. What a CSV cannot have is
reported here, precisely: several sheets and none named after the table,
merged cells in the header row. A formula counts by the value Excel saved with it.

Anyone may upload a workbook to be checked, so reading one never trusts what it
declares. openpyxl reads the package, shared strings and styles (read-only
mode) and gives each cell its value; the sheet itself is pulled in chunks, one
cell at a time, so memory stays bounded whatever the sheet says: its declared
size (``<dimension ref="A1:XFD1048576">``) is never used, empty cells after
the last value of a row and empty rows after the last row with a value are not
written, and a workbook past the limits below is refused with the limit in the
message. A workbook that cannot be read at all gets a one-line reason.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import cast
from xml.etree.ElementTree import Element, XMLPullParser

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.worksheet._reader import WorkSheetParser  # openpyxl's own cell reading (read-only mode uses it)
from openpyxl.xml.constants import SHEET_MAIN_NS

from .messages import Message

XLSX_SUFFIXES = (".xlsx", ".xlsm")

# Limits of a sheet (README, "Loading your own data"). Past one, the workbook is refused.
MAX_ROWS = 1_048_576  # Excel's own last row
MAX_COLUMNS = 100  # columns holding values; the widest table has 10
MAX_CELLS = 20_000_000  # cells in the sheet's file, empty formatted ones included
MAX_TEXT = 200_000_000  # characters of the sheet as CSV text
MAX_PART_BYTES = 64 * 1024 * 1024  # unpacked size of each part other than sheets (shared strings, styles, ...)

# Guards against sheet XML no spreadsheet program writes (reported as an unreadable workbook).
_CHUNK = 64 * 1024
_MAX_QUIET_BYTES = 1024 * 1024  # XML read without a tag starting or ending: a giant text or tag
_MAX_DEPTH = 64
_MAX_CELL_ELEMENTS = 10_000  # elements inside one cell (rich text runs)
_MAX_OTHER_ELEMENTS = 1_000_000  # elements that are neither rows nor cells (merges, column widths, ...)

_ROW, _CELL = f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}c"
_MERGE = f"{{{SHEET_MAIN_NS}}}mergeCell"
Problem = tuple[int, str, Message]


class _Refused(Exception):
    """The workbook cannot be taken; ``problem`` is ``(line, column, message)``."""

    def __init__(self, line: int, message: Message) -> None:
        super().__init__(str(message))
        self.problem: Problem = (line, "-", message)


class _Unreadable(Exception):
    """The sheet's XML is not what a spreadsheet program writes; the text says what was found."""


def is_workbook(name: str) -> bool:
    """True for a file name that says Excel workbook."""
    return name.lower().endswith(XLSX_SUFFIXES)


def workbook_to_csv(data: bytes, table: str, *, rows: int | None = None) -> tuple[bytes | None, Problem | None]:
    """The sheet holding ``table`` as UTF-8 CSV bytes, or ``(None, (line, column, message))``.

    With ``rows``, only the sheet's first ``rows`` rows holding a value are read (a preview);
    the merged-header check then needs the whole sheet and is left to validation.
    """
    try:
        return _sheet_as_csv(data, table, rows), None
    except _Refused as refused:
        return None, refused.problem
    except MemoryError:
        raise
    except Exception as error:  # whatever a damaged package makes openpyxl or zipfile raise
        return None, (1, "-", Message("validation.workbook_unreadable", error=_one_line(error)))


def _sheet_as_csv(data: bytes, table: str, rows: int | None) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        _check_part_sizes(archive)
    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    try:
        _read_workbook(reader)
        sheets = {sheet.name: rel.target for sheet, rel in reader.parser.find_sheets() if rel.target in reader.valid_files}
        names = list(sheets)
        if len(names) == 1:
            title = names[0]
        else:
            matching = [n for n in names if n.strip().lower() == table]
            if not matching:
                raise _Refused(1, Message("validation.workbook_sheets", count=len(names), sheets=names, table=table))
            title = matching[0]
        cells = WorkSheetParser(
            None,
            reader.shared_strings,
            data_only=True,
            epoch=reader.wb.epoch,
            date_formats=reader.wb._date_formats,
            timedelta_formats=reader.wb._timedelta_formats,
        )
        try:
            with reader.archive.open(sheets[title]) as stream:
                sheet = _SheetReader(stream, cells)
                text = _write_csv(sheet.rows(), rows)
        except (_Refused, MemoryError):
            raise
        except Exception as error:  # ParseError, _Unreadable, a cell openpyxl cannot read: name the broken part
            raise _Refused(1, Message("validation.workbook_unreadable", error=f"{sheets[title]}: {_one_line(error)}")) from None
        if rows is None and sheet.merged_header:
            raise _Refused(1, Message("validation.workbook_merged_header", cells=sheet.merged_header, sheet=title))
        return text.encode("utf-8")
    finally:
        reader.archive.close()


def _check_part_sizes(archive: zipfile.ZipFile) -> None:
    """Refuse an XML part other than a sheet that would unpack past MAX_PART_BYTES: openpyxl reads
    those whole (zipfile never unpacks more than a part's stated size)."""
    for part in archive.infolist():
        read_whole = part.filename.endswith((".xml", ".rels")) and "worksheets/" not in part.filename
        if read_whole and part.file_size > MAX_PART_BYTES:
            raise _Refused(
                1,
                Message(
                    "validation.workbook_part_too_large",
                    part=part.filename,
                    size=f"{part.file_size / 1024 / 1024:,.1f}",
                    limit=f"{MAX_PART_BYTES / 1024 / 1024:,.0f}",
                ),
            )


def _read_workbook(reader: ExcelReader) -> None:
    """The steps of ``openpyxl.load_workbook`` (read-only) up to the worksheets: the package, shared
    strings, workbook and styles. openpyxl would then measure each sheet by reading it through when
    it states no size; here the one sheet needed is read once, by ``_SheetReader``."""
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)  # which number formats are dates


class _SheetReader:
    """The rows of a sheet's XML that hold a value, read in chunks within the limits above.

    ``rows()`` yields ``(row number, {column number: text})``; after it is exhausted,
    ``merged_header`` names the first merged range that touches row 1 (None if none).
    """

    def __init__(self, stream, cells: WorkSheetParser) -> None:
        self.stream, self.cells = stream, cells
        self.merged_header: str | None = None

    def rows(self) -> Iterator[tuple[int, dict[int, str]]]:
        parser: XMLPullParser = XMLPullParser(events=("start", "end"))
        open_elements: list[Element] = []  # the path from the root to the element being read
        row_number = 0
        values: dict[int, str] = {}
        in_cell, cell_elements, cells_read, other_elements, quiet = False, 0, 0, 0, 0
        while True:
            chunk = self.stream.read(_CHUNK)
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
            seen = False
            for event, item in cast(Iterator[tuple[str, Element]], parser.read_events()):
                element = item  # with only start and end events, every item is an element (typeshed allows others)
                seen = True
                if event == "start":
                    open_elements.append(element)
                    if len(open_elements) > _MAX_DEPTH:
                        raise _Unreadable(f"elements nested more than {_MAX_DEPTH} deep")
                    if in_cell:
                        cell_elements += 1
                        if cell_elements > _MAX_CELL_ELEMENTS:
                            raise _Unreadable(f"more than {_MAX_CELL_ELEMENTS:,} elements in one cell of row {row_number}")
                    elif element.tag == _CELL:
                        in_cell, cell_elements, cells_read = True, 0, cells_read + 1
                        if cells_read > MAX_CELLS:
                            raise _Refused(row_number, Message("validation.workbook_too_many_cells", limit=f"{MAX_CELLS:,}"))
                    elif element.tag == _ROW:
                        row_number = self._start_row(element, row_number)
                        values = {}
                    else:
                        other_elements += 1
                        if other_elements > _MAX_OTHER_ELEMENTS:
                            raise _Unreadable(f"more than {_MAX_OTHER_ELEMENTS:,} elements besides rows and cells")
                    continue
                open_elements.pop()
                if in_cell and element.tag != _CELL:
                    continue  # a part of the cell (its value, its text runs): read with the cell
                if element.tag == _CELL:
                    in_cell = False
                    self._read_cell(element, row_number, values)
                elif element.tag == _ROW and values:
                    yield row_number, values
                elif element.tag == _MERGE and self.merged_header is None:
                    self._note_merge(element.get("ref") or "")
                element.clear()
                if open_elements:
                    open_elements[-1].remove(element)  # read and done with: nothing of the sheet piles up
            quiet = 0 if seen else quiet + len(chunk)
            if quiet > _MAX_QUIET_BYTES:
                raise _Unreadable(f"more than {_MAX_QUIET_BYTES // 1024 // 1024} MB of XML without a tag")
            if not chunk:
                return

    def _start_row(self, element: Element, previous: int) -> int:
        """The number of the row ``element`` starts (its ``r``, else the one after ``previous``)."""
        number = int(element.get("r") or previous + 1)
        if number > MAX_ROWS:
            raise _Refused(1, Message("validation.workbook_too_long", row=f"{number:,}", limit=f"{MAX_ROWS:,}"))
        if number <= previous:
            raise _Unreadable(f"row {number} comes after row {previous}")
        self.cells.row_counter, self.cells.col_counter = number, 0
        return number

    def _read_cell(self, element: Element, row_number: int, values: dict[int, str]) -> None:
        cell = self.cells.parse_cell(element)  # openpyxl: shared strings, numbers, dates, booleans
        text = _cell_text(cell["value"])
        if not text:
            return  # an empty (formatted) cell: never stored, wherever it is
        column = cell["column"]
        if column > MAX_COLUMNS:
            raise _Refused(
                row_number,
                Message(
                    "validation.workbook_too_wide",
                    cell=f"{get_column_letter(column)}{row_number}",
                    last=get_column_letter(MAX_COLUMNS),
                    limit=MAX_COLUMNS,
                ),
            )
        values[column] = text

    def _note_merge(self, ref: str) -> None:
        if range_boundaries(ref)[1] == 1:
            self.merged_header = ref


def _write_csv(rows: Iterator[tuple[int, dict[int, str]]], limit: int | None) -> str:
    """Rows as CSV text, a blank line for every row without a value above the last one that has one."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    written, last = 0, 0
    for number, values in rows:
        out.write("\n" * (number - last - 1))
        writer.writerow([values.get(column, "") for column in range(1, max(values) + 1)])
        written, last = written + 1, number
        if out.tell() > MAX_TEXT:
            raise _Refused(number, Message("validation.workbook_too_much_text", limit=f"{MAX_TEXT:,}"))
        if limit is not None and written >= limit:
            break
    return out.getvalue()


def _one_line(error: BaseException) -> str:
    """The first line of an error's text, or its kind when it has none."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


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
