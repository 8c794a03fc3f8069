"""The Data page, presentation mode and the meeting brief in Simplified Chinese and in English,
on the tiny fixture (numbers worked out by hand in tests/fixtures/README.md): titles, labels,
messages and table headings of the Data page and its sign-in, the presentation bar with the
filters by name, larger chart text and no download buttons on a projector, and the brief
with lang="zh-CN", Chinese headings, chart titles naming regions and takeaways with the right
numbers."""

from __future__ import annotations

import json
import re

from streamlit.testing.v1 import AppTest

from data_access.passwords import hash_password

from .conftest import APP, open_page, run_app
from .test_brief import parse

BROKEN_ENROLMENTS = b"year,institution_id,program_code,enrolled,graduates\n2024,I1,P1,110,-3\n2024,I9,P1,10,2\n"
CORRECTED_ENROLMENTS = b"year,institution_id,program_code,enrolled,graduates\n2024,I1,P1,110,41\n"
PASSWORD = "correct horse battery"


def column_headings(app: AppTest, index: int) -> dict[str, str]:
    """The headings a table's column settings give its columns."""
    config = json.loads(app.dataframe[index].proto.columns)
    return {column: settings.get("label") for column, settings in config.items() if settings.get("label")}


def upload(app: AppTest, name: str, data: bytes) -> AppTest:
    app.file_uploader[0].set_value([(name, data, "text/csv")])
    return app.run()


def data_page_as_editor(**query) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.secrets["dashboard"] = {"local_editors": {"Ana Planner": hash_password(PASSWORD, iterations=1_000)}}
    for name, value in query.items():
        app.query_params[name] = value
    return app.run().switch_page("pages/data.py").run()


# --- the Data page ------------------------------------------------------------------------------


def test_the_data_page_in_chinese_titles_headings_history_and_the_sign_in_notice(tiny_page):
    app = tiny_page("pages/data.py", lang="zh-CN")
    assert not app.exception
    assert app.title[0].value == "数据管理"
    assert app.caption[0].value.startswith("按数据规范检查文件")
    assert [s.value for s in app.subheader] == [
        "检查并载入文件",
        "模板",
        "用导入配方导入公开统计数据",
        "数据覆盖范围",
        "专业与行业对应表：各专业培养面向的行业",
        "估算岗位空缺所用的替换率",
        "就业人数的平滑",
        "岗位的预期份额",
        "载入记录",
    ]
    assert app.file_uploader[0].label == "CSV 或 Excel 文件，每个文件一张表"
    notice = app.info[0].value
    assert notice.startswith("浏览器中的载入和撤销功能未开启") and "请让本看板的管理员将您设为编辑人员" in notice
    assert "python -m" not in notice and "secrets" not in notice
    headings = column_headings(app, 4)  # after the data calendar, the crosswalk, the replacement rates and the shares
    assert headings["version"] == "版本" and headings["when"] == "时间" and headings["undone_by"] == "撤销版本"
    assert app.dataframe[4].value.loc[0, "version"] == 1  # the data stays as it is


def test_a_broken_file_in_chinese_counts_its_problems_and_downloads_them_with_chinese_headers(app_url, downloads):
    app = upload(open_page("pages/data.py", lang="zh-CN"), "enrolments.csv", BROKEN_ENROLMENTS)
    assert app.checkbox[0].label == "替换全部数据"
    next(b for b in app.button if b.label == "检查文件").click().run()
    assert not app.exception
    assert any(e.value.startswith("发现 2 个问题；") for e in app.error)
    assert any(d.label == "下载问题清单（CSV）" for d in app.get("download_button"))
    assert ["文件", "行号", "列", "问题"] in [list(d.columns) for d in downloads]  # the problems' download
    problems = next(i for i, d in enumerate(app.dataframe) if list(d.value.columns)[:1] == ["file"])
    assert column_headings(app, problems)["problem"] == "问题"


def test_a_clean_file_in_chinese_is_ready_to_load_and_the_editor_signs_in_loads_and_undoes(app_url):
    app = data_page_as_editor(lang="zh-CN")
    assert not app.exception
    assert [t.label for t in app.text_input] == ["编辑人员姓名", "密码"]
    app.text_input(key="sign_in_name").set_value("Ana Planner")
    app.text_input(key="sign_in_password").set_value("wrong")
    next(b for b in app.button if b.label == "登录").click().run()
    assert any(e.value == "姓名与密码不匹配任何编辑人员（还可尝试 4 次，之后需等待）。" for e in app.error)
    app.text_input(key="sign_in_password").set_value(PASSWORD)
    next(b for b in app.button if b.label == "登录").click().run()
    assert any(c.value == "已登录：**Ana Planner**（编辑人员）。" for c in app.caption)

    app = upload(app, "enrolments.csv", CORRECTED_ENROLMENTS)
    next(b for b in app.button if b.label == "检查文件").click().run()
    assert any(s.value == "没有问题：1 行可以载入。" for s in app.success)
    next(b for b in app.button if b.label == "载入 1 行").click().run()
    assert not app.exception
    assert any(s.value == "已载入。各页面现在显示数据版本 2。" for s in app.success)
    app.checkbox(key="undo_sure_2").check().run()
    next(b for b in app.button if b.label == "撤销最近一次载入（版本 2）").click().run()
    assert any(s.value == "已撤销版本 2。各页面现在显示数据版本 3。" for s in app.success)


def test_the_data_page_in_english_keeps_its_english_texts(app_url, downloads):
    app = upload(open_page("pages/data.py"), "enrolments.csv", BROKEN_ENROLMENTS)
    assert not app.exception
    assert app.title[0].value == "Data" and app.subheader[0].value == "Check and load files"
    assert app.info[0].value.startswith("Loading and undoing in the browser are off")
    next(b for b in app.button if b.label == "Check files").click().run()
    assert any("2 problem(s); nothing can be loaded" in e.value for e in app.error)
    assert ["file", "line", "column", "problem"] in [list(d.columns) for d in downloads]  # the problems' download


