"""The Overview and Supply vs demand pages in Simplified Chinese and in English, on the tiny
fixture (numbers worked out by hand in tests/fixtures/README.md): titles, headline figures,
chart titles with region and sector names, takeaways with the right numbers, download
headers; and in presentation mode one idea per screen."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from .conftest import FILTER_HEADINGS_ZH, open_page, run_app

# 2023 in the tiny fixture: Health (Q) 30 graduates against 60 openings over its measured cells (North; Remote's
# 5 openings have no known supply, as Remote has no institution); ICT (J) 12 against 10 (South). 2022 has no
# graduates or openings, so no change is said.
SHORTAGE_ZH = "2023年，Health短缺最大：毕业生数比岗位需求数少30人（供需比0.50）。"
SHORTAGE_EN = "Health has the largest shortage in 2023: 30 fewer graduates than openings (coverage 0.50)."


def takeaways(app: AppTest) -> list[str]:
    return [m.value for m in app.markdown if m.value.startswith(("**要点**：", "**Takeaway:**"))]


def chart_titles(app: AppTest) -> list[str]:
    import json

    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in app.get("plotly_chart")]


def chart_specs(app: AppTest) -> list[dict]:
    import json

    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def test_the_overview_in_chinese_shows_figures_sentences_and_the_takeaway(app_url):
    app = run_app(lang="zh-CN", to="2023")
    assert not app.exception
    assert app.title[0].value == "总览"
    shown = {m.label: m for m in app.metric}
    assert shown["毕业生数（2023）"].value == "42"
    assert shown["供需比（2023）"].value == "0.60"  # 42 / 70 over the measured cells
    assert shown["毕业生数（2023）"].help.startswith("所选地区院校所有专业的毕业生")
    assert app.caption[0].value == "培养供给与产业需求对比 · 2023；全部地区；全部行业"
    assert app.subheader[0].value == "2023年供需差距最大的领域"
    # the years first (one year only here: no trend to tell), then the largest shortage
    assert takeaways(app) == ["**要点**：当前筛选下至多只有一年能同时比较供给与需求，无法显示趋势。", f"**要点**：{SHORTAGE_ZH}"]
    text = "\n".join(m.value for m in app.markdown)
    assert "**短缺最大**（毕业生数少于岗位需求数）" in text
    assert "- Health：毕业生数比岗位需求数少30人（供给30，需求60；供需比0.50）。" in text
    assert "- North的Health：毕业生数比岗位需求数少30人（供给30，需求60；供需比0.50）。" in text
    assert "- South的ICT：毕业生数比岗位需求数多2人（供给12，需求10；供需比1.20）。" in text


def test_the_overview_change_texts_keep_the_sign_first_in_chinese(app_url):
    app = run_app(lang="zh-CN")
    graduates = next(m for m in app.metric if m.label == "毕业生数（2024）")
    # like for like: North alone reports enrolments in 2023 and 2024 (30 -> 35); South's 12 of 2023 have no 2024
    assert graduates.delta == "+5（较上年）（2个地区中的1个）"  # st.metric reads the direction from the leading sign
    assert graduates.proto.direction == graduates.proto.UP


def test_the_overview_in_english_keeps_its_english_texts(app_url):
    app = run_app(to="2023")
    assert not app.exception
    assert app.title[0].value == "Overview"
    assert app.subheader[0].value == "Where training and demand disagree most in 2023"
    assert takeaways(app) == [
        "**Takeaway:** Supply and demand can be compared for at most one year in this selection, so there is no trend to show.",
        f"**Takeaway:** {SHORTAGE_EN}",
    ]
    text = "\n".join(m.value for m in app.markdown)
    assert "- Health in North: 30 fewer graduates than openings (30 against 60; coverage 0.50)." in text


def test_the_overview_no_data_message_is_chinese(app_url):
    app = run_app(lang="zh-CN", **{"from": "2024", "to": "2024", "sector": "J", "region": "R1"})
    assert not app.exception
    assert any(info.value.startswith("没有符合筛选条件的数据") for info in app.info)


def test_supply_demand_in_chinese_titles_charts_by_name_and_computes_takeaways(app_url, downloads):
    app = open_page("pages/supply_demand.py", lang="zh-CN", to="2023", region=["R1", "R3"])
    assert not app.exception
    assert app.title[0].value == "供需对比"
    assert app.segmented_control(key="period").label == "时段"
    assert chart_titles(app) == [
        "各行业供给与需求（短缺最大者居首）· 2023；North、Remote；全部行业",
        "各地区、各行业供需比 · 2023；North、Remote；全部行业",
        "历年供给与需求 · 2023；North、Remote；全部行业",
    ]
    assert takeaways(app) == [
        "**要点**：2023年，Health短缺最大：毕业生数比岗位需求数少30人（供需比0.50）。",
        "**要点**：在岗位需求不少于20个的地区和行业中，2023年供需比最低的是North的Health：0.50，毕业生30人，岗位需求60个。",
        "**要点**：当前筛选下至多只有一年能同时比较供给与需求，无法显示趋势。",
    ]
    assert app.subheader[0].value == "各地区、各行业供需缺口"
    bars, heatmap, trend = chart_specs(app)
    # Remote's 5 openings have no known supply (no institution): drawn apart, hatched
    assert [trace["name"] for trace in bars["data"]] == ["供给（毕业生数）", "需求（岗位需求数）", "毕业生未知处的岗位需求"]
    assert "缺口：" in bars["data"][0]["hovertemplate"] and bars["layout"]["xaxis"]["title"]["text"] == "人数"
    assert heatmap["data"][0]["colorbar"]["title"]["text"] == "供需比<br>（供给 ÷ 需求）"
    assert [trace["name"] for trace in trend["data"]] == ["供给（毕业生数）", "需求（岗位需求数）"]
    by_sector = next(d for d in downloads if list(d.columns)[:1] == ["行业代码"])  # the Overview ran first
    assert list(by_sector.columns) == [
        "行业代码",
        "行业",
        "供给（毕业生数）",
        "需求（岗位需求数）",
        "缺口（供给 − 需求）",
        "供需比",
        "已测算",
        "岗位需求未知处的毕业生",
        "毕业生未知处的岗位需求",
        "已测算单元数",
        "单元数",
        *FILTER_HEADINGS_ZH,
    ]
    assert "地区" in downloads[-1].columns and "供需比" in downloads[-1].columns


def test_supply_demand_period_options_and_messages_are_chinese(tiny_page):
    app = tiny_page("pages/supply_demand.py", lang="zh-CN", to="2023")
    period = app.segmented_control(key="period")
    assert period.options == ["最近一年（2023年）", "所选年份合计"]
    empty = tiny_page("pages/supply_demand.py", lang="zh-CN", **{"from": "2024", "to": "2024", "sector": "J"})
    assert not empty.exception
    assert any(info.value.startswith("没有符合筛选条件的毕业生或岗位需求数据") for info in empty.info)


def test_supply_demand_in_english_keeps_its_english_texts(app_url, downloads):
    app = open_page("pages/supply_demand.py", to="2023")
    assert not app.exception
    assert app.title[0].value == "Supply vs demand"
    assert chart_titles(app)[0] == "Supply and demand by sector, largest shortage first · 2023; all regions; all sectors"
    assert takeaways(app)[:2] == [
        f"**Takeaway:** {SHORTAGE_EN}",
        "**Takeaway:** Among regions and sectors with at least 20 openings, the lowest coverage in 2023 is Health in North: 0.50, 30 graduates for 60 openings.",
    ]
    assert [trace["name"] for trace in chart_specs(app)[0]["data"]] == [
        "Supply (graduates)",
        "Demand (openings)",
        "Openings where graduates are unknown",
    ]
    assert any("Supply (graduates)" in d.columns for d in downloads)


def test_supply_demand_in_presentation_mode_shows_only_the_bars_and_their_takeaway(tiny_page):
    app = tiny_page("pages/supply_demand.py", lang="zh-CN", to="2023", present="1")
    assert not app.exception
    assert chart_titles(app) == ["各行业供给与需求（短缺最大者居首）· 2023；全部地区；全部行业"]
    assert takeaways(app) == [f"**要点**：{SHORTAGE_ZH}"]
    assert not app.dataframe and not app.subheader


def test_the_overview_in_presentation_mode_keeps_the_figures_and_the_takeaway_only(app_url):
    app = run_app(to="2023", present="1")
    assert not app.exception
    # one screen: the three figures of supply and demand, the chart of the years and its takeaway
    assert [m.label for m in app.metric] == ["Graduates (2023)", "Openings (2023)", "Coverage ratio (2023)"]
    # the chart is headed by what coverage compares, so that the figures reconcile on the screen
    assert chart_titles(app) == ["Coverage 0.60: 42 graduates of linked programs against 70 openings where both are known."]
    assert takeaways(app) == [
        "**Takeaway:** Supply and demand can be compared for at most one year in this selection, so there is no trend to show."
    ]
    text = "\n".join(m.value for m in app.markdown)
    assert "Largest shortages" not in text and "Largest surpluses" not in text


@pytest.fixture
def chinese():
    """The takeaway functions called outside a page, with the session's language set to Chinese."""
    import streamlit as st

    from ui.i18n import LANGUAGE_KEY

    st.session_state[LANGUAGE_KEY] = "zh-CN"
    yield
    del st.session_state[LANGUAGE_KEY]


