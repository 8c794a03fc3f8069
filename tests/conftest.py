"""Shared fixtures: real databases (a SQLite file always; PostgreSQL too when
TEST_DATABASE_URL is set, each test in a schema of its own) and small
hand-written contract folders."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

import ui.components
from benchmark import scale_data
from data_access.contract import LOAD_ORDER
from data_access.loading import load_paths
from data_access.models import CONTRACT_MODELS
from data_access.queries import current_data_version
from data_access.settings import get_settings
from data_access.store import _ready_engine, create_schema, make_engine, normalise_url

FIXTURES = Path(__file__).parent / "fixtures"
APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
TINY = FIXTURES / "tiny"
# Rows per table of tests/fixtures/tiny.
TINY_ROWS = {
    "regions": 3,
    "sectors": 2,
    "institutions": 2,
    "programs": 2,
    "program_sectors": 0,
    "employers": 2,
    "enrolments": 3,
    "placements": 2,
    "outcomes": 2,
    "demand": 4,
}
TINY_TABLE_ROWS = {table: rows for table, rows in TINY_ROWS.items() if rows}  # the tables tiny/ has a file for
# The pages that show the data, in the order of the navigation.
VIEW_PAGES = [
    "pages/home.py",
    "pages/supply_demand.py",
    "pages/enrolment.py",
    "pages/placements.py",
    "pages/outcomes.py",
    "pages/scorecard.py",
]
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session")
def scale_folder(tmp_path_factory) -> Path:
    """A small generated data set (two regions, fifteen institutions)."""
    folder = tmp_path_factory.mktemp("scale")
    scale_data.write(scale_data.generate(scale_data.ScaleParameters.scaled(0.005)), folder)
    return folder


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """An empty SQLite database with every migration applied, made once and copied by each test."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    engine.dispose()
    return path


def _schema_url(base: str, schema: str) -> str:
    return make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


_MIGRATED: list[tuple[str, str]] = []  # (the template schema's name, the SQL that makes it), dumped once per process


def _migrated_schema_sql(base: str) -> tuple[str, str] | None:
    """The SQL that makes a schema with every migration applied, as pg_dump writes it for a schema migrated once
    in this process (then dropped), with the name that schema had: replaying it takes a fraction of the
    migrations' time. None without a working pg_dump: each schema is then migrated."""
    if _MIGRATED:
        return _MIGRATED[0]
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        return None
    template = f"test_template_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{template}"'))  # generated name, not user input
        engine = make_engine(_schema_url(base, template))
        create_schema(engine)
        engine.dispose()
        dumped = subprocess.run(
            [
                pg_dump,
                "--no-owner",
                "--no-privileges",
                "--inserts",
                "--schema",
                template,
                make_url(base).set(drivername="postgresql").render_as_string(hide_password=False),
            ],
            capture_output=True,
            text=True,
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{template}" CASCADE'))
        admin.dispose()
    if dumped.returncode != 0:
        return None
    # psql's own commands (\restrict) are not SQL; the rest runs as one script
    sql = "\n".join(line for line in dumped.stdout.splitlines() if not line.startswith("\\"))
    _MIGRATED.append((template, sql))
    return _MIGRATED[0]


@contextlib.contextmanager
def _postgresql_schema() -> Iterator[str]:
    """The URL of a new schema on TEST_DATABASE_URL's server with every migration applied (like the SQLite
    databases, copies of ``migrated_sqlite``), dropped at the end."""
    base = normalise_url(os.environ["TEST_DATABASE_URL"])
    schema = f"test_{uuid.uuid4().hex[:12]}"
    migrated = _migrated_schema_sql(base)
    admin = make_engine(base)
    with admin.begin() as connection:
        if migrated is None:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))  # schema name is generated above, not user input
        else:
            template, sql = migrated
            connection.exec_driver_sql(sql.replace(template, schema))
    url = _schema_url(base, schema)
    try:
        if migrated is None:
            engine = make_engine(url)
            create_schema(engine)
            engine.dispose()
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, migrated_sqlite) -> Iterator[str]:
    """A URL of a database with the schema made and no rows: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        target = tmp_path / "test.sqlite"
        shutil.copyfile(migrated_sqlite, target)
        yield f"sqlite:///{target}"
        return
    with _postgresql_schema() as url:
        yield url


@pytest.fixture
def engine(db_url) -> Iterator[Engine]:
    """An engine on an empty database with the schema created."""
    engine = make_engine(db_url)
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def tiny_engine(engine) -> Engine:
    """The engine with tests/fixtures/tiny loaded (see tests/fixtures/README.md for its numbers)."""
    outcome = load_paths(engine, [TINY], loaded_by="test")
    assert outcome.ok, outcome.validation.report_lines()
    return engine


@contextlib.contextmanager
def read_only_database(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    """The URL of a database holding ``folder`` for tests that only read it, on the backend ``request.param``:
    on SQLite a copy of the session's loaded file, on PostgreSQL a new schema loaded once."""
    if request.param == "sqlite":
        tmp_path_factory = request.getfixturevalue("tmp_path_factory")
        target = tmp_path_factory.mktemp("reader") / f"{folder.name}.sqlite"
        shutil.copyfile(loaded_sqlite(folder, request.getfixturevalue("migrated_sqlite"), tmp_path_factory), target)
        yield f"sqlite:///{target}"
        return
    with _postgresql_schema() as url:
        engine = make_engine(url)
        create_schema(engine)
        outcome = load_paths(engine, [folder], loaded_by="test")
        assert outcome.ok, outcome.validation.report_lines()
        engine.dispose()
        yield url


