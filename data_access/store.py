"""Which database to use, and making it ready on first use.

The URL comes from ``--db``, then ``DATABASE_URL``, then the embedded SQLite
default. The default database is created and filled from ``sample_data/`` the
first time any process (the app or the command line) uses it; a file lock makes
that safe when two processes start at the same moment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from filelock import FileLock
from sqlalchemy import Engine, event, func, select
from sqlalchemy.engine import make_url
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
    engine = make_engine(url)
    create_schema(engine)
    return engine


def make_engine(url: str) -> Engine:
    """An engine with the settings every backend needs (SQLite: foreign keys, WAL, waiting on locks)."""
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(f"unsupported database kind {backend!r} (expected {URL_FORMS})")
    if backend == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-65536")  # 64 MB of pages: the summaries and indexes stay in memory
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def create_schema(engine: Engine) -> None:
    """Bring the schema to the current version (creating it in an empty database) when
    AUTO_MIGRATE allows; otherwise refuse a database that is not current. Rows are kept."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        if get_settings().auto_migrate:
            migrate.upgrade(engine)
            return
        current, head = migrate.current_revision(engine), migrate.head_revision()
    except Exception as error:
        raise StoreError(f"cannot open the database at {where}: {first_line(error)}") from None
    if current != head:
        raise StoreError(
            f"the database at {where} has schema version {current or 'none'} but this release needs {head}: "
            "run `python -m data_access migrate` (AUTO_MIGRATE is off)"
        )


def first_line(error: Exception) -> str:
    """The first line of a database or driver error, for one-line messages to people."""
    return str(getattr(error, "orig", None) or error).strip().splitlines()[0]


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
