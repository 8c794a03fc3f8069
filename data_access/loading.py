"""All-or-nothing loading of validated rows, the load log and the data version."""

from __future__ import annotations

import csv
import getpass
import gzip
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, func, insert, select, text, tuple_, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import col

from . import budget, stored_settings, streaming, summaries
from .contract import LOAD_ORDER, TABLES
from .engines import database_name, first_line, is_read_only
from .facts import NOT_LINKED
from .messages import Message, quoted
from .models import (
    CONTRACT_MODELS,
    LoadLock,
    LoadLog,
    LoadUndo,
    ProgramSector,
    StoredSetting,
    SummaryDemandBySector,
    SummaryEnrolmentByRegion,
    SummaryEnrolmentBySector,
)
from .settings import get_settings
from .validation import FILE_LEVEL, Problem, Source, ValidationResult, collect_sources, validate_sources

BATCH_ROWS = 5000
LOAD_CACHE_KB = 512 * 1024  # SQLite page cache of the connection that writes a load
READ_CACHE_KB = 64 * 1024  # and what it goes back to (store.make_engine gives every connection this)
STREAM_CACHE_KB = 256 * 1024  # the page cache of a streamed load, which must stay within its memory bound
STREAM_FROM_BYTES = 32 * 1024 * 1024  # inputs at least this large are loaded streamed (data_access/streaming.py)


@dataclass
class LoadOutcome:
    """What a load did: its validation, and if it was written, the new data version and counts."""

    validation: ValidationResult
    data_version: int | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # table -> rows, added, updated, removed
    nothing_to_load: bool = False  # the files were clean but held no data rows, so nothing was written

    @property
    def ok(self) -> bool:
        """True when the load was written."""
        return self.data_version is not None

    def summary_lines(self) -> list[str]:
        """One line per loaded table, for people."""
        lines = []
        for table, count in self.counts.items():
            line = f"{table}: {count['rows']} rows ({count['added']} added, {count['updated']} updated"
            if count.get("removed"):
                line += f", {count['removed']} removed by --replace"
            lines.append(line + ")")
        return lines


def stored_keys(engine_or_connection, table: str) -> set:
    """The single-column keys stored in a parent table (regions, sectors, institutions, programs, employers)."""
    model = CONTRACT_MODELS[table]
    key_column = getattr(model, TABLES[table].key[0])
    if isinstance(engine_or_connection, Engine):
        with engine_or_connection.connect() as connection:
            return set(connection.execute(select(key_column)).scalars())
    return set(engine_or_connection.execute(select(key_column)).scalars())


def stored_shares(engine_or_connection, programs: set[str]) -> dict[tuple[str, str], float]:
    """The stored sector shares of ``programs``: {(program_code, sector_code): share}."""
    statement = select(ProgramSector.program_code, ProgramSector.sector_code, ProgramSector.share)
    found: dict[tuple[str, str], float] = {}
    codes = sorted(programs)
    for start in range(0, len(codes), KEY_BATCH):
        batch = statement.where(ProgramSector.program_code.in_(codes[start : start + KEY_BATCH]))
        if isinstance(engine_or_connection, Engine):
            with engine_or_connection.connect() as connection:
                rows = connection.execute(batch).all()
        else:
            rows = engine_or_connection.execute(batch).all()
        found.update({(program, sector): share for program, sector, share in rows})
    return found


def validate_for_load(
    engine: Engine, sources: list[Source], *, replace: bool = False, max_problems: int = 200
) -> ValidationResult:
    """Validate sources as a load into ``engine`` would (references and sector shares use stored rows unless
    replacing), with the warnings about the meaning of the data as the load would leave it, without writing
    the database: a check never opens a write transaction nor takes the load lock, so a check, which anyone
    may run, never holds up a load or an editor's sign-in, and a read-only database is checked alike.
    Inputs of STREAM_FROM_BYTES or more are staged as a streamed load stages them, in temporary tables of
    the check's own connection (``check_connection``)."""
    stream = _streams(sources)
    with check_connection(engine, streaming=stream) as connection:
        lookup = None if replace else (lambda table: stored_keys(connection, table))
        shares = None if replace else (lambda programs: stored_shares(connection, programs))
        staged = None
        if stream:
            staged = streaming.stage_sources(
                connection, sources, existing_keys=lookup, stored_shares=shares, max_problems=max_problems
            )
            result = staged.result
        else:
            result = validate_sources(sources, existing_keys=lookup, stored_shares=shares, max_problems=max_problems)
        if result.ok and (replace or any(result.table_rows().values())):
            result.warnings.extend(meaning_as_loaded(connection, result, staged, replace=replace))
    return result


def _streams(sources: list[Source], chunk_rows: int | None = None) -> bool:
    """Whether these sources are loaded (and checked) streamed: STREAM_FROM_BYTES or more, or ``chunk_rows`` given."""
    return chunk_rows is not None or sum(source.size for source in sources) >= STREAM_FROM_BYTES


