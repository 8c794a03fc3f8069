"""Import recipes: published statistics turned into contract tables by a small declarative file (TOML).

Published tables are not contract tables: one column per industry, several geographic levels in one
file, area names that differ from file to file, academic years (``2021/22``), rounded counts and
suppressed cells (``c``, ``low``, ``x``). A recipe says, per contract table, which published file (and
sheet) to read, which rows to keep, how to turn wide into long, which published column (or constant,
or name to look up) gives each contract column, and which markers stand for a suppressed cell. Running
it gives contract CSV texts that are then validated and loaded through the normal all-or-nothing path
(``import_recipe``), with every problem pointing at the published file, its line and its column.

It covers the shapes of published statistics, not every possible reshaping: the format is documented
with examples in README ("Importing published statistics") and in examples/england-lsip/recipe.toml.

    title = "..."
    suppressed = ["c", "low", "x", ":", "NA"]      # the markers of a suppressed cell (this is the default list)

    [aliases.regions]                               # names in the files -> a region's name (or code)
    "Enterprise M3 LEP (including all of Surrey)" = "Enterprise M3"

    [[table]]
    table = "demand"
    file = "employment.csv"                         # beside the recipe; .csv, .xlsx (sheet = "...") or .geojson
    keep = { geographic_level = "LSIP" }            # rows whose column has this value (or one of a list)
    drop = { area = ["England"] }                   # rows to leave out
    wide = { columns_after = "year", name = "industry", value = "employment" }   # or columns = [...]
    rounding = 100                                  # the rounding the publisher states (shown, not applied)
    [table.columns]
    year = "year"                                   # a published column
    region_code = { code_of = "regions", name = "area" }     # the code of the region with that name
    sector_code = { code_of = "sectors", name = "industry" }
    employment = "employment"

Other column forms: ``{ value = "Area total" }`` (a constant), ``{ template = "FE-{region_code}" }``
(published columns in braces), ``{ academic_year = "time_period" }`` (``2021/22``, ``2021-22`` or
``202122`` -> 2022, the year it ends, with the label kept for display), ``{ value = "2021/22",
academic_year = true }``, and ``template`` after ``code_of`` (``{code}`` is the code found). A table
entry without ``columns`` takes a file already in the contract's shape as it is. ``each = "regions"``
instead of ``file`` makes one row per region of the import (one aggregate provider per area). A
``[boundaries]`` section names a GeoJSON file of the regions' boundaries (``code = "PROPERTY"``, and
``crs`` when the file does not state it).
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import json
import re
import string
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol

import pandas as pd
from sqlalchemy import Engine, insert, select

from . import boundaries, budget
from .boundaries import BoundaryError, read_geojson
from .contract import LOAD_ORDER, TABLES
from .excel import is_workbook, unread_spreadsheet, workbook_to_csv
from .loading import LoadOutcome, load_sources, validate_for_load
from .messages import Message, echoed, echoed_names
from .models import CONTRACT_MODELS, ImportRecord, RegionShape, UnknownCell
from .validation import BUDGET_EVERY, FILE_LEVEL, Problem, Source, ValidationResult, decode_text

DEFAULT_MARKERS = ("c", "low", "x", ":", "NA", "z", "..", "[c]", "[x]", "[low]", "[z]")
LINE = "__line__"  # the published line of a row, in the frames below
ORIGIN = "__column__"  # after wide to long: the published column a value came from
NAMED = {"regions": "region_name", "sectors": "sector_name", "programs": "program_name", "institutions": "institution_name"}
ENTRY_KEYS = {
    "table",
    "file",
    "sheet",
    "header_line",
    "each",
    "keep",
    "drop",
    "wide",
    "rounding",
    "columns",
    "suppressed",
    "thousands",
}
TOP_KEYS = {"title", "suppressed", "aliases", "table", "boundaries", "note"}
MAX_PROBLEMS = 200
_ACADEMIC = re.compile(r"^\s*(\d{4})\s*(?:[/\-\u2013]\s*(\d{2}|\d{4})|(\d{2}))\s*$")
_TABLE_HEADER = re.compile(r"\s*\[\[\s*table\s*\]\]")

# Limits of a recipe and of what it reads (README, "Importing published statistics"): past one, the recipe stops
# with a problem saying which, before the part past it is read. A recipe runs in time and memory that grow with
# these, never with their product.
MAX_RECIPE_BYTES = 1024 * 1024  # the recipe itself: files, columns and aliases, thousands of lines
MAX_NESTING = 16  # tables and lists within each other; a recipe's settings nest five deep
MAX_ENTRIES = 2_000  # [[table]] entries
MAX_ALIASES = 10_000  # names in one [aliases.TABLE]
MAX_FILE_BYTES = 32 * 1024 * 1024  # a file a recipe names (a boundary file: boundaries.MAX_BYTES); size checked before it is read
MAX_ROWS = 1_000_000  # rows the entries read in all (an entry's rows, and the rows a wide table is turned into)


class TooLarge(Exception):
    """A file named in a recipe is larger than it may be; ``size`` is its size in bytes."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size:,} bytes")
        self.size = size


class Opener(Protocol):
    """A file named in the recipe -> its bytes, or None when absent; ``TooLarge``, before reading it, when it
    has more than ``limit`` bytes (MAX_FILE_BYTES when not given)."""

    def __call__(self, name: str, limit: int | None = None, /) -> bytes | None: ...


StoredNames = Callable[[str], dict[str, str]]  # table -> {code: name} of the rows already stored


