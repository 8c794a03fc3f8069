"""Full-page screenshots of every dashboard page, for the docs.

    python scripts/screenshots.py [--out docs] [--england]

Starts a fresh ``streamlit run dashboard.py`` on a free port with the sample
data in a temporary DASHBOARD_HOME, opens each page in Chromium (CHROMIUM_PATH,
else /usr/bin/chromium; Playwright's own browser downloads are not used) at
1600x1000 and saves ``screenshot-<page>.png`` for every page in the output folder,
some pages in Chinese too, and presentation mode at a projector's 1280x720.
With ``--england`` the pages show the England example instead (examples/england-lsip, imported into a
temporary database by its recipe), saved in docs/england.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BASE_PAGES = {
    "overview": "/",
    "supply-demand": "/supply-demand",
    "enrolment": "/enrolment-graduates",
    "placements": "/placements-partners",
    "outcomes": "/graduate-outcomes",
    "planning": "/intake-planning?scenario=P091::2025:0.2",
    "scorecard": "/institution-scorecard?institution=INS019",
    "glossary": "/measures-glossary",
    "data": "/data-loads",
}


def in_chinese(path: str) -> str:
    return path + ("&" if "?" in path else "?") + "lang=zh-CN"


# Every page in English and in Chinese.
PAGES = BASE_PAGES | {f"{name}-zh": in_chinese(path) for name, path in BASE_PAGES.items()}
# Presentation mode as a 1280x720 projector shows it (one screen, no scrolling); "-dark" in the high-contrast theme.
PROJECTOR = {
    "presentation-supply-demand-zh": "/supply-demand?lang=zh-CN&present=1",
    "presentation-overview": "/?present=1",
    "presentation-planning": "/intake-planning?present=1",
    "presentation-outcomes-dark": "/graduate-outcomes?present=1",
}


ENGLAND_PAGES = {
    "overview": "/",
    "supply-demand": "/supply-demand",
    "enrolment": "/enrolment-graduates",
    "placements": "/placements-partners",
    "outcomes": "/graduate-outcomes",
    "planning": "/intake-planning",
    "scorecard": "/institution-scorecard",
    "data": "/data-loads",
    "overview-zh": "/?lang=zh-CN",
    "supply-demand-zh": "/supply-demand?lang=zh-CN",
}
ENGLAND_PROJECTOR = {"presentation-supply-demand": "/supply-demand?present=1"}


def start_server(home: str, database_url: str = "", sample_names: str = "en") -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sample = ROOT / "sample_data" / ("zh" if sample_names == "zh" else "")
    env = dict(os.environ, DASHBOARD_HOME=home, DATABASE_URL=database_url, SAMPLE_DATA_DIR=str(sample), SAMPLE_NAMES=sample_names)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard.py",
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
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return server, url
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit(f"the Streamlit server did not start within 60 s (exit code {server.poll()})")


def wait_for_app(page) -> None:
    page.wait_for_timeout(200)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="hidden")
    page.wait_for_selector('[data-testid="stSkeleton"], [data-stale="true"]', state="detached")
    page.wait_for_timeout(500)  # let Plotly finish drawing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder for the PNGs (default: docs, or docs/england)")
    parser.add_argument("--england", action="store_true", help="show the England example (examples/england-lsip)")
    parser.add_argument(
        "--zh-names", action="store_true", help="the sample region with Chinese names (SAMPLE_NAMES=zh), saved in docs/zh-names"
    )
    args = parser.parse_args()
    out = args.out or (
        ROOT / "docs" / "england" if args.england else ROOT / "docs" / "zh-names" if args.zh_names else ROOT / "docs"
    )
    out.mkdir(parents=True, exist_ok=True)
    pages, projector = (ENGLAND_PAGES, ENGLAND_PROJECTOR) if args.england else (PAGES, PROJECTOR)
    if args.zh_names:
        pages, projector = {name: path for name, path in PAGES.items() if name.endswith("-zh")}, {}
    with tempfile.TemporaryDirectory(prefix="dashboard-screenshots-") as home:
        database_url = ""
        if args.england:
            database_url = f"sqlite:///{Path(home) / 'england.sqlite'}"
            recipe = ROOT / "examples" / "england-lsip" / "recipe.toml"
            command = [sys.executable, "-m", "data_access", "import", str(recipe), "--replace", "--db", database_url]
            subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        server, url = start_server(home, database_url, sample_names="zh" if args.zh_names else "en")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                page.goto(url + "/")  # the server's first session opens the default page (see tests/browser)
                wait_for_app(page)
                for name, path in pages.items():
                    page.goto(url + path)
                    wait_for_app(page)
                    target = out / f"screenshot-{name}.png"
                    # Streamlit scrolls inside its main area: make the window as tall as the page, then shoot.
                    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
                    page.set_viewport_size({"width": 1600, "height": max(1000, height)})
                    page.wait_for_timeout(500)
                    page.screenshot(path=str(target), full_page=True)
                    page.set_viewport_size({"width": 1600, "height": 1000})
                    print(target)
                for name, path in projector.items():
                    dark = name.endswith("-dark")  # the viewer's system asks for dark: the high-contrast theme
                    context = browser.new_context(
                        viewport={"width": 1280, "height": 720}, color_scheme="dark" if dark else "light"
                    )
                    shot = context.new_page()
                    shot.goto(url + path)
                    wait_for_app(shot)
                    target = out / f"screenshot-{name}.png"
                    shot.screenshot(path=str(target))
                    context.close()
                    print(target)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
