"""The browser phase: ``python -m benchmark.browser --db URL [--rounds N] [--first-paints N] --out FILE.json``.

Runs headless Chromium (Playwright's Python API on ``/usr/bin/chromium``, or
``CHROMIUM_PATH``; never a downloaded browser) against the dashboard on the
database ``--db`` and, in the same run, against a blank two-page Streamlit app
written to a temporary folder (st.navigation over two st.Page functions, each a
title and a line of text). Each app has a server of its own, started here; the
measurements alternate between the two apps, so that whatever else the machine
does weighs on both alike.

For each app it measures:

- **first paint**, in fresh browser contexts: navigation start to the first
  contentful paint (the Performance API's ``first-contentful-paint``), to the
  app first being idle with content (script not running, no stale elements or
  skeletons, a page title shown) and to every Plotly chart drawn; and the
  JavaScript files loaded (how many, their bytes, when the last came). The
  first visit is the server's very first session (cold); the others are warm.
- **page changes**: clicks on the sidebar navigation links in a cycle over the
  pages, several rounds in one session, each timed from the click to the app
  being idle again with the new page's title shown; the first round is cold,
  the later ones warm. Median, p90 and max per page and overall, and the
  ratios of the dashboard's to the blank app's.
- **where the time goes**, for each page change, in ms from the click: the
  rerun request sent; the script's start and end on the server and its
  length, with the full garbage collection Streamlit runs after each script
  (``runner.postScriptGC``; it holds the GIL, so the run's last message waits
  for it); how long after the script's end the page took in the last message;
  idle; every Plotly chart drawn (``.main-svg`` in each); the main-thread long
  tasks in between (Long Tasks API); the bytes received on the websocket, by
  kind of message (decoded ForwardMsgs); the Plotly charts (how many, the bytes
  of their figures, traces and points). After the timed rounds, one more first
  visit and one more change per page are profiled (the DevTools CPU profiler)
  and their JavaScript time is split by what ran: Plotly, DataFrame, markdown,
  React and its styling, the rest of Streamlit's frontend, and the browser's
  own work (style, layout, paint, parsing).

Nothing is added to the app: the server runs under benchmark/timed_streamlit.py,
which logs each script run and full collection; the recorder is a script the
browser runs in the page before the app's own; the rest comes from the
DevTools protocol. ``--dashboard-option KEY=VALUE`` starts the dashboard's
server with a Streamlit option, to try a change without editing the app.
Prints a table and writes every figure as JSON; ``python -m benchmark`` runs
it after the pages phase (``--no-browser`` skips it) and puts it under
"browser".
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
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
SERVER_START_TIMEOUT = 90  # seconds until /_stcore/health must answer "ok"
CHANGE_TIMEOUT_MS = 120_000  # longest one page change may take (a cold page on a national data set)
QUIET_MS = 400  # the app must stay idle this long after a change for it to count as over
CHART_WAIT_MS = 15_000  # how long after idle to wait for every Plotly chart to draw

# The dashboard's pages in their sidebar order: (key, url path); see dashboard.py.
DASHBOARD_PAGES = [
    ("overview", ""),
    ("supply-demand", "supply-demand"),
    ("enrolment-graduates", "enrolment-graduates"),
    ("placements-partners", "placements-partners"),
    ("graduate-outcomes", "graduate-outcomes"),
    ("intake-planning", "intake-planning"),
    ("institution-scorecard", "institution-scorecard"),
    ("measures-glossary", "measures-glossary"),
    ("data-loads", "data-loads"),
]
BLANK_PAGES = [("page-one", ""), ("page-two", "page-two")]
BLANK_APP = '''"""A blank two-page Streamlit app: the benchmark's yardstick for the browser."""

import streamlit as st


def page_one():
    st.title("Page one")
    st.write("The first page of a blank app.")


def page_two():
    st.title("Page two")
    st.write("The second page of a blank app.")


