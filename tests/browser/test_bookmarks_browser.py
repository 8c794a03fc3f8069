"""Links and history in a real browser (ui/bookmarks.py): the browser's Back undoes a filter change and
Forward redoes it, and a link opens a page's group-by and chart selection.

Fixtures and the ``App`` helper are in conftest.py beside this file.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse


def url_query(app) -> dict[str, list[str]]:
    return parse_qs(urlparse(app.page.url).query)


def chosen_grouping(app) -> str:
    """The option shown as chosen in the Enrolment page's "Group by"."""
    return app.page.locator(".st-key-enrolment_group").get_by_role("radio", checked=True).inner_text().strip()


def _until(app, label: str, chosen: list[str], seconds: float = 20) -> None:
    """Wait (up to ``seconds``) until the multiselect ``label`` shows ``chosen``; the caller asserts it."""
    for _ in range(int(seconds * 4)):
        if app.multiselect_chosen(label) == chosen:
            return
        app.page.wait_for_timeout(250)
    app.wait()


def test_back_undoes_a_region_filter_change_and_forward_redoes_it(app):
    app.open("/?sector=Q")
    caption, url = app.caption(), app.page.url
    assert app.multiselect_chosen("Regions") == []
    assert caption.startswith("Showing 2019–2025; all regions; Human health and social work activities · data version ")

    app.choose("Regions", "Southmoor (R03)")
    app.page.wait_for_url(re.compile(r"[?&]region=R03\b"))
    assert app.caption().startswith("Showing 2019–2025; Southmoor; Human health and social work activities · ")

    app.page.go_back()
    app.page.wait_for_url(lambda now: "region=" not in now)
    app.wait()
    _until(app, "Regions", [])  # the rerun that Back starts may begin after the page looked idle
    assert app.multiselect_chosen("Regions") == []
    assert app.multiselect_chosen("Sectors") == ["Human health and social work activities (Q)"]
    assert app.caption() == caption
    assert app.page.url == url and url_query(app) == {"sector": ["Q"]}

    app.page.go_forward()
    app.page.wait_for_url(re.compile(r"[?&]region=R03\b"))
    app.wait()
    _until(app, "Regions", ["Southmoor (R03)"])
    assert app.multiselect_chosen("Regions") == ["Southmoor (R03)"]
    assert app.caption().startswith("Showing 2019–2025; Southmoor; Human health and social work activities · ")
    assert app.problems() == []


def test_a_link_opens_the_enrolment_page_grouped_and_narrowed_and_back_undoes_a_group_change(app):
    app.open("/enrolment-graduates?group=region&sel_enrolment=Q")
    assert chosen_grouping(app) == "Region"
    assert (
        app.page.get_by_test_id("stAlert")
        .filter(has_text="Narrowed to sector:")
        .inner_text()
        .endswith("Human health and social work activities")
    )

    app.page.locator(".st-key-enrolment_group").get_by_role("radio", name="Institution type").click()
    app.page.wait_for_url(re.compile(r"[?&]group=type\b"))
    app.wait()
    assert chosen_grouping(app) == "Institution type"

    app.page.go_back()
    app.page.wait_for_url(re.compile(r"[?&]group=region\b"))
    app.wait()
    assert chosen_grouping(app) == "Region"
    assert url_query(app).get("sel_enrolment") == ["Q"]
    assert app.problems() == []


def test_a_page_change_is_one_history_entry_and_back_returns_to_the_view_before_it(app):
    """Streamlit's own page menu pushed two entries for one page change, the first without the filters, so
    Back showed a view nobody saw (every filter cleared). The menu's links carry the query: one entry, in
    either language."""
    for language, overview, supply in (("en", "Overview", "Supply vs demand"), ("zh-CN", "总览", "供需对比")):
        app.page.goto(f"{app.base_url}/?region=R03&lang={language}")
        app.page.wait_for_selector(f'[data-testid="stHeading"] h1:has-text("{overview}")')
        app.page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")
        entries = app.page.evaluate("history.length")
        app.page.get_by_test_id("stSidebar").get_by_test_id("stPageLink-NavLink").filter(has_text=supply).click()
        app.page.wait_for_selector(f'[data-testid="stHeading"] h1:has-text("{supply}")')
        app.page.wait_for_url(re.compile(r"/supply-demand\?.*region=R03"))
        assert app.page.evaluate("history.length") == entries + 1
        app.page.go_back()
        app.page.wait_for_selector(f'[data-testid="stHeading"] h1:has-text("{overview}")')
        assert urlparse(app.page.url).path == "/" and url_query(app)["region"] == ["R03"]
        assert app.multiselect_chosen("地区" if language == "zh-CN" else "Regions") == ["Southmoor (R03)"]
        assert app.problems() == []
