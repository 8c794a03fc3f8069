"""Streamed loads: files read in chunks into staging tables, checked there, then written by SQL.

A load of a national data set (millions of rows) must not hold its rows in memory, yet stay
all-or-nothing and report exactly what ``validation.validate_sources`` reports. So, inside the
load's transaction:

1. each file is read record by record (``validation.TableReader``) and checked ``chunk_rows`` rows
   at a time: a chunk whose every cell passes the quick column checks below is taken as it is,
   any other chunk goes row by row through ``validation._parse_record``, the same code and the
   same messages as a load held in memory;
2. the clean rows go, with their line numbers, into a temporary staging table (psycopg's COPY on
   PostgreSQL, prepared ``executemany`` on SQLite);
3. duplicate keys are found from 64-bit hashes of the keys (8 bytes a row, then the few rows whose
   hashes meet are compared in the staging table), references from the distinct values of each
   referring column against the parent's staged and stored keys (then the lines of the values
   that resolve nowhere are read from the staging table), the sector shares from the staged
   program_sectors rows;
4. only when nothing is wrong, ``INSERT ... SELECT`` from the staging tables into the real ones.

Problems are reported in the order a load held in memory reports them (file by file in load
order and line by line, then references, then shares): each carries that order as a sort key,
and only the first ``max_problems`` are kept while all are counted.

What memory holds at a time: one chunk of rows, the key hashes and line numbers of the file being
read (16 bytes a row), the distinct values of the referring columns (at most the parent tables'
sizes) and the parents' keys; never the rows themselves.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Connection

from .contract import LOAD_ORDER, TABLES, Column, TableSpec
from .messages import Message
from .models import CONTRACT_MODELS
from .validation import (
    Problem,
    Source,
    TableReader,
    ValidationResult,
    _check_shares,
    _Collector,
    _load_rank,
    _parse_record,
    _show_key,
    table_of,
    unknown_reference,
)

CHUNK_ROWS = 20_000  # rows checked and written together
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
FETCH_LINES = 500  # line numbers per IN (...) query


class SortedCollector(_Collector):
    """A collector that keeps the ``cap`` problems first in the order of a load held in memory.

    ``phase`` is the start of the sort key of the problems added next: (0, file rank) while a file
    is read, (1, table, reference) while references are checked, (2,) for shares; the line and
    the order of adding complete it."""

    def __init__(self, result: ValidationResult, cap: int) -> None:
        super().__init__(result, cap)
        self.phase: tuple[int, ...] = (0,)
        self._heap: list[tuple[tuple[int, ...], Problem]] = []  # the kept problems, largest key first (negated)
        self._seq = itertools.count()

    def add(self, file: str, line: int, column: str, message: Message) -> None:
        self.result.problem_count += 1
        if self.cap <= 0:
            return
        key = tuple(-part for part in (*self.phase, line, next(self._seq)))
        entry = (key, Problem(file, line, column, message))
        if len(self._heap) < self.cap:
            heapq.heappush(self._heap, entry)
        elif key > self._heap[0][0]:  # earlier than the latest kept
            heapq.heapreplace(self._heap, entry)

    def finish(self) -> None:
        """Put the kept problems into the result, in order."""
        self.result.problems = [problem for _, problem in sorted(self._heap, reverse=True)]


# --- reading a file in chunks -------------------------------------------------------------------


def _quick_column(values: list[str], column: Column) -> list | None:
    """The typed values of one column of a chunk when every cell is plainly right, else None
    (then the chunk is checked row by row). Takes only what ``validation.parse_value`` takes, as it
    takes it: the common cases, with loops that run in C."""
    stripped = list(map(str.strip, values))
    empty = not all(stripped)
    if empty and not column.optional:
        return None
    kind = column.kind
    if kind == "text":
        if not (all(map(str.isascii, stripped)) and all(map(str.isprintable, stripped))):
            return None
        return [v or None for v in stripped] if empty else stripped
    filled = [v for v in stripped if v] if empty else stripped
    if kind in ("int", "year"):
        if not filled:
            return [None] * len(values)
        if not (all(map(str.isdigit, filled)) and all(map(str.isascii, filled)) and max(map(len, filled)) < 10):
            return None
        numbers: list = list(map(int, filled))
        if (kind == "year" or column.meaning) and not _all_within(numbers, column):
            return None
    elif kind in ("money", "number"):
        if not filled:
            return [None] * len(values)
        if not all(map(_DECIMAL.fullmatch, filled)) or any(v.startswith("-") for v in filled):
            return None
        numbers = list(map(float, filled))
        if not _all_within(numbers, column) or (column.above_minimum and min(numbers) == column.minimum):
            return None
    else:
        return None
    if not empty:
        return numbers
    parsed = iter(numbers)
    return [next(parsed) if v else None for v in stripped]


def _all_within(numbers: list, column: Column) -> bool:
    low, high = min(numbers), max(numbers)
    return (column.minimum is None or low >= column.minimum) and (column.maximum is None or high <= column.maximum)


def _quick_rules(table: str, typed: dict[str, list]) -> bool:
    """True when no row of the chunk breaks a row rule or earns a warning (else it goes row by row)."""
    if table == "placements":
        return not any(map(int.__gt__, typed["hired"], typed["students_placed"]))
    if table == "outcomes":
        employed, surveyed = typed["employed"], typed["surveyed"]
        accounted = map(sum, zip(employed, typed["further_study"], typed["unemployed"]))
        return not (
            any(map(int.__gt__, accounted, surveyed))
            or any(map(int.__gt__, typed["employed_in_field"], employed))
            or any(map(int.__gt__, typed["self_employed"], employed))
        )
    if table == "demand":
        return all(o is not None or e is not None for o, e in zip(typed["openings"], typed["employment"]))
    if table == "enrolments":
        # an empty enrolled is unknown: nothing to compare the graduates with
        return not any(g > e for g, e in zip(typed["graduates"], typed["enrolled"]) if e is not None)
    return True


def _quick_chunk(lines: list[int], records: list[list[str]], reader: TableReader) -> list[tuple] | None:
    """The chunk's rows as (line, value, ...) in contract column order, or None to go row by row."""
    spec, width = reader.spec, reader.header_width
    if set(map(len, records)) != {width}:
        return None
    columns = list(zip(*records))
    typed: dict[str, list] = {}
    for column in spec.columns:
        position = reader.positions.get(column.name)
        if position is None:
            if not column.optional:
                return None
            typed[column.name] = [None] * len(records)
            continue
        values = _quick_column(list(columns[position]), column)
        if values is None:
            return None
        typed[column.name] = values
    if not _quick_rules(spec.name, typed):
        return None
    return list(zip(lines, *typed.values()))


