"""The sidebar in a real browser: a filter changes the numbers and survives page changes; the language switch.

Fixtures and the ``App`` helper (waits, sidebar caption, metrics, multiselects)
are in conftest.py beside this file; what the tests read from a page is in helpers.py.
"""

from __future__ import annotations

import re

from .helpers import FIRST_YEAR, LAST_YEAR, as_number, download, url_query


def test_changing_a_filter_in_the_sidebar_changes_a_headline_number_and_survives_page_changes(app):
    app.open("/")
    label, before = app.metric("Graduates")
    assert label == f"Graduates ({LAST_YEAR})"
    assert "region" not in url_query(app)

    app.choose("Regions", "Southmoor (R03)")
    app.page.wait_for_url(re.compile(r"[?&]region=R03\b"))
    label, after = app.metric("Graduates")
    assert label == f"Graduates ({LAST_YEAR})"
    assert as_number(after) != as_number(before)
    assert 0 < as_number(after) < as_number(before)
    assert app.caption().startswith(f"Showing {FIRST_YEAR}–{LAST_YEAR}; Southmoor; all sectors · ")

    # The known Streamlit pitfall: keyed sidebar widgets reset on the first page change.
    app.nav("Supply vs demand")
    assert app.multiselect_chosen("Regions") == ["Southmoor (R03)"]
    assert url_query(app).get("region") == ["R03"]

    app.choose("Sectors", "Manufacturing (C)")
    app.page.wait_for_url(re.compile(r"[?&]sector=C\b"))

    app.nav("Overview")
    assert app.multiselect_chosen("Regions") == ["Southmoor (R03)"]
    assert app.multiselect_chosen("Sectors") == ["Manufacturing (C)"]
    assert url_query(app).get("region") == ["R03"] and url_query(app).get("sector") == ["C"]
    assert app.caption().startswith(f"Showing {FIRST_YEAR}–{LAST_YEAR}; Southmoor; Manufacturing · ")
    _, with_sector = app.metric("Graduates")
    assert 0 < as_number(with_sector) < as_number(after)


def wait_in_chinese(app, bar: str = '[data-testid="stSidebar"] [data-testid="stCaptionContainer"]') -> None:
    """Like App.wait, for a page in Chinese: the caption that says the data version reads 数据版本."""
    page = app.page
    page.wait_for_timeout(200)
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]', state="attached")
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")
    page.wait_for_selector('[data-testid="stSkeleton"], [data-stale="true"]', state="detached")
    page.wait_for_selector(f'{bar}:has-text("数据版本")')
    page.wait_for_timeout(300)


def page_title(app) -> str:
    return app.page.get_by_test_id("stHeading").locator("h1").first.inner_text().strip()


def language_button(app, name: str):
    """A choice of the sidebar's language control (a segmented control)."""
    return app.page.get_by_test_id("stSidebar").get_by_text(name, exact=True)


def sidebar_header(app) -> str:
    return app.page.get_by_test_id("stSidebar").locator("h2").first.inner_text().strip()


def test_the_sidebar_language_switch_changes_the_labels_and_the_url_and_back(app):
    app.open("/?sector=C")
    sidebar = app.page.get_by_test_id("stSidebar")
    assert sidebar_header(app) == "Filters" and page_title(app) == "Overview"

    language_button(app, "简体中文").click()
    wait_in_chinese(app)
    assert sidebar_header(app) == "筛选"
    assert page_title(app) == "总览"
    assert url_query(app).get("lang") == ["zh-CN"] and url_query(app).get("sector") == ["C"]
    assert sidebar.get_by_test_id("stPageLink-NavLink").filter(has_text="供需对比").count() == 1
    assert (
        "Manufacturing"
        in app.page.locator('[data-testid="stSidebar"] [data-testid="stCaptionContainer"]')
        .filter(has_text="数据版本")
        .inner_text()
    )
    # the brief is built on another thread when clicked, still in this session's language
    name, data = download(app, sidebar.get_by_role("button", name="会议简报（HTML）"))
    assert re.fullmatch(r"meeting-brief-Manufacturing-\d{4}-\d{4}-v\d+\.html", name), name
    brief = data.decode("utf-8")
    assert '<html lang="zh-CN">' in brief and "会议简报：人才培养供给与产业需求" in brief

    language_button(app, "English").click()
    app.wait()
    assert sidebar_header(app) == "Filters" and page_title(app) == "Overview"
    assert "lang" not in url_query(app) and url_query(app).get("sector") == ["C"]
    assert app.problems() == []


def test_a_chinese_present_link_opens_the_presentation_in_chinese(app):
    app.open("/")  # the server's first session must open "/" (Streamlit issue 9992)
    app.page.goto(app.base_url + "/?lang=zh-CN&present=1&sector=C")
    wait_in_chinese(app, bar='.st-key-presentation_bar [data-testid="stCaptionContainer"]')
    page = app.page
    assert not page.get_by_test_id("stSidebar").is_visible()
    bar = page.locator(".st-key-presentation_bar").inner_text()
    assert "总览" in bar and "全部地区；Manufacturing · 数据版本" in bar
    assert page.get_by_role("button", name="下一页 ▶").is_visible() and page.get_by_role("button", name="退出演示").is_visible()
    assert page_title(app) == "总览" and "要点：" in page.get_by_test_id("stMain").inner_text()

    page.locator("h1").first.click()  # focus the page, not a widget
    page.keyboard.press("ArrowRight")
    page.wait_for_selector('[data-testid="stHeading"] h1:has-text("供需对比")')
    wait_in_chinese(app, bar='.st-key-presentation_bar [data-testid="stCaptionContainer"]')
    query = url_query(app)
    assert query.get("lang") == ["zh-CN"] and query.get("present") == ["1"] and query.get("sector") == ["C"]
    assert app.problems() == []