@pytest.fixture(scope="module", params=BACKENDS)
def tiny_reader(request) -> Iterator[Engine]:
    """An engine on tests/fixtures/tiny shared by the tests of one module that only read it, on each backend:
    ``tiny_engine`` for tests that write."""
    with read_only_database(request, TINY) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


@contextlib.contextmanager
def serving(url: str) -> Iterator[str]:
    """DATABASE_URL set to ``url`` until the end (for fixtures wider than a test), app caches cleared."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        clear_app_caches()
        try:
            yield url
        finally:
            clear_app_caches()


def clear_app_caches() -> None:
    """Forget settings, engines and Streamlit caches, so the app reads DATABASE_URL anew."""
    for clear in (get_settings.cache_clear, _ready_engine.cache_clear, st.cache_data.clear, st.cache_resource.clear):
        clear()


_LOADED: dict[Path, Path] = {}  # a data folder -> a SQLite database holding it, made once per test session


def loaded_sqlite(folder: Path, migrated_sqlite: Path, tmp_path_factory) -> Path:
    """A SQLite database holding ``folder``, made once per session (tests copy it, never change it)."""
    if folder not in _LOADED:
        path = tmp_path_factory.mktemp("loaded") / f"{folder.name}.sqlite"
        shutil.copyfile(migrated_sqlite, path)
        engine = make_engine(f"sqlite:///{path}")
        outcome = load_paths(engine, [folder])
        assert outcome.ok, outcome.validation.report_lines()
        engine.dispose()
        _LOADED[folder] = path
    return _LOADED[folder]


def app_database(folder: Path, migrated_sqlite: Path, tmp_path_factory, tmp_path: Path, monkeypatch) -> Iterator[str]:
    """DATABASE_URL of a SQLite database of the test's own holding ``folder``; app caches cleared."""
    target = tmp_path / "app.sqlite"
    shutil.copyfile(loaded_sqlite(folder, migrated_sqlite, tmp_path_factory), target)
    yield from _serve_app(f"sqlite:///{target}", monkeypatch)


@pytest.fixture(scope="session")
def tiny_sqlite(migrated_sqlite, tmp_path_factory) -> Path:
    """A SQLite database holding the tiny fixture, made once and copied by each page test."""
    return loaded_sqlite(TINY, migrated_sqlite, tmp_path_factory)