def parse_chunks(reader: TableReader, collect: _Collector, chunk_rows: int = CHUNK_ROWS) -> Iterator[list[tuple]]:
    """The clean rows of an opened file, ``chunk_rows`` records at a time, as (line, value, ...) tuples in
    contract column order; problems and warnings go to ``collect`` exactly as ``validate_sources``
    reports them (duplicate keys are not looked for here)."""
    spec, name = reader.spec, reader.source.name
    columns = spec.column_names
    records = reader.records()
    while True:
        chunk = list(itertools.islice(records, chunk_rows))
        if not chunk:
            return
        lines = [line for line, _ in chunk]
        rows = _quick_chunk(lines, [record for _, record in chunk], reader)
        if rows is None:
            rows = []
            for line, record in chunk:
                row = _parse_record(name, line, record, reader.header_width, reader.positions, spec, collect)
                if row is not None:
                    rows.append((line, *(row[c] for c in columns)))
        yield rows


# --- staging tables ---------------------------------------------------------------------------


def stage_name(table: str) -> str:
    return f"stage_{table}"


class Stage:
    """The staging table of one contract table: its clean rows with their line numbers."""

    def __init__(self, connection: Connection, spec: TableSpec) -> None:
        self.connection, self.spec = connection, spec
        self.name = stage_name(spec.name)
        self.postgres = connection.dialect.name == "postgresql"
        self.rows = 0
        model_table = CONTRACT_MODELS[spec.name].__table__  # type: ignore[attr-defined]
        types = {c.name: c.type.compile(dialect=connection.dialect) for c in model_table.columns}
        columns = ", ".join(f"{c} {types[c]}" for c in spec.column_names)
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {self.name}")
        if self.postgres:
            connection.exec_driver_sql(f"CREATE TEMP TABLE {self.name} (line bigint, {columns}) ON COMMIT DROP")
        else:
            connection.exec_driver_sql(f"CREATE TEMP TABLE {self.name} (line INTEGER PRIMARY KEY, {columns})")
        names = ", ".join(("line", *spec.column_names))
        self._copy = f"COPY {self.name} ({names}) FROM STDIN"
        marks = ", ".join(["?"] * (len(spec.column_names) + 1))
        self._insert = f"INSERT INTO {self.name} VALUES ({marks})"

    def write(self, rows: list[tuple]) -> None:
        """Add rows (line, value, ...) to the staging table."""
        if not rows:
            return
        self.rows += len(rows)
        if self.postgres:
            with self._cursor() as cursor, cursor.copy(self._copy) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            self.connection.exec_driver_sql(self._insert, rows)

    def _cursor(self):
        return self.connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]

    def delete_lines(self, lines: list[int]) -> None:
        """Take these lines out of the staging table (duplicates of a key seen on an earlier line)."""
        for start in range(0, len(lines), FETCH_LINES):
            batch = lines[start : start + FETCH_LINES]
            self.connection.exec_driver_sql(
                f"DELETE FROM {self.name} WHERE line IN ({', '.join(str(int(line)) for line in batch)})"
            )
        self.rows -= len(lines)

    def fetch(self, columns: tuple[str, ...], lines: list[int]) -> list[tuple]:
        """(line, columns...) of the given lines."""
        found: list[tuple] = []
        for start in range(0, len(lines), FETCH_LINES):
            batch = lines[start : start + FETCH_LINES]
            statement = (
                f"SELECT line, {', '.join(columns)} FROM {self.name} WHERE line IN ({', '.join(str(int(n)) for n in batch)})"
            )
            found.extend(tuple(row) for row in self.connection.exec_driver_sql(statement))
        return found

    def drop(self) -> None:
        self.connection.exec_driver_sql(f"DROP TABLE IF EXISTS {self.name}")


