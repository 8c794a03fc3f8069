"""Real-browser end-to-end tests: a fresh Streamlit server driven by Chromium through Playwright.

Run with ``pytest tests/browser -q``. The folder skips itself, with the reason
printed at the end of the run, when Chromium (``CHROMIUM_PATH``, else
``/usr/bin/chromium``) or the Playwright Python package is missing. Playwright's
own browser downloads are never used: Chromium is launched from that path.

On a failed test a full-page screenshot is saved to
``test-artifacts/browser/<test name>.png`` and the server logs are copied next
to it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
HERE = Path(__file__).resolve().parent
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1000}
SERVER_START_TIMEOUT = 60  # seconds until /_stcore/health must answer "ok"
APP_TIMEOUT_MS = 20_000  # longest a single script run may take
FIRST_RUN_TIMEOUT_MS = 90_000  # longest the server's first script run may take: it also fills the database


def _skip_reason() -> str | None:
    if not (os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)):
        return f"Chromium not found at {CHROMIUM_PATH}: install the Debian package chromium (or set CHROMIUM_PATH)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"the Playwright Python package cannot be imported ({error}): pip install -r requirements.txt"
    return None


SKIP_REASON = _skip_reason()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SKIP_REASON is None:
        return
    marker = pytest.mark.skip(reason=f"browser tests: {SKIP_REASON}")
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(marker)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if SKIP_REASON is not None:
        terminalreporter.write_line(f"SKIPPED browser tests (tests/browser): {SKIP_REASON}", yellow=True)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    """Keep each phase's report on the item so fixtures can tell, at teardown, whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# ---------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except OSError:
        return False


@contextlib.contextmanager
def streamlit_server(
    name: str, *extra_args: str, environment: dict[str, str] | None = None, prefilled: bool = True
) -> Iterator[str]:
    """A fresh dashboard server (``python -m ui.serve``, i.e. ``streamlit run dashboard.py``) on a free port with its own DASHBOARD_HOME; yields the base URL.

    The embedded database is the sample's, copied from one the app's own first use filled for this test
    process (``prefilled``); with ``prefilled=False``, or when ``environment`` (variables set for the
    server) is given, the server's first visit creates and fills it, from sample_data/ unless
    ``environment`` names another SAMPLE_DATA_DIR.

    The server's output goes to a log file; at the end the server is stopped
    (also when a test failed) and the log must hold no Python traceback.
    """
    home = Path(tempfile.mkdtemp(prefix=f"dashboard-{name}-"))
    log_path = home / "server.log"
    port = _free_port()
    env = dict(os.environ)
    env.update(DASHBOARD_HOME=str(home / "data"), DATABASE_URL="", SAMPLE_DATA_DIR=str(REPO_ROOT / "sample_data"))
    env.update(environment or {})
    if prefilled and not environment:  # the sample's database, filled once per test process, not once per server
        (home / "data").mkdir(parents=True)
        shutil.copy(_sample_database(), home / "data" / "dashboard.sqlite")
    command = [
        sys.executable,
        "-m",
        "ui.serve",  # the README's start: streamlit run dashboard.py, pages known from the first visit on
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        *extra_args,
    ]
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _healthy(url):
            if process.poll() is not None:
                pytest.fail(f"the Streamlit server exited with code {process.returncode}:\n{log_path.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the Streamlit server did not answer {url}/_stcore/health within {SERVER_START_TIMEOUT} s:\n"
                    f"{log_path.read_text()}"
                )
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    log = log_path.read_text(errors="replace")
    if "Traceback" in log:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(log_path, ARTIFACTS / f"server-{name}.log")
    shutil.rmtree(home, ignore_errors=True)
    assert "Traceback" not in log, f"the Streamlit server ({name}) logged a traceback:\n{log}"


