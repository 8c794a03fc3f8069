"""Read contract CSV files and check them against every rule of the contract.

Validation never raises on bad input: it returns a ``ValidationResult`` whose
``problems`` list every error as ``FILE:LINE: COLUMN: message`` (LINE as a
spreadsheet user sees it, header = line 1). The command line and the upload
page print the same list; each message is a ``Message``, English as text and
shown in the interface language on the upload page (``Problem.text``).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from . import budget
from .contract import LOAD_ORDER, SHARE_TOLERANCE, TABLES, Column, TableSpec
from .excel import is_workbook, unread_spreadsheet, workbook_to_csv
from .messages import Message, echoed, echoed_names, in_language, quoted

FILE_LEVEL = "-"  # the COLUMN of a problem that concerns the whole file
BUDGET_EVERY = 1024  # records read between two looks at the time budget of a check (data_access/budget.py)

# ASCII digits only: \d would also take full-width and other scripts' digits.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.0*)?")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# Control characters (C0, DEL, C1), tabs and line breaks, the Unicode line and paragraph separators included.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Invisible characters that change how the text around them shows, or split a word without a trace: the
# bidirectional embeddings, overrides and isolates (the "Trojan Source" characters) and the zero-width spaces.
# A name may hold one by accident (copied from a web page) and is warned about; a code may hold no invisible
# (Unicode format, Cf) character at all. The zero-width joiners (Persian, Indic scripts, emoji) and the
# left-to-right and right-to-left marks (right-to-left text) belong in names and are not warned about.
_HIDDEN_IN_NAMES = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff\u180e]")
# Alphabets whose letters look alike ("Р" Cyrillic, "Ρ" Greek, "P" Latin): a code that mixes them is warned about.
_LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")
_MOST_DIGITS = 12  # more significant digits than any bound of the contract has (Python refuses int() of thousands)
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as possible."""

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"

    def text(self, language: str) -> str:
        """``FILE:LINE: COLUMN: message`` with the message in ``language``; file, line and column as they are."""
        return f"{in_language(self.file, language)}:{self.line}: {self.column}: {in_language(self.message, language)}"


@dataclass(frozen=True)
class Source:
    """The bytes of one input file and the name it is reported under."""

    name: str
    data: bytes

    table_hint: str | None = None  # a table chosen by the user, overriding the file name
    path: Path | None = None  # a large file is read from here when needed, in pieces where possible, not held as ``data``

    def read(self) -> bytes:
        """Every byte of the file (read from ``path`` when the source is not held in memory)."""
        return self.path.read_bytes() if self.path is not None else self.data

    @property
    def size(self) -> int:
        """The file's length in bytes."""
        return self.path.stat().st_size if self.path is not None else len(self.data)

    def pieces(self, size: int = 1 << 20) -> Iterator[bytes]:
        """The file's bytes in pieces of at most ``size``, without reading a large file whole."""
        if self.path is None:
            yield self.data
            return
        with open(self.path, "rb") as file:
            while piece := file.read(size):
                yield piece

    @property
    def table(self) -> str:
        """The contract table this file holds: the one chosen for it, else the one its name says (may be unknown)."""
        return self.table_hint or Path(self.name).stem.strip().lower()


@dataclass
class ValidationResult:
    """Parsed rows per table, or the problems that stop them being loaded."""

    rows: dict[str, list[dict]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    problem_count: int = 0  # all problems found, including those past the listing cap
    sources: list[Source] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)  # rows per table of a streamed load, which keeps no ``rows``

    def table_rows(self) -> dict[str, int]:
        """Clean rows per table: those held in ``rows``, else those a streamed load counted."""
        return {table: len(rows) for table, rows in self.rows.items()} or dict(self.row_counts)

    @property
    def ok(self) -> bool:
        """True when nothing stops the load."""
        return self.problem_count == 0

    @property
    def unlisted_problems(self) -> int:
        """Problems found but not listed because of the cap."""
        return self.problem_count - len(self.problems)

    @property
    def checksum(self) -> str:
        """SHA-256 over the input files' names (without folder) and bytes, in table load order."""
        digest = hashlib.sha256()
        for source in sorted(self.sources, key=_load_rank):
            digest.update(Path(source.name).name.encode("utf-8"))
            for piece in source.pieces():
                digest.update(piece)
        return digest.hexdigest()

    def report_lines(self, language: str = "en") -> list[str]:
        """Problems then warnings, as printable lines in ``language`` (English, as the command line prints them)."""
        lines = [p.text(language) for p in self.problems]
        if self.unlisted_problems:
            lines.append(Message("validation.more_problems", count=self.unlisted_problems).text(language))
        lines += [Message("validation.warning", problem=w.text(language)).text(language) for w in self.warnings]
        return lines


