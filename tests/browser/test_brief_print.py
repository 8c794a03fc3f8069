"""The meeting brief printed by Chromium to A4, as a planner prints it: the Chinese-named sample region in
Chinese, all regions. One page for the summary and one per chart, no page of a few lines on its own; in every
chart the legend off the title, every value beside a bar inside the chart, and the heat map's names apart.
No server: the brief is a file, opened and printed by the session's browser."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from data_access.filters import Filters
from tests.conftest import loaded_sqlite
from ui.brief import build_brief
from ui.i18n import speaking

ZH_SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "zh"

GEOMETRY = """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => {
  const box = e => { const r = e.getBoundingClientRect(); return {l: r.left, r: r.right, t: r.top, b: r.bottom}; };
  const svg = box(gd.querySelector('.main-svg'));
  const title = gd.querySelector('.gtitle');
  const legend = gd.querySelector('.legend');
  return {
    heading: gd.closest('section').querySelector('h2').textContent,
    svg,
    title: title ? box(title) : null,
    legend: legend ? box(legend) : null,
    values: [...gd.querySelectorAll('.bartext')].filter(e => e.textContent && e.getBoundingClientRect().width > 0)
      .map(e => ({text: e.textContent, ...box(e)})),
    heatmap: gd.data.some(trace => trace.type === 'heatmap'),
    xticks: [...gd.querySelectorAll('.xtick text')].filter(e => e.textContent).map(box),
    yticks: [...gd.querySelectorAll('.ytick text')].filter(e => e.textContent).map(box),
  };
})"""


def overlap(a: dict, b: dict) -> bool:
    return a["l"] < b["r"] - 0.5 and b["l"] < a["r"] - 0.5 and a["t"] < b["b"] - 0.5 and b["t"] < a["b"] - 0.5


@pytest.fixture(scope="module")
def printed(browser, migrated_sqlite, tmp_path_factory):
    """The brief's HTML file, its PDF's bytes and the geometry of its charts."""
    engine = create_engine(f"sqlite:///{loaded_sqlite(ZH_SAMPLE, migrated_sqlite, tmp_path_factory)}")
    with speaking("zh-CN"), Session(engine) as session:
        document = build_brief(session, filters=Filters(), generated_at=datetime(2025, 3, 4, tzinfo=UTC))
    engine.dispose()
    path = tmp_path_factory.mktemp("brief") / "brief.html"
    path.write_text(document, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1000, "height": 1200})
    try:
        page.goto(path.as_uri())
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length > 0")
        geometry = page.evaluate(GEOMETRY)
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    finally:
        page.close()
    return document, pdf, geometry


def test_the_printed_brief_is_the_summary_and_one_page_per_chart(printed):
    document, pdf, _ = printed
    sections = document.count('<section class="chart-section"')
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    # the summary fits one page; then one page per chart and nothing after the last (the definitions, once a
    # page of two lines at the end, stand in the summary)
    assert sections == 6
    assert pages == 1 + sections


def test_no_legend_sits_on_its_chart_title(printed):
    _, _, geometry = printed
    legends = [chart for chart in geometry if chart["legend"] and chart["title"]]
    assert len(legends) >= 4
    for chart in legends:
        assert not overlap(chart["title"], chart["legend"]), chart["heading"]


def test_every_value_beside_a_bar_ends_inside_its_chart(printed):
    _, _, geometry = printed
    values = [(chart["heading"], value) for chart in geometry for value in chart["values"]]
    assert len(values) > 40
    for heading, value in values:
        assert value["r"] <= geometry[0]["svg"]["l"] + 700 + 0.5 and value["l"] >= geometry[0]["svg"]["l"], (heading, value)


def test_the_heat_maps_sector_names_print_level_and_apart(printed):
    _, _, geometry = printed
    (heat,) = [chart for chart in geometry if chart["heatmap"]]
    sectors = heat["yticks"] if len(heat["yticks"]) == 21 else heat["xticks"]  # the sample's 21 sectors
    assert len(sectors) == 21
    for tick in sectors:
        assert tick["b"] - tick["t"] <= 24  # one level line of 14 px, not a name slanted across its neighbours'
    for first in range(len(sectors)):
        for second in range(first + 1, len(sectors)):
            assert not overlap(sectors[first], sectors[second]), (sectors[first], sectors[second])
