"""The Placements and partners page and the Institution scorecard in Simplified Chinese and in
English, on the tiny fixture (numbers worked out by hand in tests/fixtures/README.md): titles,
headings, chart titles and traces, gap statuses and tenure bands in words, takeaways with the
right numbers, download headers; and in presentation mode one idea per screen."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import ui.components
from data_access.i18n import translate
from data_access.queries import TENURE_BANDS
from ui.charts_placements import GAP_STATUS_KEY, TENURE_BAND_KEY

from .conftest import FILTER_HEADINGS_ZH, open_page

PLACEMENTS, SCORECARD = "pages/placements.py", "pages/scorecard.py"

# 2023: Health (Q) 30 graduates for 65 openings (shortage), 10 placed at E1 (Hospital, North), 4 hired;
# ICT (J) 12 for 10 (surplus), nobody placed. 100 * 10 / 65 = 15.4 placed per 100 openings.
GAPS_SENTENCE_ZH = (
    "短缺行业（1 个）每百个岗位需求的实习人数为 17，来自 1 家合作企业；"
    "过剩行业（1 个）每百个岗位需求的实习人数为 0，来自 0 家合作企业。"
)
# North College (I1), cohort 2023: (20 employed + 5 further study) / 28 surveyed = 89.3 %; it is North's only
# institution; all selected: (26 + 7) / 38 = 86.8 %.
SCORECARD_TAKEAWAY_ZH = "**要点**：North College的去向落实率为89.3%，所在地区为89.3%，全部所选范围为86.8%。"
SCORECARD_TAKEAWAY_EN = (
    "**Takeaway:** North College's destination rate is 89.3%, against 89.3% in its region and 86.8% in the whole selection."
)


@pytest.fixture
def downloads(downloads, monkeypatch) -> dict[str, pd.DataFrame]:
    """The frames the page hands to its CSV downloads (headers in the page's language), by file name
    (conftest's ``downloads`` gives them in call order)."""
    names: list[str] = []
    real_download = ui.components.download_csv

    def download(frame, file_name, **options):
        names.append(file_name)
        return real_download(frame, file_name, **options)

    monkeypatch.setattr(ui.components, "download_csv", download)

    class ByName(dict):
        def __missing__(self, name: str) -> pd.DataFrame:
            return dict(zip(names[len(names) - len(downloads) :], downloads))[name]  # the page's, not the Overview's

    return ByName()


def charts(app: AppTest) -> dict[str, dict]:
    """Every chart's Plotly spec by the first line of its title."""
    specs = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    return {spec["layout"]["title"]["text"].split("<br>")[0]: spec for spec in specs}


def scope_line(spec: dict) -> str:
    """The filters line under a chart's title."""
    return spec["layout"]["title"]["text"].split("<br>")[1]


def takeaways(app: AppTest) -> list[str]:
    return [m.value for m in app.markdown if m.value.startswith(("**要点**：", "**Takeaway:**"))]


def trace(spec: dict, name: str) -> dict:
    return next(t for t in spec["data"] if t.get("name") == name)


# --- Placements and partners ---------------------------------------------------------------


def test_placements_in_chinese_titles_charts_and_sentences(app_url, downloads):
    app = open_page(PLACEMENTS, lang="zh-CN", **{"from": "2023", "to": "2023"})
    assert not app.exception and not app.error
    assert app.title[0].value == "实习与合作企业"
    assert app.caption[0].value == "合作企业接收的实习；实习的行业和地区按接收企业计 · 2023；全部地区；全部行业"
    headings = [h.value for h in app.subheader]
    assert headings == [
        "短缺行业的学生能否获得实习机会？",
        "学生在哪里实习",
        "合作企业",
        "2023年实习岗位容量及使用情况",
        "校企合作年限",
    ]
    assert f"**要点**：{GAPS_SENTENCE_ZH}" in [m.value for m in app.markdown]  # said under its chart

    shown = charts(app)
    by_sector = shown["按接收企业行业的实习学生数与留用人数"]
    assert scope_line(by_sector).endswith("2023；全部地区；全部行业</span>")
    assert trace(by_sector, "实习学生数")["text"] == ["10 · 留用40.0%"]  # 4 of 10 hired
    assert trace(by_sector, "实习后留用人数")
    assert by_sector["layout"]["yaxis"]["ticktext"] == ["Health"]  # data names as stored
    assert "实习学生数：%{customdata[2]}" in by_sector["data"][0]["hovertemplate"]

    against = shown["各行业每百个岗位需求的实习学生数（按供需比排序）"]
    assert {t["name"] for t in against["data"]} == {"▼ 短缺（供需比低于 0.9）", "▲ 过剩（供需比高于 1.1）"}
    assert against["layout"]["yaxis"]["ticktext"] == ["▼ Health", "▲ ICT"]
    assert trace(against, "▼ 短缺（供需比低于 0.9）")["text"] == ["每百个岗位 17 人 · 1 家合作企业"]
    assert shown["实习学生数前 1 位的合作企业"]["layout"]["yaxis"]["ticktext"] == ["Hospital"]  # only E1 hosts in 2023
    capacity = shown["按接收企业行业的实习岗位已用与未用情况"]
    assert trace(capacity, "未用岗位")["text"] == ["已用50.0%"]  # 10 placed of 20 places
    assert any("该合作企业填报了实习岗位容量。" in c.value for c in app.caption)  # E1 is the one partner in 2023

    _, takeaway = takeaways(app)
    # Health hosts all 10 students placed in 2023 (100.0%), 4 of them hired (40.0%).
    assert takeaway.startswith("**要点**：") and all(part in takeaway for part in ("Health", "10", "100.0%", "40.0%"))

    gaps = downloads["placements_vs_gaps.csv"]
    assert {"行业", "供需状态", "每百个岗位需求的实习人数", "合作企业数"} <= set(gaps.columns)
    assert dict(zip(gaps["行业"], gaps["供需状态"])) == {"Health": "▼ 短缺", "ICT": "▲ 过剩"}
    assert {"行业", "实习学生数", "留用人数", "实习留用率"} <= set(downloads["placements_by_host_sector.csv"].columns)
    assert "企业" in downloads["partners.csv"].columns


def test_placements_in_chinese_name_tenure_bands_and_gap_statuses_in_chinese(app_url, downloads):
    app = open_page(PLACEMENTS, lang="zh-CN")  # 2023–2024: E1 partner since 2010 (14 years), E2 states no year
    assert not app.exception
    tenure = charts(app)["按合作年限的合作企业数与实习学生数"]
    partners = dict(zip(tenure["data"][0]["y"], tenure["data"][0]["text"]))
    assert partners == {"不足 2 年": "0", "2–4 年": "0", "5–9 年": "0", "10 年及以上": "1", "未填报": "1"}
    assert [a["text"] for a in tenure["layout"]["annotations"]][:2] == ["合作企业数", "实习学生数（深色：留用）"]
    bands = downloads["partnership_tenure.csv"]
    assert list(bands["合作年限"]) == ["不足 2 年", "2–4 年", "5–9 年", "10 年及以上", "未填报"]
    assert list(bands.columns[:2]) == ["合作年限", "合作企业数"]
    assert any("2 家合作企业中有 1 家未填报实习岗位容量" in c.value for c in app.caption)  # E2 states none
    top = charts(app)["实习学生数前 2 位的合作企业"]
    assert scope_line(top).endswith("2023–2024；全部地区；全部行业</span>")
    app.segmented_control(key="partners_rank_by").set_value("hired").run()
    assert not app.exception
    assert charts(app)["实习后留用人数前 2 位的合作企业"]["data"][0]["y"] == ["E2", "E1"]  # 5 hires against 4


def test_placements_chart_titles_name_the_chosen_regions_and_sectors(tiny_page):
    app = tiny_page(PLACEMENTS, lang="zh-CN", region=["R1", "R2"], sector="Q")
    assert not app.exception
    by_sector = charts(app)["按接收企业行业的实习学生数与留用人数"]
    assert scope_line(by_sector).endswith("2023–2024；North、South；Health</span>")


def test_placements_in_english_keep_their_english_texts(app_url, downloads):
    app = open_page(PLACEMENTS, **{"from": "2023", "to": "2023"})
    assert not app.exception
    assert app.title[0].value == "Placements and partners"
    assert (
        "**Takeaway:** Shortage sectors (1) get 17 placements per 100 openings from 1 partner employer; "
        "surplus sectors (1) get 0 placements per 100 openings from 0 partner employers."
    ) in [m.value for m in app.markdown]
    shown = charts(app)
    assert trace(shown["Students placed and hired by host sector"], "Students placed")["text"] == ["10 · 40.0% hired"]
    assert scope_line(shown["Students placed and hired by host sector"]).endswith("2023; all regions; all sectors</span>")
    assert takeaways(app)[0].startswith("**Takeaway:**")
    gaps = downloads["placements_vs_gaps.csv"]
    assert dict(zip(gaps["Sector"], gaps["Status"])) == {"Health": "▼ shortage", "ICT": "▲ surplus"}
    assert list(downloads["partnership_tenure.csv"]["Partnership length"])[-1] == "not stated"


def test_placements_in_presentation_mode_show_one_chart_and_its_takeaway(tiny_page):
    app = tiny_page(PLACEMENTS, lang="zh-CN", present="1")
    assert not app.exception
    assert app.title[0].value == "实习与合作企业"
    # The statement the brief makes too: placements against the gaps of the latest year (2024), on its own.
    (only,) = charts(app).values()
    assert only["layout"]["title"]["text"].startswith("各行业每百个岗位需求的实习学生数（按供需比排序）<br>")
    assert scope_line(only).endswith("2024；全部地区；全部行业</span>")
    assert len(takeaways(app)) == 1
    assert not app.dataframe and not [c for c in app.get("segmented_control") if c.key == "partners_rank_by"]
    assert [h.value for h in app.subheader] == []  # the chart's title says it


# --- Institution scorecard -------------------------------------------------------------------


def test_scorecard_in_chinese_titles_charts_statuses_and_takeaway(app_url, downloads):
    app = open_page(SCORECARD, lang="zh-CN", institution="I1")
    assert not app.exception and not app.error
    assert app.title[0].value == "院校画像"
    assert app.selectbox(key="scorecard_institution").label == "院校"
    assert app.caption[0].value == "college，位于North · 2023–2024；全部地区；全部行业"  # the institution type is data
    headings = [h.value for h in app.subheader]
    assert headings[:2] == ["North College与所在地区及全部所选范围的比较", "2024年开设专业及其对应行业"]
    assert {"历年在校生数与毕业生数", "实习与合作企业", "各届毕业生去向"} <= set(headings)

    shown = charts(app)
    rates = shown["North College、所在地区及全部所选范围的各项比率"]
    assert scope_line(rates).endswith("2023–2024；全部地区；全部行业</span>")
    assert rates["data"][0]["x"] == ["毕业生数/在校生数", "去向落实率", "专业相关度", "实习留用率"]
    assert [t["name"] for t in rates["data"]] == ["North College", "North的院校", "全部所选范围"]
    assert trace(rates, "全部所选范围")["text"][1] == "86.8%"
    assert takeaways(app) == [SCORECARD_TAKEAWAY_ZH]
    trend = shown["North College的在校生数与毕业生数"]
    assert [t["name"] for t in trend["data"]] == ["在校生数", "毕业生数"]
    assert trace(shown["North College的实习学生数与留用人数"], "实习学生数")["text"] == ["10 · 留用40.0%"]

    # North, 2023–2024: 65 Health graduates for 60 openings (1.08, balanced); all regions: 65 for 65.
    sectors = downloads["scorecard_sectors.csv"]
    assert list(sectors.columns) == [
        "行业代码",
        "行业",
        "所在地区供需状态",
        "所在地区供需比",
        "全部所选范围供需状态",
        "全部所选范围供需比",
        "本校相关专业",
        *FILTER_HEADINGS_ZH,
    ]
    assert sectors.loc[0, "所在地区供需状态"] == "≈ 基本平衡"
    compared = downloads["scorecard_comparison.csv"]
    assert list(compared.columns[:4]) == ["范围", "比较对象", "毕业生数/在校生数", "去向落实率"]
    assert list(compared["比较对象"]) == ["North College", "North的院校", "全部所选范围"]
    assert "毕业届别" in downloads["scorecard_outcomes.csv"].columns


def test_scorecard_in_chinese_marks_a_surplus_sector(tiny_page):
    app = tiny_page(SCORECARD, lang="zh-CN", institution="I2")  # South: 12 ICT graduates for 10 openings
    assert not app.exception
    for frame in app.dataframe:
        if "gap_status_region" in frame.value.columns:
            assert list(frame.value["gap_status_region"]) == ["▲ 过剩"]
            break
    else:
        raise AssertionError("no sector table")
    # South School, cohort 2023: (6 employed + 2 further study) / 10 surveyed; South's only institution.
    assert takeaways(app) == ["**要点**：South School的去向落实率为80.0%，所在地区为80.0%，全部所选范围为86.8%。"]


def test_scorecard_in_english_keeps_its_english_texts(app_url, downloads):
    app = open_page(SCORECARD, institution="I1")
    assert not app.exception
    assert app.title[0].value == "Institution scorecard"
    assert app.subheader[0].value == "How North College compares with its region and the whole selection"
    rates = charts(app)["Rates of North College, its region and all selected"]
    assert [t["name"] for t in rates["data"]] == ["North College", "Institutions in North", "All selected"]
    assert rates["data"][0]["x"] == ["Graduates per enrolled", "Destination rate", "In-field rate", "Hire rate after placement"]
    assert takeaways(app) == [SCORECARD_TAKEAWAY_EN]
    assert "Compared with" in downloads["scorecard_comparison.csv"].columns
    assert downloads["scorecard_sectors.csv"].loc[0, "In its region"] == "≈ balanced"


def test_scorecard_in_presentation_mode_shows_the_comparison_and_its_takeaway_only(tiny_page):
    app = tiny_page(SCORECARD, lang="zh-CN", institution="I1", present="1")
    assert not app.exception
    assert list(charts(app)) == ["North College、所在地区及全部所选范围的各项比率"]
    assert takeaways(app) == [SCORECARD_TAKEAWAY_ZH]
    assert not app.dataframe and not any(c.value.startswith("college") for c in app.caption)
    assert [h.value for h in app.subheader] == ["North College与所在地区及全部所选范围的比较"]


@pytest.mark.parametrize(
    "language, why, instead",
    [
        (
            "en",
            "South School is in South, outside the region(s) selected in the sidebar, so its scorecard is not shown.",
            "Showing North College instead, the first institution inside the filters.",
        ),
        (
            "zh-CN",
            "South School位于South，不在侧边栏所选地区内，因此不显示其画像。",
            "改为显示筛选范围内的第一所院校：North College。",
        ),
    ],
)
def test_an_institution_outside_the_selected_region_is_not_shown_and_the_message_says_why(tiny_page, language, why, instead):
    app = tiny_page(SCORECARD, lang=language, institution="I2", region="R1")  # South School; only North selected
    assert not app.exception and not app.error
    assert [i.value for i in app.info][0] == f"{why}\n\n{instead}"
    assert app.selectbox(key="scorecard_institution").value == "I1"
    assert trace(next(iter(charts(app).values())), "North College")  # the comparison is North College's


@pytest.mark.parametrize("language, wage", [("en", "¥%,.0f per month"), ("zh-CN", "%,.0f 元/月")])
def test_the_scorecards_wage_has_its_currency_and_per_month_in_both_languages(tiny_page, language, wage):
    app = tiny_page(SCORECARD, lang=language, institution="I1")
    (outcomes,) = [f for f in app.dataframe if "wage_employment_weighted" in f.value.columns]
    assert json.loads(outcomes.proto.columns)["wage_employment_weighted"]["type_config"]["format"] == wage
    assert list(outcomes.value["wage_employment_weighted"]) == [5000]  # I1/P1's wage: ¥5,000 per month, 5,000 元/月


# --- the stored words and their texts ---------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_every_tenure_band_and_gap_status_the_data_layer_writes_has_a_text(language):
    bands = [band for *_, band in TENURE_BANDS] + ["not stated"]
    assert set(TENURE_BAND_KEY) == set(bands)
    assert set(GAP_STATUS_KEY) == {"shortage", "balanced", "surplus", "no demand", "not measured"}
    for band in bands:
        translate(language, f"placements.tenure_{TENURE_BAND_KEY[band]}")
    for status in GAP_STATUS_KEY.values():
        translate(language, f"placements.status_{status}")
        translate(language, f"placements.legend_{status}")
    english = [translate("en", f"placements.tenure_{TENURE_BAND_KEY[band]}") for band in bands]
    assert english == bands  # English shows the stored values as they are


@pytest.mark.parametrize("page", [PLACEMENTS, SCORECARD])
def test_pages_in_chinese_with_small_numbers_hidden_say_hidden_in_chinese(tiny_page, page):
    app = tiny_page(page, lang="zh-CN", institution="I2", hide_below="6")  # E2 placed 5 students in 2024
    assert not app.exception and not app.error
    texts = [text for spec in charts(app).values() for trace_ in spec["data"] for text in (trace_.get("text") or [])]
    assert "已隐藏" in texts and "hidden" not in texts
    assert any(c.value.startswith("小数值保护") for c in app.caption)