# --- presentation mode --------------------------------------------------------------------------


def bar_caption(app: AppTest) -> str:
    return next(c.value for c in app.caption if c.value.startswith("**") and " · " in c.value)


def test_the_presentation_bar_in_chinese_names_the_page_the_filters_and_the_data_version(app_url):
    app = run_app(lang="zh-CN", present="1", region="R2", to="2023")
    assert not app.exception
    assert app.button(key="presentation_back").label == "◀ 上一页"
    assert app.button(key="presentation_next").label == "下一页 ▶"
    assert app.button(key="presentation_exit").label == "退出演示"
    assert app.sidebar.toggle(key="presentation_mode").label == "演示模式"
    assert bar_caption(app) == "**总览** · 2023；South；全部行业 · 数据版本 1"
    app.button(key="presentation_next").click().run()
    assert not app.exception
    assert app.title[0].value == "供需对比"
    assert bar_caption(app).startswith("**供需对比** · ")


def test_on_a_projector_charts_get_larger_text_and_no_download_buttons(app_url):
    normal = open_page("pages/supply_demand.py", to="2023")
    presented = open_page("pages/supply_demand.py", to="2023", present="1")
    assert not normal.exception and not presented.exception
    assert normal.get("download_button") and any(d.label == "Download the data (CSV)" for d in normal.get("download_button"))
    assert not any(d.label == "Download the data (CSV)" for d in presented.get("download_button"))
    normal_layout = json.loads(normal.get("plotly_chart")[0].proto.spec)["layout"]
    presented_layout = json.loads(presented.get("plotly_chart")[0].proto.spec)["layout"]
    assert presented_layout["font"]["size"] > normal_layout.get("font", {}).get("size", 14)
    assert presented_layout["title"]["text"] == normal_layout["title"]["text"]


# --- the meeting brief --------------------------------------------------------------------------


def brief_script() -> None:
    """Builds the brief the sidebar's button gives, for 2023, into session state."""
    import streamlit as st

    from data_access.filters import Filters
    from ui.brief import meeting_brief_file
    from ui.context import dashboard_engine

    chosen = st.session_state.get("brief_regions", ())
    st.session_state["brief"] = meeting_brief_file(dashboard_engine(), filters=Filters(2023, 2023, regions=chosen)).decode()


def brief_in(language: str, regions: tuple[str, ...] = ()) -> str:
    app = AppTest.from_function(brief_script, default_timeout=60)
    app.session_state["interface_language"] = language
    app.session_state["brief_regions"] = regions
    app.run()
    assert not app.exception
    return app.session_state["brief"]


def chart_titles(document: str) -> list[str]:
    from plotly.offline import get_plotlyjs

    specs = document.replace(get_plotlyjs(), "")
    titles = [
        json.loads(f'"{title}"') for title in re.findall(r'"title":\{(?:"font":\{[^{}]*\},)?"text":"((?:[^"\\]|\\.)*)"', specs)
    ]
    # The brief writes a chart's filters on a second, smaller line of its title: read as " · " again.
    return [re.sub(r"<br><span style='font-size:13px'>(.*)</span>$", r" · \1", title) for title in titles]


def test_the_brief_in_chinese_has_lang_zh_cn_chinese_headings_and_takeaways_with_the_numbers(app_url):
    document = brief_in("zh-CN")
    tags = parse(document).tags
    assert ("html", {"lang": "zh-CN"}) in tags
    text = parse(document).visible_text
    for shown in (
        "会议简报：人才培养供给与产业需求",
        "筛选 2023；全部地区；全部行业",
        "数据版本 1",
        "核心指标",
        "毕业生数（2023） 42",
        "供需比（2023） 0.60",
        "去向落实率（2023） 86.8%",
        "专业相关度（2023） 69.2%",
        "2023年供需差距最大之处",
        "各行业供给与需求",
        "历年供给与需求",
        "专业相关度与供需比",
    ):
        assert shown in text, shown
    # 2023: Health 30 graduates against 65 openings; Remote has 5 openings and no institution; ICT in-field 9/18 = 50.0%
    assert "2023年，Health短缺最大：毕业生数比岗位需求数少30人（供需比0.50）。" in text
    assert "在岗位需求不少于20个的地区和行业中，2023年供需比最低的是North的Health：0.50，毕业生30人，岗位需求60个。" in text
    assert "去向数据为 2023 届毕业生（最近一次调查的届次）" in text
    assert "Largest" not in text and "Headline" not in text and "Filters" not in text


def test_the_brief_in_chinese_titles_its_charts_with_the_filters_by_name(app_url):
    titles = chart_titles(brief_in("zh-CN", ("R1", "R3")))
    # "）· " splits as " · " does: the filters on the title's second line (read back here as " · ")
    assert "各行业供给与需求（短缺最大者居首） · 2023；North、Remote；全部行业" in titles
    assert "各地区、各行业供需比 · 2023；North、Remote；全部行业" in titles
    assert not any("Supply and demand" in title for title in titles)


def test_the_brief_in_english_keeps_its_english_texts(app_url):
    document = brief_in("en")
    assert ("html", {"lang": "en"}) in parse(document).tags
    text = parse(document).visible_text
    assert "Meeting brief: training supply against industry demand" in text
    assert "Health has the largest shortage in 2023: 30 fewer graduates than openings (coverage 0.50)." in text
    assert "Supply and demand by sector, largest shortage first · 2023; all regions; all sectors" in chart_titles(document)
