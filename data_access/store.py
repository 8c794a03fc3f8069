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

from filelock import FileLock
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from . import models
from .engines import (
    URL_FORMS,
    StoreError,
    create_schema,
    database_name,
    first_line,
    is_read_only,
    make_engine,
    normalise_url,
    read_only_file,
)
from .loading import load_paths
from .settings import get_settings

__all__ = [
    "StoreError",
    "create_schema",
    "database_name",
    "first_line",
    "get_engine",
    "is_read_only",
    "make_engine",
    "normalise_url",
    "resolve_url",
]


def resolve_url(db: str | None = None) -> tuple[str, bool]:
    """The database URL to use and whether it is the embedded default."""
    url = db or get_settings().database_url
    if url:
        return normalise_url(url), False
    return f"sqlite:///{get_settings().default_sqlite_path}", True


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


def _fill_with_sample_once(engine: Engine) -> None:
    """Load the bundled sample region into a database that has never been loaded."""
    with engine.connect() as connection:
        if connection.execute(select(func.count()).select_from(models.LoadLog)).scalar_one():
            return
    outcome = load_paths(engine, [get_settings().sample_data_dir], loaded_by="sample data")
    if not outcome.ok:
        listing = "\n".join(outcome.validation.report_lines()[:20])
        raise StoreError(f"the bundled sample data does not validate:\n{listing}")