@contextmanager
def check_connection(engine: Engine, *, streaming: bool = False) -> Iterator[Connection]:
    """A connection for a check, in a transaction that reads the stored rows and writes only temporary
    tables and views of its own (the staged rows, ``meaning_as_loaded``'s shadows): on SQLite those take no
    lock of the database file, on PostgreSQL no lock of a stored table, and the transaction is rolled back at
    the end, which takes every one of them away. Within the budget of a check without a sign-in
    (data_access/budget.py) the database stops a statement at the deadline (SQLite's progress handler,
    PostgreSQL's statement_timeout). ``streaming``: staging tables go to a temporary file on SQLite, with
    the page cache of a streamed load, as a streamed load's do."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.dbapi_connection
        left = budget.seconds_left()
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA temp_store = {'FILE' if streaming else 'MEMORY'}")
            if streaming:
                connection.exec_driver_sql(f"PRAGMA cache_size = -{STREAM_CACHE_KB}")
            # pysqlite begins a transaction only before a data change: begun here, a temporary table made
            # before the first row is written goes with the rollback too
            connection.exec_driver_sql("BEGIN")
            if left is not None:
                raw.set_progress_handler(lambda: budget.seconds_left() == 0, 10_000)
        elif left is not None:
            connection.execute(text("SELECT set_config('statement_timeout', :ms, true)"), {"ms": str(max(1, int(left * 1000)))})
        try:
            yield connection
        except SQLAlchemyError:
            budget.check()  # a statement stopped at the deadline is the budget's doing, not the database's
            raise
        finally:
            if sqlite:
                raw.set_progress_handler(None, 0)
            connection.rollback()
            if sqlite and streaming:
                connection.exec_driver_sql(f"PRAGMA cache_size = -{READ_CACHE_KB}")


def load_paths(
    engine: Engine,
    paths: Iterable[str | Path],
    *,
    replace: bool = False,
    loaded_by: str | None = None,
    max_problems: int = 200,
) -> LoadOutcome:
    """Validate the files and folders at ``paths`` and, only if all are clean, load them."""
    sources, read_problems, read_warnings = collect_sources(paths)
    if read_problems:
        result = ValidationResult(
            problems=read_problems, warnings=read_warnings, problem_count=len(read_problems), sources=sources
        )
        return LoadOutcome(result)
    outcome = load_sources(engine, sources, replace=replace, loaded_by=loaded_by, max_problems=max_problems)
    outcome.validation.warnings[:0] = read_warnings
    return outcome


class ChangeRefused(Exception):
    """The database cannot take a load or an undo now; ``args[0]`` is the Message saying why."""


class LoadBusy(ChangeRefused):
    """Another load or undo holds the load lock longer than the wait allowed."""


class DatabaseReadOnly(ChangeRefused):
    """The database can be read but not written (a read-only file or folder, a read-only server)."""


@contextmanager
def change_transaction(engine: Engine, holder: str, *, wait_seconds: float | None = None, streaming: bool = False):
    """A write transaction that first takes the load lock, so that two loads (or undos) never
    interleave: a second one waits up to ``wait_seconds`` (LOAD_LOCK_WAIT) and then gives up
    with ``LoadBusy`` (``DatabaseReadOnly`` when it cannot be written at all). Readers are not
    blocked; they see the data before or after, never half. ``streaming``: a streamed load, whose
    staging tables go to a temporary file on SQLite (in memory they would grow with the input) and
    whose page cache is STREAM_CACHE_KB, so that the process stays within its memory bound."""
    wait = get_settings().load_lock_wait if wait_seconds is None else wait_seconds
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT set_config('lock_timeout', :ms, true)"), {"ms": f"{int(wait * 1000)}"})
            else:
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait * 1000)}")  # an int we made, not input
                # A large load rewrites index pages all over the file; the default 2 MB page cache
                # would evict them between rows. Per connection, for this transaction's duration.
                cache = STREAM_CACHE_KB if streaming else LOAD_CACHE_KB
                connection.exec_driver_sql(f"PRAGMA cache_size = -{cache}")
                connection.exec_driver_sql(f"PRAGMA temp_store = {'FILE' if streaming else 'MEMORY'}")
            connection.execute(update(LoadLock).where(LoadLock.id == 1).values(holder=holder, since=datetime.now(UTC)))
            try:
                yield connection
            finally:
                if connection.dialect.name == "sqlite":
                    connection.exec_driver_sql(f"PRAGMA cache_size = -{READ_CACHE_KB}")
    except OperationalError as error:
        text_of_error = str(getattr(error, "orig", error)).lower()
        if "locked" in text_of_error or "lock timeout" in text_of_error or "lock_timeout" in text_of_error:
            raise LoadBusy(Message("load_undo.busy")) from None
        if "readonly database" in text_of_error or "read-only transaction" in text_of_error:
            raise DatabaseReadOnly(_read_only(engine)) from None
        raise


def _read_only(engine: Engine) -> Message:
    return Message("load_undo.read_only", database=database_name(engine))


def load_sources(
    engine: Engine,
    sources: list[Source],
    *,
    replace: bool = False,
    loaded_by: str | None = None,
    max_problems: int = 200,
    after_write: Callable[[Connection, int], None] | None = None,
    chunk_rows: int | None = None,
) -> LoadOutcome:
    """Validate then write every source in one transaction; any problem writes nothing.

    The rows each load overwrites or removes, and the keys it adds, are kept so
    that ``undo_load`` can restore exactly the state before it. Clean files without a
    single data row write nothing (``nothing_to_load``) and keep the data version, unless
    ``replace`` empties the tables. A read-only database is refused before any file is read.
    After the rows are written, warnings about the meaning of the data as it now stands
    (``meaning_warnings``) join the validation's. ``after_write(connection, version)`` writes what
    belongs to the load besides its rows (an import's report), in the same transaction.

    Inputs of STREAM_FROM_BYTES or more, or any input when ``chunk_rows`` is given, are streamed
    (``data_access/streaming.py``): read ``chunk_rows`` rows at a time into staging tables inside the
    transaction, checked there with the same messages, then written by SQL, so memory does not grow
    with the input; the outcome's ``validation.rows`` stays empty and ``validation.row_counts`` counts.
    """
    who = loaded_by or _current_user()
    outcome = LoadOutcome(ValidationResult(sources=list(sources)))
    if is_read_only(engine):
        _refuse(outcome, _read_only(engine))
        return outcome
    try:
        stream = _streams(sources, chunk_rows)
        with change_transaction(engine, who, streaming=stream) as connection:
            lookup = None if replace else (lambda table: stored_keys(connection, table))
            shares = None if replace else (lambda programs: stored_shares(connection, programs))
            staged = None
            if stream:
                staged = streaming.stage_sources(
                    connection,
                    sources,
                    existing_keys=lookup,
                    stored_shares=shares,
                    max_problems=max_problems,
                    chunk_rows=chunk_rows or streaming.CHUNK_ROWS,
                )
                result = outcome.validation = staged.result
            else:
                result = outcome.validation = validate_sources(
                    sources, existing_keys=lookup, stored_shares=shares, max_problems=max_problems
                )
            if not result.ok:
                raise _NothingToWrite
            if not replace and not any(result.table_rows().values()):
                outcome.nothing_to_load = True
                raise _NothingToWrite
            undo = _record_everything(connection) if replace else {}
            removed = _empty_all_tables(connection) if replace else {}
            for table in LOAD_ORDER:
                if staged is not None and table in staged.stages:
                    stage = staged.stages[table]
                    if not replace:
                        undo[table] = _record_overwritten_staged(connection, table, stage.name)
                    outcome.counts[table] = _upsert_staged(connection, table, stage.name, stage.rows)
                    outcome.counts[table]["removed"] = removed.get(table, 0)
                elif table in result.rows:
                    if not replace:
                        undo[table] = _pack(_record_overwritten(connection, table, result.rows[table]))
                    outcome.counts[table] = _upsert(connection, table, result.rows[table])
                    outcome.counts[table]["removed"] = removed.get(table, 0)
                elif removed.get(table):  # emptied by --replace and not reloaded: record it too
                    outcome.counts[table] = {"rows": 0, "added": 0, "updated": 0, "removed": removed[table]}
            if staged is not None:
                staged.drop()
            summaries.rebuild(connection, None if replace else result.table_rows().keys())
            result.warnings.extend(meaning_warnings(connection))
            version = _log_change(connection, who, "replace" if replace else "upsert", result, outcome.counts)
            for table, payload in undo.items():
                connection.execute(insert(LoadUndo).values(load_id=version, table_name=table, payload=payload))
            if after_write is not None:
                after_write(connection, version)
            outcome.data_version = version
    except _NothingToWrite:
        pass
    except (ChangeRefused, SQLAlchemyError) as error:
        # Validation passed, so this is the database refusing the write (another load holds the
        # lock, or removed a referenced row meanwhile). Nothing was written.
        _write_refused(outcome, error)
    return outcome


def _write_refused(outcome: LoadOutcome, error: ChangeRefused | SQLAlchemyError) -> None:
    """``outcome`` of a write the database (or the change's own guard) refused: nothing written, and why."""
    outcome.counts, outcome.data_version = {}, None
    refused = isinstance(error, ChangeRefused)
    _refuse(outcome, error.args[0] if refused else Message("load_undo.load_refused", error=first_line(error)))


DATA_SET = Message("meaning.data_set")  # the FILE of a warning about the data set as a whole


def meaning_warnings(connection) -> list[Problem]:
    """What the data as it stands cannot say, as warnings (never errors): years with supply but no
    demand or demand but no supply (no gap there; a year whose openings are all unknown has no demand),
    and sectors that have graduates but never any
    demand, or demand but never any graduates. Read from the summaries, so cheap at any scale."""

    def values(statement) -> set:
        return {value for value in connection.execute(statement).scalars() if value is not None}

    supply_years = values(select(SummaryEnrolmentByRegion.year).distinct())
    # a year whose openings are all unknown (estimated in the first year of a series) has no demand to compare
    demand_years = values(select(SummaryDemandBySector.year).where(col(SummaryDemandBySector.openings).is_not(None)).distinct())
    found: list[Problem] = []
    if supply_years and demand_years:
        if not supply_years & demand_years:
            found.append(
                Problem(
                    DATA_SET,
                    0,
                    FILE_LEVEL,
                    Message("meaning.years_apart", supply=_years(supply_years), demand=_years(demand_years)),
                )
            )
        else:
            for only, side in ((supply_years - demand_years, "supply"), (demand_years - supply_years, "demand")):
                if only:
                    found.append(Problem(DATA_SET, 0, FILE_LEVEL, Message(f"meaning.years_only_{side}", years=_years(only))))
    supplied = values(
        select(SummaryEnrolmentBySector.sector_code)
        .where(SummaryEnrolmentBySector.sector_code != NOT_LINKED, SummaryEnrolmentBySector.graduates > 0)
        .distinct()
    )
    demanded = values(select(SummaryDemandBySector.sector_code).where(col(SummaryDemandBySector.openings) > 0).distinct())
    if supply_years and demand_years:
        for sectors, key in (
            (supplied - demanded, "meaning.sectors_without_demand"),
            (demanded - supplied, "meaning.sectors_without_supply"),
        ):
            if sectors:
                listed = sorted(sectors)
                shown = listed[:10] + ([Message("validation.and_more", count=len(listed) - 10)] if len(listed) > 10 else [])
                found.append(Problem(DATA_SET, 0, "sector_code", Message(key, sectors=shown)))
    return found


def _years(years: set[int]) -> str:
    """Years as a reader writes them: runs joined ("2018–2021, 2023")."""
    ordered, runs = sorted(years), []
    start = previous = ordered[0]
    for year in ordered[1:] + [None]:
        if year is not None and year == previous + 1:
            previous = year
            continue
        runs.append(str(start) if start == previous else f"{start}–{previous}")
        if year is not None:
            start = previous = year
    return ", ".join(runs)


# What meaning_warnings reads, and the contract tables those summaries are computed from.
MEANING_SUMMARIES = ("enrolments_by_region_sector", "enrolments_by_sector", "enrolments_by_region", "demand_by_sector")
MEANING_INPUTS = frozenset().union(*(summaries.SUMMARIES[name].inputs for name in MEANING_SUMMARIES))


def meaning_as_loaded(
    connection: Connection, result: ValidationResult, staged: streaming.Staged | None = None, *, replace: bool = False
) -> list[Problem]:
    """``meaning_warnings`` of the data as a load of ``result`` would leave it, on a ``check_connection``,
    whose rollback takes away what this writes: only temporary tables and views. Each contract table the
    meaning summaries are computed from that the load brings rows for is shadowed by a temporary view of the
    stored rows the load keeps and the rows it brings (staged in temporary tables: ``staged``'s, or the rows
    of ``result``); with ``replace`` every such table is, and holds the brought rows only. The summaries are
    rebuilt into temporary tables of the same names, which ``meaning_warnings`` then reads: SQLite and
    PostgreSQL both look a name up among the connection's temporary objects before the stored ones."""
    brought = {table for table in result.table_rows() if table in MEANING_INPUTS}
    if not replace and not brought:
        return meaning_warnings(connection)  # nothing these summaries read changes
    if connection.dialect.name == "sqlite":
        stored = "main"
    else:
        stored = connection.dialect.identifier_preparer.quote_schema(
            connection.execute(text("SELECT current_schema()")).scalar_one()
        )
    stages = {table: stage.name for table, stage in (staged.stages if staged is not None else {}).items()}
    for table in sorted(brought - set(stages)):
        stages[table] = _staged_rows(connection, table, result.rows[table]).name
    for table in sorted(MEANING_INPUTS if replace else brought):  # names are the contract's, never input
        columns = ", ".join(_columns(table))
        rows = (
            f"SELECT {columns} FROM {stages[table]}" if table in stages else f"SELECT {columns} FROM {stored}.{table} WHERE 1 = 0"
        )
        if not replace:
            same_key = " AND ".join(f"s.{k} = t.{k}" for k in TABLES[table].key)
            kept = f"SELECT {columns} FROM {stored}.{table} t WHERE NOT EXISTS (SELECT 1 FROM {stages[table]} s WHERE {same_key})"
            rows = f"{kept} UNION ALL {rows}"
        connection.exec_driver_sql(f"CREATE TEMP VIEW {table} AS {rows}")
    changed = None if replace else brought
    for model, _ in summaries.refills(changed, only=MEANING_SUMMARIES):
        name = model.__tablename__
        connection.exec_driver_sql(f"CREATE TEMP TABLE {name} AS SELECT * FROM {stored}.{name} LIMIT 0")
    summaries.rebuild(connection, changed, only=MEANING_SUMMARIES)
    return meaning_warnings(connection)


def _staged_rows(connection: Connection, table: str, rows: list[dict]) -> streaming.Stage:
    """``rows`` of ``table`` in a temporary staging table, as a streamed load stages them."""
    stage = streaming.Stage(connection, TABLES[table])
    columns = _columns(table)
    for start in range(0, len(rows), BATCH_ROWS):
        batch = rows[start : start + BATCH_ROWS]
        stage.write([(start + offset, *(row[c] for c in columns)) for offset, row in enumerate(batch)])
    return stage


DATABASE = Message("load_undo.database")  # the FILE of a problem of the database as a whole


def _refuse(outcome: LoadOutcome, message: Message) -> None:
    """Record why the database did not take the load, as a problem of the database as a whole."""
    outcome.validation.problems.append(Problem(DATABASE, 0, FILE_LEVEL, message))
    outcome.validation.problem_count += 1


class _NothingToWrite(Exception):
    """Raised inside the load transaction to roll it back: validation found problems, or no rows."""


def _log_change(connection, who: str, mode: str, result: ValidationResult, counts: dict, undoes: int | None = None) -> int:
    values = {
        "loaded_at": datetime.now(UTC),
        "loaded_by": who,
        "mode": mode,
        "files": json.dumps([Path(s.name).name for s in result.sources], ensure_ascii=False),
        "row_counts": json.dumps(counts),
        "checksum": result.checksum,
        "undoes": undoes,
    }
    return connection.execute(insert(LoadLog).values(**values).returning(LoadLog.id)).scalar_one()


# --- undo -------------------------------------------------------------------------------

KEY_BATCH = 400  # composite keys per IN (...) query


def _columns(table: str) -> list[str]:
    return list(TABLES[table].column_names)


SCAN_WHEN_LOADING_ONE_IN = 50  # a load of at least 1/50 of a table's rows reads the table rather than looking keys up
ADDED_ALL = "all"  # the "added" of a table that was empty before the load: undoing it empties the table again


def _record_overwritten(connection, table: str, rows: list[dict]) -> dict:
    """The stored rows a load of ``rows`` will overwrite, and the keys it will add.

    Into an empty table (a first load, the usual way a large data set arrives) nothing is
    overwritten and every key is new, so the record says just that instead of listing them.
    A load about as large as the table reads the table once; a small one looks its keys up."""
    spec, model = TABLES[table], CONTRACT_MODELS[table]
    stored = connection.execute(select(func.count()).select_from(model)).scalar_one()
    if stored == 0:
        return {"previous": [], "added": ADDED_ALL}
    keys = [tuple(row[k] for k in spec.key) for row in rows]
    every_column = [getattr(model, c) for c in _columns(table)]
    key_positions = [_columns(table).index(k) for k in spec.key]
    previous: list[list] = []
    if len(keys) * SCAN_WHEN_LOADING_ONE_IN >= stored:
        incoming = set(keys)
        for row in connection.execute(select(*every_column)):
            if tuple(row[p] for p in key_positions) in incoming:
                previous.append(list(row))
    else:
        key_columns = [getattr(model, k) for k in spec.key]
        for start in range(0, len(keys), KEY_BATCH):
            batch = keys[start : start + KEY_BATCH]
            found = connection.execute(select(*every_column).where(tuple_(*key_columns).in_(batch))).all()
            previous.extend(list(row) for row in found)
    existing = {tuple(row[p] for p in key_positions) for row in previous}
    return {"previous": previous, "added": [list(k) for k in keys if k not in existing]}


def _record_everything(connection) -> dict[str, bytes]:
    """Every stored row of every table, before a replacing load empties them, packed table by table
    as it is read (memory holds one batch of rows and the compressed record, never the rows)."""
    record = {}
    for table in LOAD_ORDER:
        model = CONTRACT_MODELS[table]
        rows = _streamed(connection, select(*[getattr(model, c) for c in _columns(table)]))
        record[table] = _pack_streamed(rows, None)  # None: the load replaced everything
    return record


UNDO_BATCH = 5000  # rows read and written to an undo record at a time


def _streamed(connection, statement) -> Iterator[Sequence]:
    """The rows of ``statement``, fetched a batch at a time (a server-side cursor on PostgreSQL)."""
    result = connection.execute(statement, execution_options={"stream_results": True, "max_row_buffer": UNDO_BATCH})
    for part in result.partitions(UNDO_BATCH):
        yield from part


def _pack_streamed(previous: Iterable[Sequence], added: Iterable[Sequence] | str | None) -> bytes:
    """``_pack({"previous": previous, "added": added})``, written into the compressor batch by batch."""
    buffer = io.BytesIO()

    def dump(rows: Iterable[Sequence], out) -> None:
        first = True
        for batch in _batched(rows, UNDO_BATCH):
            text_of_batch = json.dumps([list(row) for row in batch], ensure_ascii=False, separators=(",", ":"))[1:-1]
            if text_of_batch:
                out.write((("" if first else ",") + text_of_batch).encode("utf-8"))
                first = False

    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as out:
        out.write(b'{"previous":[')
        dump(previous, out)
        out.write(b'],"added":')
        if added is None or isinstance(added, str):
            out.write(json.dumps(added).encode("utf-8"))
        else:
            out.write(b"[")
            dump(added, out)
            out.write(b"]")
        out.write(b"}")
    return buffer.getvalue()


def _batched(rows: Iterable[Sequence], size: int) -> Iterator[list[Sequence]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _record_overwritten_staged(connection, table: str, stage: str) -> bytes:
    """The packed undo record of a streamed load of the rows in the staging table ``stage``: into an
    empty table just "every key was added"; otherwise the stored rows the load overwrites and the keys
    it adds, read by SQL and packed as they come. Memory holds one batch and the compressed record;
    the record itself grows with the rows overwritten, which an undo must put back."""
    model = CONTRACT_MODELS[table]
    if connection.execute(select(func.count()).select_from(model)).scalar_one() == 0:
        return _pack({"previous": [], "added": ADDED_ALL})
    key = TABLES[table].key
    joined = " AND ".join(f"t.{k} = s.{k}" for k in key)

    def rows_of(statement: str) -> Iterator[Sequence]:  # run when first read, so one query at a time
        result = connection.exec_driver_sql(statement, execution_options={"stream_results": True, "max_row_buffer": UNDO_BATCH})
        for part in result.partitions(UNDO_BATCH):
            yield from part

    columns = ", ".join(f"t.{c}" for c in _columns(table))
    previous = rows_of(f"SELECT {columns} FROM {table} t JOIN {stage} s ON {joined}")
    added = rows_of(
        f"SELECT {', '.join(f's.{k}' for k in key)} FROM {stage} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {joined}) ORDER BY s.line"
    )
    return _pack_streamed(previous, added)


def _upsert_staged(connection, table: str, stage: str, rows: int) -> dict[str, int]:
    """Insert the staged rows, updating the keys already stored, by one INSERT ... SELECT."""
    model = CONTRACT_MODELS[table]
    before = connection.execute(select(func.count()).select_from(model)).scalar_one()
    columns = _columns(table)
    key = TABLES[table].key
    names = ", ".join(columns)
    sqlite = connection.dialect.name == "sqlite"
    statement = f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage}" + (" WHERE true ORDER BY line" if sqlite else "")
    indexes = [] if before else _secondary_indexes(connection, table)
    for name, _ in indexes:  # into an empty table: built once at the end rather than row by row
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    if before:
        updates = [c for c in columns if c not in key]
        conflict = f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in updates)}" if updates else "DO NOTHING"
        statement += f" ON CONFLICT ({', '.join(key)}) {conflict}"
    connection.exec_driver_sql(statement)
    for _, definition in indexes:
        connection.exec_driver_sql(definition)
    after = connection.execute(select(func.count()).select_from(model)).scalar_one()
    added = after - before
    return {"rows": rows, "added": added, "updated": rows - added}


