"""Which database to use, and making it ready on first use.

The URL comes from ``--db``, then ``DATABASE_URL``, then the embedded SQLite
default. The default database is created and filled from ``sample_data/`` the
first time any process (the app or the command line) uses it; a file lock makes
that safe when two processes start at the same moment.

A SQLite file that this process cannot write (the file, or its folder, is read-only:
an archived copy, a mounted backup) is opened read-only, so that everything that only
reads works; loads and undos then say that the database is read-only.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, unquote

from filelock import FileLock
from sqlalchemy import Engine, event, func, select
from sqlalchemy.engine import URL, make_url
from sqlmodel import create_engine

from . import migrate, models
from .settings import get_settings


URL_FORMS = "sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DATABASE"


class StoreError(Exception):
    """The database cannot be opened or prepared; the message says why in words."""


def resolve_url(db: str | None = None) -> tuple[str, bool]:
    """The database URL to use and whether it is the embedded default."""
    url = db or get_settings().database_url
    if url:
        return normalise_url(url), False
    return f"sqlite:///{get_settings().default_sqlite_path}", True


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs by naming the installed driver (psycopg 3)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def get_engine(db: str | None = None) -> Engine:
    """A ready engine for ``db`` (see module docstring); cached per URL within a process."""
    url, is_default = resolve_url(db)
    return _ready_engine(url, is_default)


@lru_cache(maxsize=8)
def _ready_engine(url: str, is_default: bool) -> Engine:
    try:
        parsed = make_url(url)
    except Exception:  # ArgumentError; the URL is not echoed, it may hold a password
        raise StoreError(f"not a database URL (expected {URL_FORMS})") from None
    if is_default:
        home = get_settings().dashboard_home
        if read_only_file(get_settings().default_sqlite_path):
            # Nothing to create or fill, and the lock file could not be made: just open it.
            engine = make_engine(url)
            create_schema(engine)
            return engine
        home.mkdir(parents=True, exist_ok=True)
        with FileLock(str(home / "dashboard.lock"), timeout=600):
            engine = make_engine(url)
            create_schema(engine)
            _fill_with_sample_once(engine)
        return engine
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        try:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create the folder of the SQLite file {parsed.database}: {error.strerror}") from None
        folder = Path(parsed.database).parent
        if not Path(parsed.database).exists() and not os.access(folder, os.W_OK):
            raise StoreError(f"cannot create the SQLite file {parsed.database}: its folder {folder} is read-only")
    engine = make_engine(url)
    create_schema(engine)
    return engine


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
        return unquote(database[len("file:"):]) if database.startswith("file:") else database
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
        advice = ("it is read-only, so copy it to a folder that can be written first" if is_read_only(engine)
                  else "run `python -m data_access migrate` (AUTO_MIGRATE is off)")
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


def _fill_with_sample_once(engine: Engine) -> None:
    """Load the bundled sample region into a database that has never been loaded."""
    from .loading import load_paths  # loading needs the store; import here to avoid a cycle

    with engine.connect() as connection:
        if connection.execute(select(func.count()).select_from(models.LoadLog)).scalar_one():
            return
    outcome = load_paths(engine, [get_settings().sample_data_dir], loaded_by="sample data")
    if not outcome.ok:
        listing = "\n".join(outcome.validation.report_lines()[:20])
        raise StoreError(f"the bundled sample data does not validate:\n{listing}")