def _load_rank(source: Source) -> tuple[int, str]:
    rank = LOAD_ORDER.index(source.table) if source.table in LOAD_ORDER else len(LOAD_ORDER)
    return rank, source.name


class _Collector:
    """Collects problems up to a cap while counting all of them."""

    def __init__(self, result: ValidationResult, cap: int) -> None:
        self.result = result
        self.cap = cap

    def add(self, file: str, line: int, column: str, message: Message) -> None:
        self.result.problem_count += 1
        if len(self.result.problems) < self.cap:
            self.result.problems.append(Problem(file, line, column, message))

    def warn(self, file: str, line: int, column: str, message: Message) -> None:
        self.result.warnings.append(Problem(file, line, column, message))


def collect_sources(paths: Iterable[str | Path]) -> tuple[list[Source], list[Problem], list[Problem]]:
    """Read the files named by ``paths`` (folders give their ``*.csv`` and ``*.xlsx`` files).

    Returns the sources, the problems of paths that cannot be read, and warnings about the files of a folder
    that are left out although they look like tables: spreadsheets in a format that is not read (``.xls``,
    ``.ods`` ...), which say to save them as .xlsx or CSV. Other files of a folder are left out silently; a file
    named on its own that cannot be read is a problem.
    """
    sources: list[Source] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            entries = sorted(p for p in path.iterdir() if p.is_file())
            files = [p for p in entries if p.suffix.lower() == ".csv" or is_workbook(p.name)]
            if not files:
                problems.append(Problem(str(path), 0, FILE_LEVEL, Message("validation.empty_folder")))
            sources.extend(_source_of(file) for file in files)
            for entry in entries:
                unread = unread_spreadsheet(entry.name)
                if unread is not None:
                    warnings.append(Problem(str(entry), 0, FILE_LEVEL, unread))
        elif path.is_file():
            unread = unread_spreadsheet(path.name)
            if unread is not None:
                problems.append(Problem(str(path), 0, FILE_LEVEL, unread))
            else:
                sources.append(_source_of(path))
        else:
            problems.append(Problem(str(path), 0, FILE_LEVEL, Message("validation.no_such_path")))
    return sources, problems, warnings


HELD_BELOW_BYTES = 16 * 1024 * 1024  # a CSV file at least this large is read from its path in pieces, never held whole


def _source_of(path: Path) -> Source:
    """The file at ``path``: its bytes, or for a large CSV file its path, so that a load streams it."""
    if not is_workbook(path.name) and path.stat().st_size >= HELD_BELOW_BYTES:
        return Source(str(path), b"", path=path)
    return Source(str(path), path.read_bytes())


def validate_paths(
    paths: Iterable[str | Path],
    *,
    existing_keys: Callable[[str], set] | None = None,
    max_problems: int = 200,
) -> ValidationResult:
    """Validate files and folders; see ``validate_sources``."""
    sources, read_problems, read_warnings = collect_sources(paths)
    result = validate_sources(sources, existing_keys=existing_keys, max_problems=max_problems)
    result.problems = (read_problems + result.problems)[:max_problems]
    result.problem_count += len(read_problems)
    result.warnings[:0] = read_warnings
    return result


