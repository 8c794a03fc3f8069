"""The parts of the benchmark that run in a process of their own, so that each
one's peak memory (RSS) is its own: ``load`` (the real loader, as the command
line runs it) and ``app`` (every page through Streamlit's AppTest, the views
behind them, and the snapshot, as the dashboard process runs them).

Each prints one JSON object as its last line of output.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

PAGES = ("home", "supply_demand", "enrolment", "placements", "outcomes", "planning", "scorecard", "data")
APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_phase(url: str, folder: str) -> dict:
    """Load ``folder`` into the (empty) database at ``url`` through the real loader."""
    from data_access.loading import load_paths
    from data_access.store import get_engine

    engine = get_engine(url)
    started = time.perf_counter()
    outcome = load_paths(engine, [folder], loaded_by="benchmark")
    seconds = time.perf_counter() - started
    if not outcome.ok:
        raise SystemExit("\n".join(outcome.validation.report_lines()[:20]))
    rows = sum(count["rows"] for count in outcome.counts.values())
    return {"seconds": seconds, "rows": rows, "rows_per_second": rows / seconds, "peak_rss_mb": peak_rss_mb()}


class _Recorder:
    """Records every (view, filters) a page asks for while it runs."""

    def __init__(self) -> None:
        from data_access.views import View

        self.calls: list = []
        original = View.run

        def recording_run(view, session, filters):
            self.calls.append((view.name, filters))
            return original(view, session, filters)

        View.run = recording_run


def _clear_caches() -> None:
    """Empty Streamlit's data caches and close every pooled connection: the next run starts cold."""
    import streamlit as st

    from data_access.store import get_engine

    st.cache_data.clear()
    get_engine().dispose()


def _timed_page(page: str, recorder: _Recorder, *, cold: bool) -> tuple[float, object]:
    """Seconds of one full run of ``page``: for home the first run of the app, otherwise the page
    opened from the home page (the home run not counted). Cold: caches emptied just before."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=900)
    if page != "home":
        app.run()
    if cold:
        _clear_caches()
    recorder.calls.clear()
    started = time.perf_counter()
    app = app.run() if page == "home" else app.switch_page(f"pages/{page}.py").run()
    return time.perf_counter() - started, app


def _query_seconds(url: str, calls: list) -> float:
    from sqlalchemy.orm import Session

    from data_access.store import get_engine
    from data_access.views import VIEWS

    started = time.perf_counter()
    with Session(get_engine(url)) as session:
        for name, filters in calls:
            VIEWS[name].run(session, filters)
    return time.perf_counter() - started


def app_phase(url: str) -> dict:
    """Every page cold and warm (full AppTest run and its queries alone), then the snapshot."""
    os.environ["DATABASE_URL"] = url
    from sqlalchemy.orm import Session

    from data_access.filters import Filters
    from data_access.snapshot import build_snapshot
    from data_access.store import get_engine

    get_engine(url)  # open (and migrate) once, as the app does at start
    recorder = _Recorder()
    pages = {}
    for page in PAGES:
        cold, app = _timed_page(page, recorder, cold=True)
        errors = [e.value for e in app.exception] + [e.value for e in app.error]
        calls = list(dict.fromkeys(recorder.calls))  # each distinct (view, filters) once, as the cache does
        warm, _ = _timed_page(page, recorder, cold=False)
        get_engine(url).dispose()
        query_cold = _query_seconds(url, calls)
        query_warm = _query_seconds(url, calls)
        pages[page] = {
            "page_cold": cold,
            "page_warm": warm,
            "query_cold": query_cold,
            "query_warm": query_warm,
            "views": [[name, filters.as_dict()] for name, filters in calls],
            "errors": [str(e)[:300] for e in errors],
        }
    get_engine(url).dispose()
    projections = _projection_seconds(url)
    started = time.perf_counter()
    with Session(get_engine(url)) as session:
        archive = build_snapshot(session, filters=Filters())
    snapshot = time.perf_counter() - started
    return {
        "pages": pages,
        "projections": projections,
        "snapshot_seconds": snapshot,
        "snapshot_bytes": len(archive),
        "peak_rss_mb": peak_rss_mb(),
    }


def _projection_seconds(url: str) -> dict:
    """Seconds of projecting every region and sector (the Planning page's default: auto, three years ahead) from a
    fresh connection, the number of cells, and the grow/shrink list on top."""
    from sqlalchemy.orm import Session

    from data_access import planning
    from data_access.filters import Filters
    from data_access.store import get_engine

    get_engine(url).dispose()
    with Session(get_engine(url)) as session:
        started = time.perf_counter()
        to_year = planning.PlanningSettings().horizon(session)
        result = planning.project(session, to_year=to_year or 0, method="auto", filters=Filters())
        projection = time.perf_counter() - started
        started = time.perf_counter()
        programs = planning.grow_shrink(session, filters=Filters(), projection=result)
        grow_shrink = time.perf_counter() - started
    cells = int(result.rows[["region_code", "sector_code"]].drop_duplicates().shape[0]) if not result.rows.empty else 0
    return {
        "seconds": projection,
        "cells": cells,
        "rows": len(result.rows),
        "grow_shrink_seconds": grow_shrink,
        "programs": len(programs),
    }


def main(argv: list[str]) -> int:
    """``python -m benchmark.phases load URL FOLDER`` or ``python -m benchmark.phases app URL``."""
    phase, url, *rest = argv
    result = load_phase(url, rest[0]) if phase == "load" else app_phase(url)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
