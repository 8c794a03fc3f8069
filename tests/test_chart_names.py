"""Charts name sectors and groups, never with letters or with names cut so short that two merge.

The in-field scatter labels its points with short names (``point_label``: the first part of the name,
cut between words); category axes take the codes as values and show the whole names, wrapped on two
lines, as tick texts. Every name is written as Plotly text (markup shows as typed).
"""

from __future__ import annotations

import pandas as pd
import pytest

from ui.charts import point_label
from ui.charts_enrolment import GROUPINGS as ENROLMENT_GROUPINGS
from ui.charts_enrolment import enrolment_growth_bars, sector_enrolment_bars
from ui.charts_outcomes import GROUPINGS, _label_positions, effective_supply_bars, in_field_coverage_scatter, outcome_rate_dots
from ui.charts_planning import target_gap_bars

# Three sectors of sample_data/sectors.csv, one with markup, and two alike in their first 38 characters.
AGRICULTURE = ("A", "Agriculture, forestry and fishing")
HEALTH = ("Q", "Human health and social work activities")
HOUSEHOLDS = ("T", "Activities of households as employers; undifferentiated goods- and services-producing activities")
MARKUP = ("<i>J</i>", "<b>b</b> Health :red[red]")
FARMS = ("W1", "Wholesale of machinery and equipment for farms")
MINES = ("W2", "Wholesale of machinery and equipment for mines")


def sectors(*rows: tuple[str, str]) -> pd.DataFrame:
    """One row per sector with every column the charts read; the first sector has the lowest numbers."""
    n = len(rows)
    rank = pd.Series(range(1, n + 1), dtype=float)
    return pd.DataFrame(
        {
            "sector_code": [code for code, _ in rows],
            "sector_name": [name for _, name in rows],
            "supply": 10 * rank,
            "demand": 12 * rank,
            "coverage_ratio": 0.5 + 0.5 * rank,
            "in_field_rate": 0.4 + 0.1 * rank,
            "employed": 5 * rank,
            "employed_in_field": 2 * rank,
            "surveyed": 8 * rank,
            "employment_rate": 0.5 + 0.1 * rank,
            "job_rate": 0.4 + 0.1 * rank,
            "further_study_rate": 0.1 * rank / n,
            "self_employment_rate": 0.05 * rank / n,
            "effective_supply": 4 * rank,
            "effective_gap": -8 * rank,
            "effective_coverage": 0.3 + 0.1 * rank,
            "enrolled": 40 * rank,
            "graduates": 10 * rank,
            "graduates_per_enrolled": 0.25 + 0 * rank,
            "demand_low": 10 * rank,
            "demand_high": 14 * rank,
            "supply_baseline": 9 * rank,
        }
    )


def two_years(*rows: tuple[str, str]) -> pd.DataFrame:
    frame = sectors(*rows)[["sector_code", "sector_name", "enrolled", "graduates"]]
    return pd.concat([frame.assign(year=2023), frame.assign(year=2024, enrolled=frame["enrolled"] + 5)], ignore_index=True)


def category_charts(*rows: tuple[str, str]) -> dict:
    """Every chart with sectors as categories on its y axis, drawn for ``rows``."""
    frame = sectors(*rows)
    return {
        "rate dots": outcome_rate_dots(frame, grouping=GROUPINGS["sector"], title="t"),
        "effective supply": effective_supply_bars(frame, title="t"),
        "enrolment by sector": sector_enrolment_bars(frame, title="t"),
        "growth": enrolment_growth_bars(two_years(*rows), grouping=ENROLMENT_GROUPINGS["sector"], year=2024, title="t"),
        "planning": target_gap_bars(frame, title="t", scenario=True),
    }


def test_a_point_label_is_the_first_part_of_the_name_cut_between_words():
    assert point_label("Human health and social work activities") == "Human health"
    assert point_label("Information and communication") == "Information"
    assert point_label("信息传输、软件和信息技术服务业") == "信息传输"
    assert point_label("Professional, scientific and technical activities") == "Professional"
    assert point_label("Water supply; sewerage") == "Water supply"
    assert point_label("Manufacturing") == "Manufacturing"  # one word is not cut like a name without spaces
    assert point_label("Other service activities") == "Other service…"  # 24 characters: cut between words
    assert point_label("家庭作为雇主的活动；家庭自用、未加区分的物品生产") == "家庭作为雇主的…"  # 8 characters in Chinese
    assert point_label("科学研究和技术服务业") == "科学研究和技术…"


def test_the_scatter_labels_each_point_with_its_short_name_and_keeps_the_code_for_the_selection():
    figure = in_field_coverage_scatter(sectors(AGRICULTURE, HEALTH, HOUSEHOLDS), overall=0.6, title="t")
    points = figure.data[0]
    assert list(points.text) == ["Agriculture", "Human health", "Activities of…"]
    assert [row[0] for row in points.customdata] == ["A", "Q", "T"]  # ChartSelection reads the code first
    assert [row[1] for row in points.customdata] == [name for _, name in (AGRICULTURE, HEALTH, HOUSEHOLDS)]  # the hover