class KeyWatch:
    """Finds rows of one file whose key an earlier row already had, from 64-bit hashes of the keys."""

    def __init__(self, spec: TableSpec) -> None:
        self.spec = spec
        self.positions = [spec.column_names.index(k) + 1 for k in spec.key]  # in (line, value, ...) tuples
        self._hashes: list[np.ndarray] = []
        self._lines: list[np.ndarray] = []

    def see(self, rows: list[tuple]) -> None:
        if not rows:
            return
        keys = zip(*([row[p] for row in rows] for p in self.positions))
        self._hashes.append(np.fromiter(map(hash, keys), dtype=np.int64, count=len(rows)))
        self._lines.append(np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows)))

    def duplicates(self, stage: Stage) -> list[tuple[int, tuple, int]]:
        """(line, key, first line of that key) of every row whose key came on an earlier line."""
        if not self._hashes:
            return []
        hashes = np.concatenate(self._hashes)
        self._hashes = []
        ordered = np.sort(hashes)
        repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
        del ordered
        if not len(repeated):
            return []
        lines = np.concatenate(self._lines)[np.isin(hashes, repeated)]
        self._lines = []
        candidates = stage.fetch(self.spec.key, sorted(int(line) for line in lines))
        first: dict[tuple, int] = {}
        found = []
        for line, *key in sorted(candidates):
            key_tuple = tuple(key)
            if key_tuple in first:
                found.append((line, key_tuple, first[key_tuple]))
            else:
                first[key_tuple] = line
        return found


# --- the streamed check -----------------------------------------------------------------------


@dataclass
class Staged:
    """What a streamed check leaves for the write: the staging tables and the result."""

    result: ValidationResult
    stages: dict[str, Stage] = field(default_factory=dict)

    def drop(self) -> None:
        for stage in self.stages.values():
            stage.drop()


