"""The first browser session of a freshly started server: URL filters kept across pages, deep links, no dialog.

Fixtures and the ``App`` helper (waits, sidebar caption, metrics, multiselects)
are in conftest.py beside this file; what the tests read from a page is in helpers.py.
"""

from __future__ import annotations

from urllib.parse import urlparse

from .helpers import url_query


def assert_filters_kept(app, path: str) -> None:
    """The URL and the sidebar still hold from=2021, region=R01, sector=Q."""
    assert urlparse(app.page.url).path == path
    query = url_query(app)
    assert query.get("from") == ["2021"], app.page.url
    assert query.get("region") == ["R01"], app.page.url
    assert query.get("sector") == ["Q"], app.page.url
    assert app.multiselect_chosen("Regions") == ["Corvane City (R01)"]
    assert app.multiselect_chosen("Sectors") == ["Human health and social work activities (Q)"]
    assert app.caption().startswith("Showing 2021–2025; Corvane City; Human health and social work activities · data version ")


def test_the_first_session_after_a_fresh_server_start_keeps_url_filters_across_page_changes(first_session_app):
    app = first_session_app
    app.open("/?from=2021&region=R01&sector=Q")
    assert_filters_kept(app, "/")

    app.nav("Supply vs demand")
    assert_filters_kept(app, "/supply-demand")

    app.nav("Overview")
    assert_filters_kept(app, "/")

    app.page.reload()
    app.wait()
    assert_filters_kept(app, "/")


def test_the_first_session_after_a_fresh_server_start_can_open_a_deep_link_without_a_dialog(first_session_app):
    """Streamlit runs a pages/ folder by its file names until st.navigation has run once in the server (its
    issue 9992): started by ui.serve, the very first visit gets the app's own pages, and /overview, the
    Overview's name, opens it at "/" rather than Streamlit's "Page not found", in either language."""
    app = first_session_app
    app.open("/supply-demand?region=R01")
    assert app.page.get_by_test_id("stHeading").locator("h1").inner_text() == "Supply vs demand"
    assert app.multiselect_chosen("Regions") == ["Corvane City (R01)"]
    links = app.page.get_by_test_id("stSidebar").get_by_test_id("stPageLink-NavLink").all_inner_texts()
    titles = [link.strip().splitlines()[-1] for link in links]  # after the icon's name, where it is drawn as text
    assert titles[:3] == ["Overview", "Supply vs demand", "Enrolment and graduates"] and "home" not in titles
    assert app.problems() == []

    for language, heading in (("en", "Overview"), ("zh-CN", "总览")):
        app.page.goto(f"{app.base_url}/overview?region=R01&region=R02&lang={language}")
        app.page.wait_for_url(lambda now: urlparse(now).path == "/")
        app.page.wait_for_selector(f'[data-testid="stHeading"] h1:has-text("{heading}")')
        app.page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")
        assert url_query(app)["region"] == ["R01", "R02"]  # every value of a repeated parameter
        assert app.problems() == []