def _secondary_indexes(connection, table: str) -> list[tuple[str, str]]:
    """(name, definition) of each index of ``table`` that no key constraint owns, read from the database."""
    if connection.dialect.name == "sqlite":
        statement = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL"
        return [tuple(row) for row in connection.exec_driver_sql(statement, (table,))]
    statement = (
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() AND i.tablename = %s "
        "AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))"
    )
    return [tuple(row) for row in connection.exec_driver_sql(statement, (table,))]


def _pack(record: dict) -> bytes:
    return gzip.compress(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _unpack(payload: bytes) -> dict:
    return json.loads(gzip.decompress(payload).decode("utf-8"))


@dataclass
class UndoOutcome:
    """What an undo did: the version it took back and the new data version, or why it could not."""

    undone: int | None = None
    data_version: int | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # table -> restored, removed
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """True when the undo was written."""
        return self.problem is None


def undoable_versions(engine: Engine) -> list[int]:
    """Loads that can be undone, newest first; only the first can be undone next."""
    with engine.connect() as connection:
        return _undoable(connection)


def _undoable(connection) -> list[int]:
    statement = select(LoadLog.id).where(LoadLog.mode != "undo", LoadLog.undone_by.is_(None)).order_by(LoadLog.id.desc())
    return list(connection.execute(statement).scalars())


def undo_load(engine: Engine, version: int | None = None, *, undone_by: str | None = None) -> UndoOutcome:
    """Take back the latest load that is not undone yet (or ``version``, which must be that one),
    restoring exactly the rows before it. The undo is itself logged and gives a new data version."""
    who = undone_by or _current_user()
    outcome = UndoOutcome()
    if is_read_only(engine):
        outcome.problem = _read_only(engine)
        return outcome
    try:
        with change_transaction(engine, who) as connection:
            candidates = _undoable(connection)
            if not candidates:
                outcome.problem = Message("load_undo.nothing_to_undo")
                return outcome
            target = candidates[0] if version is None else version
            if target != candidates[0]:
                later = [v for v in candidates if v > target]
                outcome.problem = (
                    Message("load_undo.undo_later_first", version=target, later=later)
                    if target in candidates
                    else Message("load_undo.not_undoable", version=target)
                )
                return outcome
            stored = connection.execute(select(LoadUndo.table_name, LoadUndo.payload).where(LoadUndo.load_id == target))
            records = {table_name: _unpack(payload) for table_name, payload in stored}
            settings = records.pop(stored_settings.TABLE, None)
            outcome.counts = _restore(connection, records)
            if settings is not None:
                outcome.counts[stored_settings.TABLE] = _restore_settings(connection, settings)
            replaced = any(record["added"] is None for record in records.values())
            summaries.rebuild(connection, None if replaced else {*records, *([stored_settings.TABLE] if settings else [])})
            files = connection.execute(select(LoadLog.files).where(LoadLog.id == target)).scalar_one()
            result = ValidationResult(sources=[Source(name, b"") for name in json.loads(files)])
            new_version = _log_change(connection, who, "undo", result, outcome.counts, undoes=target)
            connection.execute(update(LoadLog).where(LoadLog.id == target).values(undone_by=new_version))
            outcome.undone, outcome.data_version = target, new_version
    except ChangeRefused as busy:
        outcome.problem = busy.args[0]
    except SQLAlchemyError as error:
        outcome.problem = Message("load_undo.undo_refused", error=first_line(error))
    return outcome


def _restore(connection, records: dict[str, dict]) -> dict[str, dict[str, int]]:
    """Put back the rows a load overwrote and remove the keys it added (children before parents)."""
    counts: dict[str, dict[str, int]] = {}
    replaced = any(record["added"] is None for record in records.values())
    for table in reversed(LOAD_ORDER):
        if table not in records and not replaced:
            continue
        model = CONTRACT_MODELS[table]
        if replaced or records[table]["added"] == ADDED_ALL:
            removed = connection.execute(delete(model)).rowcount
        else:
            spec = TABLES[table]
            key_columns = [getattr(model, k) for k in spec.key]
            added = [tuple(k) for k in records[table]["added"]]
            removed = 0
            for start in range(0, len(added), KEY_BATCH):
                removed += connection.execute(
                    delete(model).where(tuple_(*key_columns).in_(added[start : start + KEY_BATCH]))
                ).rowcount
        counts[table] = {"restored": 0, "removed": removed}
    for table in LOAD_ORDER:
        if table in records and records[table]["previous"]:
            rows = [dict(zip(_columns(table), row)) for row in records[table]["previous"]]
            _upsert(connection, table, rows)
            counts.setdefault(table, {"removed": 0})["restored"] = len(rows)
    return counts


def _restore_settings(connection, record: dict) -> dict[str, int]:
    """Put back the stored settings a change overwrote and remove the ones it added (to their defaults)."""
    removed = 0
    for (name,) in record["added"]:
        removed += connection.execute(delete(StoredSetting).where(StoredSetting.name == name)).rowcount
    for name, value in record["previous"]:
        _store_setting(connection, name, value)
    return {"restored": len(record["previous"]), "removed": removed}


def _store_setting(connection, name: str, value: str) -> None:
    if connection.execute(update(StoredSetting).where(StoredSetting.name == name).values(value=value)).rowcount == 0:
        connection.execute(insert(StoredSetting).values(name=name, value=value))


def _empty_all_tables(connection) -> dict[str, int]:
    removed = {}
    for table in reversed(LOAD_ORDER):
        removed[table] = connection.execute(delete(CONTRACT_MODELS[table])).rowcount
    return removed


def _upsert(connection, table: str, rows: list[dict]) -> dict[str, int]:
    """Insert new keys, update existing ones; returns rows, added and updated counts.

    Rows go to the driver's executemany as tuples, in batches: building a statement per row
    through the ORM costs more than the database's work at national scale."""
    model = CONTRACT_MODELS[table]
    sa_table = model.__table__
    before = connection.execute(select(func.count()).select_from(sa_table)).scalar_one()
    columns = _columns(table)
    statement = _upsert_sql(connection.dialect, table, columns, TABLES[table].key)
    for start in range(0, len(rows), BATCH_ROWS):
        connection.exec_driver_sql(statement, [tuple(row[c] for c in columns) for row in rows[start : start + BATCH_ROWS]])
    after = connection.execute(select(func.count()).select_from(sa_table)).scalar_one()
    added = after - before
    return {"rows": len(rows), "added": added, "updated": len(rows) - added}


def _upsert_sql(dialect, table: str, columns: list[str], key: tuple[str, ...]) -> str:
    """INSERT ... ON CONFLICT (key) DO UPDATE for ``table`` (SQLite and PostgreSQL share the syntax).
    Table and column names are the contract's constants; every value is a parameter."""
    if dialect.name not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"loading into {dialect.name} is not supported; use SQLite or PostgreSQL")
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    updates = [c for c in columns if c not in key]
    conflict = f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in updates)}" if updates else "DO NOTHING"
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))}) "
        f"ON CONFLICT ({', '.join(key)}) {conflict}"
    )


