"""Pages on a data set with many regions and employers (the scale generator, small): charts draw the
top items and one "other" item that adds up, tables send their first rows, nothing breaks."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from benchmark.scale_data import ScaleParameters, generate, write
from data_access.loading import load_paths
from data_access.store import create_schema, make_engine

from .conftest import VIEW_PAGES, clear_app_caches, open_page

REGIONS = 60


@pytest.fixture(scope="module")
def scale_url(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("scale")
    write(
        generate(ScaleParameters(regions=REGIONS, institutions=150, programs=60, employers=3000, offerings=10, years=3)),
        folder / "csv",
    )
    url = f"sqlite:///{folder / 'scale.sqlite'}"
    engine = make_engine(url)
    create_schema(engine)
    assert load_paths(engine, [folder / "csv"]).ok
    engine.dispose()
    return url


@pytest.fixture
def scale_app(scale_url, monkeypatch) -> str:
    monkeypatch.setenv("DATABASE_URL", scale_url)
    clear_app_caches()
    yield scale_url
    clear_app_caches()


def figures(app) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def title(figure: dict) -> str:
    return figure["layout"]["title"]["text"]


def values(array) -> list:
    """A trace's array as Plotly sends it: a list, or base64 numbers with their dtype."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def test_the_heat_map_draws_25_regions_and_the_rest_as_one_row(scale_app):
    app = open_page("pages/supply_demand.py")
    assert not app.exception
    heatmap = next(f for f in figures(app) if title(f).startswith("Coverage ratio by region and sector"))
    rows = list(dict.fromkeys(y for trace in heatmap["data"] for y in trace["y"]))
    assert len(rows) == 26 and rows[-1] == f"{REGIONS - 25} other regions together"
    assert any("The 25 regions with the largest gaps" in c.value and "of 60 are drawn" in c.value for c in app.caption)
    # The table under it sends its first 1,000 of 60 x 21 rows and says so; the download keeps all.
    assert len(app.dataframe[0].value) == 1000
    assert any("The first 1,000 of 1,260 rows" in c.value for c in app.caption)


def test_host_regions_are_the_15_largest_and_the_rest_as_one_bar_that_adds_up(scale_app):
    app = open_page("pages/placements.py")
    assert not app.exception
    by_region = next(f for f in figures(app) if title(f).startswith("Students placed and hired by host region"))
    placed = by_region["data"][0]
    bars = dict(zip(values(placed["y"]), values(placed["x"])))
    assert len(bars) == 16
    names = dict(zip(by_region["layout"]["yaxis"]["tickvals"], by_region["layout"]["yaxis"]["ticktext"]))
    assert names[values(placed["y"])[-1]] == f"{REGIONS - 15} other regions together"  # the folded bar comes last
    by_sector = next(f for f in figures(app) if title(f).startswith("Students placed and hired by host sector"))
    assert sum(bars.values()) == sum(values(by_sector["data"][0]["x"]))  # each placement has one host region and sector


@pytest.mark.parametrize("page", VIEW_PAGES)
def test_every_page_sends_little_to_the_browser(scale_app, page):
    app = open_page(page)
    assert not app.exception
    sent = sum(len(chart.proto.spec) for chart in app.get("plotly_chart"))
    sent += sum(len(frame.proto.arrow_data.data) for frame in app.dataframe)
    assert sent < 2_000_000, sent