st.navigation(
    [st.Page(page_one, title="Page one", url_path="page-one", default=True), st.Page(page_two, title="Page two", url_path="page-two")]
).run()
'''

# Runs in every page before the app's own scripts. It only watches: the time of
# each click, each websocket send, each long task, and (on every DOM change) the
# state the benchmark waits for. Reads that force a layout are avoided, so that
# watching does not slow the drawing it times.
RECORDER = r"""
(() => {
  if (window.__bench) return;
  const rec = { sends: [], longTasks: [], watch: null };
  window.__bench = rec;
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    rec.sends.push(performance.now());
    return send.call(this, data);
  };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) rec.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch (error) {}
  document.addEventListener("click", () => {
    const w = rec.watch;
    if (w && w.needsClick && w.click === null) w.click = performance.now();
  }, true);
  const fresh = (el) => !el.closest('[data-stale="true"]');
  rec.state = () => {
    const w = rec.watch;
    const app = document.querySelector('[data-testid="stApp"]');
    const script = app ? app.getAttribute("data-test-script-state") : null;
    const connected = app ? app.getAttribute("data-test-connection-state") === "CONNECTED" : false;
    const titles = [...document.querySelectorAll('[data-testid="stHeading"] h1')].filter(fresh);
    const heading = w.title === null ? titles.length > 0 : titles.some((h) => h.textContent.includes(w.title));
    const stale = document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]') !== null;
    const status = document.querySelector('[data-testid="stStatusWidget"]') !== null;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].filter(fresh);
    const drawn = charts.filter((c) => c.querySelector(".main-svg")).length;
    return { script, connected, heading, stale, status, charts: charts.length, drawn };
  };
  const check = () => {
    const w = rec.watch;
    if (!w || (w.needsClick && w.click === null)) return;
    const now = performance.now();
    try { look(w, now); } finally { w.checks += 1; w.checkMs += performance.now() - now; }
  };
  const look = (w, now) => {
    const s = rec.state();
    if (s.script === "running" && !w.running) {
      w.runs += 1;
      if (w.firstRunning === null) w.firstRunning = now;
    }
    w.running = s.script === "running";
    if (s.heading && w.heading === null) w.heading = now;
    const idle = s.connected && s.script === "notRunning" && s.heading && !s.stale && !s.status;
    if (idle && !w.idleNow) w.idle = now;
    w.idleNow = idle;
    const drawn = idle && s.drawn === s.charts;
    if (drawn && !w.drawnNow) w.drawn = now;
    w.drawnNow = drawn;
    w.charts = s.charts;
    w.chartsDrawn = s.drawn;
  };
  rec.check = check;
  rec.expect = (title, needsClick) => {
    rec.watch = {
      title, needsClick, click: null, heading: null, firstRunning: null, runs: 0, running: false,
      idle: null, idleNow: false, drawn: null, drawnNow: false, charts: 0, chartsDrawn: 0, checks: 0, checkMs: 0,
    };
    check();
  };
  rec.settled = (quiet, chartWait) => {
    check();
    const w = rec.watch;
    if (!w || !w.idleNow) return false;
    const now = performance.now();
    if (now - w.idle < quiet) return false;
    return w.drawnNow ? now - w.drawn >= quiet : now - w.idle >= chartWait;
  };
  rec.expect(null, false);
  const observe = () =>
    new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  observe();
  setInterval(check, 50);
})();
"""


def skip_reason() -> str | None:
    """Why the browser phase cannot run here, or None."""
    if not (os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)):
        return f"Chromium not found at {CHROMIUM_PATH}: install the Debian package chromium (or set CHROMIUM_PATH)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"the Playwright Python package cannot be imported ({error}): pip install -r requirements.txt"
    return None


# ---------------------------------------------------------------- servers


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


class Server:
    """A Streamlit server started here, and the log of its script runs (benchmark/timed_streamlit.py)."""

    def __init__(self, url: str, run_log: Path, output: Path) -> None:
        self.url, self.run_log, self.output = url, run_log, output
        self._offset = 0

    def events(self) -> list[dict]:
        """The events logged since the last call (each with its wall-clock time ``t`` in seconds)."""
        if not self.run_log.exists():
            return []
        with open(self.run_log, "rb") as log:
            log.seek(self._offset)
            data = log.read()
        complete = data[: data.rfind(b"\n") + 1]
        self._offset += len(complete)
        return [json.loads(line) for line in complete.decode().splitlines()]


@contextlib.contextmanager
def streamlit_server(
    script: str, cwd: Path, environment: dict[str, str], work: Path, options: tuple[str, ...] = ()
) -> Iterator[Server]:
    """``streamlit run script [options]`` in ``cwd`` on a free port, its script runs logged; stopped at the end."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "benchmark.timed_streamlit",
        "run",
        script,
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
        *options,
    ]
    server = Server(f"http://127.0.0.1:{port}", work / "runs.jsonl", work / "server.log")
    python_path = os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, **environment, "BENCHMARK_RUN_LOG": str(server.run_log), "PYTHONPATH": python_path}
    with open(server.output, "wb") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _healthy(server.url):
            if process.poll() is not None:
                raise RuntimeError(f"the Streamlit server exited with code {process.returncode}:\n{server.output.read_text()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the Streamlit server did not answer within {SERVER_START_TIMEOUT} s")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# ---------------------------------------------------------------- the websocket, decoded


class Frames:
    """The DevTools protocol on one page: its websocket frames (timestamps in seconds of Chromium's clock, taken
    when the page's main thread handles them, so late when it is busy) and, on demand, a profile of its
    JavaScript."""

    def __init__(self, context, page) -> None:
        self.received: list[tuple[float, bytes]] = []
        self.sent: list[float] = []
        session = context.new_cdp_session(page)
        session.on("Network.webSocketFrameReceived", self._on_received)
        session.on("Network.webSocketFrameSent", lambda event: self.sent.append(event["timestamp"]))
        session.send("Network.enable")
        self.session = session

    def _on_received(self, event: dict) -> None:
        response = event["response"]
        data = response["payloadData"]
        payload = data.encode() if response["opcode"] == 1 else base64.b64decode(data)
        self.received.append((event["timestamp"], payload))

    def mark(self) -> tuple[int, int]:
        return len(self.received), len(self.sent)

    def start_profile(self) -> None:
        self.session.send("Profiler.enable")
        self.session.send("Profiler.setSamplingInterval", {"interval": 500})  # microseconds
        self.session.send("Profiler.start")

    def stop_profile(self) -> dict:
        profile = self.session.send("Profiler.stop")["profile"]
        self.session.send("Profiler.disable")
        return profile


def _points(value) -> int:
    """How many values a Plotly data array holds (plain lists, nested lists, or plotly.py's base64 typed arrays)."""
    if isinstance(value, dict) and "bdata" in value:
        shape = value.get("shape")
        if shape:
            return math.prod(int(n) for n in str(shape).split(","))
        size = {"i1": 1, "u1": 1, "i2": 2, "u2": 2, "i4": 4, "u4": 4, "f4": 4, "f8": 8}.get(value.get("dtype"), 8)
        return len(base64.b64decode(value["bdata"])) // size
    if isinstance(value, list):
        return sum(_points(item) if isinstance(item, list) else 1 for item in value)
    return 0


def _chart(spec: str) -> dict:
    """Bytes, title, trace types and points of one Plotly figure (its JSON spec as sent)."""
    figure = json.loads(spec)
    traces = figure.get("data", [])
    title = (figure.get("layout", {}).get("title") or {}).get("text") or ""
    points = 0
    for trace in traces:
        points += max((_points(trace.get(key)) for key in ("x", "y", "z", "values", "locations")), default=0)
    return {
        "bytes": len(spec.encode()),
        "title": title.split("<br>")[0][:80],
        "traces": len(traces),
        "trace_types": sorted({trace.get("type", "scatter") for trace in traces}),
        "points": points,
    }


def decode(frames: list[tuple[float, bytes]]) -> dict:
    """What a run of received frames holds: when the script_finished messages came, bytes by kind, Plotly charts."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    finished, charts = [], []
    kinds: dict[str, int] = {}
    total = 0
    for stamp, payload in frames:
        total += len(payload)
        message = ForwardMsg()
        try:
            message.ParseFromString(payload)
            kind = message.WhichOneof("type") or "other"
        except Exception:  # a frame that is not a ForwardMsg: counted, not classified
            kind = "undecoded"
        if kind == "script_finished":
            finished.append(stamp)
        elif kind == "delta":
            delta = message.delta.WhichOneof("type")
            if delta == "new_element":
                element = message.delta.new_element.WhichOneof("type")
                kind = f"element.{element}"
                if element == "plotly_chart":
                    charts.append(_chart(message.delta.new_element.plotly_chart.spec))
            else:
                kind = f"delta.{delta}"
        kinds[kind] = kinds.get(kind, 0) + len(payload)
    return {
        "bytes": total,
        "messages": len(frames),
        "bytes_by_kind": dict(sorted(kinds.items(), key=lambda item: -item[1])),
        "finished": finished,
        "charts": charts,
    }


JS_KINDS = (  # (part of the script's URL, kind), first match wins
    ("PlotlyChart", "plotly"),
    ("DataFrame", "dataframe"),
    ("formatNumber", "dataframe"),
    ("StreamlitMarkdown", "markdown"),
    ("hastscript", "markdown"),
    ("rehype", "markdown"),
    ("remark", "markdown"),
    ("protobuf", "protobuf"),
    ("react-dom", "react"),
    ("emotion", "react"),
    ("styled-components", "react"),
    ("/static/", "other streamlit"),
)


def js_time_by_kind(profile: dict, start: float, end: float) -> dict:
    """Milliseconds of a DevTools CPU profile between ``start`` and ``end`` (ms of Chromium's clock) by what ran: the
    Plotly, DataFrame, markdown and protobuf chunks of Streamlit's frontend, React and its styling, the rest of
    Streamlit's frontend, JavaScript built-ins, the browser's own work (style, layout, paint, parsing: "(program)"),
    garbage collection; and the scripts that took most."""
    nodes = {node["id"]: node["callFrame"] for node in profile["nodes"]}
    by_node: dict[int, float] = {}
    stamp = profile["startTime"] / 1000  # microseconds to ms
    for node, delta in zip(profile["samples"], profile["timeDeltas"], strict=False):
        stamp += delta / 1000
        if start <= stamp <= end:  # the sample's interval, up to it, is charged to it
            by_node[node] = by_node.get(node, 0) + delta / 1000
    kinds: dict[str, float] = {}
    scripts: dict[str, float] = {}
    for node, ms in by_node.items():
        frame = nodes[node]
        name, url = frame["functionName"], frame["url"]
        if name in ("(idle)", "(root)"):
            continue
        if name == "(program)":
            kind = "browser"  # style, layout, paint, parsing: the engine's own work
        elif name == "(garbage collector)":
            kind = "garbage collector"
        else:
            kind = next((k for part, k in JS_KINDS if part in url), "other" if url else "built-ins")
        kinds[kind] = kinds.get(kind, 0) + ms
        if url:
            script = url.rsplit("/", 1)[-1]
            scripts[script] = scripts.get(script, 0) + ms
    top = sorted(scripts.items(), key=lambda item: -item[1])[:6]
    return {
        "busy_ms": _ms(sum(kinds.values())),
        "by_kind": {k: _ms(v) for k, v in sorted(kinds.items(), key=lambda item: -item[1])},
        "top_scripts": {k: _ms(v) for k, v in top},
    }


# ---------------------------------------------------------------- measuring


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _server_times(events: list[dict], time_origin: float, since: float) -> dict:
    """Server events (wall-clock s) as page times (ms since its navigation start) minus ``since``: the first
    request, the first script start, the last end, the sum of the script runs, and full garbage collections."""

    def page_time(t: float) -> float:
        return t * 1000 - time_origin - since

    starts = [page_time(e["t"]) for e in events if e["event"] == "start"]
    ends = [page_time(e["t"]) for e in events if e["event"] == "end"]
    requests = [page_time(e["t"]) for e in events if e["event"] == "request"]
    collections = [(page_time(e["started"]), e["ms"]) for e in events if e["event"] == "gc"]
    runs = sum(end - start for start, end in zip(starts, ends, strict=False))
    return {
        "request": requests[0] if requests else None,
        "start": starts[0] if starts else None,
        "end": ends[-1] if ends else None,
        "script": runs if starts and ends else None,
        "runs": len(starts),
        "gc": sum(ms for _, ms in collections),
        "gc_after_end": sum(ms for started, ms in collections if ends and started >= ends[-1]),
    }


def _settle(page, first: bool = False) -> None:
    prefix = "window.__bench && " if first else ""
    page.wait_for_function(f"([q, c]) => {prefix}window.__bench.settled(q, c)", arg=[QUIET_MS, CHART_WAIT_MS], polling=100)


SCRIPTS_LOADED = """() => performance.getEntriesByType('resource')
  .filter((e) => e.name.split('?')[0].endsWith('.js'))
  .map((e) => [e.name.split('?')[0].split('/').pop(), e.startTime, e.responseEnd, e.encodedBodySize, e.decodedBodySize])
"""


def first_paint(browser, server: Server, *, profile: bool = False) -> dict:
    """One first visit in a fresh context: first contentful paint, first idle with content, every chart drawn (ms
    from navigation start), the script's run on the server, the bytes received on the websocket until then, and the
    JavaScript files loaded. With ``profile``, the page's JavaScript is profiled (which slows it)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(CHANGE_TIMEOUT_MS)
    context.add_init_script(RECORDER)
    page = context.new_page()
    frames = Frames(context, page)
    server.events()
    try:
        if profile:
            frames.start_profile()
        page.goto(server.url, wait_until="commit")
        _settle(page, first=True)
        profiled = frames.stop_profile() if profile else None
        paints = page.evaluate("() => Object.fromEntries(performance.getEntriesByType('paint').map(e => [e.name, e.startTime]))")
        watch = page.evaluate("() => window.__bench.watch")
        time_origin = page.evaluate("() => performance.timeOrigin")
        sends = page.evaluate("() => window.__bench.sends")
        scripts = page.evaluate(SCRIPTS_LOADED)
        received = decode(frames.received)
    finally:
        context.close()
    times = _server_times(server.events(), time_origin, 0)
    drawn = watch["drawn"] if watch["chartsDrawn"] == watch["charts"] else None
    biggest = sorted(scripts, key=lambda script: -script[4])[:5]
    figures = {
        "first_contentful_paint_ms": _ms(paints.get("first-contentful-paint")),
        "first_paint_ms": _ms(paints.get("first-paint")),
        "first_idle_ms": _ms(watch["idle"]),
        "first_charts_drawn_ms": _ms(drawn),
        "script_request_ms": _ms(times["request"]),
        "script_start_ms": _ms(times["start"]),
        "script_end_ms": _ms(times["end"]),
        "script_ms": _ms(times["script"]),
        "gc_after_script_ms": _ms(times["gc_after_end"]),
        "js_files_loaded_ms": _ms(max((script[2] for script in scripts), default=None)),
        "charts": watch["charts"],
        "bytes_received": received["bytes"],
        "js_files": len(scripts),
        "js_bytes_transferred": sum(script[3] for script in scripts),
        "js_bytes": sum(script[4] for script in scripts),
        "biggest_js_files": [
            {"file": name, "start_ms": _ms(begin), "loaded_ms": _ms(loaded), "bytes": size}
            for name, begin, loaded, _, size in biggest
        ],
    }
    if profiled is not None and sends and frames.sent:
        offset = sends[0] - frames.sent[0] * 1000  # page ms - Chromium ms, from the first websocket frame sent
        figures["js"] = js_time_by_kind(profiled, -offset, (drawn or watch["idle"]) - offset)
    return figures


# The sidebar's page links: Streamlit's own menu (the blank app) or the dashboard's links that carry the query.
NAV_LINKS = (
    '[data-testid="stSidebar"] [data-testid="stSidebarNavLink"], [data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]'
)


def _nav_links(page) -> dict[str, tuple[int, str]]:
    """The sidebar navigation links: url path (without the query) -> (place in the list, title without its icon)."""
    base = page.evaluate("() => document.baseURI")
    links = page.locator(NAV_LINKS)
    found = {}
    for i in range(links.count()):
        link = links.nth(i)
        href = link.get_attribute("href") or ""
        path = (href[len(base) :] if href.startswith(base) else href.lstrip("/")).split("?")[0]
        # The icon is a ligature in a span of its own, so its name is part of the text: the title is the last line.
        found[path.strip("/")] = (i, link.inner_text().strip().splitlines()[-1].strip())
    return found


class ChangeSession:
    """One browser session on an app, left open between rounds of clicks on its sidebar navigation links."""

    def __init__(self, browser, server: Server, pages: list[tuple[str, str]]) -> None:
        self.server = server
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.set_default_timeout(CHANGE_TIMEOUT_MS)
        self.context.add_init_script(RECORDER)
        self.page = self.context.new_page()
        self.frames = Frames(self.context, self.page)
        self.page.goto(server.url)
        _settle(self.page, first=True)
        self.time_origin = self.page.evaluate("() => performance.timeOrigin")
        self.links = _nav_links(self.page)
        missing = [path for _, path in pages if path not in self.links]
        if missing:
            raise RuntimeError(f"no sidebar link to {missing} among {self.links}")
        self.cycle = pages[1:] + pages[:1]  # it starts on the default page: the first click leaves it

    def round(self, round_number: int, cycles: int = 1, *, profile: bool = False) -> list[dict]:
        """Click through the pages in a cycle (``cycles`` times); one record per click. With ``profile``, each
        change's JavaScript is profiled (which slows it: its times are not for the statistics)."""
        records = []
        page = self.page
        for key, path in self.cycle * cycles:
            index, title = self.links[path]
            page.evaluate("(t) => window.__bench.expect(t, true)", title)
            received_from, sent_from = self.frames.mark()
            sends_from = page.evaluate("() => window.__bench.sends.length")
            self.server.events()
            if profile:
                self.frames.start_profile()
            page.locator(NAV_LINKS).nth(index).click()
            _settle(page)
            profiled = self.frames.stop_profile() if profile else None
            watch = page.evaluate("() => window.__bench.watch")
            sends = page.evaluate("(i) => window.__bench.sends.slice(i)", sends_from)
            long_tasks = page.evaluate("() => window.__bench.longTasks")
            server = _server_times(self.server.events(), self.time_origin, watch["click"])
            record = _record(key, round_number, watch, sends, long_tasks, server, self.frames, received_from, sent_from)
            offset, until = record.pop("_offset"), record.pop("_until")
            if profiled is not None and offset is not None:
                # Only the samples from the click until the page was idle with its charts drawn, in Chromium's clock.
                record["js"] = js_time_by_kind(profiled, watch["click"] - offset, until - offset)
            records.append(record)
        return records

    def close(self) -> None:
        self.context.close()


def _record(key, round_number, watch, sends, long_tasks, server, frames: Frames, received_from, sent_from) -> dict:
    """One page change, in ms from the click (see the module docstring)."""
    click = watch["click"]
    received = decode(frames.received[received_from:])
    sent = frames.sent[sent_from:]
    # Chromium's clock (s) against the page's (ms): the first frame sent after the click is the rerun request,
    # seen by both.
    offset = sends[0] - sent[0] * 1000 if sends and sent else None
    page_finished = received["finished"][-1] * 1000 + offset - click if received["finished"] and offset is not None else None
    idle = watch["idle"] - click
    drawn = watch["drawn"] - click if watch["drawn"] is not None and watch["chartsDrawn"] == watch["charts"] else None
    until = click + (drawn if drawn is not None else idle)
    busy = sum(
        min(start + duration, until) - max(start, click)
        for start, duration in long_tasks
        if start + duration > click and start < until
    )
    end = server["end"]
    return {
        "page": key,
        "round": round_number,
        "cold": round_number == 1,
        "click_to_idle_ms": _ms(idle),
        "click_to_charts_drawn_ms": _ms(drawn),
        "click_to_request_sent_ms": _ms(sends[0] - click if sends else None),
        "click_to_server_request_ms": _ms(server["request"]),
        "click_to_script_start_ms": _ms(server["start"]),
        "click_to_script_end_ms": _ms(end),
        "script_ms": _ms(server["script"]),
        "script_runs": server["runs"],
        "gc_ms": _ms(server["gc"]),
        "gc_after_script_ms": _ms(server["gc_after_end"]),
        "page_behind_server_ms": _ms(page_finished - end if page_finished is not None and end is not None else None),
        "script_end_to_idle_ms": _ms(idle - end if end is not None else None),
        "idle_to_charts_drawn_ms": _ms(drawn - idle if drawn is not None else None),
        "long_tasks_ms": _ms(busy),
        "recorder_checks": watch["checks"],
        "recorder_ms": _ms(watch["checkMs"]),
        "bytes_received": received["bytes"],
        "messages": received["messages"],
        "bytes_by_kind": received["bytes_by_kind"],
        "charts": watch["charts"],
        "charts_drawn": watch["chartsDrawn"],
        "plotly_bytes": sum(chart["bytes"] for chart in received["charts"]),
        "plotly": received["charts"],
        "_offset": offset,  # page ms - Chromium ms
        "_until": until,
    }


# ---------------------------------------------------------------- figures


def spread(values: list[float]) -> dict:
    """Median, p90 (nearest rank) and max of ``values`` (ms), rounded."""
    values = sorted(v for v in values if v is not None)
    if not values:
        return {"n": 0, "median": None, "p90": None, "max": None}
    p90 = values[max(0, math.ceil(0.9 * len(values)) - 1)]
    return {"n": len(values), "median": _ms(statistics.median(values)), "p90": _ms(p90), "max": _ms(values[-1])}


def _median(records: list[dict], field: str) -> float | None:
    values = [record[field] for record in records if record.get(field) is not None]
    return _ms(statistics.median(values)) if values else None


MEDIANS = (  # per page, the median over the warm rounds of each part of a page change
    "script_ms",
    "click_to_request_sent_ms",
    "click_to_script_start_ms",
    "click_to_script_end_ms",
    "page_behind_server_ms",
    "script_end_to_idle_ms",
    "idle_to_charts_drawn_ms",
    "long_tasks_ms",
    "recorder_ms",
    "gc_after_script_ms",
)


def summarise(first_paints: list[dict], changes: list[dict], profiled: list[dict], pages) -> dict:
    """Per page and overall spreads of the page changes (cold = first round, warm = the others) and of first paints."""
    per_page = {}
    for key, _ in pages:
        mine = [r for r in changes if r["page"] == key]
        warm = [r for r in mine if not r["cold"]] or mine
        cold = next((r for r in mine if r["cold"]), {})
        last = warm[-1]
        per_page[key] = {
            "cold_ms": cold.get("click_to_idle_ms"),
            "cold_script_ms": cold.get("script_ms"),
            "warm": spread([r["click_to_idle_ms"] for r in warm]),
            "all": spread([r["click_to_idle_ms"] for r in mine]),
            "warm_charts_drawn": spread([r["click_to_charts_drawn_ms"] for r in warm]),
            **{f"warm_{field}": _median(warm, field) for field in MEDIANS},
            "bytes_received": last["bytes_received"],
            "bytes_by_kind": last["bytes_by_kind"],
            "script_runs": last["script_runs"],
            "charts": last["charts"],
            "charts_drawn": last["charts_drawn"],
            "plotly_bytes": last["plotly_bytes"],
            "plotly": last["plotly"],
            "js_profiled": next((r["js"] for r in profiled if r["page"] == key), None),
        }
    warm_paints = first_paints[1:] or first_paints
    fields = [k for k in first_paints[0] if k.endswith("_ms")]
    return {
        "first_paint": {
            "cold": first_paints[0],
            "warm_samples": warm_paints,
            "warm_median": {field: _median(warm_paints, field) for field in fields},
        },
        "page_changes": {
            "cold": spread([r["click_to_idle_ms"] for r in changes if r["cold"]]),
            "warm": spread([r["click_to_idle_ms"] for r in changes if not r["cold"]]),
            "all": spread([r["click_to_idle_ms"] for r in changes]),
            "warm_charts_drawn": spread([r["click_to_charts_drawn_ms"] for r in changes if not r["cold"]]),
            "warm_script": spread([r["script_ms"] for r in changes if not r["cold"]]),
        },
        "pages": per_page,
        "changes": changes,
        "profiled_changes": profiled,
    }


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def judge(result: dict, targets: dict) -> dict:
    """The ratios of the dashboard's figures to the blank app's, and each browser target met or missed."""
    app, blank = result["dashboard"], result["blank"]
    ratios = {
        "page_change_median_warm": _ratio(app["page_changes"]["warm"]["median"], blank["page_changes"]["warm"]["median"]),
        "page_change_median_cold": _ratio(app["page_changes"]["cold"]["median"], blank["page_changes"]["cold"]["median"]),
        "page_change_p90_warm": _ratio(app["page_changes"]["warm"]["p90"], blank["page_changes"]["warm"]["p90"]),
    }
    for field in ("first_contentful_paint_ms", "first_idle_ms"):
        ratios[f"{field[:-3]}_warm"] = _ratio(
            app["first_paint"]["warm_median"][field], blank["first_paint"]["warm_median"][field]
        )
        ratios[f"{field[:-3]}_cold"] = _ratio(app["first_paint"]["cold"][field], blank["first_paint"]["cold"][field])
    warm_max = app["page_changes"]["warm"]["max"]
    checks = {
        "browser_page_change_median_ratio": ratios["page_change_median_warm"],
        "browser_page_change_warm_max": None if warm_max is None else round(warm_max / 1000, 3),
        "browser_first_paint_ratio": ratios["first_contentful_paint_warm"],
    }
    verdicts = {
        name: {"value": value, "target": targets[name], "met": value is not None and value <= targets[name]}
        for name, value in checks.items()
        if name in targets
    }
    # Not a target of its own: the first paint with the page's content, held to the first paint's bound.
    bound = targets.get("browser_first_paint_ratio")
    value = ratios["first_idle_warm"]
    verdicts["browser_first_content_ratio (first paint's bound)"] = {
        "value": value,
        "target": bound,
        "met": value is not None and bound is not None and value <= bound,
    }
    return {"ratios": ratios, "targets": verdicts}


BROWSER_TARGETS = {
    "browser_page_change_median_ratio": 1.5,
    "browser_page_change_warm_max": 1.0,
    "browser_first_paint_ratio": 2.0,
}


def run(
    db_url: str,
    *,
    rounds: int = 4,
    first_paints: int = 5,
    targets: dict | None = None,
    dashboard_options: dict[str, str] | None = None,
    verbose=True,
) -> dict:
    """Both apps in turn, each measurement of one app followed by the same of the other, so that whatever else the
    machine does weighs on both alike; every figure (see the module docstring)."""
    from playwright.sync_api import sync_playwright

    say = print if verbose else (lambda *args, **kwargs: None)
    work = Path(tempfile.mkdtemp(prefix="benchmark-browser-"))
    for name in ("blank", "dashboard"):
        (work / name).mkdir()
    (work / "blank" / "app.py").write_text(BLANK_APP)
    result = {
        "database": db_url,
        "rounds": rounds,
        "first_paints": first_paints,
        "chromium": CHROMIUM_PATH,
        "viewport": VIEWPORT,
        "dashboard_options": dashboard_options or {},
        "cores": os.cpu_count(),
        "load_average_before": [round(n, 2) for n in os.getloadavg()],
    }
    # name: (script, folder, environment, pages, cycles per round, options). The blank app has two pages: four
    # cycles of it make a round about as many clicks as one cycle of the dashboard's nine.
    apps = {
        "blank": ("app.py", work / "blank", {}, BLANK_PAGES, 4, ()),
        "dashboard": (
            "dashboard.py",
            PROJECT_ROOT,
            {"DASHBOARD_HOME": str(work / "dashboard" / "home"), "DATABASE_URL": db_url},
            DASHBOARD_PAGES,
            1,
            tuple(f"--{key}={value}" for key, value in (dashboard_options or {}).items()),
        ),
    }
    paints = {name: [] for name in apps}
    changes = {name: [] for name in apps}
    profiled = {name: [] for name in apps}
    first_visit_js = {name: None for name in apps}
    try:
        with sync_playwright() as playwright, contextlib.ExitStack() as stack:
            servers = {
                name: stack.enter_context(streamlit_server(script, cwd, environment, work / name, options))
                for name, (script, cwd, environment, _, _, options) in apps.items()
            }
            browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
            stack.callback(browser.close)
            result["chromium_version"] = browser.version
            for i in range(first_paints + 1):
                profile = i == first_paints  # a last visit, profiled, to see what the page's time goes on
                for name, server in servers.items():
                    visit = first_paint(browser, server, profile=profile)
                    if profile:
                        first_visit_js[name] = visit.get("js")
                        continue
                    paints[name].append(visit)
                    p = paints[name][-1]
                    say(
                        f"[browser] {name} first visit {i + 1}{' (cold)' if i == 0 else ''}: "
                        f"first contentful paint {_f(p['first_contentful_paint_ms'])} ms, idle with content "
                        f"{_f(p['first_idle_ms'])} ms (script {_f(p['script_ms'])} ms), charts drawn "
                        f"{_f(p['first_charts_drawn_ms'])} ms",
                        flush=True,
                    )
            sessions = {}
            for name, server in servers.items():
                sessions[name] = ChangeSession(browser, server, apps[name][3])
                stack.callback(sessions[name].close)
            for round_number in range(1, rounds + 2):
                profile = round_number == rounds + 1  # a last round, profiled, to see what the page's time goes on
                for name, session in sessions.items():
                    records = session.round(round_number, 1 if profile else apps[name][4], profile=profile)
                    (profiled if profile else changes)[name] += records
                    say(
                        f"[browser] {name} round {round_number}"
                        f"{' (cold)' if round_number == 1 else ' (profiled)' if profile else ''}: "
                        + ", ".join(
                            f"{r['page']} {_f(r['click_to_idle_ms'])} ms (script {_f(r['script_ms'])})"
                            for r in records[: len(apps[name][3])]
                        ),
                        flush=True,
                    )
        for name, (_, _, _, pages, _, _) in apps.items():
            log = (work / name / "server.log").read_text(errors="replace")
            result[name] = summarise(paints[name], changes[name], profiled[name], pages)
            result[name]["first_paint"]["js_profiled"] = first_visit_js[name]
            result[name]["server_tracebacks"] = log.count("Traceback")
            if "Traceback" in log:
                result[name]["server_log_tail"] = log[-3000:]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["load_average_after"] = [round(n, 2) for n in os.getloadavg()]
    result.update(judge(result, targets or BROWSER_TARGETS))
    return result


# ---------------------------------------------------------------- printing


def _f(value, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def print_table(result: dict) -> None:
    """The browser figures as readable tables, with each target met or missed."""
    if "skipped" in result:
        print(f"\n== browser: skipped ({result['skipped']})")
        return
    print(
        f"\n== browser ({result['rounds']} rounds, round 1 cold; {result['first_paints']} first visits, 1 cold; "
        f"load average {result['load_average_before'][0]:.1f} before, {result['load_average_after'][0]:.1f} after, "
        f"on {result['cores']} cores)"
    )
    if result.get("dashboard_options"):
        print("the dashboard's server ran with " + ", ".join(f"{k}={v}" for k, v in result["dashboard_options"].items()))
    if max(result["load_average_before"][0], result["load_average_after"][0]) > (result["cores"] or 1):
        print("WARNING: the machine was busy with other work: absolute times are inflated, the ratios less so")
    print(f"{'first visit, ms':<26}{'app cold':>10}{'app warm':>10}{'blank cold':>11}{'blank warm':>11}{'ratio warm':>11}")
    app, blank = result["dashboard"]["first_paint"], result["blank"]["first_paint"]
    for field, label in (
        ("first_contentful_paint_ms", "first contentful paint"),
        ("js_files_loaded_ms", "JavaScript files loaded"),
        ("script_start_ms", "script starts (server)"),
        ("script_ms", "script run (server)"),
        ("gc_after_script_ms", "full GC after it (server)"),
        ("first_idle_ms", "idle with content"),
        ("first_charts_drawn_ms", "every chart drawn"),
    ):
        print(
            f"{label:<26}{_f(app['cold'][field]):>10}{_f(app['warm_median'][field]):>10}"
            f"{_f(blank['cold'][field]):>11}{_f(blank['warm_median'][field]):>11}"
            f"{_f(_ratio(app['warm_median'][field], blank['warm_median'][field]), 2):>11}"
        )
    print(
        f"JavaScript files of the last first visit: dashboard {app['warm_samples'][-1]['js_files']} files, "
        f"{app['warm_samples'][-1]['js_bytes'] / 2**20:.1f} MB; blank {blank['warm_samples'][-1]['js_files']} files, "
        f"{blank['warm_samples'][-1]['js_bytes'] / 2**20:.1f} MB"
    )
    print(
        f"\n{'page change, ms':<22}"
        + "".join(
            f"{h:>7}"
            for h in ("cold", "median", "p90", "max", "script", "start", "end", "gc", "behind", ">idle", ">drawn", "long")
        )
        + f"{'kB':>6}{'charts':>7}{'plotly kB':>10}"
    )
    for label, summary in (("dashboard", result["dashboard"]), ("blank", result["blank"])):
        for key, page in summary["pages"].items():
            warm = page["warm"]
            columns = (
                page["cold_ms"],
                warm["median"],
                warm["p90"],
                warm["max"],
                page["warm_script_ms"],
                page["warm_click_to_script_start_ms"],
                page["warm_click_to_script_end_ms"],
                page["warm_gc_after_script_ms"],
                page["warm_page_behind_server_ms"],
                page["warm_script_end_to_idle_ms"],
                page["warm_idle_to_charts_drawn_ms"],
                page["warm_long_tasks_ms"],
            )
            print(
                f"{key:<22}"
                + "".join(f"{_f(value):>7}" for value in columns)
                + f"{_f(page['bytes_received'] / 1024):>6}{page['charts']:>7}{_f(page['plotly_bytes'] / 1024):>10}"
            )
        changes = summary["page_changes"]
        print(
            f"{'= ' + label + ' overall':<22}{_f(changes['cold']['median']):>7}{_f(changes['warm']['median']):>7}"
            f"{_f(changes['warm']['p90']):>7}{_f(changes['warm']['max']):>7}{_f(changes['warm_script']['median']):>7}"
        )
    print(
        "cold: round 1; median, p90, max: the later rounds; the other columns are medians of the later rounds. "
        "script: the script's run on the server; start, end: click to the script's start and end; gc: the "
        "server's full garbage collection after the script (it holds back the last messages); behind: how long "
        "after the script's end the page took in its last message; >idle: script end to idle; >drawn: idle to "
        "every Plotly chart drawn; long: main-thread long tasks from the click until drawn; kB: websocket bytes "
        "received."
    )
    profiles = [(f"{label} first visit", result[label]["first_paint"].get("js_profiled")) for label in ("dashboard", "blank")] + [
        (key, page["js_profiled"]) for label in ("dashboard", "blank") for key, page in result[label]["pages"].items()
    ]
    kinds = sorted({k for _, js in profiles for k in (js or {}).get("by_kind", {})})
    if kinds:
        print(f"\n{'JavaScript profile, ms':<24}{'busy':>6}" + "".join(f"{k[:10]:>11}" for k in kinds))
        for key, js in profiles:
            js = js or {}
            print(f"{key:<24}{_f(js.get('busy_ms')):>6}" + "".join(f"{_f(js.get('by_kind', {}).get(k)):>11}" for k in kinds))
        print(
            "(one profiled first visit, until every chart is drawn, and one profiled change per page, from the click "
            "until drawn, after the timed ones; sampling slows them, so the shares count more than the sums. browser: "
            "style, layout, paint, parsing and compiling)"
        )
    print("\nratios, dashboard / blank: " + ", ".join(f"{k} {_f(v, 2)}" for k, v in result["ratios"].items()))
    for name, verdict in result["targets"].items():
        print(
            f"target {name}: {_f(verdict['value'], 2)} against at most {verdict['target']}: "
            f"{'met' if verdict['met'] else 'MISSED'}"
        )
    for name in ("dashboard", "blank"):
        if result[name].get("server_tracebacks"):
            print(f"WARNING: the {name} server logged {result[name]['server_tracebacks']} traceback(s)")


def main(argv: list[str] | None = None) -> int:
    """Run the browser phase alone; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", required=True, help="SQLAlchemy URL of a loaded database, e.g. sqlite:///var/benchmark/benchmark.sqlite"
    )
    parser.add_argument("--rounds", type=int, default=4, help="cycles over the pages; the first is cold (default 4)")
    parser.add_argument("--first-paints", type=int, default=5, help="first visits per app; the first is cold (default 5)")
    parser.add_argument("--out", type=Path, required=True, help="JSON file of every figure")
    parser.add_argument(
        "--dashboard-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Streamlit option for the dashboard's server only, to try a change without editing the app "
        "(e.g. runner.postScriptGC=false); repeatable",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument("--no-table", action="store_true", help="no table at the end (python -m benchmark prints it)")
    args = parser.parse_args(argv)
    reason = skip_reason()
    if reason:
        print(f"browser phase skipped: {reason}")
        result = {"skipped": reason}
    else:
        result = run(
            args.db,
            rounds=max(args.rounds, 2),
            first_paints=max(args.first_paints, 2),
            dashboard_options=dict(option.split("=", 1) for option in args.dashboard_option),
            verbose=not args.quiet,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    if not args.no_table:
        print_table(result)
    print(f"\n[browser] written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