def _current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def load_history(engine: Engine) -> list[dict]:
    """Every change of the data, newest first: version, when, who, mode (upsert, replace or undo),
    files, row counts, checksum, which version an undo took back and which undo took a load back."""
    with engine.connect() as connection:
        rows = connection.execute(select(LoadLog).order_by(LoadLog.id.desc())).mappings().all()
    return [
        {
            "data_version": row["id"],
            "loaded_at": row["loaded_at"],
            "loaded_by": row["loaded_by"],
            "mode": row["mode"],
            "files": json.loads(row["files"]),
            "row_counts": json.loads(row["row_counts"]),
            "checksum": row["checksum"],
            "undoes": row["undoes"],
            "undone_by": row["undone_by"],
        }
        for row in rows
    ]


# --- editing the crosswalk --------------------------------------------------------------------

EDITED_CROSSWALK = "program_sectors.csv"  # the file name an edit of the crosswalk is checked and logged under


def save_crosswalk(
    engine: Engine, edits: dict[str, list[tuple[str, float]]], *, loaded_by: str | None = None, max_problems: int = 200
) -> LoadOutcome:
    """Replace the program_sectors rows of each edited program by its new (sector_code, share) rows, as one
    change of the data: checked by the contract's rules (references, shares more than 0 and at most 1, a
    program's shares adding up to 1), recorded in the load history as an edit and undoable like a load. A
    program given no rows trains again wholly for its own sector_code (or for none)."""
    who = loaded_by or _current_user()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["program_code", "sector_code", "share"])
    writer.writerows([program, sector, repr(float(share))] for program, rows in edits.items() for sector, share in rows)
    source = Source(EDITED_CROSSWALK, buffer.getvalue().encode("utf-8"))
    outcome = LoadOutcome(ValidationResult(sources=[source]))
    if is_read_only(engine):
        _refuse(outcome, _read_only(engine))
        return outcome
    programs = set(edits)
    try:
        with change_transaction(engine, who) as connection:

            def others(codes: set[str]) -> dict[tuple[str, str], float]:
                return {key: share for key, share in stored_shares(connection, codes).items() if key[0] not in programs}

            result = outcome.validation = validate_sources(
                [source],
                existing_keys=lambda table: stored_keys(connection, table),
                stored_shares=others,
                max_problems=max_problems,
            )
            emptied = {program for program, rows in edits.items() if not rows}
            for program in sorted(emptied - stored_keys(connection, "programs")):
                result.problems.append(
                    Problem(
                        EDITED_CROSSWALK,
                        0,
                        "program_code",
                        Message(
                            "validation.unknown_reference", column="program_code", value=quoted(program), file="programs.csv"
                        ),
                    )
                )
                result.problem_count += 1
            if not result.ok:
                raise _NothingToWrite
            columns = _columns("program_sectors")
            stored = connection.execute(
                select(*[getattr(ProgramSector, c) for c in columns]).where(ProgramSector.program_code.in_(sorted(programs)))
            ).all()
            removed = connection.execute(delete(ProgramSector).where(ProgramSector.program_code.in_(sorted(programs)))).rowcount
            rows = result.rows.get("program_sectors", [])
            if rows:
                _upsert(connection, "program_sectors", rows)
            kept = {(p, s) for p, s, _ in stored}
            added = [[row["program_code"], row["sector_code"]] for row in rows]
            outcome.counts["program_sectors"] = {
                "rows": len(rows),
                "added": sum(1 for p, s in added if (p, s) not in kept),
                "updated": sum(1 for p, s in added if (p, s) in kept),
                "removed": removed - sum(1 for p, s in added if (p, s) in kept),
            }
            summaries.rebuild(connection, {"program_sectors"})
            result.warnings.extend(meaning_warnings(connection))
            version = _log_change(connection, who, "edit", result, outcome.counts)
            record = {"previous": [list(row) for row in stored], "added": added}
            connection.execute(insert(LoadUndo).values(load_id=version, table_name="program_sectors", payload=_pack(record)))
            outcome.data_version = version
    except _NothingToWrite:
        pass
    except (ChangeRefused, SQLAlchemyError) as error:
        _write_refused(outcome, error)
    return outcome


