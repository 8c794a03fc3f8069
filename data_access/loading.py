"""All-or-nothing loading of validated rows, the load log and the data version."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from .contract import LOAD_ORDER, TABLES
from .models import CONTRACT_MODELS, LoadLog
from .validation import FILE_LEVEL, Problem, Source, ValidationResult, collect_sources, validate_sources

BATCH_ROWS = 5000


@dataclass
class LoadOutcome:
    """What a load did: its validation, and if it was written, the new data version and counts."""

    validation: ValidationResult
    data_version: int | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # table -> rows, added, updated, removed

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


def stored_keys(engine: Engine, table: str) -> set:
    """The single-column keys stored in a parent table (regions, sectors, institutions, programs, employers)."""
    model = CONTRACT_MODELS[table]
    key_column = getattr(model, TABLES[table].key[0])
    with engine.connect() as connection:
        return set(connection.execute(select(key_column)).scalars())


def validate_for_load(
    engine: Engine, sources: list[Source], *, replace: bool = False, max_problems: int = 200
) -> ValidationResult:
    """Validate sources as a load into ``engine`` would (references may use stored rows unless replacing)."""
    lookup = None if replace else (lambda table: stored_keys(engine, table))
    return validate_sources(sources, existing_keys=lookup, max_problems=max_problems)


def load_paths(
    engine: Engine,
    paths: Iterable[str | Path],
    *,
    replace: bool = False,
    loaded_by: str | None = None,
    max_problems: int = 200,
) -> LoadOutcome:
    """Validate the files and folders at ``paths`` and, only if all are clean, load them."""
    sources, read_problems = collect_sources(paths)
    if read_problems:
        result = ValidationResult(problems=read_problems, problem_count=len(read_problems), sources=sources)
        return LoadOutcome(result)
    return load_sources(engine, sources, replace=replace, loaded_by=loaded_by, max_problems=max_problems)


def load_sources(
    engine: Engine,
    sources: list[Source],
    *,
    replace: bool = False,
    loaded_by: str | None = None,
    max_problems: int = 200,
) -> LoadOutcome:
    """Validate then write every source in one transaction; any problem writes nothing."""
    result = validate_for_load(engine, sources, replace=replace, max_problems=max_problems)
    outcome = LoadOutcome(result)
    if not result.ok:
        return outcome
    try:
        with engine.begin() as connection:
            removed = _empty_all_tables(connection) if replace else {}
            for table in LOAD_ORDER:
                if table in result.rows:
                    outcome.counts[table] = _upsert(connection, table, result.rows[table])
                    outcome.counts[table]["removed"] = removed.get(table, 0)
                elif removed.get(table):  # emptied by --replace and not reloaded: record it too
                    outcome.counts[table] = {"rows": 0, "added": 0, "updated": 0, "removed": removed[table]}
            log = {
                "loaded_at": datetime.now(timezone.utc),
                "loaded_by": loaded_by or _current_user(),
                "mode": "replace" if replace else "upsert",
                "files": json.dumps([Path(s.name).name for s in result.sources], ensure_ascii=False),
                "row_counts": json.dumps(outcome.counts),
                "checksum": result.checksum,
            }
            outcome.data_version = connection.execute(insert(LoadLog).values(**log).returning(LoadLog.id)).scalar_one()
    except SQLAlchemyError as error:
        # Validation passed, so this is the database refusing the write (for example a
        # concurrent load removed a referenced row). Nothing was written.
        outcome.counts = {}
        outcome.data_version = None
        message = str(getattr(error, "orig", error)).splitlines()[0]
        result.problems.append(Problem("(database)", 0, FILE_LEVEL, f"the database refused the load, nothing was written: {message}"))
        result.problem_count += 1
    return outcome


def _empty_all_tables(connection) -> dict[str, int]:
    removed = {}
    for table in reversed(LOAD_ORDER):
        removed[table] = connection.execute(delete(CONTRACT_MODELS[table])).rowcount
    return removed


def _upsert(connection, table: str, rows: list[dict]) -> dict[str, int]:
    """Insert new keys, update existing ones; returns rows, added and updated counts."""
    model = CONTRACT_MODELS[table]
    sa_table = model.__table__  # type: ignore[attr-defined]
    before = connection.execute(select(func.count()).select_from(sa_table)).scalar_one()
    statement = _upsert_statement(connection.dialect.name, sa_table, TABLES[table].key)
    for start in range(0, len(rows), BATCH_ROWS):
        connection.execute(statement, rows[start : start + BATCH_ROWS])
    after = connection.execute(select(func.count()).select_from(sa_table)).scalar_one()
    added = after - before
    return {"rows": len(rows), "added": added, "updated": len(rows) - added}


def _upsert_statement(dialect: str, sa_table, key: tuple[str, ...]):
    if dialect == "sqlite":
        statement = sqlite.insert(sa_table)
    elif dialect == "postgresql":
        statement = postgresql.insert(sa_table)
    else:
        raise NotImplementedError(f"loading into {dialect} is not supported; use SQLite or PostgreSQL")
    updates = {c.name: statement.excluded[c.name] for c in sa_table.columns if c.name not in key}
    return statement.on_conflict_do_update(index_elements=list(key), set_=updates)


def _current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def load_history(engine: Engine) -> list[dict]:
    """Every successful load, newest first: version, when, who, mode, files, row counts, checksum."""
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
        }
        for row in rows
    ]
