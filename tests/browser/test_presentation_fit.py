"""Every presentation screen fits the projector: at 1280×720 and at 1920×1080, in English and in Chinese,
the screen's main chart (its plot, its axis labels and its legend), its headline figures and its takeaway
lie within the window above the bottom bar, without scrolling. (Screens are laid out for 1280×720; on a
1920×1080 projector the browser's zoom at 150 % shows the same screen larger.)

Set ``FIT_SCREENSHOTS`` to a folder to keep a screenshot of every screen measured.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .conftest import APP_TIMEOUT_MS
from .helpers import SCREENS, SIZES, TAKEAWAY

LANGUAGES = TAKEAWAY  # language -> the first word of its takeaway

# Boxes of what must be seen, in the window's coordinates: the first chart of the main area with its tick
# labels and legend, the headline figures and the takeaway, and the top of the bottom bar.
MEASURE = """
(takeawayStart) => {
  const box = (element) => {
    const r = element.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height};
  };
  const text = (element) => {  // the box of the words, without the paragraph's margin
    const range = document.createRange();
    range.selectNodeContents(element);
    return box(range);
  };
  const main = document.querySelector('[data-testid="stMain"]');
  const chart = main.querySelector('[data-testid="stPlotlyChart"]');
  const parts = chart ? [...chart.querySelectorAll('.xtick text, .ytick text, .legend, .g-xtitle, .g-ytitle, .gtitle')]
    .map(box).filter((b) => b.width > 0 && b.height > 0) : [];
  const takeaways = [...main.querySelectorAll('[data-testid="stMarkdownContainer"]')]
    .filter((element) => element.innerText.trim().startsWith(takeawayStart));
  return {
    bar: box(document.querySelector('.st-key-presentation_bar')),
    chart: chart ? box(chart) : null,
    parts,
    metrics: [...main.querySelectorAll('[data-testid="stMetric"]')].map(box),
    takeaway: takeaways.length ? text(takeaways[0]) : null,
    scrolled: main.scrollTop,
    problems: [...document.querySelectorAll('[data-testid="stException"], [data-testid="stDialog"]')]
      .map((element) => element.innerText.trim()),
  };
}
"""


def _settled(page) -> None:
    """Wait until the screen is drawn: the script done, nothing stale, the bar and the main chart shown."""
    page.wait_for_timeout(200)
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]', state="attached")
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")
    page.wait_for_selector('[data-testid="stSkeleton"], [data-stale="true"]', state="detached")
    page.wait_for_selector('.st-key-presentation_bar [data-testid="stCaptionContainer"]')
    page.wait_for_selector('[data-testid="stMain"] [data-testid="stPlotlyChart"] .main-svg')


def _measure(page, takeaway_start: str) -> dict:
    """The boxes once they hold still: Plotly sizes the chart to its column after the first draw, so the screen is
    measured until two measures 150 ms apart agree."""
    boxes = page.evaluate(MEASURE, takeaway_start)
    for _ in range(APP_TIMEOUT_MS // 150):
        page.wait_for_timeout(150)
        again = page.evaluate(MEASURE, takeaway_start)
        if again == boxes:
            break
        boxes = again
    return boxes


@pytest.fixture(scope="module")
def measured(browser, app_server: str) -> dict:
    """Every screen at every size in every language, measured once (one server for the module): a prepared
    link opens the first screen, then Next (the right arrow key) steps through the others, as at a meeting."""
    folder = Path(os.environ["FIT_SCREENSHOTS"]) if os.environ.get("FIT_SCREENSHOTS") else None
    results = {}
    for width, height in SIZES:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(APP_TIMEOUT_MS)
        try:
            page = context.new_page()
            for language, takeaway_start in LANGUAGES.items():
                page.goto(f"{app_server}/{SCREENS[0]}?present=1&lang={language}")
                for number, screen in enumerate(SCREENS):
                    if number:
                        page.keyboard.press("ArrowRight")  # Next's shortcut
                        page.wait_for_url(re.compile(f"/{screen}\\?"))
                    _settled(page)
                    results[(screen, width, language)] = _measure(page, takeaway_start)
                    if folder is not None:
                        folder.mkdir(parents=True, exist_ok=True)
                        page.screenshot(path=str(folder / f"{screen or 'overview'}-{width}x{height}-{language}.png"))
        finally:
            context.close()
    return results


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", [w for w, _ in SIZES])
@pytest.mark.parametrize("screen", SCREENS)
def test_the_main_chart_its_axes_and_its_takeaway_fit_above_the_bottom_bar(measured, screen, width, language):
    boxes = measured[(screen, width, language)]
    height = dict(SIZES)[width]
    bar_top = boxes["bar"]["top"]
    assert height - 130 <= bar_top <= height, "the bottom bar sits at the bottom of the window"
    assert boxes["scrolled"] == 0
    assert boxes["chart"] is not None, "the screen shows its main chart"
    assert boxes["takeaway"] is not None, "the screen says its takeaway"
    assert boxes["parts"], "the chart has tick labels"
    seen = {"chart": boxes["chart"], "takeaway": boxes["takeaway"]}
    seen.update({f"chart part {i}": part for i, part in enumerate(boxes["parts"])})
    seen.update({f"headline figure {i}": metric for i, metric in enumerate(boxes["metrics"])})
    for name, box in seen.items():
        assert box["top"] >= 0 and box["left"] >= 0 and box["right"] <= width, f"{name} lies inside the window: {box}"
        assert box["bottom"] <= bar_top + 1, f"{name} ends above the bottom bar (top {bar_top:.0f} px): {box}"
    assert boxes["chart"]["height"] >= 0.4 * 720, "the chart takes a good part of the screen"
    assert not boxes["problems"], boxes["problems"]