@dataclass
class RecipeRun:
    """What running a recipe gave: contract sources to validate and load, where each of their lines and
    columns came from, the suppressed cells, the boundaries, the mapping report, and the problems."""

    recipe: str
    title: str = ""
    sources: list[Source] = field(default_factory=list)
    origins: dict[str, list[tuple[str, int, dict[str, str]]]] = field(default_factory=dict)
    unknown: list[dict] = field(default_factory=list)
    shapes: dict[str, dict] = field(default_factory=dict)
    report: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the recipe gave tables (which validation may still refuse)."""
        return not self.problems


class _Stop(Exception):
    """A problem of the recipe that stops it; already recorded."""


# --- running a recipe ----------------------------------------------------------------------------


def run_recipe(recipe_text: bytes, recipe_name: str, open_file: Opener, stored_names: StoredNames | None = None) -> RecipeRun:
    """Run the recipe ``recipe_text`` (named ``recipe_name`` in messages) on the files ``open_file`` gives.

    ``stored_names(table)`` gives the codes and names already stored, so that names may match rows of
    an earlier load. Never raises on bad input: problems are in ``RecipeRun.problems``."""
    run = RecipeRun(recipe_name)
    if len(recipe_text) > MAX_RECIPE_BYTES:
        run.problems.append(
            Problem(recipe_name, 0, FILE_LEVEL, Message("recipe.too_large", limit=f"{MAX_RECIPE_BYTES // 1024:,}"))
        )
        return run
    with contextlib.suppress(_Stop):
        _Runner(run, recipe_text, open_file, stored_names or (lambda table: {})).run()
    return run


def read_recipe(path: Path) -> bytes:
    """The recipe at ``path``, read no further than one byte past MAX_RECIPE_BYTES: enough to refuse it."""
    with path.open("rb") as file:
        return file.read(MAX_RECIPE_BYTES + 1)


class _Runner:
    def __init__(self, run: RecipeRun, text: bytes, open_file: Opener, stored_names: StoredNames) -> None:
        self.run_ = run
        self.open_file = open_file
        self.stored_names = stored_names
        self.text = ""
        self.produced = _Produced()
        self.rows: dict[str, list[tuple[dict[str, str], tuple[str, int, dict[str, str]]]]] = {}
        self.passthrough: dict[str, Source] = {}
        self.current_table = ""
        self.names: dict[str, dict] = {}
        self.year_labels: dict[int, str] = {}
        self.academic_tables: set[str] = set()
        self.rows_read = 0
        self._names: dict[str, tuple[int, tuple[dict[str, str], dict[str, str], dict[str, str]]]] = {}  # _names_of
        self._regions_of: tuple[int, dict[str, str]] = (0, {})  # parts of institutions taken in, their regions
        decoded, _ = decode_text(text)
        if decoded is None:
            self._problem(0, FILE_LEVEL, Message("recipe.not_text"))
            raise _Stop
        self.text = decoded
        self.lines = decoded.splitlines()
        self.headers = [number for number, line in enumerate(self.lines) if _TABLE_HEADER.match(line)]  # of [[table]]
        self._found: dict[tuple[int | None, str | None], int] = {}  # (entry, key) -> its line, once looked up

    # problems --------------------------------------------------------------------------------

    def _problem(self, line: int, column: str, message: Message, file: str | None = None) -> None:
        if len(self.run_.problems) < MAX_PROBLEMS:
            self.run_.problems.append(Problem(file or self.run_.recipe, line, echoed(column), message))

    def _warn(self, line: int, column: str, message: Message, file: str | None = None) -> None:
        self.run_.warnings.append(Problem(file or self.run_.recipe, line, echoed(column), message))

    def _line_of(self, entry: int | None, key: str | None = None) -> int:
        """The recipe line of the ``entry``-th [[table]] (from 0), or of ``key`` within it (or at the top).
        An entry's key is looked for in the entry's own lines, and each is looked up once."""
        if (entry, key) not in self._found:
            self._found[entry, key] = self._look_up(entry, key)
        return self._found[entry, key]

    def _look_up(self, entry: int | None, key: str | None) -> int:
        lines, headers = self.lines, self.headers
        start, end = 0, len(lines)
        if entry is not None and entry < len(headers):
            start = headers[entry]
            end = headers[entry + 1] if entry + 1 < len(headers) else len(lines)
        if key:
            at_start = re.compile(rf"^\s*(\[\s*table\.)?{re.escape(key)}\b")
            anywhere = re.compile(rf"[{{,]\s*{re.escape(key)}\s*=")  # inside an inline table
            for pattern in (at_start, anywhere):
                for index in range(start, end):
                    if pattern.search(lines[index]) if pattern is anywhere else pattern.match(lines[index]):
                        return index + 1
        return start + 1 if entry is not None else 0

    def _count_rows(self, index: int, key: str, rows: int) -> None:
        """Count ``rows`` more read by entry ``index`` (at its setting ``key``); stop past MAX_ROWS in all."""
        self.rows_read += rows
        if self.rows_read > MAX_ROWS:
            self._problem(self._line_of(index, key), key, Message("recipe.too_many_rows", limit=f"{MAX_ROWS:,}"))
            raise _Stop

    # the recipe ------------------------------------------------------------------------------

    def run(self) -> None:
        too_deep = Message("recipe.too_deep", limit=MAX_NESTING)
        try:
            recipe = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as error:
            where = re.search(r"at line (\d+)", str(error))
            self._problem(int(where.group(1)) if where else 0, FILE_LEVEL, Message("recipe.not_toml", error=str(error)))
            raise _Stop from None
        except RecursionError:  # lists or tables nested deeper than the TOML reader goes
            self._problem(0, FILE_LEVEL, too_deep)
            raise _Stop from None
        if _deeper_than(recipe, MAX_NESTING):
            self._problem(0, FILE_LEVEL, too_deep)
            raise _Stop
        for key in sorted(set(recipe) - TOP_KEYS):
            self._problem(
                self._line_of(None, key), key, Message("recipe.unknown_key", setting=echoed(key), expected=sorted(TOP_KEYS))
            )
        entries = recipe.get("table", [])
        if not isinstance(entries, list) or not entries:
            self._problem(0, "table", Message("recipe.no_tables"))
            raise _Stop
        if len(entries) > MAX_ENTRIES:
            message = Message("recipe.too_many_entries", count=f"{len(entries):,}", limit=f"{MAX_ENTRIES:,}")
            self._problem(self._line_of(MAX_ENTRIES), "table", message)
            raise _Stop
        self.run_.title = str(recipe.get("title", "")).strip() or self.run_.recipe
        self.markers = self._markers(recipe.get("suppressed"), None)
        self.aliases = self._aliases(recipe.get("aliases", {}))
        self.run_.report = {"recipe": self.run_.recipe, "title": self.run_.title, "markers": list(self.markers), "tables": []}
        if self.run_.problems:
            raise _Stop
        # parents before children, so that names of this import can be looked up
        order = sorted(range(len(entries)), key=lambda i: _rank(entries[i]))
        for index in order:
            budget.check()
            self._entry(index, entries[index])
        if recipe.get("boundaries") is not None:
            self._boundaries(recipe["boundaries"])
        self._finish()

    def _markers(self, value, entry: int | None) -> tuple[str, ...]:
        if value is None:
            return DEFAULT_MARKERS if entry is None else self.markers
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self._problem(self._line_of(entry, "suppressed"), "suppressed", Message("recipe.markers_not_list"))
            return ()
        return tuple(v.strip() for v in value)

    def _aliases(self, value) -> dict[str, dict[str, str]]:
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            self._problem(self._line_of(None, "[aliases"), "aliases", Message("recipe.aliases_shape"))
            return {}
        found: dict[str, dict[str, str]] = {}
        for table, names in value.items():
            if table not in NAMED:
                self._problem(
                    self._line_of(None, f"[aliases.{table}"),
                    "aliases",
                    Message("recipe.aliases_table", table=echoed(table), expected=sorted(NAMED)),
                )
                continue
            if len(names) > MAX_ALIASES:
                self._problem(
                    self._line_of(None, f"[aliases.{table}"),
                    "aliases",
                    Message("recipe.too_many_aliases", table=table, count=f"{len(names):,}", limit=f"{MAX_ALIASES:,}"),
                )
                continue
            found[table] = {_loose(str(alias)): str(target) for alias, target in names.items()}
        return found

    # one [[table]] entry ---------------------------------------------------------------------

    def _entry(self, index: int, entry) -> None:
        line = self._line_of(index)
        if not isinstance(entry, dict):
            self._problem(line, "table", Message("recipe.entry_shape"))
            return
        for key in sorted(set(entry) - ENTRY_KEYS):
            self._problem(
                self._line_of(index, key), key, Message("recipe.unknown_key", setting=echoed(key), expected=sorted(ENTRY_KEYS))
            )
        table = entry.get("table")
        if table not in TABLES:
            self._problem(line, "table", Message("recipe.unknown_table", table=echoed(str(table)), expected=list(LOAD_ORDER)))
            return
        if ("file" in entry) == ("each" in entry):
            self._problem(line, "file", Message("recipe.file_or_each"))
            return
        if "columns" not in entry:
            self._passthrough(index, table, entry)
            return
        if table in self.passthrough:
            self._problem(line, "table", Message("recipe.table_twice", table=table))
            return
        frame, file = self._read(index, entry)
        if frame is None:
            return
        self._count_rows(index, "each" if "each" in entry else "file", len(frame))
        part = {
            "table": table,
            "file": file,
            "sheet": entry.get("sheet"),
            "rows_read": len(frame),
            "rounding": entry.get("rounding"),
        }
        frame = self._filter(index, entry, frame, file, part)
        frame = self._wide(index, entry, frame, file, part)
        if frame is None or self.run_.problems:
            return
        self._columns(index, table, entry, frame, file, part)
        self.run_.report["tables"].append(part)

    def _passthrough(self, index: int, table: str, entry: dict) -> None:
        """A file already in the contract's shape: loaded as it is (its own lines and columns)."""
        name = str(entry.get("file", ""))
        data = self._open(index, name)
        if data is None:
            return
        if table in self.passthrough or table in self.rows:
            self._problem(self._line_of(index), "table", Message("recipe.table_twice", table=table))
            return
        self.passthrough[table] = Source(name, data, table_hint=table)
        frame = _contract_frame(data, name, table)
        if frame is not None:
            self._count_rows(index, "file", len(frame))
            self.produced.add(table, frame)
        self.run_.report["tables"].append({"table": table, "file": name, "as_is": True, "rounding": entry.get("rounding")})

    def _open(self, index: int, name: str) -> bytes | None:
        path = PurePosixPath(name.replace("\\", "/"))
        if not name or path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", name):
            self._problem(self._line_of(index, "file"), "file", Message("recipe.file_name", file=echoed(name)))
            return None
        data = self._opened(self._line_of(index, "file"), name)
        if data is None:
            return None
        unread = unread_spreadsheet(name)
        if unread is not None:
            self._problem(0, FILE_LEVEL, unread, file=name)
            return None
        return data

    def _read(self, index: int, entry: dict) -> tuple[pd.DataFrame | None, str]:
        """The published table as text cells with a LINE column (the line a spreadsheet shows)."""
        if "each" in entry:
            each = entry["each"]
            if each not in self.produced:
                self._problem(self._line_of(index, "each"), "each", Message("recipe.each_unknown", table=echoed(str(each))))
                return None, ""
            if entry.get("table") == "institutions" and each == "regions":
                self.run_.report["area_level"] = True  # one aggregate provider per area
            return self.produced[each].copy(), f"{each} ({self.run_.recipe})"
        name = str(entry["file"])
        data = self._open(index, name)
        if data is None:
            return None, name
        if name.lower().endswith((".geojson", ".json")):
            try:
                boundaries = read_geojson(data, crs=None)
            except BoundaryError as error:
                self._problem(error.feature, FILE_LEVEL, error.message, file=name)
                return None, name
            frame = pd.DataFrame(boundaries.properties, dtype=object).fillna("")
            frame[LINE] = range(1, len(frame) + 1)
            return frame, name
        if is_workbook(name):
            sheet = str(entry.get("sheet", "")).strip().lower()
            converted, unreadable = workbook_to_csv(data, sheet or str(entry["table"]))
            if converted is None:
                line, column, message = unreadable or (0, FILE_LEVEL, Message("recipe.file_missing", file=echoed(name)))
                self._problem(line, column, message, file=name)
                return None, name
            data = converted
        text, reason = decode_text(data)
        if text is None:
            self._problem(0, FILE_LEVEL, Message("validation.cannot_read", reason=reason), file=name)
            return None, name
        return self._csv(index, entry, text, name), name

    def _csv(self, index: int, entry: dict, text: str, name: str) -> pd.DataFrame | None:
        header_line = entry.get("header_line")
        records = csv.reader(io.StringIO(text, newline=""), strict=True)
        header: list[str] | None = None
        rows: list[list[str]] = []
        lines: list[int] = []
        line = 0
        try:
            for record in records:
                line += 1
                if not line % BUDGET_EVERY:
                    budget.check()
                if header is None:
                    if (header_line is None and any(c.strip() for c in record)) or line == header_line:
                        header = [unicodedata.normalize("NFKC", c).strip().lstrip("\ufeff").strip() for c in record]
                    continue
                if any(c.strip() for c in record):
                    rows.append(record)
                    lines.append(line)
        except csv.Error as error:
            self._problem(line + 1, FILE_LEVEL, Message("recipe.csv_broken", error=str(error)), file=name)
            return None
        if header is None:
            self._problem(header_line or 1, FILE_LEVEL, Message("recipe.no_header"), file=name)
            return None
        seen: set[str] = set()
        for _position, column in enumerate(header):
            if column and column in seen:
                self._problem(header_line or 1, column, Message("recipe.column_twice", column=echoed(column)), file=name)
            seen.add(column)
        width = len(header)
        cells = [(record + [""] * width)[:width] for record in rows]
        frame = pd.DataFrame(cells, columns=header, dtype=object)
        frame = frame.loc[:, [c for c in frame.columns if c]]
        frame[LINE] = lines
        return frame

    def _need_columns(self, index: int, key: str, names, frame: pd.DataFrame, file: str) -> bool:
        missing = [n for n in names if n not in frame.columns]
        for name in missing:
            self._problem(
                self._line_of(index, key),
                key,
                Message(
                    "recipe.no_such_column",
                    column=echoed(name),
                    file=file,
                    suggestion=_hint(_suggest(name, [c for c in frame.columns if c not in (LINE, ORIGIN)])),
                ),
            )
        return not missing

    def _filter(self, index: int, entry: dict, frame: pd.DataFrame, file: str, part: dict) -> pd.DataFrame:
        for key, keeping in (("keep", True), ("drop", False)):
            conditions = entry.get(key)
            if conditions is None:
                continue
            if not isinstance(conditions, dict):
                self._problem(self._line_of(index, key), key, Message("recipe.filter_shape", setting=key))
                continue
            if not self._need_columns(index, key, conditions, frame, file):
                continue
            for column, wanted in conditions.items():
                values = [str(v).strip() for v in (wanted if isinstance(wanted, list) else [wanted])]
                cells: pd.Series = frame[column].astype(str).str.strip()
                matches = cells.isin(values)
                if keeping and not matches.any():
                    self._warn(
                        self._line_of(index, key),
                        key,
                        Message(
                            "recipe.keep_nothing",
                            column=echoed(column),
                            values=echoed_names(values),
                            found=echoed_names(sorted(set(cells))),
                        ),
                    )
                frame = frame[matches] if keeping else frame[~matches]
            part[key] = {c: v for c, v in conditions.items()}
        part["rows_kept"] = len(frame)
        return frame

    def _wide(self, index: int, entry: dict, frame: pd.DataFrame, file: str, part: dict) -> pd.DataFrame | None:
        wide = entry.get("wide")
        if wide is None:
            return frame
        if not isinstance(wide, dict) or not {"name", "value"} <= set(wide) or ("columns" in wide) == ("columns_after" in wide):
            self._problem(self._line_of(index, "wide"), "wide", Message("recipe.wide_shape"))
            return None
        names = [c for c in frame.columns if c != LINE]
        if "columns_after" in wide:
            after = str(wide["columns_after"])
            if not self._need_columns(index, "wide", [after], frame, file):
                return None
            columns = names[names.index(after) + 1 :]
        else:
            columns = [str(c) for c in wide["columns"]]
            if not self._need_columns(index, "wide", columns, frame, file):
                return None
        ids = [c for c in frame.columns if c not in columns]
        self._count_rows(index, "wide", len(frame) * len(columns))
        long = frame.melt(id_vars=ids, value_vars=columns, var_name=str(wide["name"]), value_name=str(wide["value"]))
        long[ORIGIN] = long[str(wide["name"])]
        part["wide"] = columns
        return long.sort_values(LINE, kind="stable").reset_index(drop=True)

    # contract columns --------------------------------------------------------------------------

    def _columns(self, index: int, table: str, entry: dict, frame: pd.DataFrame, file: str, part: dict) -> None:
        spec = TABLES[table]
        specs = entry.get("columns")
        if not isinstance(specs, dict):
            self._problem(self._line_of(index, "columns"), "columns", Message("recipe.columns_shape"))
            return
        for name in sorted(set(specs) - set(spec.column_names)):
            self._problem(
                self._line_of(index, name),
                name,
                Message("recipe.not_a_column", column=echoed(name), table=table, expected=list(spec.column_names)),
            )
        for name in spec.required_columns:
            if name not in specs:
                self._problem(self._line_of(index, "columns"), name, Message("recipe.column_not_given", column=name, table=table))
        if self.run_.problems:
            return
        markers = set(self._markers(entry.get("suppressed"), index))
        self.current_table = table
        thousands = entry.get("thousands")
        values: dict[str, pd.Series] = {}
        published: dict[str, str] = {}  # contract column -> the published column it is read from
        for column in spec.column_names:
            if column not in specs:
                continue
            result = self._column(index, column, specs[column], frame, file)
            if result is None:
                continue
            values[column], source = result
            if source:
                published[column] = source
        if self.run_.problems:
            return
        out = pd.DataFrame(values, index=frame.index)
        if thousands:
            for column in out.columns:
                if spec.column(column).kind in ("int", "money", "number"):
                    out[column] = out[column].str.replace(str(thousands), "", regex=False)
        suppressed = pd.DataFrame({c: out[c].str.strip().isin(markers) for c in published}, index=out.index)
        part["suppressed"] = {c: int(n) for c, n in suppressed.sum().items() if n}
        stopped = self._rows_not_loaded(table, out, suppressed, published)
        self._record_unknown(table, out, suppressed, published, frame, file, entry)
        for column in published:  # an optional column's suppressed cell is loaded empty, and stays unknown
            out.loc[suppressed[column], column] = ""
        kept = out[~stopped]
        part["rows_not_loaded"] = int(stopped.sum())
        part["rows"] = len(kept)
        store = self.rows.setdefault(table, [])
        for position, row in zip(kept.index, kept.to_dict("records")):
            mapping = {c: self._published_column(frame, position, s, entry) for c, s in published.items()}
            store.append((row, (file, int(frame.at[position, LINE]), mapping)))
        produced = kept.copy()
        produced[LINE] = frame.loc[kept.index, LINE].to_numpy()
        self.produced.add(table, produced)

    @staticmethod
    def _published_column(frame: pd.DataFrame, position, source: str, entry: dict) -> str:
        """The published column a cell came from: after wide to long, the value's own column (an industry)."""
        wide = entry.get("wide")
        if isinstance(wide, dict) and source == str(wide.get("value")) and ORIGIN in frame.columns:
            return str(frame.at[position, ORIGIN])
        return source

    def _column(self, index: int, column: str, spec, frame: pd.DataFrame, file: str) -> tuple[pd.Series, str] | None:
        """The contract column's text values and the published column they come from ("" when none)."""
        line = self._line_of(index, column)
        if isinstance(spec, str):
            if not self._need_columns(index, column, [spec], frame, file):
                return None
            return frame[spec].astype(str), spec
        if not isinstance(spec, dict):
            self._problem(line, column, Message("recipe.column_spec", column=echoed(column)))
            return None
        if "code_of" in spec:
            return self._codes(index, column, spec, frame, file)
        if "academic_year" in spec:
            if spec["academic_year"] is True:
                return self._academic(index, column, pd.Series(str(spec.get("value", "")), index=frame.index), file, frame), ""
            name = str(spec["academic_year"])
            if not self._need_columns(index, column, [name], frame, file):
                return None
            return self._academic(index, column, frame[name].astype(str), file, frame), name
        if "template" in spec:
            template = str(spec["template"])
            try:
                fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
            except ValueError:
                self._problem(line, column, Message("recipe.template_broken", template=echoed(template)))
                return None
            if not self._need_columns(index, column, fields, frame, file):
                return None
            texts = frame[fields].astype(str).to_dict("records") if fields else [{}] * len(frame)
            return pd.Series([template.format(**row) for row in texts], index=frame.index, dtype=object), ""
        if "value" in spec:
            return pd.Series(str(spec["value"]), index=frame.index, dtype=object), ""
        self._problem(line, column, Message("recipe.column_spec", column=echoed(column)))
        return None

    def _academic(self, index: int, column: str, texts: pd.Series, file: str, frame: pd.DataFrame) -> pd.Series:
        years = []
        for position, text in texts.items():
            year, label = _academic_year(text)
            if year is None:
                self._problem(
                    int(frame.at[position, LINE]), column, Message("recipe.not_academic_year", found=echoed(text)), file=file
                )
                years.append(text)
                continue
            self.year_labels[year] = label
            self.academic_tables.add(self.current_table)
            years.append(str(year))
        return pd.Series(years, index=texts.index, dtype=object)

    def _codes(self, index: int, column: str, spec: dict, frame: pd.DataFrame, file: str) -> tuple[pd.Series, str] | None:
        table = spec.get("code_of")
        name_column = str(spec.get("name", ""))
        if table not in NAMED:
            self._problem(
                self._line_of(index, column),
                column,
                Message("recipe.code_of_table", table=echoed(str(table)), expected=sorted(NAMED)),
            )
            return None
        if not self._need_columns(index, column, [name_column], frame, file):
            return None
        known, by_name, by_code = self._names_of(table)
        aliases = self.aliases.get(table, {})
        report = self.names.setdefault(table, {"matched": set(), "aliases": {}, "unmatched": {}})
        template = spec.get("template")
        codes = []
        for position, name in frame[name_column].astype(str).items():
            loose = _loose(name)
            code = by_name.get(loose) or by_code.get(loose)
            if code is None and loose in aliases:
                target = _loose(aliases[loose])
                code = by_name.get(target) or by_code.get(target)
                if code is not None:
                    used = report["aliases"].setdefault(name.strip(), {"to": known[code], "code": code, "rows": 0})
                    used["rows"] += 1
            elif code is not None:
                report["matched"].add(name.strip())
            if code is None:
                miss = report["unmatched"].get(name.strip())
                if miss is None:  # the closest name is looked for when the problem is written (_finish)
                    miss = {"file": file, "column": name_column, "line": int(frame.at[position, LINE]), "rows": 0}
                    report["unmatched"][name.strip()] = miss
                miss["rows"] += 1
                codes.append("")
                continue
            codes.append(str(template).format(code=code) if template else code)
        return pd.Series(codes, index=frame.index, dtype=object), name_column

    def _names_of(self, table: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        """The codes and names ``table`` has, stored (asked of the database once) and then this import's so
        far: ({code: name}, {loose name: code}, {loose code: code}), taking in only the rows added since."""
        if table not in self._names:
            known = dict(self.stored_names(table))
            self._names[table] = (0, (known, {_loose(name): code for code, name in known.items()}, {_loose(c): c for c in known}))
        taken, (known, by_name, by_code) = self._names[table]
        parts = self.produced.parts(table)
        for part in parts[taken:]:
            if part.empty:
                continue
            for code, name in zip(part[TABLES[table].key[0]].astype(str), part[NAMED[table]].astype(str)):
                if code in known and by_name.get(_loose(known[code])) == code:
                    del by_name[_loose(known[code])]  # the code's name before this import renamed it
                known[code], by_name[_loose(name)], by_code[_loose(code)] = name, code, code
        self._names[table] = (len(parts), (known, by_name, by_code))
        return known, by_name, by_code

    def _rows_not_loaded(self, table: str, out: pd.DataFrame, suppressed: pd.DataFrame, published: dict[str, str]) -> pd.Series:
        """True for a row with a suppressed cell the contract needs (a required column; in demand, the only
        one of openings and employment)."""
        spec = TABLES[table]
        stopped = pd.Series(False, index=out.index)
        for column in published:
            if not spec.column(column).optional:
                stopped |= suppressed[column]
        if table == "demand":
            openings = out["openings"] if "openings" in out else pd.Series("", index=out.index)
            employment = out["employment"] if "employment" in out else pd.Series("", index=out.index)
            gone_o = suppressed["openings"] if "openings" in suppressed else pd.Series(False, index=out.index)
            gone_e = suppressed["employment"] if "employment" in suppressed else pd.Series(False, index=out.index)
            has_o = (openings.str.strip() != "") & ~gone_o
            has_e = (employment.str.strip() != "") & ~gone_e
            stopped |= (gone_o | gone_e) & ~has_o & ~has_e
        return stopped

    def _record_unknown(
        self,
        table: str,
        out: pd.DataFrame,
        suppressed: pd.DataFrame,
        published: dict[str, str],
        frame: pd.DataFrame,
        file: str,
        entry: dict,
    ) -> None:
        if table not in ("demand", "enrolments", "outcomes") or not suppressed.to_numpy().any():
            return
        year_column = "cohort_year" if table == "outcomes" else "year"
        regions = self._institution_regions() if table != "demand" else {}
        for position in out.index[suppressed.any(axis=1)]:
            row = out.loc[position]
            try:
                year = int(str(row[year_column]).strip())
            except ValueError:
                continue  # a row without a year is reported by validation; its cells cannot be placed
            for column in published:
                if not suppressed.at[position, column]:
                    continue
                source_column = self._published_column(frame, position, published[column], entry)
                self.run_.unknown.append(
                    {
                        "table_name": table,
                        "year": year,
                        "region_code": row["region_code"] if table == "demand" else regions.get(row["institution_id"], ""),
                        "sector_code": row["sector_code"] if table == "demand" else None,
                        "program_code": row.get("program_code") if table != "demand" else None,
                        "institution_id": row.get("institution_id") if table != "demand" else None,
                        "column_name": column,
                        "marker": str(row[column]).strip()[:20],
                        "source_file": file,
                        "source_line": int(frame.at[position, LINE]),
                        "source_column": source_column,
                    }
                )

    def _institution_regions(self) -> dict[str, str]:
        """{institution_id: region_code} of this import's institutions, taking in only the rows added since."""
        taken, found = self._regions_of
        parts = self.produced.parts("institutions")
        for part in parts[taken:]:
            if not part.empty and "region_code" in part:
                found.update(zip(part["institution_id"].astype(str), part["region_code"].astype(str)))
        self._regions_of = (len(parts), found)
        return found

    # boundaries ----------------------------------------------------------------------------------

    def _boundaries(self, section) -> None:
        line = self._line_of(None, "[boundaries")
        if not isinstance(section, dict) or "file" not in section or ("code" in section) == ("name" in section):
            self._problem(line, "boundaries", Message("recipe.boundaries_shape"))
            return
        name = str(section["file"])
        data = self._open_top(line, name)
        if data is None:
            return
        try:
            shapes = read_geojson(data, crs=section.get("crs"))
        except BoundaryError as error:
            self._problem(error.feature, FILE_LEVEL, error.message, file=name)
            return
        regions, by_name, _ = self._names_of("regions")
        aliases = self.aliases.get("regions", {})
        not_regions = []
        for feature, (properties, geometry) in enumerate(zip(shapes.properties, shapes.geometries), start=1):
            key = str(section.get("code") or section.get("name"))
            if key not in properties:
                self._problem(
                    feature,
                    key,
                    Message("recipe.no_such_property", property=echoed(key), found=echoed_names(sorted(properties))),
                    file=name,
                )
                return
            value = properties[key].strip()
            code = (
                value if "code" in section else by_name.get(_loose(value)) or by_name.get(_loose(aliases.get(_loose(value), "")))
            )
            if code not in regions:
                not_regions.append(value)
                continue
            if geometry is not None:
                self.run_.shapes[code] = geometry
        self.run_.report["boundaries"] = {
            "file": name,
            "crs": shapes.crs,
            "regions": len(self.run_.shapes),
            "without_boundary": sorted(set(regions) - set(self.run_.shapes)),
            "not_regions": sorted(not_regions),
        }
        if not_regions:
            self._warn(
                line,
                "boundaries",
                Message("recipe.boundaries_not_regions", count=len(not_regions), names=echoed_names(sorted(not_regions))),
            )

    def _open_top(self, line: int, name: str) -> bytes | None:
        path = PurePosixPath(name.replace("\\", "/"))
        if not name or path.is_absolute() or ".." in path.parts:
            self._problem(line, "file", Message("recipe.file_name", file=echoed(name)))
            return None
        return self._opened(line, name)

    def _opened(self, line: int, name: str) -> bytes | None:
        """The bytes of the file ``name`` (named at ``line``), or None after a problem: absent, or larger than a
        file named in a recipe may be, which is found before it is read."""
        limit = boundaries.MAX_BYTES if name.lower().endswith((".geojson", ".json")) else MAX_FILE_BYTES
        try:
            data = self.open_file(name, limit)
        except TooLarge as large:
            size, most = f"{large.size / 1024 / 1024:,.1f}", f"{limit / 1024 / 1024:,.0f}"
            self._problem(line, "file", Message("recipe.file_too_large", file=echoed(name), size=size, limit=most))
            return None
        if data is None:
            self._problem(line, "file", Message("recipe.file_missing", file=echoed(name)))
        return data

    # the sources ---------------------------------------------------------------------------------

    def _finish(self) -> None:
        names_report = {}
        for table, found in self.names.items():
            names_report[table] = {
                "matched": len(found["matched"]),
                "aliases": [{"name": n, **v} for n, v in sorted(found["aliases"].items())],
                "unmatched": [{"name": n, **v} for n, v in sorted(found["unmatched"].items())],
            }
            for name, miss in sorted(found["unmatched"].items()):
                if len(self.run_.problems) >= MAX_PROBLEMS:
                    break  # no more are listed, so no closest name is looked for
                suggestion = _hint(_suggest(name, list(self._names_of(table)[0].values())))
                self._problem(
                    miss["line"],
                    miss["column"],
                    Message("recipe.name_unmatched", name=echoed(name), table=table, rows=miss["rows"], suggestion=suggestion),
                    file=miss["file"],
                )
            unused = set(self.aliases.get(table, {})) - {_loose(n) for n in found["aliases"]}
            for alias in sorted(unused):
                self._warn(
                    self._line_of(None, f"[aliases.{table}"),
                    "aliases",
                    Message("recipe.alias_unused", alias=echoed(alias), table=table),
                )
        self.run_.report["names"] = names_report
        self.run_.report["year_labels"] = {str(y): label for y, label in sorted(self.year_labels.items())}
        self.run_.report["academic_year_tables"] = sorted(self.academic_tables)
        self.run_.report["suppressed_cells"] = len(self.run_.unknown)
        if self.run_.problems:
            return
        for table in LOAD_ORDER:
            if table in self.passthrough:
                self.run_.sources.append(self.passthrough[table])
                continue
            if table not in self.rows:
                continue
            columns = [c for c in TABLES[table].column_names if any(c in row for row, _ in self.rows[table])]
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([row.get(c, "") for c in columns] for row, _ in self.rows[table])
            name = TABLES[table].file_name
            self.run_.sources.append(Source(name, buffer.getvalue().encode("utf-8"), table_hint=table))
            self.run_.origins[name] = [origin for _, origin in self.rows[table]]


class _Produced:
    """The rows each contract table has so far in an import (text cells, with LINE), as the parts the entries
    gave, in order. Lookups built from them take in only the parts added since they last looked, and the
    whole table is put together only when an entry reads it (``each``), so that many entries cost what their
    rows cost, never the rows so far again for each."""

    def __init__(self) -> None:
        self._parts: dict[str, list[pd.DataFrame]] = {}
        self._whole: dict[str, tuple[int, pd.DataFrame]] = {}  # table -> (parts in it, the parts put together)

    def add(self, table: str, frame: pd.DataFrame) -> None:
        self._parts.setdefault(table, []).append(frame)

    def parts(self, table: str) -> list[pd.DataFrame]:
        """The parts of ``table`` in the order they were added (none yet: an empty list)."""
        return self._parts.get(table, [])

    def get(self, table: str) -> pd.DataFrame | None:
        """The rows of ``table`` so far, or None when no entry gave any."""
        parts = self._parts.get(table)
        if not parts:
            return None
        if table not in self._whole or self._whole[table][0] != len(parts):
            self._whole[table] = (len(parts), pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0])
        return self._whole[table][1]

    def __contains__(self, table: str) -> bool:
        return table in self._parts

    def __getitem__(self, table: str) -> pd.DataFrame:
        frame = self.get(table)
        if frame is None:
            raise KeyError(table)
        return frame


