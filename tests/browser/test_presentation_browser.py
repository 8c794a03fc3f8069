"""Presentation mode in a real browser: a ``?present=1`` link hides the sidebar and Streamlit's chrome,
shows the filters, and the right arrow key steps to the next page keeping the mode in the URL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse


def wait_presenting(app) -> None:
    """Like App.wait, but the sidebar (and its caption) is hidden in presentation mode."""
    page = app.page
    page.wait_for_timeout(200)
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]', state="attached")
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")
    page.wait_for_selector('[data-testid="stSkeleton"], [data-stale="true"]', state="detached")
    page.wait_for_selector('.st-key-presentation_bar [data-testid="stCaptionContainer"]:has-text("data version")')
    page.wait_for_timeout(300)


def test_a_present_link_opens_in_presentation_mode_and_the_arrow_key_moves_on(app):
    app.open("/")  # the server's first session must open "/" (Streamlit issue 9992, see test_browser_first_session.py)
    app.page.goto(app.base_url + "/?present=1&sector=C")
    wait_presenting(app)
    page = app.page
    assert not page.get_by_test_id("stSidebar").is_visible()
    assert not page.get_by_test_id("stToolbar").is_visible()
    assert not page.get_by_test_id("stHeader").is_visible()
    bar = page.locator(".st-key-presentation_bar")
    assert bar.is_visible()
    assert "Overview" in bar.inner_text() and "all regions; Manufacturing · data version" in bar.inner_text()
    assert "Takeaway:" in page.get_by_test_id("stMain").inner_text()

    page.locator("h1").first.click()  # focus the page, not a widget
    page.keyboard.press("ArrowRight")
    page.wait_for_selector('[data-testid="stHeading"] h1:has-text("Supply vs demand")')
    wait_presenting(app)
    query = parse_qs(urlparse(page.url).query)
    assert urlparse(page.url).path.endswith("/supply-demand")
    assert query.get("present") == ["1"] and query.get("sector") == ["C"]
    assert not page.get_by_test_id("stSidebar").is_visible()
    assert app.problems() == []