def validate_sources(
    sources: list[Source],
    *,
    existing_keys: Callable[[str], set] | None = None,
    stored_shares: Callable[[set[str]], dict[tuple[str, str], float]] | None = None,
    max_problems: int = 200,
) -> ValidationResult:
    """Parse and check every source against the contract.

    ``existing_keys(table)`` returns the keys already stored in a parent table,
    so references may resolve to stored rows; ``stored_shares(programs)`` the
    stored sector shares of those programs, {(program, sector): share}, so that
    their sum is checked on the table as it will stand. Pass ``None`` for both
    when the load replaces everything (only rows of the same load count then).
    """
    result = ValidationResult(sources=list(sources))
    collect = _Collector(result, max_problems)
    seen_tables: dict[str, str] = {}
    lines_of: dict[str, list[int]] = {}
    for source in sorted(sources, key=_load_rank):
        spec = table_of(source, seen_tables, collect)
        if spec is None:
            continue
        parsed = _parse_file(source, spec, collect)
        if parsed is not None:
            result.rows[spec.name], lines_of[spec.name] = parsed
    _check_references(result, lines_of, seen_tables, existing_keys, collect)
    _check_shares(result, lines_of, seen_tables, stored_shares, collect)
    return result


def table_of(source: Source, seen_tables: dict[str, str], collect) -> TableSpec | None:
    """The contract table ``source`` holds, noted in ``seen_tables`` (table -> file name); None, with the
    problem told to ``collect``, when its name is no table's or another file of the load already holds it."""
    spec = TABLES.get(source.table)
    if spec is None:
        expected = [TABLES[t].file_name for t in LOAD_ORDER]
        collect.add(source.name, 0, FILE_LEVEL, Message("validation.not_a_table", expected=expected))
        return None
    if spec.name in seen_tables:
        collect.add(source.name, 0, FILE_LEVEL, Message("validation.second_file", table=spec.name, first=seen_tables[spec.name]))
        return None
    seen_tables[spec.name] = source.name
    return spec


def decode_text(data: bytes) -> tuple[str | None, Message | None]:
    """Decode CSV bytes as UTF-8 (with or without BOM), GB18030/GBK or Windows-1252 (Latin-1).

    UTF-8 comes first, and a file that starts with the UTF-8 BOM is read as nothing else. A file
    that is not UTF-8 was saved by Excel in the "ANSI" encoding of its machine: GB18030/GBK on a
    Chinese-locale one, Windows-1252 on a Western European one (see ``_read_ansi``). Returns
    ``(text, None)`` or ``(None, reason)`` with the reason in words.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Message("validation.utf16")
    if data.startswith(b"PK\x03\x04"):
        return None, Message("validation.zip_not_csv")
    if b"\x00" in data[:65536]:
        return None, Message("validation.binary")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    text = None if data.startswith(_UTF8_BOM) else _read_ansi(data)
    if text is not None:
        return text, None
    return None, Message("validation.not_in_accepted_encoding", looks_like=_looks_like(data), byte=_first_byte_not_utf8(data) + 1)


def _read_ansi(data: bytes) -> str | None:
    """``data`` (not UTF-8) read as GB18030 or Windows-1252, whichever it is, or None when neither.

    The same bytes are often valid in both, so the choice looks at what each reading makes of
    them. Text saved as Windows-1252 has accented letters inside Latin words ("Zürich"); read as
    GB18030, such a letter and the ASCII letter after it become one Chinese character, and the
    word is cut ("Z黵ich"). Chinese text saved as GBK never puts a Chinese character made with an
    ASCII byte next to a Latin letter. So GB18030 is the reading unless it cuts a Latin word that
    way and the Windows-1252 reading is plausible text by charset-normalizer's measure (the
    library alone cannot tell short files apart: it takes Latin letters next to Chinese ones as
    ordinary mixed text, and judges the rarity of Chinese characters only from four of them on).
    When the Windows-1252 reading is not plausible either, GB18030 stays, as before.
    """
    gb18030 = _decoded(data, "gb18030")
    if gb18030 is not None and not _cuts_latin_words(gb18030):
        return gb18030
    western = _decoded(data, "cp1252")
    if western is not None:
        match = from_bytes(data, cp_isolation=["cp1252"]).best()
        if match is not None and match.encoding == "cp1252":
            return western
    return gb18030


def _decoded(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


_NEXT_TO_LATIN_LETTER = re.compile(r"(?<=[A-Za-z])[^\x00-\x7f]|[^\x00-\x7f](?=[A-Za-z])")


def _cuts_latin_words(gb18030_text: str) -> bool:
    """True when a character of this GB18030 reading is made with an ASCII byte and touches a Latin letter."""
    return any(
        any(byte < 0x80 for byte in match.group().encode("gb18030")) for match in _NEXT_TO_LATIN_LETTER.finditer(gb18030_text)
    )


_FEWEST_TO_GUESS = 8  # non-ASCII bytes below which any guess of an encoding is a coin toss


def _looks_like(data: bytes) -> Message:
    """What charset-normalizer takes the bytes for, for a file in none of the accepted encodings."""
    non_ascii = len(data) - len(data.translate(None, bytes(range(0x80, 0x100))))
    match = from_bytes(data).best() if non_ascii >= _FEWEST_TO_GUESS else None
    if match is None:
        return Message("validation.looks_like_unknown")
    if match.language in ("", "Unknown"):
        return Message("validation.looks_like_encoding", encoding=match.encoding)
    return Message("validation.looks_like_encoding_in", encoding=match.encoding, text_language=match.language)


def _first_byte_not_utf8(data: bytes) -> int:
    """The offset of the first byte that is not UTF-8 (0 when every byte is)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start
    return 0


