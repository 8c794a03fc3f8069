"""Engines for the dashboard's databases: made with the settings each backend needs, opened
read-only where a SQLite file cannot be written, brought to the current schema, and their
errors worded in one line for people. The store (data_access/store.py) decides which database
to open; loading and the command line use these pieces directly.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote, unquote

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL, make_url
from sqlmodel import create_engine

from . import migrate
from .settings import get_settings

URL_FORMS = "sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DATABASE"


class StoreError(Exception):
    """The database cannot be opened or prepared; the message says why in words."""


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs by naming the installed driver (psycopg 3)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    """An engine with the settings every backend needs (SQLite: foreign keys, WAL, waiting on locks;
    a file this process cannot write is opened read-only, see ``read_only_file``)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(f"unsupported database kind {backend!r} (expected {URL_FORMS})")
    if backend == "sqlite":
        read_only = not parsed.query.get("uri") and read_only_file(parsed.database)
        target = _read_only_url(parsed) if read_only else url
        engine = create_engine(target, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if not read_only:  # both would write to the file
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-65536")  # 64 MB of pages: the summaries and indexes stay in memory
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def read_only_file(database: str | Path | None) -> bool:
    """True for an existing SQLite file that this process cannot write, or whose folder it cannot
    write (SQLite writes its -wal and -shm files next to the database, even to read one)."""
    if database in (None, "", ":memory:"):
        return False
    path = Path(database)
    return path.is_file() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _read_only_url(parsed: URL) -> URL:
    """The SQLite URI that opens ``parsed``'s file read-only. With no -wal file beside it, nothing
    can be writing it, and ``immutable`` lets SQLite read it without the -shm file it cannot make."""
    path = Path(parsed.database).resolve()
    wal = path.with_name(path.name + "-wal")
    mode = {"mode": "ro"} if wal.exists() and wal.stat().st_size else {"immutable": "1"}
    return parsed.set(database=f"file:{quote(str(path))}", query={**mode, "uri": "true"})


def is_read_only(engine: Engine) -> bool:
    """True when ``engine`` was opened read-only (a SQLite file this process cannot write)."""
    query = engine.url.query
    return engine.dialect.name == "sqlite" and (query.get("mode") == "ro" or query.get("immutable") == "1")


def database_name(engine: Engine) -> str:
    """The database as people know it: a SQLite file's path, else the URL without its password."""
    if engine.dialect.name == "sqlite" and engine.url.database:
        database = engine.url.database
        return unquote(database[len("file:") :]) if database.startswith("file:") else database
    return engine.url.render_as_string(hide_password=True)


def create_schema(engine: Engine) -> None:
    """Bring the schema to the current version (creating it in an empty database) when
    AUTO_MIGRATE allows and the database can be written; otherwise refuse a database that is
    not current. Rows are kept."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        if get_settings().auto_migrate and not is_read_only(engine):
            migrate.upgrade(engine)
            return
        current, head = migrate.current_revision(engine), migrate.head_revision()
    except Exception as error:
        raise StoreError(f"cannot open the database at {where}: {first_line(error)}") from None
    if current != head:
        advice = (
            "it is read-only, so copy it to a folder that can be written first"
            if is_read_only(engine)
            else "run `python -m data_access migrate` (AUTO_MIGRATE is off)"
        )
        raise StoreError(
            f"the database at {where} has schema version {current or 'none'} but this release needs {head}: {advice}"
        )


def first_line(error: BaseException) -> str:
    """The first line of a database or driver error, for one-line messages to people; the error's
    kind when it has no text (a MemoryError). Never raises: last-resort handlers call it."""
    try:
        lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    except Exception:  # an error whose text cannot be made
        lines = []
    return lines[0] if lines else type(error).__name__