@functools.lru_cache(maxsize=1)
def _sample_database() -> Path:
    """The embedded database as the app's first use creates and fills it from sample_data/ (data_access.store
    .get_engine), made once per test process in a process of its own (settings are read once per process)."""
    home = Path(tempfile.mkdtemp(prefix="dashboard-template-"))
    env = dict(os.environ, DASHBOARD_HOME=str(home), DATABASE_URL="", SAMPLE_DATA_DIR=str(REPO_ROOT / "sample_data"))
    env.pop("SAMPLE_NAMES", None)
    subprocess.run(
        [sys.executable, "-c", "from data_access.store import get_engine; get_engine().dispose()"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    return home / "dashboard.sqlite"


@pytest.fixture(scope="session")
def app_server(browser) -> Iterator[str]:
    """The base URL of a fresh server shared by the tests of the session.

    One browser session opens "/" before any test does, so that these tests do
    not depend on their order: what only the server's very first session does is
    tested with ``fresh_app_server``.
    """
    with streamlit_server("shared") as url:
        first_visit(browser, url)
        yield url


def first_visit(browser, url: str) -> None:
    """Open "/" once, given the time the server's first run takes (it fills the database)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(FIRST_RUN_TIMEOUT_MS)
    try:
        App(context.new_page(), url).open("/")
    finally:
        context.close()


@pytest.fixture(scope="module")
def editor_app_server(browser, tmp_path_factory) -> Iterator[str]:
    """A server for the tests of one module whose secrets (outside the repository) name one local editor,
    "Editor", with the password ``EDITOR_PASSWORD``."""
    from data_access.passwords import hash_password

    secrets = tmp_path_factory.mktemp("editor") / "secrets.toml"
    secrets.write_text(f'[dashboard.local_editors]\nEditor = "{hash_password(EDITOR_PASSWORD, iterations=1000)}"\n')
    with streamlit_server("editor", "--secrets.files", str(secrets)) as url:
        first_visit(browser, url)
        yield url


EDITOR_PASSWORD = "browser-test-password"


@pytest.fixture
def fresh_app_server() -> Iterator[str]:
    """The base URL of a server of its own: the test's browser session is the server's very first."""
    with streamlit_server("fresh", prefilled=False) as url:
        yield url


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def full_page_screenshot(page, path: Path) -> None:
    """A screenshot of the whole app: Streamlit scrolls inside its main area, so the window is made as tall as it."""
    size = page.viewport_size
    height = page.evaluate(
        "() => Math.max(...['stMain', 'stSidebarContent'].map("
        "id => document.querySelector(`[data-testid=${id}]`)?.scrollHeight || 0))"
    )
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    """A new page in a new browser context (so a new Streamlit session); screenshot saved if the test fails."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(APP_TIMEOUT_MS)
    new_page = context.new_page()
    yield new_page
    report = getattr(request.node, "rep_call", None)
    if report is None or report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        with contextlib.suppress(Exception):
            full_page_screenshot(new_page, ARTIFACTS / f"{name}.png")
    context.close()


class App:
    """The dashboard in one browser page, with the waits and reads the tests share."""

    def __init__(self, page, base_url: str) -> None:
        self.page, self.base_url = page, base_url

    def open(self, path: str = "/") -> None:
        """Load ``path`` (with its query string) and wait until the app has drawn it."""
        self.page.goto(self.base_url + path)
        self.wait()

    def wait(self) -> None:
        """Wait until the script has finished running and the page has settled."""
        page = self.page
        page.wait_for_timeout(200)  # let a just-sent rerun request reach the server
        page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]', state="attached")
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="hidden")
        # Elements whose code is still loading show as skeletons; elements of the previous run are marked stale.
        page.wait_for_selector('[data-testid="stSkeleton"], [data-stale="true"]', state="detached")
        page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stCaptionContainer"]:has-text("data version")')
        page.wait_for_timeout(200)  # settle: URL updates and late element swaps

    def nav(self, title: str) -> None:
        """Click the sidebar navigation link ``title`` and wait for the page."""
        self.page.get_by_test_id("stSidebar").get_by_test_id("stPageLink-NavLink").filter(has_text=title).click()
        self.page.wait_for_selector(f'[data-testid="stHeading"] h1:has-text("{title}")')
        self.wait()

    def caption(self) -> str:
        """The sidebar caption 'Showing <filters> · data version N'."""
        return (
            self.page.locator('[data-testid="stSidebar"] [data-testid="stCaptionContainer"]')
            .filter(has_text="data version")
            .inner_text()
            .strip()
        )

    def metric(self, label: str) -> tuple[str, str]:
        """The (label, value) of the metric whose label starts with ``label``, e.g. 'Graduates' -> ('Graduates (2025)', '14,600')."""
        metric = self.page.get_by_test_id("stMetric").filter(
            has=self.page.get_by_test_id("stMetricLabel").filter(has_text=re.compile("^" + re.escape(label)))
        )
        return (
            metric.get_by_test_id("stMetricLabel").inner_text().strip(),
            metric.get_by_test_id("stMetricValue").inner_text().strip(),
        )

    def multiselect_chosen(self, label: str) -> list[str]:
        """The options shown as chosen in the sidebar multiselect ``label`` (their display texts)."""
        widget = self.page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(has_text=label)
        tags = widget.get_by_test_id("stMultiSelectTagsContainer").locator("[data-tag]")
        return [tags.nth(i).get_attribute("aria-label") for i in range(tags.count())]

    def choose(self, label: str, option: str) -> None:
        """Open the sidebar multiselect ``label``, click ``option``, close it and wait for the rerun."""
        self.page.get_by_test_id("stSidebar").get_by_role("combobox", name=label).click()
        self.page.get_by_role("option", name=option, exact=True).click()
        self.page.keyboard.press("Escape")
        self.wait()

    def problems(self) -> list[str]:
        """Texts of exceptions, error boxes and dialogs (the app has none of its own, e.g. "Page not found")."""
        shown = self.page.locator('[data-testid="stException"], [data-testid="stAlertContentError"], [data-testid="stDialog"]')
        return [text.strip() for text in shown.all_inner_texts()]


@pytest.fixture
def app(page, app_server: str) -> App:
    return App(page, app_server)


@pytest.fixture
def first_session_app(page, fresh_app_server: str) -> App:
    """The test's page is the server's first session, whose first run fills the database: it gets that time."""
    page.set_default_timeout(FIRST_RUN_TIMEOUT_MS)
    return App(page, fresh_app_server)


@pytest.fixture
def editor_app(page, editor_app_server: str) -> App:
    return App(page, editor_app_server)