def _row_of_first_unreadable_byte(data: bytes) -> int:
    """The spreadsheet row holding the first byte that is not UTF-8 (1 when the file is not text at all).

    Rows, not line breaks, are counted: a quoted cell over several lines is still one row."""
    offset = _first_byte_not_utf8(data)
    if offset == 0:
        return 1
    before = data[:offset].decode("utf-8", errors="replace")
    try:  # "x" stands for the unreadable byte, so that a row it starts counts
        return sum(1 for _ in csv.reader(io.StringIO(before + "x", newline="")))
    except csv.Error:  # a cell above it too long for csv: line breaks are the best count left
        return data.count(b"\n", 0, offset) + 1


def _csv_problem(error: csv.Error, lines_read: int) -> Message:
    """Words for a csv error in the row starting at the current one, which took ``lines_read`` lines of the file."""
    limit = csv.field_size_limit()
    if str(error).startswith("field larger than field limit"):
        if lines_read > 1:
            return Message("validation.cell_too_long_open_quote", lines=lines_read, limit=f"{limit:,}")
        return Message("validation.cell_too_long", limit=f"{limit:,}")
    return Message("validation.broken_quoting", error=str(error))


def _parse_file(source: Source, spec: TableSpec, collect: _Collector) -> tuple[list[dict], list[int]] | None:
    """Rows and their spreadsheet line numbers, or None when the header is unusable.

    A line number counts records, as a spreadsheet counts rows: a quoted cell that holds line
    breaks spans several lines of the file but is one row."""
    reader = TableReader(source, spec, collect)
    if not reader.open():
        return None
    rows: list[dict] = []
    lines: list[int] = []
    first_line_of_key: dict[tuple, int] = {}
    for line, record in reader.records():
        row = _parse_record(source.name, line, record, reader.header_width, reader.positions, spec, collect)
        if row is None:
            continue
        key = tuple(row[k] for k in spec.key)
        if key in first_line_of_key:
            collect.add(
                source.name,
                line,
                ",".join(spec.key),
                Message("validation.duplicate_key", key_values=_show_key(key), line=first_line_of_key[key]),
            )
            continue
        first_line_of_key[key] = line
        rows.append(row)
        lines.append(line)
    if reader.failed:
        return None
    return rows, lines


