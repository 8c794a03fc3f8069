"""The brief's charts as printed on A4 (ui/brief.py ``for_print``): title, legend and notes never on each other,
every value beside a bar inside the chart, heat-map names that print level, a values table beside the in-field
scatter, no chart said twice for one region, and no page holding a few lines on their own."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pandas as pd
import plotly.graph_objects as go
import pytest
from sqlalchemy.orm import Session

from data_access.filters import Filters
from ui.brief import (
    CHART_WIDTH,
    LEGEND_ROW,
    LINE,
    SCOPE_SIZE,
    TITLE_PAD,
    TITLE_SIZE,
    build_brief,
    for_print,
    text_width,
)
from ui.charts import coverage_heatmap, supply_demand_bars
from ui.i18n import speaking

GENERATED = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def gaps(sectors: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(sectors, columns=["sector_code", "sector_name", "supply", "demand"])
    frame["gap"] = frame["supply"] - frame["demand"]
    frame["coverage_ratio"] = frame["supply"] / frame["demand"]
    frame["demand_unmeasured"] = [5] + [0] * (len(frame) - 1)  # a third, hatched series: three legend items
    return frame


def test_a_chinese_title_puts_its_filters_on_a_line_of_their_own_and_the_legend_below_it():
    with speaking("zh-CN"):
        figure = supply_demand_bars(
            gaps([("Q", "卫生和社会工作", 2078, 3668), ("C", "制造业", 2227, 3767)]),
            title="各行业供给与需求（短缺最大者居首）· 2025；全部地区；全部行业",  # "）·": no space before the dot
        )
        printed = for_print(figure)
    title = printed.layout.title
    assert title.text.startswith("各行业供给与需求（短缺最大者居首）<br>") and "2025；全部地区；全部行业" in title.text
    # the title's band: 8 px, a line of 18 px and a line of 13 px, each 1.35 lines high: 8 + 24.3 + 17.55 = 49.85 px
    band = TITLE_PAD + LINE * TITLE_SIZE + LINE * SCOPE_SIZE
    assert band == pytest.approx(49.85)
    legend = printed.layout.legend
    assert (legend.yref, legend.yanchor, legend.xanchor, legend.x) == ("container", "top", "left", 0)
    legend_top = (1 - legend.y) * printed.layout.height  # px from the top of the chart
    assert legend_top >= band + 8  # and a gap, so that no descender of the title touches the legend
    # three names in one row of 700 px (46 px of symbol each and their names at 14 px), then the plot below it
    rows = 1
    assert (
        sum(46 + text_width(name, 14) for name in ("供给（毕业生数）", "需求（岗位需求数）", "毕业生未知处的岗位需求"))
        < CHART_WIDTH
    )
    assert printed.layout.margin.t >= legend_top + rows * LEGEND_ROW


def test_an_english_title_over_a_legend_of_two_rows_leaves_room_for_both():
    figure = supply_demand_bars(gaps([("Q", "Health", 30, 60), ("J", "ICT", 12, 10)]), title="Supply and demand · 2023")
    for number, trace in enumerate(figure.data):
        trace.name = f"Series {number} whose name is long enough to take most of a printed row of the chart"
    printed = for_print(figure)
    legend_top = (1 - printed.layout.legend.y) * printed.layout.height
    assert legend_top >= TITLE_PAD + LINE * TITLE_SIZE + LINE * SCOPE_SIZE
    assert printed.layout.margin.t >= legend_top + 3 * LEGEND_ROW  # names of about 480 px: one a row


def test_a_value_written_beside_its_bar_ends_inside_the_chart():
    label = "一二三四五六七八九十"  # ten wide characters at 14 px: 140 px
    figure = go.Figure(go.Bar(x=[100, 40], y=["A", "B"], orientation="h", text=[label, "x"], textposition="outside"))
    figure.update_layout(width=700, height=300, margin=dict(l=10, r=10, t=60, b=10))
    printed = for_print(figure)
    # row names "A"/"B" 8.4 px wide + 12 px: 20.4 px on the left, 12 px on the right: a plot 667.6 px wide; the bar of
    # 100 and its label of 140 px with 8 px either side must fit: 100 / R × 667.6 + 156 <= 667.6, so R = 130.49
    assert text_width(label, 14) == 140
    assert printed.layout.xaxis.range[0] == 0
    assert printed.layout.xaxis.range[1] == pytest.approx(100 * 667.6 / (667.6 - 156), rel=1e-3)


def test_thin_bars_keep_their_values_legible_on_paper():
    sectors = [(f"S{i}", f"Sector {i}", 100 + i, 200) for i in range(21)]
    printed = for_print(supply_demand_bars(gaps(sectors), title="Supply and demand · 2025"))
    for trace in printed.data:
        assert trace.constraintext == "none"  # Plotly would shrink a label to its 7 px bar
        assert trace.textfont.size >= 9


def cells(regions: int, sectors: int) -> pd.DataFrame:
    rows = [
        (f"R{r}", f"Region {r}", f"S{s:02d}", f"Sector number {s} with a long name", 10 + r + s, 20)
        for r in range(regions)
        for s in range(sectors)
    ]
    frame = pd.DataFrame(rows, columns=["region_code", "region_name", "sector_code", "sector_name", "supply", "demand"])
    return frame.assign(gap=frame["supply"] - frame["demand"], coverage_ratio=frame["supply"] / frame["demand"])


def test_a_heat_map_of_many_sectors_prints_them_as_rows_named_level_on_one_line():
    figure = coverage_heatmap(cells(3, 12), title="Coverage · 2025", sectors_as_rows=True)
    grid = figure.data[0]
    assert list(grid.x) == ["Region 0", "Region 1", "Region 2"]
    assert list(grid.y) == [f"S{s:02d}" for s in range(12)]
    assert grid.z.shape == (12, 3)
    assert figure.layout.yaxis.ticktext == tuple(f"Sector number {s} with a long name" for s in range(12))
    assert not any("<br>" in tick for tick in figure.layout.yaxis.ticktext)
    # supply of Region 2 in sector 5: 10 + 2 + 5 = 17; the hover names the region from the data, not the axis
    assert grid.customdata[5][2][0] == "17" and grid.customdata[5][2][6] == "Region 2"
    assert "%{customdata[6]}" in grid.hovertemplate
    flat = coverage_heatmap(cells(3, 12), title="Coverage · 2025")  # the page's own: regions as rows, as before
    assert list(flat.data[0].y) == ["Region 0", "Region 1", "Region 2"] and flat.data[0].z.shape == (3, 12)


class _Parsed(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[str] = []
        self.cells: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self._in = tag if tag in ("h2", "td") else None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "h2":
            self.headings.append(data.strip())
        elif self._in == "td":
            self.cells.append(data.strip())


def printed_brief(engine, filters: Filters) -> str:
    with Session(engine) as session:
        return build_brief(session, filters=filters, generated_at=GENERATED)


@pytest.fixture(scope="module")
def briefs(tiny_reader):
    built: dict[Filters, str] = {}

    def brief(filters: Filters) -> str:
        if filters not in built:
            built[filters] = printed_brief(tiny_reader, filters)
        return built[filters]

    return brief


def test_one_region_does_not_repeat_its_chart_by_sector_as_a_chart_by_region_and_sector(briefs):
    every = _Parsed()
    every.feed(briefs(Filters(2023, 2023)))
    assert "Supply and demand by sector" in every.headings and "Coverage by region and sector" in every.headings
    one = _Parsed()
    one.feed(briefs(Filters(2023, 2023, regions=("R1",))))
    assert "Supply and demand by sector" in one.headings
    assert "Coverage by region and sector" not in one.headings
    assert "Coverage by region on the map" not in one.headings
    # its sentence stays, under the chart by sector: North's Health, 30 graduates for 60 openings
    document = " ".join(briefs(Filters(2023, 2023, regions=("R1",))).split())
    assert "the lowest coverage in 2023 is Health in North: 0.50, 30 graduates for 60 openings" in document


def test_the_in_field_scatter_has_its_values_in_a_table_to_read_on_paper(briefs):
    parsed = _Parsed()
    parsed.feed(briefs(Filters(2023, 2023)))
    cells = parsed.cells
    # tiny 2023: ICT coverage 12/10 = 1.20 and in field 50.0% of those employed (the lowest first)
    first = cells.index("ICT")
    assert cells[first : first + 3] == ["ICT", "1.20", "50.0%"]


def test_the_definitions_stand_on_the_first_page_and_the_lists_never_split_to_a_few_lines(briefs):
    document = briefs(Filters(2023, 2023))
    definitions = document.index("Supply = graduates; demand = openings.")
    assert definitions < document.index('class="chart-section')  # no last page of two lines after the last chart
    assert "<footer>" not in document
    assert re.search(r"\.summary-gaps \{[^}]*break-inside: avoid", document)
    assert document.index('<section class="summary-gaps">') < document.index("Where training and demand disagree")