# --- changing a stored setting ------------------------------------------------------------------

SETTING_MODE = "setting"  # the load history's mode of a change of a stored setting


def save_setting(engine: Engine, name: str, value: int, *, loaded_by: str | None = None) -> LoadOutcome:
    """Store ``value`` as the setting ``name`` (data_access/stored_settings.py) as one change of the data: the
    figures it moves (the estimated openings and their summary) are recomputed in the same transaction, the
    change is recorded in the load history (mode "setting", its file column naming the setting and the new
    value) and undoable like a load, which puts the previous value back. A value the setting does not take is a
    problem; the value it has already writes nothing (``nothing_to_load``)."""
    who = loaded_by or _current_user()
    source = Source(f"{name} = {value}", b"")
    outcome = LoadOutcome(ValidationResult(sources=[source]))
    choices = stored_settings.CHOICES.get(name)
    if choices is None:
        _refuse_setting(outcome, name, Message("settings.no_such_setting", expected=sorted(stored_settings.CHOICES)))
        return outcome
    if value not in choices:
        _refuse_setting(outcome, name, Message("settings.not_a_choice", choices=[str(c) for c in choices], value=repr(value)))
        return outcome
    if is_read_only(engine):
        _refuse(outcome, _read_only(engine))
        return outcome
    try:
        with change_transaction(engine, who) as connection:
            before = connection.execute(select(StoredSetting.value).where(StoredSetting.name == name)).scalar()
            if stored_settings.setting(connection, name) == value:
                outcome.nothing_to_load = True  # the value it has already: nothing to record or undo
                raise _NothingToWrite
            _store_setting(connection, name, str(value))
            summaries.rebuild(connection, {stored_settings.TABLE})
            outcome.counts[stored_settings.TABLE] = {
                "rows": 1,
                "added": int(before is None),
                "updated": int(before is not None),
                "removed": 0,
            }
            version = _log_change(connection, who, SETTING_MODE, outcome.validation, outcome.counts)
            record = {"previous": [] if before is None else [[name, before]], "added": [[name]] if before is None else []}
            connection.execute(insert(LoadUndo).values(load_id=version, table_name=stored_settings.TABLE, payload=_pack(record)))
            outcome.data_version = version
    except _NothingToWrite:
        pass
    except (ChangeRefused, SQLAlchemyError) as error:
        _write_refused(outcome, error)
    return outcome


def _refuse_setting(outcome: LoadOutcome, name: str, message: Message) -> None:
    outcome.validation.problems.append(Problem(Message("settings.file"), 0, name, message))
    outcome.validation.problem_count += 1