def test_a_name_with_markup_stays_escaped_on_the_points_and_the_ticks():
    figure = in_field_coverage_scatter(sectors(MARKUP, HEALTH), overall=0.6, title="t")
    assert list(figure.data[0].text) == ["&lt;b&gt;b&lt;/b&gt; Health…", "Human health"]
    assert "<b>b</b>" not in figure.to_json() and "<i>J</i>" not in figure.to_json()
    for chart, figure in category_charts(MARKUP, HEALTH).items():
        axis = figure.layout.yaxis
        assert "&lt;b&gt;b&lt;/b&gt; Health :red[red]" in axis.ticktext, chart
        assert "&lt;i&gt;J&lt;/i&gt;" in axis.tickvals, chart  # the code, escaped like the bars' categories
        assert {y for trace in figure.data for y in trace.y} == set(axis.tickvals), chart
        assert "<b>b</b>" not in figure.to_json() and "<i>J</i>" not in figure.to_json(), chart


@pytest.mark.parametrize("chart", ["rate dots", "effective supply", "enrolment by sector", "growth", "planning"])
def test_two_sectors_alike_in_their_first_38_characters_stay_two_categories(chart):
    assert FARMS[1][:38] == MINES[1][:38]
    figure = category_charts(FARMS, MINES)[chart]
    for trace in figure.data:
        assert sorted(trace.y) == ["W1", "W2"]
    ticks = dict(zip(figure.layout.yaxis.tickvals, figure.layout.yaxis.ticktext))
    assert ticks == {
        "W1": "Wholesale of machinery and<br>equipment for farms",
        "W2": "Wholesale of machinery and<br>equipment for mines",
    }


def test_the_rate_dots_show_the_whole_names_wrapped_on_two_lines():
    figure = outcome_rate_dots(sectors(HEALTH, ("J", "Information and communication")), grouping=GROUPINGS["sector"], title="t")
    assert figure.layout.yaxis.tickvals == ("Q", "J")
    assert figure.layout.yaxis.ticktext == ("Human health and social<br>work activities", "Information and<br>communication")
    assert [row[0] for row in figure.data[0].customdata] == [HEALTH[1], "Information and communication"]  # the hover


def test_labels_of_close_points_alternate_above_and_below():
    # x as drawn (log10 of coverage), y in percent; the third point is close to the first two, the last far off.
    x = [0.0, 0.02, 0.04, 0.6]
    y = [50.0, 51.0, 52.0, 50.0]
    assert _label_positions(x, y, spans=(1.0, 60.0)) == ["top center", "bottom center", "top center", "top center"]
    assert _label_positions([0.6, 0.0], [50.0, 50.0], spans=(1.0, 60.0)) == ["top center", "top center"]
    assert _label_positions([0.0, 0.01], [20.0, 60.0], spans=(1.0, 60.0)) == ["top center", "top center"]  # far apart up and down


def test_the_heat_map_marks_a_cell_without_local_graduates_as_the_strongest_shortage_and_unknown_as_grey():
    from ui.charts import NOT_MEASURED_GREY, UNTRAINED_COLOUR, coverage_heatmap
    from ui.i18n import speaking

    cells = pd.DataFrame(
        {
            "region_code": ["R1", "R1", "R2", "R2"],
            "region_name": ["North", "North", "South", "South"],
            "sector_code": ["A", "Q", "A", "Q"],
            "sector_name": ["Farming", "Health", "Farming", "Health"],
            "supply": [0.0, 30.0, 12.0, float("nan")],
            "demand": [40.0, 60.0, 10.0, 5.0],
            "measured": [True, True, True, False],
        }
    ).assign(gap=lambda f: f["supply"] - f["demand"], coverage_ratio=lambda f: f["supply"] / f["demand"])
    with speaking("en"):
        traces = {trace.name: trace for trace in coverage_heatmap(cells, title="t").data}
    untrained, unknown = traces["no local training"], traces["not measured: graduates or openings unknown"]
    assert untrained.colorscale[0][1] == UNTRAINED_COLOUR and untrained.text.tolist() == [["0", ""], ["", ""]]
    assert unknown.colorscale[0][1] == NOT_MEASURED_GREY and unknown.text.tolist() == [["", ""], ["", "?"]]
    coverage = traces["coverage"].z
    assert coverage[0][1] == -1 and coverage[1][0] > 0  # North Health 0.5 (log2 -1), South Farming 1.2


def test_a_point_near_the_top_of_the_axis_is_named_below_it_where_its_name_is_not_cut_off():
    assert _label_positions([0.0, 0.5], [58.0, 30.0], spans=(1.0, 60.0), top=60.0) == ["bottom center", "top center"]
    # on the projector's short plot a name takes more of the axis: close points' names go apart, not into each other
    positions = _label_positions([0.0, 0.01], [85.0, 63.0], spans=(1.0, 71.0), top=100.0, reach=0.35)
    assert positions == ["bottom center", "bottom center"]
    # a point left unnamed takes no room
    assert _label_positions([0.0, 0.01], [50.0, 50.0], spans=(1.0, 60.0), named=[False, True]) == ["top center"] * 2
    # on the projector a name that would share room wherever it goes is left out (the hover still names it)
    crowded = _label_positions([0.0, 0.01], [85.0, 84.0], spans=(1.0, 71.0), top=100.0, reach=0.35, unname_crowded=True)
    assert crowded == ["bottom center", None]