class TableReader:
    """The records of one contract file with their spreadsheet line numbers, read as a stream.

    ``open`` decodes the file and reads its header (reporting what stops it); ``records`` then yields
    (line, record) for every non-blank row, reports a record the csv module cannot read (and sets
    ``failed``) and, at the end, warns about a file without data rows. A file given by its path
    (``Source.path``) is decoded piece by piece when it is UTF-8, so its size does not matter."""

    def __init__(self, source: Source, spec: TableSpec, collect: _Collector) -> None:
        self.source, self.spec, self.collect = source, spec, collect
        self.positions: dict[str, int] = {}
        self.header_width = 0
        self.failed = False
        self.data_rows = 0
        self._records: Any = None  # the csv reader
        self._stream: io.TextIOWrapper | None = None
        self._line = 0
        self._lines_read = 0
        self._header_line = 0

    def open(self) -> bool:
        """Decode the file and read its header; False (after reporting why) when its rows cannot be read."""
        budget.check()
        source, collect = self.source, self.collect
        stream = self._text_stream()
        if stream is None:
            return False
        # strict: an unclosed quote is an error, not a cell that swallows the rest of the file.
        records = self._records = csv.reader(stream, strict=True)
        header = None
        try:
            for record in records:  # blank lines above the header are skipped, but counted
                self._line += 1
                self._lines_read = records.line_num
                if any(cell.strip() for cell in record):
                    header = record
                    break
        except csv.Error as error:
            header_problem = _csv_problem(error, records.line_num - self._lines_read)
            if header_problem.key == "validation.broken_quoting":
                header_problem = Message("validation.header_not_csv", error=str(error))
            collect.add(source.name, self._line + 1, FILE_LEVEL, header_problem)
            self.close()
            return False
        if header is None:
            collect.add(source.name, 1, FILE_LEVEL, Message("validation.empty_file", columns=self.spec.column_names))
            self.close()
            return False
        self._header_line = self._line
        positions = _read_header(source.name, self._line, header, self.spec, collect)
        if positions is None:
            self.close()
            return False
        self.positions, self.header_width = positions, len(header)
        return True

    def _text_stream(self) -> io.TextIOBase | None:
        source = self.source
        data = None
        if is_workbook(source.name):
            converted, unreadable = workbook_to_csv(source.read(), self.spec.name)
            if converted is None:
                if unreadable is not None:
                    self.collect.add(source.name, *unreadable)
                return None
            data = converted
        elif source.path is not None and _utf8_file(source):
            self._stream = io.TextIOWrapper(open(source.path, "rb"), encoding="utf-8-sig", newline="")  # noqa: SIM115
            return self._stream
        if data is None:
            data = source.read()
        text, reason = decode_text(data)
        if text is None:
            self.collect.add(
                source.name, _row_of_first_unreadable_byte(data), FILE_LEVEL, Message("validation.cannot_read", reason=reason)
            )
            return None
        return io.StringIO(text, newline="")

    def close(self) -> None:
        """Close the file read from its path, if any."""
        if self._stream is not None:
            self._stream.close()

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(line, record) of every row that is not blank, in file order."""
        records = self._records
        assert records is not None
        line = self._line
        try:
            for record in records:
                line += 1
                if not line % BUDGET_EVERY:
                    budget.check()
                self._lines_read = records.line_num
                if not any(map(str.strip, record)):
                    continue  # blank spreadsheet row
                self.data_rows += 1
                self._line = line
                yield line, record
            self._line = line
        except csv.Error as error:
            self.collect.add(self.source.name, line + 1, FILE_LEVEL, _csv_problem(error, records.line_num - self._lines_read))
            self.failed = True
        finally:
            self.close()
        if not self.failed and not self.data_rows:
            self.collect.warn(self.source.name, self._header_line, FILE_LEVEL, Message("validation.no_data_rows"))


def _utf8_file(source: Source) -> bool:
    """Whether a file read from its path is UTF-8 (with or without BOM) and none of what ``decode_text``
    refuses first (UTF-16, a zip, a binary file), checked piece by piece."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    first = True
    try:
        for piece in source.pieces():
            if first:
                if piece.startswith((b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04")) or b"\x00" in piece[:65536]:
                    return False
                first = False
            decoder.decode(piece)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _read_header(file: str, line: int, header: list[str], spec: TableSpec, collect: _Collector) -> dict[str, int] | None:
    """Map each contract column to its position in the header, or report why not."""
    names = [unicodedata.normalize("NFKC", cell).strip().lstrip("\ufeff").strip().lower() for cell in header]
    positions: dict[str, int] = {}
    usable = True
    for index, name in enumerate(names):
        if name in positions:
            collect.add(file, line, echoed(name), Message("validation.column_twice", first=positions[name] + 1, second=index + 1))
            usable = False
        elif name:
            positions[name] = index
    missing = [c for c in spec.required_columns if c not in positions]
    wrong_separator = len(names) == 1 and (";" in header[0] or "\t" in header[0])
    found = echoed_names([n for n in names if n]) or Message("validation.nothing")
    for column in missing:
        key = "validation.missing_column_separator" if wrong_separator else "validation.missing_column"
        collect.add(file, line, column, Message(key, found=found))
    extra = [n for n in names if n and n not in spec.column_names]
    if extra and not wrong_separator:
        collect.warn(file, line, FILE_LEVEL, Message("validation.ignored_columns", columns=echoed_names(extra)))
    if missing or not usable:
        return None
    return {c: positions[c] for c in spec.column_names if c in positions}


def _parse_record(
    file: str,
    line: int,
    record: list[str],
    header_width: int,
    positions: dict[str, int],
    spec: TableSpec,
    collect: _Collector,
) -> dict | None:
    """One typed row, or None after reporting each of its problems."""
    if len(record) > header_width and any(cell.strip() for cell in record[header_width:]):
        collect.add(file, line, FILE_LEVEL, Message("validation.field_count", expected=header_width, found=len(record)))
        return None
    row: dict = {}
    ok = True
    text_warnings: list[tuple[str, Message]] = []
    for column in spec.columns:
        position = positions.get(column.name)
        raw = record[position] if position is not None and position < len(record) else ""
        value, message = parse_value(raw, column)
        if message:
            collect.add(file, line, column.name, message)
            ok = False
        elif column.kind == "text" and isinstance(value, str) and not value.isascii():
            warning = text_warning(value, column)
            if warning is not None:
                text_warnings.append((column.name, warning))
        row[column.name] = value
    if ok:
        for column_name, message in row_rule_violations(spec.name, row):
            collect.add(file, line, column_name, message)
            ok = False
    if ok:
        for column_name, warning in text_warnings:
            collect.warn(file, line, column_name, warning)
    if ok and spec.name == "enrolments" and row["enrolled"] is not None and row["graduates"] > row["enrolled"]:
        # Possible (a cohort larger than this year's enrolment), but more often two columns swapped.
        collect.warn(
            file,
            line,
            "graduates",
            Message("validation.graduates_over_enrolled", graduates=row["graduates"], enrolled=row["enrolled"]),
        )
    return row if ok else None


def parse_value(raw: str, column: Column) -> tuple[object, Message | None]:
    """Parse one cell; returns ``(value, None)`` or ``(None, message)``.

    The bounds are the column's (``contract.Column``): a value outside them is refused here with
    its line and column, never left for a database to refuse or, worse, to store."""
    text = raw.strip()
    if not text:
        if column.optional:
            return None, None
        return None, Message("validation.empty_cell", expected=column.describe())
    kind = column.kind
    # The common cases first, without a pattern match: this runs for every cell of a large file.
    if kind == "text":
        if text.isascii() and text.isprintable():  # ASCII is in every normal form, and has no control character
            return text, None
        return _parse_text(text, column)
    if kind in ("int", "year") and len(text) < 10 and text.isdigit() and text.isascii():  # 0-9 only, below INT_MAX
        number = int(text)
        if (kind == "year" or column.meaning) and not _within(number, column):
            return None, _wrong_value(column, text)
        return number, None
    if kind == "money":
        return _parse_money(text, column)
    if kind == "number":
        return _parse_number(text, column)
    return _parse_whole_number(text, column)


def _parse_text(text: str, column: Column) -> tuple[str | None, Message | None]:
    if not text.isascii():  # ASCII is in every normal form already
        text = unicodedata.normalize(column.normal_form, text).strip()
    if text.isprintable():
        return text, None
    control = _CONTROL.search(text)
    if control:
        return None, Message(
            "validation.control_character",
            expected=column.describe(),
            character=f"U+{ord(control.group()):04X}",
            position=control.start() + 1,
            found=quoted(text),
        )
    invisible = next((i for i, c in enumerate(text) if unicodedata.category(c) == "Cf"), None) if column.is_code else None
    if invisible is not None:
        return None, Message(
            "validation.invisible_in_code", character=_named(text[invisible]), position=invisible + 1, found=quoted(text)
        )
    return text, None


def text_warning(text: str, column: Column) -> Message | None:
    """Why a text that passed ``parse_value`` deserves a second look, or None: a code that mixes Latin, Cyrillic
    and Greek letters (a lookalike letter typed by mistake: "P01" with a Cyrillic "Р"), a name that holds an
    invisible bidirectional control or zero-width space. Only non-ASCII text can deserve one."""
    if text.isascii():
        return None
    if column.is_code:
        letters = [(i, c, _script(c)) for i, c in enumerate(text) if c.isalpha()]
        scripts = {script for _, _, script in letters if script in _LOOKALIKE_SCRIPTS}
        if len(scripts) < 2:
            return None
        # The letter named: the first that is not Latin where Latin letters are present (codes are mostly
        # Latin), else the first of a script other than the first letter's.
        own = "LATIN" if "LATIN" in scripts else next(script for _, _, script in letters if script in scripts)
        position, character = next((i, c) for i, c, script in letters if script in scripts - {own})
        return Message("validation.mixed_scripts", character=_named(character), position=position + 1, found=quoted(text))
    hidden = _HIDDEN_IN_NAMES.search(text)
    if hidden is None:
        return None
    return Message(
        "validation.invisible_in_name", character=_named(hidden.group()), position=hidden.start() + 1, found=quoted(text)
    )


def _script(character: str) -> str:
    """The script a letter belongs to, as the first word of its Unicode name ("CYRILLIC")."""
    return unicodedata.name(character, "").split(" ", 1)[0]


def _named(character: str) -> str:
    """A character as a message names it: its Unicode name and code point, "ZERO WIDTH SPACE (U+200B)"."""
    code_point = f"U+{ord(character):04X}"
    name = unicodedata.name(character, "")
    return f"{name} ({code_point})" if name else code_point


def _parse_whole_number(text: str, column: Column) -> tuple[int | None, Message | None]:
    if text.isdigit() and text.isascii():
        digits = text
        negative = False
    elif _WHOLE_NUMBER.fullmatch(text):
        digits = text.lstrip("+-").split(".")[0]
        negative = text.startswith("-")
    else:
        return None, _wrong_value(column, text)
    if len(digits.lstrip("0")) > _MOST_DIGITS:
        return None, _too_large(column, text) if not negative and column.kind != "year" else _wrong_value(column, text)
    number = -int(digits) if negative else int(digits)
    if column.minimum is not None and number < column.minimum:
        return None, _wrong_value(column, text)
    if column.maximum is not None and number > column.maximum:
        return None, _wrong_value(column, text) if column.kind == "year" else _too_large(column, text)
    return number, None


def _parse_money(text: str, column: Column) -> tuple[float | None, Message | None]:
    if not (text.isdigit() and text.isascii()) and not _DECIMAL.fullmatch(text):
        return None, Message("validation.wrong_amount", expected=column.describe(), found=quoted(text))
    amount = float(text)  # digits only, so never NaN; too many of them give inf, which the maximum refuses
    if column.minimum is not None and amount < column.minimum:
        return None, _wrong_value(column, text)
    if column.maximum is not None and amount > column.maximum:
        return None, _too_large(column, text)
    return amount + 0.0, None  # -0.0 becomes 0.0


def _parse_number(text: str, column: Column) -> tuple[float | None, Message | None]:
    """A decimal number within the column's bounds (a share, a rate)."""
    if not _DECIMAL.fullmatch(text):
        return None, _wrong_value(column, text)
    number = float(text) + 0.0  # -0.0 becomes 0.0
    if not _within(number, column) or (column.above_minimum and number == column.minimum):
        return None, _wrong_value(column, text)
    return number, None


def _within(number: float, column: Column) -> bool:
    """Whether ``number`` lies within the column's bounds (an open end where it has none)."""
    return (column.minimum is None or number >= column.minimum) and (column.maximum is None or number <= column.maximum)


def _wrong_value(column: Column, text: str) -> Message:
    # Made only for a bad cell: parse_value runs for every cell of a large file.
    return Message("validation.wrong_value", expected=column.describe(), found=quoted(text))


def _too_large(column: Column, text: str) -> Message:
    return Message("validation.too_large", expected=column.describe(), maximum=f"{column.maximum:,}", found=quoted(text))


def row_rule_violations(table: str, row: Mapping) -> list[tuple[str, Message]]:
    """The contract's cross-column rules broken by one parsed row, as (column, message)."""
    found: list[tuple[str, Message]] = []
    if table == "placements" and row["hired"] > row["students_placed"]:
        found.append(
            ("hired", Message("validation.hired_over_placed", hired=row["hired"], students_placed=row["students_placed"]))
        )
    if table == "outcomes":
        accounted = row["employed"] + row["further_study"] + row["unemployed"]
        if accounted > row["surveyed"]:
            found.append(
                (
                    "surveyed",
                    Message("validation.outcomes_over_surveyed", accounted=accounted, surveyed=row["surveyed"]),
                )
            )
        for part in ("employed_in_field", "self_employed"):
            if row[part] > row["employed"]:
                found.append(
                    (part, Message("validation.part_over_employed", part=part, value=row[part], employed=row["employed"]))
                )
    if table == "demand" and row["openings"] is None and row["employment"] is None:
        found.append(("openings", Message("validation.demand_without_openings_or_employment")))
    return found


def _check_references(
    result: ValidationResult,
    lines_of: dict[str, list[int]],
    file_of: dict[str, str],
    existing_keys: Callable[[str], set] | None,
    collect: _Collector,
) -> None:
    """Every reference must resolve to a row of this load or, unless replacing, a stored row."""
    key_cache: dict[str, set] = {}

    def known(table: str) -> set:
        if table not in key_cache:
            keys = {row[TABLES[table].key[0]] for row in result.rows.get(table, ())}
            if existing_keys is not None:
                keys |= existing_keys(table)
            key_cache[table] = keys
        return key_cache[table]

    for table in LOAD_ORDER:
        if table not in result.rows:
            continue
        spec = TABLES[table]
        for reference in spec.references:
            keys = known(reference.table)
            key = "validation.unknown_reference_replacing" if existing_keys is None else "validation.unknown_reference"
            for row, line in zip(result.rows[table], lines_of[table]):
                value = row[reference.column]
                if value is not None and value not in keys:
                    message = unknown_reference(key, reference.column, value, keys, TABLES[reference.table].file_name)
                    collect.add(file_of[table], line, reference.column, message)


def unknown_reference(message_key: str, column: str, value: str, keys: set, file: str) -> Message:
    """The problem of a reference ``value`` that is none of ``keys`` (the keys of ``file``), with the key it nearly
    is when there is one ("did you mean R01?")."""
    message = Message(message_key, column=column, value=quoted(value), file=file)
    near = _near_miss(value, keys)
    return message if near is None else Message("validation.did_you_mean", problem=message, suggestion=echoed(near))


def _loose(code: str) -> str:
    return "".join(code.split()).casefold()


def _near_miss(value: str, keys: set) -> str | None:
    """The one known key that differs from ``value`` only by case or spacing ("r 01" for R01), else None."""
    loose = _loose(value)
    matches = [key for key in keys if isinstance(key, str) and _loose(key) == loose]
    return matches[0] if len(matches) == 1 else None


def _check_shares(
    result: ValidationResult,
    lines_of: dict[str, list[int]],
    file_of: dict[str, str],
    stored_shares: Callable[[set[str]], dict[tuple[str, str], float]] | None,
    collect: _Collector,
) -> None:
    """The sector shares of every program in program_sectors add up to 1 (within SHARE_TOLERANCE), on the
    table as it will stand after the load: the stored rows of the same programs (unless replacing), with
    the rows of this load put over them. A problem points at the program's first line in the file."""
    rows = result.rows.get("program_sectors")
    if not rows:
        return
    first_line: dict[str, int] = {}
    for row, line in zip(rows, lines_of["program_sectors"]):
        first_line.setdefault(row["program_code"], line)
    shares = dict(stored_shares(set(first_line))) if stored_shares is not None else {}
    shares.update({(row["program_code"], row["sector_code"]): row["share"] for row in rows})
    totals: dict[str, float] = {}
    kept: dict[str, int] = {}
    for (program, _), share in shares.items():
        totals[program] = totals.get(program, 0.0) + share
        kept[program] = kept.get(program, 0) + 1
    loaded = {program: sum(1 for row in rows if row["program_code"] == program) for program in first_line}
    for program, line in first_line.items():
        if abs(totals[program] - 1) > SHARE_TOLERANCE:
            stored = kept[program] - loaded[program]
            key = "validation.shares_with_stored" if stored else "validation.shares_do_not_add_up"
            collect.add(
                file_of["program_sectors"],
                line,
                "share",
                Message(key, program=quoted(program), total=f"{totals[program]:.4g}", stored=stored, tolerance=SHARE_TOLERANCE),
            )


def _show_key(key: tuple) -> str:
    return "(" + ", ".join(echoed(str(part)) for part in key) + ")"
