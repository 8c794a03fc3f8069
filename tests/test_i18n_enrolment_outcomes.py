"""The Enrolment and Graduate outcomes pages in Simplified Chinese and in English, on the tiny
fixture (numbers worked out by hand in tests/fixtures/README.md): titles, headline figures with
the bureau terms, chart titles that name regions and sectors, takeaways with the right numbers,
download headers; and in presentation mode one idea per screen."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import FILTER_HEADINGS_ZH, click_chart, open_page

ENROLMENT, OUTCOMES = "pages/enrolment.py", "pages/outcomes.py"
RATES_ZH = ["去向落实率", "就业率", "专业相关度", "升学率", "自主创业率"]


def no_problem(app: AppTest) -> bool:
    return not app.exception and not app.error


def metrics(app: AppTest) -> dict:
    return {m.label: m for m in app.metric}


def takeaways(app: AppTest) -> list[str]:
    return [m.value for m in app.markdown if m.value.startswith(("**要点**：", "**Takeaway:**"))]


def charts(app: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def titles(app: AppTest) -> list[str]:
    return [spec["layout"]["title"]["text"] for spec in charts(app)]


def options(app: AppTest, key: str) -> list[str]:
    return [
        str(option.content) if hasattr(option, "content") else str(option) for option in app.segmented_control(key=key).options
    ]


# --- Enrolment and graduates ----------------------------------------------------------------


def test_enrolment_in_chinese_shows_the_figures_charts_and_takeaway_in_bureau_terms(app_url, downloads):
    app = open_page(ENROLMENT, lang="zh-CN")
    assert no_problem(app)
    assert app.title[0].value == "招生与毕业"
    shown = metrics(app)
    # 2024: I1/P1 only, 110 enrolled and 35 graduates, after 150 and 42 in 2023.
    assert shown["在校生数（2024）"].value == "110"
    assert shown["在校生数（2024）"].delta == "+10（+10.0%），较2023年（2个地区中的1个）"
    assert shown["毕业生数（2024）"].value == "35"
    assert shown["毕业生数/在校生数（2024）"].value == "0.32"
    assert shown["毕业生数/在校生数（2024）"].help.startswith("同一年的毕业生数 ÷ 在校生数")
    assert options(app, "enrolment_group") == ["行业", "地区", "院校类型"]
    assert options(app, "enrolment_measure") == ["在校生数", "毕业生数", "毕业生数/在校生数"]
    assert titles(app) == [
        "各行业在校生数历年变化 · 2023–2024；全部地区；全部行业",
        "各行业2023年至2024年增长率 · 2024；全部地区；全部行业",
        "各行业在校生数与毕业生数 · 2024；全部地区；全部行业",
    ]
    growth = charts(app)[1]
    assert [trace["name"] for trace in growth["data"]] == ["毕业生数", "在校生数"]
    assert growth["layout"]["xaxis"]["title"]["text"] == "2023年至2024年的变化"
    # Health (Q) 100 -> 110; ICT has no 2024 enrolment, so it has no change to compare.
    assert takeaways(app) == ["**要点**：2023年至2024年，在校生数增幅最大的是Health（+10.0%，+10）。"]
    assert app.subheader[0].value == "从行业到专业再到院校（2024年）"
    assert any(m.value.startswith("**2024年专业**") for m in app.markdown)
    trend, _, by_sector, programs = downloads[:4]
    assert {"年份", "行业代码", "行业", "在校生数", "毕业生数"} <= set(trend.columns)
    assert {"行业", "在校生数", "毕业生数", "毕业生数/在校生数"} <= set(by_sector.columns)
    assert {"专业代码", "专业", "院校数", "在校生数", "上年在校生数", "在校生增长率"} <= set(programs.columns)


def test_enrolment_chart_titles_name_the_chosen_region_and_sector(app_url):
    app = open_page(ENROLMENT, lang="zh-CN", region="R1", sector="Q")
    assert no_problem(app)
    app.segmented_control(key="enrolment_group").set_value("地区").run()  # AppTest takes the option as shown
    assert no_problem(app)
    assert titles(app)[:2] == [
        "各地区在校生数历年变化 · 2023–2024；North；Health",
        "各地区2023年至2024年增长率 · 2024；North；Health",
    ]
    assert takeaways(app) == ["**要点**：2023年至2024年，在校生数增幅最大的是North（+10.0%，+10）。"]


def test_enrolment_drill_down_in_chinese_names_the_program_and_its_institutions(app_url, downloads):
    app = open_page(ENROLMENT, lang="zh-CN", to="2023")
    app.session_state["enrolment_programs_2023_"] = {"selection": {"rows": [1], "columns": [], "cells": []}}  # P1, Nursing
    app.run()
    assert no_problem(app)
    assert any(m.value == "**2023年开设Nursing（P1）的院校**" for m in app.markdown)
    assert list(downloads[-1].columns) == [
        "院校代码",
        "院校",
        "在校生数",
        "毕业生数",
        "新生数",
        "毕业生数/在校生数",
        *FILTER_HEADINGS_ZH,
    ]


def test_enrolment_in_chinese_says_so_when_nothing_matches(tiny_page):
    app = tiny_page(ENROLMENT, lang="zh-CN", **{"from": "2024", "to": "2024", "sector": "J"})
    assert no_problem(app)
    assert [info.value for info in app.info] == ["没有符合筛选条件的招生数据。请在侧边栏放宽年份、地区或行业。"]


def test_enrolment_in_english_keeps_its_english_texts(app_url, downloads):
    app = open_page(ENROLMENT)
    assert no_problem(app)
    assert app.title[0].value == "Enrolment and graduates"
    assert metrics(app)["Enrolled students (2024)"].delta == "+10 (+10.0%) vs 2023 (1 of 2 regions)"
    assert options(app, "enrolment_group") == ["Sector", "Region", "Institution type"]
    assert titles(app) == [
        "Enrolled students by sector over the years · 2023–2024; all regions; all sectors",
        "Growth from 2023 to 2024 by sector · 2024; all regions; all sectors",
        "Enrolled and graduates by sector · 2024; all regions; all sectors",
    ]
    assert takeaways(app) == ["**Takeaway:** From 2023 to 2024, enrolment grew fastest in Health (+10.0%, +10)."]
    assert {"Year", "Sector", "Enrolled", "Graduates"} <= set(downloads[0].columns)


def test_enrolment_in_presentation_mode_shows_the_figures_the_growth_chart_and_its_takeaway_only(tiny_page):
    app = tiny_page(ENROLMENT, lang="zh-CN", present="1")
    assert no_problem(app)
    assert len(app.metric) == 3
    assert titles(app) == ["各行业2023年至2024年增长率 · 2024；全部地区；全部行业"]  # no trend, no drill-down
    assert takeaways(app) == ["**要点**：2023年至2024年，在校生数增幅最大的是Health（+10.0%，+10）。"]
    assert not app.dataframe and not app.subheader
    assert not any(c.value.startswith("毕业生数/在校生数（同一年") for c in app.caption)


# --- Graduate outcomes ------------------------------------------------------------------------


def test_outcomes_in_chinese_shows_every_rate_by_its_bureau_name(app_url, downloads):
    app = open_page(OUTCOMES, lang="zh-CN")
    assert no_problem(app)
    assert app.title[0].value == "毕业生去向"
    shown = {label: m.value for label, m in metrics(app).items()}
    # Cohort 2023: surveyed 38, employed 26, in field 18, self-employed 3, further study 7.
    assert shown == {
        "去向落实率": "86.8%",
        "就业率": "68.4%",
        "专业相关度": "69.2%",
        "自主创业率": "7.9%",
        "升学率": "18.4%",
        "月薪中位数（按就业人数加权）": "5,000 元/月",
    }
    assert app.caption[0].value.startswith("**2023届**毕业生跟踪调查结果，为所选年份中最近的一届")
    assert options(app, "outcomes_period") == ["最近一届（2023届）", "所选年份的全部届别"]
    assert options(app, "outcomes_group") == ["行业", "地区", "院校类型"]
    assert titles(app) == [
        "各行业专业相关度与供需比 · 2023；全部地区；全部行业",
        "各行业毕业去向指标 · 2023；全部地区；全部行业",
        "各届毕业去向指标 · 2023–2024；全部地区；全部行业",
        "各行业供给、有效供给与需求 · 2023；全部地区；全部行业",
    ]
    scatter, dots, cohorts, effective = charts(app)
    assert scatter["layout"]["yaxis"]["title"]["text"] == "专业相关度（占就业人数的百分比）"
    assert [trace["name"] for trace in dots["data"]] == RATES_ZH
    assert [trace["name"] for trace in cohorts["data"]] == RATES_ZH
    assert [trace["name"] for trace in effective["data"]] == [
        "需求（岗位需求数）",
        "有效供给（专业对口就业）",
        "供给（毕业生数）",
    ]
    # ICT: 3 of 6 employed in field, coverage 12/10; all sectors 18/26.
    assert takeaways(app) == [
        "**要点**：ICT毕业生专业相关度最低：已就业者中50.0%从事本专业工作，全部毕业生为69.2%（供需比1.20）。"
    ]
    assert sorted(scatter["data"][0]["text"]) == ["Health", "ICT"]  # each point labelled with its name, no key under it
    assert any(c.value.endswith("点的大小：毕业生数。") for c in app.caption)
    assert [s.value for s in app.subheader] == [
        "培养与需求错位之处",
        "分组与分届的毕业去向",
        "有效供给：专业对口就业的毕业生与需求对比",
        "各院校毕业去向 · 2023；全部地区；全部行业",
    ]
    institutions = downloads[-1]
    assert {
        "院校代码",
        "院校",
        "调查人数",
        "去向落实率",
        "就业率",
        "专业相关度",
        "自主创业率",
        "升学率",
        "月薪中位数（按就业人数加权）",
    } <= set(institutions.columns)


def test_outcomes_in_chinese_narrowed_to_a_sector_name_it_in_the_titles(app_url):
    app = open_page(OUTCOMES, lang="zh-CN")
    click_chart(app, "outcomes_sector_selection", ["J"])
    assert no_problem(app)
    assert metrics(app)["专业相关度"].value == "50.0%"  # 3/6
    assert titles(app)[1:] == [
        "各行业毕业去向指标 · 2023；全部地区；ICT",
        "各届毕业去向指标 · 2023–2024；全部地区；ICT",
        "各行业供给、有效供给与需求 · 2023；全部地区；ICT",
    ]


def test_outcomes_in_chinese_says_so_when_no_cohort_is_surveyed(tiny_page):
    app = tiny_page(OUTCOMES, lang="zh-CN", **{"from": "2024", "to": "2024"})
    assert no_problem(app)
    assert app.info[0].value.startswith("没有符合筛选条件的毕业生跟踪调查结果。")


def test_outcomes_in_english_keeps_its_english_texts(tiny_page):
    app = tiny_page(OUTCOMES)
    assert no_problem(app)
    assert app.title[0].value == "Graduate outcomes"
    assert set(metrics(app)) == {
        "Destination rate",
        "Job rate",
        "In-field rate",
        "Self-employment rate",
        "Further-study rate",
        "Wage (weighted mean of medians)",
    }
    assert titles(app)[0] == "In-field rate against coverage by sector · 2023; all regions; all sectors"
    assert [trace["name"] for trace in charts(app)[1]["data"]] == [
        "Destination rate",
        "Job rate",
        "In-field rate",
        "Further-study rate",
        "Self-employment rate",
    ]
    assert takeaways(app) == [
        "**Takeaway:** ICT graduates work in their field least often: 50.0% of those employed, "
        "against 69.2% overall (coverage 1.20)."
    ]


def test_outcomes_in_presentation_mode_shows_the_rates_the_scatter_and_its_takeaway_only(tiny_page):
    app = tiny_page(OUTCOMES, lang="zh-CN", present="1")
    assert no_problem(app)
    # The three rates of the chain (so that the chart fits under them on a projected screen), of cohort 2023:
    # (26 employed + 7 in further study) / 38 surveyed, 26 / 38, 18 in field / 26 employed.
    assert [(m.label, m.value) for m in app.metric] == [("去向落实率", "86.8%"), ("就业率", "68.4%"), ("专业相关度", "69.2%")]
    assert titles(app) == ["各行业专业相关度与供需比 · 2023；全部地区；全部行业"]  # no rates by group, cohort or effective supply
    assert len(takeaways(app)) == 1 and takeaways(app)[0].startswith("**要点**：ICT")
    assert not app.dataframe and not [c for c in app.segmented_control if c.key == "outcomes_period"]
    assert [s.value for s in app.subheader] == []  # the chart's title says it
    assert not any(c.value.startswith(("虚线左侧", "行业：")) for c in app.caption)  # the points name their sectors
    assert sorted(charts(app)[0]["data"][0]["text"]) == ["Health", "ICT"]


def test_outcomes_by_region_in_chinese_name_the_region_in_the_title(app_url):
    app = open_page(OUTCOMES, lang="zh-CN", region="R1")
    app.segmented_control(key="outcomes_group").set_value("地区").run()  # AppTest takes the option as shown
    assert no_problem(app)
    assert titles(app)[1] == "各地区毕业去向指标 · 2023；North；全部行业"
    assert metrics(app)["专业相关度"].value == "75.0%"  # North College: 15 of 20 employed in field


@pytest.mark.parametrize("table", ["enrolment", "outcomes"])
def test_the_chinese_texts_use_full_width_punctuation(table):
    import re

    from ui.i18n import catalogue

    for key, text in catalogue("zh-CN").items():
        if key.startswith(f"{table}."):
            bare = re.sub(r"\{[^}]*\}|<[^>]*>", "", text)  # placeholders and hover formatting stay as they are
            assert not re.search(r"[(),:;]", bare), (key, text)