def _serve_app(url: str, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", url)
    clear_app_caches()
    yield url
    clear_app_caches()


@pytest.fixture
def app_url(tiny_sqlite, tmp_path, monkeypatch) -> Iterator[str]:
    """DATABASE_URL of a database of its own holding the tiny fixture (SQLite: the pages read through
    the data layer, whose tests run on PostgreSQL too; tests/test_pages.py runs the pages on both);
    caches cleared so the app reads it."""
    target = tmp_path / "app.sqlite"
    shutil.copyfile(tiny_sqlite, target)
    yield from _serve_app(f"sqlite:///{target}", monkeypatch)


@pytest.fixture(scope="module", params=BACKENDS)
def tiny_reader_url(request) -> Iterator[str]:
    """The URL of a database holding tests/fixtures/tiny, shared by the tests of one module that only read it."""
    with read_only_database(request, TINY) as url:
        yield url


@pytest.fixture(scope="module")
def tiny_page(tiny_sqlite, tmp_path_factory) -> Callable[..., AppTest]:
    """``open_page`` on the tiny fixture for tests that only read what a page shows: each page with each link is
    opened once per module (on a database of the module's own) and handed to every test that asks for it.
    A test that clicks, chooses or reruns opens its own page with ``app_url`` and ``open_page``."""
    target = tmp_path_factory.mktemp("pages") / "app.sqlite"
    shutil.copyfile(tiny_sqlite, target)
    opened: dict[str, AppTest] = {}

    def page(path: str, **query_params) -> AppTest:
        key = repr((path, sorted(query_params.items())))
        if key not in opened:
            with serving(f"sqlite:///{target}"):
                opened[key] = open_page(path, **query_params)
        return opened[key]

    return page


@pytest.fixture
def app_url_every_backend(tiny_reader_url, monkeypatch) -> Iterator[str]:
    """``app_url`` on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL: the whole app runs on both.
    The database is the module's (its tests only read); the app's caches are cleared for each test."""
    yield from _serve_app(tiny_reader_url, monkeypatch)


@pytest.fixture
def downloads(monkeypatch) -> Iterator[list[pd.DataFrame]]:
    """The frames the page hands to its CSV downloads (headers already in the page's language), in call order
    (those of the page that ``open_page`` opens, not of the Overview it passes through)."""
    written: list[pd.DataFrame] = []
    real = ui.components.csv_bytes

    def keep(frame: pd.DataFrame) -> bytes:
        written.append(frame)
        return real(frame)

    monkeypatch.setattr(ui.components, "csv_bytes", keep)
    real_button = st.download_button

    def written_now(label, data=None, *args, **kwargs):  # the app writes a CSV when clicked; a test writes it at once
        return real_button(label, data() if callable(data) and kwargs.get("mime") == "text/csv" else data, *args, **kwargs)

    monkeypatch.setattr(ui.components.st, "download_button", written_now)
    _DOWNLOADS[:] = [written]
    yield written
    _DOWNLOADS.clear()


# The headings of the sidebar's filters that every chart's and table's CSV ends with (ui/components.py), in Chinese
FILTER_HEADINGS_ZH = ["筛选：起始年份", "筛选：截止年份", "筛选：地区（代码；空表示全部）", "筛选：行业（代码；空表示全部）"]
_DOWNLOADS: list[list[pd.DataFrame]] = []  # the downloads fixture's list while a test uses it


@pytest.fixture
def isolated_home(tmp_path, monkeypatch) -> Path:
    """A fresh DASHBOARD_HOME with no DATABASE_URL, so the embedded default is used and created anew."""
    home = tmp_path / "home"
    monkeypatch.setenv("DASHBOARD_HOME", str(home))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    _ready_engine.cache_clear()
    yield home
    get_settings.cache_clear()
    _ready_engine.cache_clear()


def write_csv(folder: Path, table: str, text_or_rows, *, encoding: str = "utf-8") -> Path:
    """Write ``table``.csv into ``folder`` from a string (or a list of lines) in ``encoding``."""
    folder.mkdir(parents=True, exist_ok=True)
    content = text_or_rows if isinstance(text_or_rows, str) else "\n".join(text_or_rows) + "\n"
    path = folder / f"{table}.csv"
    path.write_bytes(content.encode(encoding))
    return path


def table_rows(engine: Engine) -> dict[str, int]:
    """Rows stored per contract table."""
    with engine.connect() as connection:
        return {t: connection.execute(select(func.count()).select_from(CONTRACT_MODELS[t])).scalar_one() for t in LOAD_ORDER}


def data_version(engine: Engine) -> int:
    """The data version of the database behind ``engine``."""
    with Session(engine) as session:
        return current_data_version(session)


def run_app(**query_params) -> AppTest:
    """The dashboard run once through AppTest with ``query_params`` as its URL parameters."""
    app = AppTest.from_file(APP, default_timeout=60)
    for name, value in query_params.items():
        app.query_params[name] = value
    return app.run()


def open_page(page: str, **query_params) -> AppTest:
    """The dashboard opened with ``query_params`` in its URL, then switched to ``page`` (e.g. "pages/data.py")."""
    app = run_app(**query_params)
    for written in _DOWNLOADS:  # the Overview's own downloads are not the page's
        written.clear()
    return app.switch_page(page).run()


def click_chart(app: AppTest, key_prefix: str, codes: list[str]) -> AppTest:
    """Select the points whose customdata[0] is in ``codes`` in the chart whose key starts with ``key_prefix``.

    AppTest has no interaction for charts, so this sends the selection event the
    browser would send (the same JSON), with every other widget's state unchanged.
    """
    chart = next(c for c in app.get("plotly_chart") if (c.key or "").startswith(key_prefix))
    states = app._tree.get_widget_states()
    state = states.widgets.add()
    state.id = chart.proto.id
    points = [{"customdata": [code], "point_index": i} for i, code in enumerate(codes)]
    state.string_value = json.dumps(
        {"selection": {"points": points, "point_indices": list(range(len(codes))), "box": [], "lasso": []}}
    )
    return app._run(states)


@pytest.fixture
def cli(capsys):
    """Run the command line's ``main(args)``; returns (exit code, stdout, stderr)."""
    from data_access.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
