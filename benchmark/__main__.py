"""The benchmark: ``python -m benchmark [--scale 1] [--out FILE.json] [--postgres URL] [--keep DIR] [--no-browser]``.

Builds the national data set (benchmark/scale_data.py), loads it into a fresh
SQLite file (and a fresh PostgreSQL schema when ``--postgres`` is given)
through the real loader, runs every page cold and warm, times the views behind
each page and the snapshot, and computes the same aggregates with DuckDB on
the raw rows of the same CSV files as a reference. Then, on the same SQLite
database, the browser phase (benchmark/browser.py): headless Chromium against
the dashboard and a blank two-page Streamlit app, first paint and page changes,
and where their time goes; skipped, with the reason, when Chromium or
Playwright is missing, or with ``--no-browser``. Prints a table and writes
every figure as JSON. See README, section Performance.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from data_access.contract import LOAD_ORDER
from data_access.filters import Filters
from data_access.settings import PROJECT_ROOT

from . import browser, scale_data
from .duckdb_reference import Reference

DEFAULT_WORK = PROJECT_ROOT / "var" / "benchmark"  # var/ is git-ignored

TARGETS = {
    "page_warm": 0.3,
    "page_cold": 2.0,
    "snapshot_seconds": 10.0,
    "rows_per_second": 50_000,
    "peak_rss_mb": 1536,
    # In the browser (benchmark/browser.py), against a blank two-page Streamlit app in the same run: the warm median
    # click-to-idle page change at most 1.5 times the blank app's, no warm page change above 1 s, and the first
    # contentful paint at most twice the blank app's.
    "browser_page_change_median_ratio": 1.5,
    "browser_page_change_warm_max": 1.0,
    "browser_first_paint_ratio": 2.0,
}


def _phase(*args: str) -> dict:
    """Run one phase (benchmark/phases.py) in a process of its own; its last output line is JSON."""
    completed = subprocess.run(
        [sys.executable, "-m", "benchmark.phases", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    if completed.returncode != 0:
        raise SystemExit(f"benchmark phase {args[0]} failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _fresh_sqlite(work: Path) -> tuple[str, callable]:
    path = work / "benchmark.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)

    def size() -> int:
        return sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists())

    return f"sqlite:///{path}", size


def _fresh_postgres(base: str) -> tuple[str, callable, callable]:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from data_access.store import make_engine, normalise_url

    base = normalise_url(base)
    schema = f"benchmark_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))  # a name made here, not input
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)

    def size() -> int:
        with admin.connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n "
                        "ON n.oid = c.relnamespace WHERE n.nspname = :schema AND c.relkind IN ('r', 'm')"
                    ),
                    {"schema": schema},
                ).scalar_one()
            )

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return url, size, drop


def _csv_rows(data: Path) -> dict[str, int]:
    rows = {}
    for table in LOAD_ORDER:
        if (data / f"{table}.csv").exists():
            with open(data / f"{table}.csv", "rb") as file:
                rows[table] = sum(1 for _ in file) - 1  # less the header
    return rows


def _machine() -> dict:
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "cpu": platform.processor() or platform.machine(),
    }


def _run_backend(label: str, url: str, size, data: Path) -> dict:
    print(f"[{label}] loading {data} ...", flush=True)
    load = _phase("load", url, str(data))
    print(
        f"[{label}] {load['rows']:,} rows in {load['seconds']:.1f} s = {load['rows_per_second']:,.0f} rows/s; "
        "running the pages ...",
        flush=True,
    )
    app = _phase("app", url)
    return {"load": load, "app": app, "database_bytes": size()}


def _browser_phase(url: str, rounds: int) -> dict:
    """The browser phase on the database at ``url``, in a process of its own; its figures, judged against TARGETS."""
    reason = browser.skip_reason()
    if reason:
        print(f"browser phase skipped: {reason}", flush=True)
        return {"skipped": reason}
    print(f"[browser] headless Chromium against the dashboard and a blank app, {rounds} rounds ...", flush=True)
    out = DEFAULT_WORK / "browser.json"
    out.unlink(missing_ok=True)
    completed = subprocess.run(
        [sys.executable, "-m", "benchmark.browser", "--db", url, "--rounds", str(rounds), "--out", str(out), "--no-table"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    if completed.returncode != 0 or not out.exists():
        print(f"browser phase failed (exit code {completed.returncode}); the other figures stand", flush=True)
        return {"skipped": f"the browser phase failed with exit code {completed.returncode}"}
    result = json.loads(out.read_text())
    if "skipped" not in result:
        result.update(browser.judge(result, TARGETS))
    return result


def _add_reference(result: dict, reference: Reference) -> None:
    for figures in result["app"]["pages"].values():
        calls = [(name, Filters(**filters)) for name, filters in figures["views"]]
        figures["duckdb_cold"] = reference.run(calls)
        figures["duckdb_warm"] = reference.run(calls)
        figures["query_ratio_cold"] = (
            figures["query_cold"] / figures["duckdb_cold"] if calls else None
        )  # the data page has no view
        figures["query_ratio_warm"] = figures["query_warm"] / figures["duckdb_warm"] if calls else None


def _print(results: dict) -> None:
    for label, result in results["backends"].items():
        load, app = result["load"], result["app"]
        print(
            f"\n== {label}: load {load['rows']:,} rows in {load['seconds']:.1f} s = {load['rows_per_second']:,.0f} rows/s "
            f"(peak RSS {load['peak_rss_mb']:,.0f} MB); database {result['database_bytes'] / 2**20:,.0f} MB"
        )
        print(
            f"{'page':<15}{'page cold':>10}{'page warm':>10}{'query cold':>11}{'query warm':>11}"
            f"{'duckdb cold':>12}{'duckdb warm':>12}{'ratio cold':>11}{'ratio warm':>11}"
        )

        def ratio(r: float | None) -> str:
            return "-" if r is None else f"{r:.2f}"

        for page, f in app["pages"].items():
            print(
                f"{page:<15}{f['page_cold']:>10.3f}{f['page_warm']:>10.3f}{f['query_cold']:>11.3f}{f['query_warm']:>11.3f}"
                f"{f['duckdb_cold']:>12.3f}{f['duckdb_warm']:>12.3f}{ratio(f['query_ratio_cold']):>11}{ratio(f['query_ratio_warm']):>11}"
                + (f"  ERRORS: {f['errors']}" if f["errors"] else "")
            )
        projections = app["projections"]
        print(
            f"projections {projections['seconds']:.2f} s cold ({projections['cells']:,} region-sector cells, "
            f"{projections['rows']:,} rows), grow/shrink {projections['grow_shrink_seconds']:.2f} s "
            f"({projections['programs']:,} programs by region)"
        )
        print(
            f"snapshot {app['snapshot_seconds']:.2f} s ({app['snapshot_bytes'] / 2**20:.1f} MB); "
            f"app peak RSS {app['peak_rss_mb']:,.0f} MB"
        )
    if "ratio_postgresql_to_sqlite" in results:
        print(
            "\nPostgreSQL / SQLite, warm page runs:",
            ", ".join(f"{p} {r:.2f}" for p, r in results["ratio_postgresql_to_sqlite"].items()),
        )
    print(f"\nDuckDB read the CSV files in {results['duckdb_csv_load_seconds']:.1f} s (not in the ratios).")
    if "browser" in results:
        browser.print_table(results["browser"])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplier of the national scale (default 1)")
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="folder for the generated CSVs, reused when it already holds them (default: regenerated in var/benchmark)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_WORK / "results.json", help="JSON file of every figure")
    parser.add_argument(
        "--postgres", default=None, help="PostgreSQL URL: also benchmark there, in a schema made and dropped for it"
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="skip the browser phase (headless Chromium, benchmark/browser.py)"
    )
    parser.add_argument(
        "--browser-rounds", type=int, default=4, help="page-change rounds of the browser phase; the first is cold"
    )
    args = parser.parse_args(argv)

    DEFAULT_WORK.mkdir(parents=True, exist_ok=True)
    data = args.keep or DEFAULT_WORK / f"data-{args.scale:g}"
    if not (data / "placements.csv").exists() or args.keep is None:
        if data.exists() and args.keep is None:
            shutil.rmtree(data)
        started = time.perf_counter()
        counts = scale_data.write(scale_data.generate(scale_data.ScaleParameters.scaled(args.scale)), data)
        print(f"generated {sum(counts.values()):,} rows in {time.perf_counter() - started:.1f} s into {data}", flush=True)
    reference = Reference(data)
    results = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "scale": args.scale,
        "rows": _csv_rows(data),
        "machine": _machine(),
        "targets": TARGETS,
        "duckdb_csv_load_seconds": reference.load_seconds,
        "backends": {},
    }
    url, size = _fresh_sqlite(DEFAULT_WORK)
    results["backends"]["sqlite"] = _run_backend("sqlite", url, size, data)
    if args.no_browser:
        print("browser phase skipped: --no-browser", flush=True)
        results["browser"] = {"skipped": "--no-browser"}
    else:
        results["browser"] = _browser_phase(url, args.browser_rounds)
    if args.postgres:
        url, size, drop = _fresh_postgres(args.postgres)
        try:
            results["backends"]["postgresql"] = _run_backend("postgresql", url, size, data)
        finally:
            drop()
    for result in results["backends"].values():
        _add_reference(result, reference)
    if "postgresql" in results["backends"]:
        sqlite_pages = results["backends"]["sqlite"]["app"]["pages"]
        results["ratio_postgresql_to_sqlite"] = {
            page: figures["page_warm"] / sqlite_pages[page]["page_warm"]
            for page, figures in results["backends"]["postgresql"]["app"]["pages"].items()
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    _print(results)
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
