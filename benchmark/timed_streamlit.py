"""``python -m benchmark.timed_streamlit run APP [options]``: ``streamlit run`` that logs when each script run starts and
ends, for the browser phase (benchmark/browser.py).

Nothing is added to the app: this process wraps two of Streamlit's own functions before starting its command line,
and appends one JSON line per event, with the wall-clock time in seconds, to the file named by
``BENCHMARK_RUN_LOG``:

- ``{"event": "request", "t": ...}``: the server took a rerun request (a click, a widget, a page change);
- ``{"event": "start", "t": ...}`` and ``{"event": "end", "t": ...}``: the script thread began and finished running
  the app's code (the page included, as ``st.navigation`` runs it inside);
- ``{"event": "gc", "t": ..., "started": ..., "ms": ...}``: a full (generation 2) garbage collection, such as the one
  Streamlit runs after every script run (``runner.postScriptGC``), which holds the GIL and so keeps the server from
  sending the run's last messages until it is over.

Streamlit's internals change between versions: if a function is not where it is expected, that event is simply not
logged, and the browser phase reports no script time.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
import time


def _install(path: str) -> None:
    lock = threading.Lock()
    log = open(path, "a", buffering=1)  # noqa: SIM115 - open for the life of the server

    def write(event: str, **figures: float) -> None:
        line = json.dumps({"event": event, "t": time.time(), **figures})
        with lock:
            log.write(line + "\n")

    collecting: dict[str, float] = {}

    def on_gc(phase: str, info: dict) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            collecting["t"], collecting["wall"] = time.perf_counter(), time.time()
        elif "t" in collecting:
            write("gc", started=collecting.pop("wall"), ms=(time.perf_counter() - collecting.pop("t")) * 1000)

    gc.callbacks.append(on_gc)

    try:
        from streamlit.runtime.scriptrunner import script_runner

        run_code = script_runner.exec_func_with_error_handling

        def timed_run(func, ctx):
            write("start")
            try:
                return run_code(func, ctx)
            finally:
                write("end")

        script_runner.exec_func_with_error_handling = timed_run
    except (ImportError, AttributeError):
        pass
    try:
        from streamlit.runtime.app_session import AppSession

        request_rerun = AppSession.request_rerun

        def timed_request(self, client_state):
            write("request")
            return request_rerun(self, client_state)

        AppSession.request_rerun = timed_request
    except (ImportError, AttributeError):
        pass


def main() -> None:
    if os.environ.get("BENCHMARK_RUN_LOG"):
        _install(os.environ["BENCHMARK_RUN_LOG"])
    from streamlit.web.cli import main as streamlit_main

    sys.argv = ["streamlit", *sys.argv[1:]]
    streamlit_main(prog_name="streamlit")


if __name__ == "__main__":
    main()
