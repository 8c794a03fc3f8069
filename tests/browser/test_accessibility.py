"""Every page can be used without a mouse or without sight, in English and in Chinese: axe-core (the
``axe-playwright-python`` package, which bundles it) finds no serious or critical violation of WCAG 2.1 A
and AA; every chart has an accessible name (its title, then its takeaway where it has one) and a switch
that shows its data as a table; a chart's tool bar is one or two stops of the keyboard's Tab, not eight,
and none on the projector; and the sidebar's filters come before the page's content in tab order.

One server for the module; each language opens every page once in one browser page, and every check of a
page is made on that one load.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .conftest import APP_TIMEOUT_MS, VIEWPORT, streamlit_server

PAGES = (
    "",
    "supply-demand",
    "enrolment-graduates",
    "placements-partners",
    "graduate-outcomes",
    "intake-planning",
    "institution-scorecard",
    "measures-glossary",
    "data-loads",
)
LANGUAGES = ("en", "zh-CN")
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
}
# Violations in markup that Streamlit draws and the app cannot change, each excluded by rule and selector.
STREAMLIT_OWN: dict[str, list[str]] = {}

CHARTS = """
() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stPlotlyChart"]')].map((chart) => ({
  role: chart.getAttribute('role'),
  name: chart.getAttribute('aria-label') || '',
  title: (chart.querySelector('.gtitle') || {textContent: ''}).textContent.trim(),
  toolStops: [...chart.querySelectorAll('.modebar button, .modebar a[href]')].length,
  tableSwitch: (() => {
    let element = chart.closest('[data-testid="stElementContainer"]');
    for (let step = 0; step < 4 && element; step += 1) {
      element = element.nextElementSibling;
      if (element && element.querySelector('[data-testid="stCheckbox"] input[role="switch"], [data-testid="stCheckbox"] input'))
        return true;
    }
    return false;
  })(),
}))
"""


def _settled(page) -> None:
    """Wait until the app has drawn the page it was sent to (in either language)."""
    page.wait_for_timeout(200)
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]', state="attached")
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")
    page.wait_for_selector('[data-testid="stSkeleton"], [data-stale="true"]', state="detached")
    page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stCaptionContainer"]')
    page.wait_for_timeout(200)


TABBED = "supply-demand"  # the page whose tab order is walked
TAB_AREA = """
() => {
  const focused = document.activeElement;
  if (focused.closest('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')) return 'filter';
  if (focused.closest('[data-testid="stMain"]')) return 'content';
  return 'other';
}
"""


def _tab_walk(page) -> list[str]:
    """Where the keyboard's focus goes, Tab after Tab from the top of the page, until it reaches the content."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    areas: list[str] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        areas.append(page.evaluate(TAB_AREA))
        if areas[-1] == "content":
            break
    return areas


@pytest.fixture(scope="module")
def accessibility_server() -> Iterator[str]:
    with streamlit_server("accessibility") as url:
        yield url


def _serious(results: dict) -> list[str]:
    """The serious and critical violations, less the Streamlit ones excluded above, as readable lines."""
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in ("serious", "critical"):
            continue
        excluded = STREAMLIT_OWN.get(violation["id"], [])
        nodes = [node for node in violation["nodes"] if not any(part in excluded for part in node["target"])]
        if nodes:
            targets = "; ".join(str(node["target"]) for node in nodes[:3])
            found.append(f"{violation['id']} ({violation['impact']}, {len(nodes)}×): {violation['help']} at {targets}")
    return found


@pytest.fixture(scope="module")
def audited(browser, accessibility_server: str) -> dict:
    """Every page in every language: axe's findings and the charts' names, tool bars and table switches."""
    from axe_playwright_python.sync_playwright import Axe  # bundles axe-core's script

    script = Axe().axe_script
    results: dict = {}
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in LANGUAGES]
    try:
        pages = []
        for context in contexts:
            context.set_default_timeout(APP_TIMEOUT_MS)
            pages.append(context.new_page())
        for path in PAGES:
            # The languages side by side: both pages load, then axe runs in both, at once.
            for page, language in zip(pages, LANGUAGES):
                page.goto(f"{accessibility_server}/{path}?lang={language}", wait_until="commit")
            for page in pages:
                _settled(page)
                page.evaluate(script)
                page.evaluate("(options) => { window.axeRun = axe.run(document, options); }", AXE_OPTIONS)
            for page, language in zip(pages, LANGUAGES):
                results[(path, language)] = {
                    "violations": _serious(page.evaluate("() => window.axeRun")),
                    "charts": page.evaluate(CHARTS),
                }
                if path == TABBED:
                    results[("tabs", language)] = _tab_walk(page)
    finally:
        for context in contexts:
            context.close()
    return results


IDS = [f"{path or 'overview'}-{language}" for path in PAGES for language in LANGUAGES]
CASES = [(path, language) for path in PAGES for language in LANGUAGES]


@pytest.mark.slow
@pytest.mark.parametrize(("path", "language"), CASES, ids=IDS)
def test_axe_finds_no_serious_or_critical_violation(audited, path, language):
    assert not audited[(path, language)]["violations"], "\n".join(audited[(path, language)]["violations"])


@pytest.mark.slow
@pytest.mark.parametrize(("path", "language"), CASES, ids=IDS)
def test_every_chart_is_named_by_its_title_and_offers_its_data_as_a_table(audited, path, language):
    for chart in audited[(path, language)]["charts"]:
        assert chart["role"] == "figure" and chart["name"], f"the chart {chart['title']!r} has an accessible name"
        # the title as drawn has its lines run together; the name has a space where a line breaks
        assert chart["name"].replace(" ", "").startswith(chart["title"].replace(" ", "").rstrip(".")), chart
        assert chart["tableSwitch"], f"the chart {chart['title']!r} has a switch that shows its data as a table"


@pytest.mark.slow
@pytest.mark.parametrize(("path", "language"), CASES, ids=IDS)
def test_a_chart_s_tool_bar_is_at_most_two_tab_stops(audited, path, language):
    for chart in audited[(path, language)]["charts"]:
        assert chart["toolStops"] <= 2, f"the chart {chart['title']!r} has {chart['toolStops']} tool buttons"


@pytest.mark.slow
def test_the_projector_s_charts_have_no_tool_bar(browser, accessibility_server):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.set_default_timeout(APP_TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(f"{accessibility_server}/supply-demand?present=1")
        page.wait_for_selector('[data-testid="stMain"] [data-testid="stPlotlyChart"] .main-svg')
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")
        charts = page.evaluate(CHARTS)
    finally:
        context.close()
    assert charts and all(chart["toolStops"] == 0 for chart in charts), charts
    assert all(chart["name"] for chart in charts), charts


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sidebar_s_filters_come_before_the_content_in_tab_order(audited, language):
    areas = audited[("tabs", language)]
    assert "filter" in areas, areas
    assert "content" not in areas or areas.index("filter") < areas.index("content"), areas
