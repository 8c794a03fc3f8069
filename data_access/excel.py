"""Excel workbooks (.xlsx) as contract tables.

A workbook is read as one table: its only sheet, or the sheet named after the
table. The sheet is turned into CSV text and then checked exactly like a CSV
file, so line numbers are the sheet's row numbers. What a CSV cannot have is
reported here, precisely: several sheets and none named after the table,
merged cells in the header row. A formula counts by the value Excel saved with it.

Anyone may upload a workbook to be checked, so reading one never trusts what it
declares. openpyxl reads the package, shared strings and styles (read-only
mode) and gives each cell its value; the sheet itself is pulled in chunks
through an XML parser that calls back element by element, so memory stays
bounded whatever the sheet says, and so does time: a sheet that declares more
cells than MAX_CELLS (``<dimension ref="A1:XFD1048576">``) is refused before
any cell is read, the cells present are counted as they stream by (an empty
formatted cell costs a count, never openpyxl's reading of a cell) and the sheet
is refused at the first cell past the limit. Empty cells after the last value
of a row and empty rows after the last row with a value are not written, and a
workbook past the limits below is refused with the limit in the message. A
workbook that cannot be read at all gets a one-line reason.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from xml.etree.ElementTree import Element, TreeBuilder, XMLParser

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter, range_boundaries
from openpyxl.worksheet._reader import WorkSheetParser  # openpyxl's own cell reading (read-only mode uses it)
from openpyxl.xml.constants import SHEET_MAIN_NS

from . import budget
from .messages import Message, echoed, echoed_names

XLSX_SUFFIXES = (".xlsx", ".xlsm")

# Limits of a sheet (README, "Loading your own data"). Past one, the workbook is refused.
MAX_ROWS = 1_048_576  # Excel's own last row
MAX_COLUMNS = 100  # columns holding values; the widest table has 10
# Cells a sheet may declare (its <dimension>) or hold, empty formatted ones included: 3,000,000 is 300,000
# rows of the widest table, and a sheet of that many empty formatted cells is read in a few seconds.
MAX_CELLS = 3_000_000
MAX_TEXT = 200_000_000  # characters of the sheet as CSV text
MAX_PART_BYTES = 64 * 1024 * 1024  # unpacked size of each part other than sheets (shared strings, styles, ...)

# Guards against sheet XML no spreadsheet program writes (reported as an unreadable workbook).
_CHUNK = 64 * 1024
_MAX_QUIET_BYTES = 1024 * 1024  # XML read without a tag starting or ending: a giant text or tag
_MAX_DEPTH = 64
_MAX_CELL_ELEMENTS = 10_000  # elements inside one cell (rich text runs)
_MAX_OTHER_ELEMENTS = 1_000_000  # elements that are neither rows nor cells (merges, column widths, ...)

_ROW, _CELL = f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}c"
_MERGE, _DIMENSION = f"{{{SHEET_MAIN_NS}}}mergeCell", f"{{{SHEET_MAIN_NS}}}dimension"
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


# Spreadsheet files that are not read: the Excel 97-2003 workbook, Excel's binary workbook, OpenDocument, Apple
# Numbers and WPS Spreadsheets (common on Chinese-locale machines). Each saves as .xlsx or CSV.
UNREAD_SPREADSHEET_SUFFIXES = (".xls", ".xlsb", ".ods", ".numbers", ".et")


def unread_spreadsheet(name: str) -> Message | None:
    """Why a spreadsheet file that is not read is not (save it as .xlsx or CSV), or None for any other file."""
    suffix = Path(name).suffix.lower()
    if suffix not in UNREAD_SPREADSHEET_SUFFIXES:
        return None
    return Message("validation.spreadsheet_not_read", kind=suffix)


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
        title = _sheet_of(list(sheets), table)
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
                sheet = _SheetReader(stream, cells, title)
                text = _write_csv(sheet.rows(), rows)
        except (_Refused, MemoryError):
            raise
        except Exception as error:  # ParseError, _Unreadable, a cell openpyxl cannot read: name the broken part
            raise _Refused(1, Message("validation.workbook_unreadable", error=f"{sheets[title]}: {_one_line(error)}")) from None
        if rows is None and sheet.merged_header:
            raise _Refused(
                1, Message("validation.workbook_merged_header", cells=echoed(sheet.merged_header), sheet=echoed(title))
            )
        return text.encode("utf-8")
    finally:
        reader.archive.close()


def _sheet_of(names: list[str], table: str) -> str:
    """The sheet holding ``table``: the only one, else the one named after it (without regard to case and
    surrounding spaces; two such sheets are refused, naming both, rather than one taken silently)."""
    if len(names) == 1:
        return names[0]
    matching = [name for name in names if name.strip().lower() == table]
    if not matching:
        raise _Refused(1, Message("validation.workbook_sheets", count=len(names), sheets=echoed_names(names), table=table))
    if len(matching) > 1:
        quoted = [f'"{echoed(name)}"' for name in matching]
        raise _Refused(1, Message("validation.workbook_sheets_alike", count=len(matching), sheets=quoted, table=table))
    return matching[0]


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
    ``merged_header`` names the first merged range that touches row 1 (None if none). The XML
    parser calls ``start``, ``data`` and ``end`` element by element (the parser's target): only a
    cell with something inside it is built as an element for openpyxl to read; an empty one,
    formatted or not, is counted and passed over.
    """

    def __init__(self, stream, cells: WorkSheetParser, sheet: str) -> None:
        self.stream, self.cells, self.sheet = stream, cells, sheet
        self.merged_header: str | None = None
        self._done: list[tuple[int, dict[int, str]]] = []  # rows ended in the chunk being parsed
        self._depth, self._row = 0, 0
        self._values: dict[int, str] = {}
        self._cells_read, self._other_elements, self._tags_seen = 0, 0, False
        self._cell: dict[str, str] | None = None  # the attributes of the cell being read
        self._cell_depth, self._cell_elements = 0, 0
        self._inside: TreeBuilder | None = None  # the cell as an element, once it has something inside it
        self._skipped: tuple[str | None, int] | None = None  # since the last cell read: last reference, cells after it

    def rows(self) -> Iterator[tuple[int, dict[int, str]]]:
        parser = XMLParser(target=self)
        quiet = 0
        while True:
            budget.check()
            chunk = self.stream.read(_CHUNK)
            self._tags_seen = False
            try:
                if chunk:
                    parser.feed(chunk)
                else:
                    parser.close()
            except Exception:
                yield from self._done  # the rows above what stopped the parser: a preview may need no more
                raise
            yield from self._done
            self._done = []
            quiet = 0 if self._tags_seen else quiet + len(chunk)
            if quiet > _MAX_QUIET_BYTES:
                raise _Unreadable(f"more than {_MAX_QUIET_BYTES // 1024 // 1024} MB of XML without a tag")
            if not chunk:
                return

    # the parser's target ----------------------------------------------------------------------

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self._tags_seen = True
        self._depth += 1
        if self._depth > _MAX_DEPTH:
            raise _Unreadable(f"elements nested more than {_MAX_DEPTH} deep")
        if self._cell is not None:
            self._cell_elements += 1
            if self._cell_elements > _MAX_CELL_ELEMENTS:
                raise _Unreadable(f"more than {_MAX_CELL_ELEMENTS:,} elements in one cell of row {self._row}")
            if self._inside is None:
                self._inside = TreeBuilder()
                self._inside.start(_CELL, self._cell)
            self._inside.start(tag, attrib)
        elif tag == _CELL:
            self._cells_read += 1
            if self._cells_read > MAX_CELLS:
                raise _Refused(
                    self._row,
                    Message("validation.workbook_too_many_cells", sheet=f'"{echoed(self.sheet)}"', limit=f"{MAX_CELLS:,}"),
                )
            self._cell, self._cell_depth, self._cell_elements = attrib, self._depth, 0
        elif tag == _ROW:
            self._start_row(attrib.get("r"))
        else:
            self._other_elements += 1
            if self._other_elements > _MAX_OTHER_ELEMENTS:
                raise _Unreadable(f"more than {_MAX_OTHER_ELEMENTS:,} elements besides rows and cells")
            if tag == _DIMENSION:
                self._check_dimension(attrib.get("ref") or "")
            elif tag == _MERGE and self.merged_header is None:
                self._note_merge(attrib.get("ref") or "")

    def data(self, text: str) -> None:
        if self._inside is not None:
            self._inside.data(text)

    def end(self, tag: str) -> None:
        self._tags_seen = True
        self._depth -= 1
        if self._cell is not None:
            if self._depth >= self._cell_depth:  # a part of the cell (its value, its text runs)
                if self._inside is not None:
                    self._inside.end(tag)
                return
            if self._inside is None:
                self._skip_cell(self._cell.get("r"))
            else:
                self._inside.end(_CELL)
                self._read_cell(self._inside.close())
            self._cell, self._inside = None, None
        elif tag == _ROW and self._values:
            self._done.append((self._row, self._values))

    def close(self) -> None:
        """The end of the sheet (nothing to return: the rows went out as they ended)."""

    # -----------------------------------------------------------------------------------------

    def _check_dimension(self, ref: str) -> None:
        """Refuse a sheet that declares more than MAX_CELLS cells before any is read (a reference that
        cannot be read says nothing: the cells present are counted anyway)."""
        try:
            first_column, first_row, last_column, last_row = range_boundaries(ref.upper())
        except (ValueError, TypeError):
            return
        if None in (first_column, first_row, last_column, last_row):
            return
        declared = (last_column - first_column + 1) * (last_row - first_row + 1)
        if declared > MAX_CELLS:
            raise _Refused(
                1,
                Message(
                    "validation.workbook_declares_too_many_cells",
                    sheet=f'"{echoed(self.sheet)}"',
                    dimension=ref,
                    cells=f"{declared:,}",
                    limit=f"{MAX_CELLS:,}",
                ),
            )

    def _start_row(self, reference: str | None) -> None:
        """Start the row ``reference`` names (else the one after the last)."""
        number = int(reference or self._row + 1)
        if number > MAX_ROWS:
            raise _Refused(1, Message("validation.workbook_too_long", row=f"{number:,}", limit=f"{MAX_ROWS:,}"))
        if number <= self._row:
            raise _Unreadable(f"row {number} comes after row {self._row}")
        self.cells.row_counter, self.cells.col_counter = number, 0
        self._row, self._values, self._skipped = number, {}, None

    def _skip_cell(self, reference: str | None) -> None:
        """Pass over an empty cell, noting where it was: a later cell without a reference (``r``) is the
        one after it, which openpyxl counts from the cells it read."""
        if reference:
            self._skipped = (reference, 0)
        else:
            last, after = self._skipped or (None, 0)
            self._skipped = (last, after + 1)

    def _read_cell(self, element: Element) -> None:
        if self._skipped is not None and not element.get("r"):
            last, after = self._skipped
            self.cells.col_counter = (coordinate_to_tuple(last)[1] if last else self.cells.col_counter) + after
        self._skipped = None
        cell = self.cells.parse_cell(element)  # openpyxl: shared strings, numbers, dates, booleans
        text = _cell_text(cell["value"])
        if not text:
            return  # an empty (formatted) cell: never stored, wherever it is
        column = cell["column"]
        if column > MAX_COLUMNS:
            raise _Refused(
                self._row,
                Message(
                    "validation.workbook_too_wide",
                    cell=f"{get_column_letter(column)}{self._row}",
                    last=get_column_letter(MAX_COLUMNS),
                    limit=MAX_COLUMNS,
                ),
            )
        self._values[column] = text

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
