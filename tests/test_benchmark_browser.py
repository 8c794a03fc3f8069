"""The browser phase of the benchmark (benchmark/browser.py): its arithmetic and decoding on made-up inputs, and
one short real run in headless Chromium (slow; skipped without Chromium or Playwright)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmark import browser
from benchmark.__main__ import TARGETS
from data_access.loading import load_paths
from data_access.store import create_schema, make_engine

from .conftest import TINY

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmark_targets_hold_the_browser_targets():
    for name, value in browser.BROWSER_TARGETS.items():
        assert TARGETS[name] == value


def test_spread_is_median_p90_and_max():
    assert browser.spread([5, 1, 3, None, 2, 4]) == {"n": 5, "median": 3, "p90": 5, "max": 5}
    assert browser.spread(list(range(1, 21)))["p90"] == 18
    assert browser.spread([None]) == {"n": 0, "median": None, "p90": None, "max": None}


def test_points_count_plain_nested_and_binary_arrays():
    assert browser._points([1, 2, 3]) == 3
    assert browser._points([[1, 2], [3, 4], [5, 6]]) == 6
    assert browser._points({"dtype": "f8", "bdata": "AAAAAAAA8D8AAAAAAAAAQA=="}) == 2
    assert browser._points({"dtype": "i1", "bdata": "AQIDBAUG", "shape": "2, 3"}) == 6
    assert browser._points(None) == 0


def _message(fill) -> bytes:
    message = ForwardMsg()
    fill(message)
    return message.SerializeToString()


def test_decode_tells_what_the_frames_hold():
    spec = json.dumps({"data": [{"type": "bar", "x": ["a", "b"], "y": [1, 2]}], "layout": {"title": {"text": "T<br>s"}}})
    frames = [
        (1.0, _message(lambda m: m.new_session.SetInParent())),
        (1.1, _message(lambda m: setattr(m.delta.new_element.plotly_chart, "spec", spec))),
        (1.2, _message(lambda m: setattr(m.delta.new_element.markdown, "body", "hello"))),
        (1.3, _message(lambda m: setattr(m, "script_finished", ForwardMsg.FINISHED_SUCCESSFULLY))),
    ]
    decoded = browser.decode(frames)
    assert decoded["messages"] == 4
    assert decoded["bytes"] == sum(len(payload) for _, payload in frames)
    assert set(decoded["bytes_by_kind"]) == {"new_session", "element.plotly_chart", "element.markdown", "script_finished"}
    assert decoded["finished"] == [1.3]
    assert decoded["charts"] == [{"bytes": len(spec), "title": "T", "traces": 1, "trace_types": ["bar"], "points": 2}]


def test_server_times_are_page_times_from_the_click():
    origin = 1_000_000.0  # the page's navigation start, wall-clock ms
    events = [
        {"event": "request", "t": 1000.010},
        {"event": "start", "t": 1000.012},
        {"event": "end", "t": 1000.112},
        {"event": "gc", "t": 1000.300, "started": 1000.113, "ms": 187.0},
    ]
    times = browser._server_times(events, origin, since=5.0)  # the click, 5 ms after navigation start
    assert times["request"] == pytest.approx(5.0)
    assert times["start"] == pytest.approx(7.0)
    assert times["end"] == pytest.approx(107.0)
    assert times["script"] == pytest.approx(100.0)
    assert times["runs"] == 1
    assert times["gc_after_end"] == 187.0


def test_js_time_by_kind_charges_only_the_samples_in_the_window():
    profile = {
        "nodes": [
            {"id": 1, "callFrame": {"functionName": "(root)", "url": ""}},
            {"id": 2, "callFrame": {"functionName": "draw", "url": "http://x/static/js/PlotlyChart.abc.js"}},
            {"id": 3, "callFrame": {"functionName": "(program)", "url": ""}},
            {"id": 4, "callFrame": {"functionName": "render", "url": "http://x/static/js/react-dom.abc.js"}},
            {"id": 5, "callFrame": {"functionName": "(idle)", "url": ""}},
        ],
        "startTime": 1_000_000,  # microseconds: 1000 ms
        "samples": [2, 2, 3, 4, 5, 2],
        "timeDeltas": [1000, 1000, 1000, 1000, 1000, 1000],  # samples at 1001 ... 1006 ms
    }
    figures = browser.js_time_by_kind(profile, 1001.5, 1005.0)
    assert figures["by_kind"] == {"plotly": 1.0, "browser": 1.0, "react": 1.0}
    assert figures["busy_ms"] == 3.0
    assert figures["top_scripts"] == {"PlotlyChart.abc.js": 1.0, "react-dom.abc.js": 1.0}


class _Frames:
    def __init__(self, received, sent) -> None:
        self.received, self.sent = received, sent


def _change(page: str, round_number: int, idle: float) -> dict:
    """A made-up page change: click at 1000 ms, rerun request sent 2 ms later, the script 50 ms."""
    watch = {"click": 1000.0, "idle": 1000.0 + idle, "drawn": 1000.0 + idle, "charts": 0, "chartsDrawn": 0}
    watch.update(checks=3, checkMs=0.5)
    server = {"request": 4.0, "start": 5.0, "end": 55.0, "script": 50.0, "runs": 1, "gc": 20.0, "gc_after_end": 20.0}
    finished = _message(lambda m: setattr(m, "script_finished", ForwardMsg.FINISHED_SUCCESSFULLY))
    frames = _Frames([(10.080, finished)], [10.0])  # Chromium's clock: the request at 10 s, the last message 80 ms on
    record = browser._record(page, round_number, watch, [1002.0], [(1010.0, 60.0)], server, frames, 0, 0)
    assert record.pop("_offset") == pytest.approx(1002.0 - 10_000.0)
    record.pop("_until")
    return record


def test_a_page_change_is_split_into_its_parts():
    record = _change("overview", 2, 120.0)
    assert record["click_to_idle_ms"] == 120.0
    assert record["click_to_request_sent_ms"] == 2.0
    assert record["script_ms"] == 50.0
    assert record["page_behind_server_ms"] == pytest.approx(82.0 - 55.0)
    assert record["script_end_to_idle_ms"] == 65.0
    assert record["long_tasks_ms"] == 60.0
    assert not record["cold"]


def _paint(fcp: float, idle: float) -> dict:
    return {
        "first_contentful_paint_ms": fcp,
        "first_paint_ms": fcp,
        "first_idle_ms": idle,
        "first_charts_drawn_ms": idle,
        "script_request_ms": 1.0,
        "script_start_ms": 2.0,
        "script_end_ms": 3.0,
        "script_ms": 1.0,
        "gc_after_script_ms": 0.0,
        "js_files_loaded_ms": fcp - 100,
        "charts": 0,
        "bytes_received": 10,
        "js_files": 3,
        "js_bytes": 2**20,
        "js_bytes_transferred": 2**19,
        "biggest_js_files": [],
    }


def _result(app_idle: float, app_fcp: float) -> dict:
    pages = [("a", ""), ("b", "b")]
    app = [_change(page, r, app_idle) for r in (1, 2, 3) for page in ("b", "a")]
    blank = [_change(page, r, 100.0) for r in (1, 2, 3) for page in ("b", "a")]
    return {
        "rounds": 3,
        "first_paints": 2,
        "cores": 2,
        "load_average_before": [0.5, 0.5, 0.5],
        "load_average_after": [0.5, 0.5, 0.5],
        "dashboard": browser.summarise([_paint(1000, 2000), _paint(app_fcp, 1500)], app, [], pages),
        "blank": browser.summarise([_paint(1000, 1000), _paint(1000, 1000)], blank, [], pages),
    }


def test_targets_are_judged_against_the_blank_app(capsys):
    result = _result(app_idle=140.0, app_fcp=1900.0)
    result.update(browser.judge(result, TARGETS))
    assert result["ratios"]["page_change_median_warm"] == 1.4
    assert result["targets"]["browser_page_change_median_ratio"]["met"]
    assert result["targets"]["browser_page_change_warm_max"] == {"value": 0.14, "target": 1.0, "met": True}
    assert result["targets"]["browser_first_paint_ratio"]["value"] == 1.9
    browser.print_table(result)
    printed = capsys.readouterr().out
    assert "target browser_page_change_median_ratio: 1.40 against at most 1.5: met" in printed

    slow = _result(app_idle=1200.0, app_fcp=2500.0)
    slow.update(browser.judge(slow, TARGETS))
    assert not any(slow["targets"][name]["met"] for name in browser.BROWSER_TARGETS)
    browser.print_table(slow)
    assert "MISSED" in capsys.readouterr().out


def test_a_skipped_phase_says_why(capsys):
    browser.print_table({"skipped": "Chromium not found"})
    assert "skipped (Chromium not found)" in capsys.readouterr().out


def test_the_blank_app_has_two_pages_under_st_navigation():
    tree = ast.parse(browser.BLANK_APP)
    functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert functions == ["page_one", "page_two"]
    assert "st.navigation(" in browser.BLANK_APP
    assert [path for _, path in browser.BLANK_PAGES] == ["", "page-two"]


def test_the_dashboard_pages_are_those_of_dashboard_py():
    source = (REPO_ROOT / "dashboard.py").read_text()
    for _, path in browser.DASHBOARD_PAGES[1:]:
        assert f'url_path="{path}"' in source
    assert 'url_path="start", default=True' in source  # served at "/": the benchmark opens it there


def test_the_timed_launcher_logs_full_collections(tmp_path):
    log = tmp_path / "runs.jsonl"
    code = (
        "import gc; from benchmark.timed_streamlit import _install; "
        f"_install({str(log)!r}); gc.collect(); "
        "from streamlit.runtime.scriptrunner import script_runner; "
        "from streamlit.runtime.app_session import AppSession; "
        "print(script_runner.exec_func_with_error_handling.__name__, AppSession.request_rerun.__name__)"
    )
    completed = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert completed.stdout.split() == ["timed_run", "timed_request"]
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert events and all(event["event"] == "gc" and event["ms"] >= 0 for event in events)


@pytest.mark.slow
@pytest.mark.skipif(browser.skip_reason() is not None, reason=f"browser phase: {browser.skip_reason()}")
def test_a_short_browser_phase_on_the_tiny_fixture(tmp_path):
    # The smallest run that has every part: a cold and a profiled first visit, a cold and a profiled round
    # over every page (how later rounds are told from the cold one is tested above on made-up changes).
    database = f"sqlite:///{tmp_path / 'tiny.sqlite'}"
    engine = make_engine(database)
    create_schema(engine)
    assert load_paths(engine, [TINY]).ok
    engine.dispose()
    # In a process of its own, as `python -m benchmark` runs it: Playwright's sync API cannot start inside the
    # event loop of the browser tests' Playwright, which may still be running in this pytest process. ``run``
    # itself, as the command line asks at least two of each for a warm figure.
    out = tmp_path / "browser.json"
    code = (
        "import json, sys; from benchmark import browser; "
        "result = browser.run(sys.argv[1], rounds=1, first_paints=1, verbose=False); "
        "open(sys.argv[2], 'w').write(json.dumps(result))"
    )
    subprocess.run([sys.executable, "-c", code, database, str(out)], cwd=REPO_ROOT, check=True, capture_output=True)
    result = json.loads(out.read_text())
    for name, pages in (("dashboard", browser.DASHBOARD_PAGES), ("blank", browser.BLANK_PAGES)):
        summary = result[name]
        assert summary["server_tracebacks"] == 0
        assert set(summary["pages"]) == {key for key, _ in pages}
        assert summary["first_paint"]["cold"]["first_contentful_paint_ms"] > 0
        assert summary["first_paint"]["js_profiled"]["busy_ms"] >= 0
        assert summary["page_changes"]["cold"]["n"] > 0
        for page in summary["pages"].values():
            assert page["cold_ms"] > 0
            assert page["warm_script_ms"] is not None
            assert page["js_profiled"]["busy_ms"] >= 0
    assert result["dashboard"]["pages"]["supply-demand"]["charts"] >= 1
    assert result["dashboard"]["pages"]["supply-demand"]["plotly_bytes"] > 0
    assert set(result["targets"]) >= set(browser.BROWSER_TARGETS)