def stage_sources(
    connection: Connection,
    sources: list[Source],
    *,
    existing_keys: Callable[[str], set] | None,
    stored_shares: Callable[[set[str]], dict[tuple[str, str], float]] | None,
    max_problems: int = 200,
    chunk_rows: int = CHUNK_ROWS,
) -> Staged:
    """Check ``sources`` as ``validate_sources`` does, with the clean rows put into staging tables."""
    result = ValidationResult(sources=list(sources))
    collect = SortedCollector(result, max_problems)
    staged = Staged(result)
    seen_tables: dict[str, str] = {}
    referred: dict[tuple[str, str], set] = {}  # (table, column) -> the distinct values it refers with
    for rank, source in enumerate(sorted(sources, key=_load_rank)):
        collect.phase = (0, rank)
        spec = table_of(source, seen_tables, collect)
        if spec is None:
            continue
        reader = TableReader(source, spec, collect)
        if not reader.open():
            continue
        stage = Stage(connection, spec)
        watch = KeyWatch(spec)
        values = {r.column: referred.setdefault((spec.name, r.column), set()) for r in spec.references}
        value_positions = {c: spec.column_names.index(c) + 1 for c in values}
        for rows in parse_chunks(reader, collect, chunk_rows):
            stage.write(rows)
            watch.see(rows)
            for column, seen in values.items():
                seen.update(row[value_positions[column]] for row in rows)
        if reader.failed:
            stage.drop()
            continue
        duplicates = watch.duplicates(stage)
        for line, key, first in duplicates:
            collect.add(
                source.name,
                line,
                ",".join(spec.key),
                Message("validation.duplicate_key", key_values=_show_key(key), line=first),
            )
        stage.delete_lines([line for line, _, _ in duplicates])
        staged.stages[spec.name] = stage
    _check_references(connection, staged, seen_tables, referred, existing_keys, collect)
    if "program_sectors" in staged.stages:
        collect.phase = (2,)
        stage = staged.stages["program_sectors"]
        columns = TABLES["program_sectors"].column_names
        staged_rows = connection.exec_driver_sql(f"SELECT line, {', '.join(columns)} FROM {stage.name} ORDER BY line").all()
        shares = ValidationResult(rows={"program_sectors": [dict(zip(columns, row[1:])) for row in staged_rows]})
        _check_shares(shares, {"program_sectors": [row[0] for row in staged_rows]}, seen_tables, stored_shares, collect)
    collect.finish()
    result.row_counts = {table: stage.rows for table, stage in staged.stages.items()}
    return staged


def _check_references(
    connection: Connection,
    staged: Staged,
    file_of: dict[str, str],
    referred: dict[tuple[str, str], set],
    existing_keys: Callable[[str], set] | None,
    collect: SortedCollector,
) -> None:
    """Every reference resolves to a staged row of the parent or, unless replacing, a stored one."""
    known: dict[str, set] = {}

    def keys_of(table: str) -> set:
        if table not in known:
            keys: set = set()
            if table in staged.stages:
                key = TABLES[table].key[0]
                keys.update(connection.exec_driver_sql(f"SELECT {key} FROM {stage_name(table)}").scalars())
            if existing_keys is not None:
                keys |= existing_keys(table)
            known[table] = keys
        return known[table]

    message_key = "validation.unknown_reference_replacing" if existing_keys is None else "validation.unknown_reference"
    for index, table in enumerate(LOAD_ORDER):
        if table not in staged.stages:
            continue
        stage = staged.stages[table]
        for number, reference in enumerate(TABLES[table].references):
            values = referred.get((table, reference.column), set())
            values.discard(None)
            keys = keys_of(reference.table)
            unknown = values - keys
            if not unknown:
                continue
            collect.phase = (1, index, number)
            parent_file = TABLES[reference.table].file_name
            for line, value in _lines_with(connection, stage, reference.column, unknown):
                collect.add(
                    file_of[table],
                    line,
                    reference.column,
                    unknown_reference(message_key, reference.column, value, keys, parent_file),
                )


def _lines_with(connection: Connection, stage: Stage, column: str, values: set) -> Iterator[tuple[int, str]]:
    """(line, value) of the staged rows whose ``column`` is one of ``values``, in line order."""
    connection.exec_driver_sql("DROP TABLE IF EXISTS stage_unknown")
    if stage.postgres:
        connection.exec_driver_sql("CREATE TEMP TABLE stage_unknown (value text PRIMARY KEY) ON COMMIT DROP")
        with stage._cursor() as cursor, cursor.copy("COPY stage_unknown (value) FROM STDIN") as copy:
            for value in values:
                copy.write_row((value,))
    else:
        connection.exec_driver_sql("CREATE TEMP TABLE stage_unknown (value TEXT PRIMARY KEY)")
        connection.exec_driver_sql("INSERT INTO stage_unknown VALUES (?)", [(value,) for value in values])
    statement = f"SELECT s.line, s.{column} FROM {stage.name} s JOIN stage_unknown u ON u.value = s.{column} ORDER BY s.line"
    yield from connection.exec_driver_sql(statement).all()
    connection.exec_driver_sql("DROP TABLE stage_unknown")