def _deeper_than(value, limit: int) -> bool:
    """Whether ``value`` nests tables (dicts) or lists more than ``limit`` deep, looked at without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def _rank(entry) -> int:
    table = entry.get("table") if isinstance(entry, dict) else None
    return LOAD_ORDER.index(table) if table in LOAD_ORDER else len(LOAD_ORDER)


def _contract_frame(data: bytes, name: str, table: str) -> pd.DataFrame | None:
    """A contract-shaped file as text cells (for name lookups and ``each``), or None when unreadable."""
    text, _ = decode_text(data)
    if text is None:
        return None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError):
        return None
    frame.columns = [unicodedata.normalize("NFKC", str(c)).strip().lower() for c in frame.columns]
    frame[LINE] = range(2, len(frame) + 2)
    return frame


def _loose(text: str) -> str:
    """A name as matched: Unicode-normalised, without case, with runs of spaces as one."""
    return " ".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


def _suggest(name: str, choices: list[str]) -> str:
    """The closest of ``choices`` to ``name``, or ""."""
    found = difflib.get_close_matches(_loose(name), {_loose(c): c for c in choices}, n=1, cutoff=0.6)
    return {_loose(c): c for c in choices}[found[0]] if found else ""


def _hint(suggestion: str) -> Message | str:
    """ "; did you mean "X"?" after a name that matched nothing, when something is close."""
    return Message("recipe.did_you_mean", name=echoed(suggestion)) if suggestion else ""


def _academic_year(text: str) -> tuple[int | None, str]:
    """``2021/22``, ``2021-22``, ``2021/2022`` or ``202122`` -> (2022, "2021/22"): the year it ends."""
    match = _ACADEMIC.match(str(text))
    if not match:
        return None, ""
    start = int(match.group(1))
    end_text = match.group(2) or match.group(3)
    end = int(end_text) if len(end_text) == 4 else (start // 100) * 100 + int(end_text)
    if end != start + 1 and not (len(end_text) == 2 and end + 100 == start + 1):
        return None, ""
    return start + 1, f"{start}/{(start + 1) % 100:02d}"


# --- validating and loading what a recipe gave -------------------------------------------------------


def translate_problems(run: RecipeRun, problems: list[Problem]) -> list[Problem]:
    """Problems found in the sources a recipe made, located in the published files instead: the file, the
    line a spreadsheet shows and the published column (with the contract column it became)."""
    located = []
    for problem in problems:
        origins = run.origins.get(problem.file)
        if origins is None or problem.line < 2 or problem.line - 2 >= len(origins):
            located.append(problem)
            continue
        file, line, columns = origins[problem.line - 2]
        column = problem.column
        if column in columns:
            column = f"{columns[column]} (-> {column})"
        located.append(Problem(file, line, column, problem.message))
    return located


def stored_names_of(engine: Engine) -> StoredNames:
    """Codes and names already stored in ``engine``, by table."""

    def names(table: str) -> dict[str, str]:
        model = CONTRACT_MODELS[table]
        key = getattr(model, TABLES[table].key[0])
        with engine.connect() as connection:
            return {str(c): str(n) for c, n in connection.execute(select(key, getattr(model, NAMED[table]))).all()}

    return names


def folder_opener(recipe: Path) -> Opener:
    """Files named in the recipe at ``recipe``, read from its folder (and below it only)."""
    root = recipe.resolve().parent

    def open_file(name: str, limit: int | None = None, /) -> bytes | None:
        path = (root / name).resolve()
        if root not in path.parents or not path.is_file():
            return None
        size = path.stat().st_size
        if size > (MAX_FILE_BYTES if limit is None else limit):
            raise TooLarge(size)
        return path.read_bytes()

    return open_file


def upload_opener(files: Mapping[str, bytes]) -> Opener:
    """Files named in the recipe, from uploaded files (matched by file name, without folders)."""
    by_name = {PurePosixPath(name.replace("\\", "/")).name.lower(): data for name, data in files.items()}

    def open_file(name: str, limit: int | None = None, /) -> bytes | None:
        data = by_name.get(PurePosixPath(name.replace("\\", "/")).name.lower())
        if data is not None and len(data) > (MAX_FILE_BYTES if limit is None else limit):
            raise TooLarge(len(data))
        return data

    return open_file


def import_recipe(
    engine: Engine,
    run: RecipeRun,
    *,
    replace: bool = False,
    check: bool = False,
    loaded_by: str | None = None,
    max_problems: int = 200,
) -> LoadOutcome:
    """Validate and load (or with ``check``, only validate) what ``run`` gave, all or nothing, through the
    normal load path; the suppressed cells, the report and the boundaries are recorded with the load, so
    undoing it takes them back too. Problems point into the published files."""
    if not run.ok:
        result = ValidationResult(problems=list(run.problems), problem_count=len(run.problems), warnings=list(run.warnings))
        return LoadOutcome(result)

    if check:
        outcome = LoadOutcome(validate_for_load(engine, run.sources, replace=replace, max_problems=max_problems))
    else:
        outcome = load_sources(
            engine,
            run.sources,
            replace=replace,
            loaded_by=loaded_by,
            max_problems=max_problems,
            after_write=lambda connection, version: _record_import(connection, version, run),
        )
    outcome.validation.problems = translate_problems(run, outcome.validation.problems)
    outcome.validation.warnings = run.warnings + translate_problems(run, outcome.validation.warnings)
    return outcome


def _record_import(connection, version: int, run: RecipeRun) -> None:
    connection.execute(
        insert(ImportRecord).values(load_id=version, title=run.title[:500], report=json.dumps(run.report, ensure_ascii=False))
    )
    if run.unknown:
        cells = [{k: v for k, v in cell.items() if k != "source_column"} | {"load_id": version} for cell in run.unknown]
        for start in range(0, len(cells), 5000):
            connection.execute(insert(UnknownCell), cells[start : start + 5000])
    if run.shapes:
        crs = str(run.report.get("boundaries", {}).get("crs", ""))
        connection.execute(
            insert(RegionShape),
            [
                {"load_id": version, "region_code": code, "geometry": json.dumps(shape), "source_crs": crs}
                for code, shape in run.shapes.items()
            ],
        )


# --- the mapping report in words ---------------------------------------------------------------------


def report_lines(report: dict) -> list[Message]:
    """What the import did, one line per published file, name table, year label and boundary file."""
    lines: list[Message] = []
    for part in report.get("tables", []):
        if part.get("as_is"):
            lines.append(Message("recipe.report_as_is", file=part["file"], table=part["table"]))
            continue
        kept = part.get("rows_kept", part.get("rows_read", 0))
        conditions = [f"{c} = {v}" for key in ("keep",) for c, v in (part.get(key) or {}).items()]
        conditions += [f"{c} ≠ {v}" for c, v in (part.get("drop") or {}).items()]
        lines.append(
            Message(
                "recipe.report_file",
                file=part["file"],
                table=part["table"],
                read=f"{part['rows_read']:,}",
                kept=f"{kept:,}",
                rows=f"{part.get('rows', 0):,}",
                conditions=conditions or Message("recipe.report_all_rows"),
            )
        )
        if part.get("wide"):
            lines.append(Message("recipe.report_wide", file=part["file"], count=len(part["wide"])))
        if part.get("suppressed"):
            cells = [f"{column} {count}" for column, count in part["suppressed"].items()]
            lines.append(Message("recipe.report_suppressed", file=part["file"], cells=cells, rows=part.get("rows_not_loaded", 0)))
        if part.get("rounding"):
            lines.append(Message("recipe.report_rounding", file=part["file"], rounding=part["rounding"]))
    for table, names in report.get("names", {}).items():
        lines.append(Message("recipe.report_names", table=table, matched=names["matched"], aliases=len(names["aliases"])))
        for alias in names["aliases"]:
            lines.append(
                Message("recipe.report_alias", name=alias["name"], to=alias["to"], code=alias["code"], rows=alias["rows"])
            )
        for miss in names["unmatched"]:
            lines.append(
                Message("recipe.report_unmatched", name=miss["name"], file=miss["file"], line=miss["line"], rows=miss["rows"])
            )
    for year, label in report.get("year_labels", {}).items():
        lines.append(Message("recipe.report_year", year=year, label=label))
    boundaries = report.get("boundaries")
    if boundaries:
        lines.append(
            Message("recipe.report_boundaries", file=boundaries["file"], regions=boundaries["regions"], crs=boundaries["crs"])
        )
        if boundaries["without_boundary"]:
            lines.append(
                Message(
                    "recipe.report_without_boundary",
                    regions=boundaries["without_boundary"][:10],
                    count=len(boundaries["without_boundary"]),
                )
            )
    return lines
