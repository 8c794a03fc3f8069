"""Which database to use, and making it ready on first use.

The URL comes from ``--db``, then ``DATABASE_URL``, then the embedded SQLite
default. The default database is created and filled from ``sample_data/`` (or
the folder of ``SAMPLE_NAMES``/``SAMPLE_DATA_DIR``) the first time any process (the
app or the command line) uses it; a file lock makes that safe when two processes
start at the same moment. That takes a few seconds: a caller can ask beforehand
whether it is about to happen (``default_needs_filling``) and follow its steps
(``get_engine(progress=...)``).

A SQLite file that this process cannot write (the file, or its folder, is read-only:
an archived copy, a mounted backup) is opened read-only, so that everything that only
reads works; loads and undos then say that the database is read-only.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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
    "Progress",
    "StoreError",
    "create_schema",
    "database_name",
    "default_needs_filling",
    "first_line",
    "get_engine",
    "is_read_only",
    "make_engine",
    "normalise_url",
    "resolve_url",
]

# Told each step of preparing the embedded default database: ``progress(step, figures)`` with step
# "schema" (creating the database and its tables, no figures), then "sample" (checking and loading
# the sample files; figures ``rows`` and ``files``: the data rows of its CSV files, and how many
# files there are). The call of get_engine returns once the rows are in.
Progress = Callable[[str, dict[str, int]], None]
_PROGRESS: ContextVar[Progress | None] = ContextVar("store_progress", default=None)


def resolve_url(db: str | None = None) -> tuple[str, bool]:
    """The database URL to use and whether it is the embedded default."""
    url = db or get_settings().database_url
    if url:
        return normalise_url(url), False
    return f"sqlite:///{get_settings().default_sqlite_path}", True


def get_engine(db: str | None = None, *, progress: Progress | None = None) -> Engine:
    """A ready engine for ``db`` (see module docstring); cached per URL within a process.

    ``progress`` is told the steps of creating and filling the embedded default database
    (see ``Progress``) when this call does it, and nothing otherwise.
    """
    url, is_default = resolve_url(db)
    with _reporting_to(progress):
        return _ready_engine(url, is_default)


def default_needs_filling(db: str | None = None) -> bool:
    """Whether ``get_engine(db)`` is about to create the embedded default database and fill it with
    the sample: ``db`` (else DATABASE_URL) names no database and the default's file does not exist
    yet. One look at the file, cheap enough for every page run."""
    _url, is_default = resolve_url(db)
    return is_default and not get_settings().default_sqlite_path.exists()


@contextmanager
def _reporting_to(progress: Progress | None) -> Iterator[None]:
    token = _PROGRESS.set(progress)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


def _report(step: str, **figures: int) -> None:
    if (progress := _PROGRESS.get()) is not None:
        progress(step, figures)


def _sample_figures(folder: Path) -> dict[str, int]:
    """The data rows (headers not counted) and the number of the sample folder's CSV files."""
    paths = sorted(p for p in folder.glob("*.csv") if p.is_file()) if folder.is_dir() else []
    rows = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                rows += max(0, sum(1 for _ in csv.reader(handle)) - 1)
        except (OSError, UnicodeDecodeError, csv.Error):
            continue  # the load itself says what is wrong with the file
    return {"rows": rows, "files": len(paths)}


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
            _report("schema")
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
    folder = get_settings().sample_data_dir
    figures = _sample_figures(folder) if _PROGRESS.get() is not None else {}
    _report("sample", **figures)
    outcome = load_paths(engine, [folder], loaded_by="sample data")
    if not outcome.ok:
        listing = "\n".join(outcome.validation.report_lines()[:20])
        raise StoreError(f"the bundled sample data does not validate:\n{listing}")