def test_the_takeaways_of_the_other_pages_are_whole_chinese_sentences(chinese):
    from ui.takeaways import enrolment_growth_takeaway, in_field_takeaway, placements_takeaway, trend_takeaway

    trend = pd.DataFrame(
        {"year": [2021, 2023], "supply": [1000, 1100], "demand": [1000, 1250], "common_cells": 4, "regions": 2, "regions_of": 2}
    )
    assert trend_takeaway(trend) == (
        "2021年至2023年，毕业生数从1,000变为1,100（+10.0%），岗位需求数从1,000变为1,250（+25.0%）：供需比从1.00降至0.88。"
    )
    enrolment = pd.DataFrame(
        {
            "year": [2024, 2025, 2024, 2025],
            "sector_name": ["Health", "Health", "Retail", "Retail"],
            "enrolled": [4000, 4320, 4000, 3880],
        }
    )
    assert enrolment_growth_takeaway(enrolment, name="sector_name", year=2025) == (
        "2024年至2025年，在校生数增幅最大的是Health（+8.0%，+320），降幅最大的是Retail（-3.0%，-120）。"
    )
    placed = pd.DataFrame(
        {"sector_name": ["Manufacturing", "Health"], "students_placed": [3000, 1000], "placement_hire_rate": [0.5, None]}
    )
    assert (
        placements_takeaway(placed) == "Manufacturing接收实习最多：4,000名实习学生中有3,000名（75.0%），其中50.0%实习后被留用。"
    )
    in_field = pd.DataFrame({"sector_name": ["Retail"], "in_field_rate": [0.45], "coverage_ratio": [1.3]})
    assert in_field_takeaway(in_field, overall=0.702) == (
        "Retail毕业生专业相关度最低：已就业者中45.0%从事本专业工作，全部毕业生为70.2%（供需比1.30）。"
    )
