"""Small-number protection of everything a page sends to the browser.

With protection on, every page of the dashboard is opened on the sample region and every number it
sends (each chart's data, hover data and texts, each table's cells, each headline figure and sentence)
is checked: a rate or ratio goes out to a whole percent (two decimals) at most, never at full
precision, which beside a rounded count would give the count's exact value back.
"""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pandas as pd
import pytest

from data_access.loading import load_paths
from data_access.settings import get_settings
from data_access.store import create_schema, make_engine

from .conftest import VIEW_PAGES, clear_app_caches, open_page

PAGES = [*VIEW_PAGES, "pages/planning.py"]
TRACE_DATA = ("x", "y", "z", "customdata", "text", "hovertext", "values", "marker")
# A number written with three or more decimals (0.2102, 83.456%): more precision than protection publishes.
PRECISE = re.compile(r"(?<![\d.])\d+\.\d{3,}")


@pytest.fixture(scope="module")
def sample_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("payloads") / "sample.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    assert load_paths(engine, [get_settings().sample_data_dir]).ok
    engine.dispose()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", f"sqlite:///{path}")
        clear_app_caches()
        yield
    clear_app_caches()


def _numbers(value, found: list[float], texts: list[str]) -> None:
    """Every number and text inside a chart's JSON, with Plotly's packed arrays ({"dtype", "bdata"}) unpacked."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            found.extend(np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).astype(float).tolist())
            return
        for item in value.values():
            _numbers(item, found, texts)
    elif isinstance(value, list):
        for item in value:
            _numbers(item, found, texts)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, (int, float)):
        found.append(float(value))
    elif isinstance(value, str):
        texts.append(value)


def _too_precise(numbers: list[float]) -> list[float]:
    return [v for v in numbers if np.isfinite(v) and abs(v * 100 - round(v * 100)) > 1e-6 * max(1.0, abs(v))]


@pytest.mark.parametrize("page", PAGES)
def test_a_protected_page_sends_no_rate_at_full_precision(sample_app, page):
    app = open_page(page, hide_below="5")
    assert not app.exception
    numbers: list[float] = []
    texts: list[str] = []
    charts = app.get("plotly_chart")
    for chart in charts:
        figure = json.loads(chart.proto.spec)
        for trace in figure["data"]:
            for key in TRACE_DATA:
                if key == "z" and trace.get("type") == "heatmap":  # colour: log2 of the shown coverage ratio
                    shown: list[float] = []
                    _numbers(trace.get(key), shown, texts)
                    numbers.extend(2.0 ** np.array(shown) if shown else [])
                    continue
                _numbers(trace.get(key), numbers, texts)
            texts.extend(str(trace.get(k, "")) for k in ("hovertemplate", "texttemplate", "name"))
    for table in app.dataframe:
        frame = table.value
        for column in frame.columns:
            values = pd.to_numeric(frame[column], errors="coerce")
            numbers.extend(values.dropna().astype(float).tolist())
            texts.extend(str(v) for v in frame[column] if isinstance(v, str))
    texts.extend(m.value for m in app.markdown)
    texts.extend(str(m.value) for m in app.metric)
    texts.extend(c.value for c in app.caption)
    assert charts or page == "pages/scorecard.py"
    assert _too_precise(numbers) == []
    assert [t for t in texts if PRECISE.search(t)] == []


def test_a_link_with_a_threshold_that_does_not_fit_still_hides_small_numbers(sample_app):
    for given in ("1", "-1", "1e9", "0"):
        app = open_page("pages/supply_demand.py", hide_below=given)
        assert not app.exception
        assert app.toggle(key="protect_small_numbers").value is True
        assert app.number_input(key="protect_threshold").value == 5
        assert any("not a whole number from 2 to 100" in w.value for w in app.sidebar.warning)
        assert any(str(v) == "<5" for v in app.dataframe[0].value.to_numpy().ravel())
