"""The projector screens use the window they are shown in, and their words can be read: at 1280×720 and at
1920×1080, in English and in Chinese, no two texts of a screen's main chart (axis labels, value labels,
point names, legend, title, notes) overlap, none is cut off by the chart's edges, the chart takes the room
the window has (its height follows the window, not a zoom the presenter must set), and a click on the slide
followed by Next's arrow key draws no focus frame across the next screen. The Enrolment screen's takeaway
names only groups its chart shows.

One server for the module; each window size and language opens one browser page and steps through the
screens with the arrow key, as at a meeting. Set ``FIT_SCREENSHOTS`` to a folder to keep a screenshot of
every screen measured.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import APP_TIMEOUT_MS, streamlit_server
from .helpers import SCREENS, SIZES, TAKEAWAY

LANGUAGES = tuple(TAKEAWAY)
SLACK = 1.5  # px two boxes may share (anti-aliasing, a glyph's side bearing) before they count as overlapping

# Every text of the first chart of the main area, with the box of the chart, of its plot area, and whether the
# text is drawn inside a clipped layer (cut off where it leaves the plot area); the takeaway and bar boxes.
MEASURE = """
(takeawayStart) => {
  const box = (r) => ({top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height});
  const main = document.querySelector('[data-testid="stMain"]');
  const chart = main.querySelector('[data-testid="stPlotlyChart"]');
  const plot = chart.querySelector('.nsewdrag');
  const selectors = ['.xtick text', '.ytick text', '.legendtext', '.bartext', '.textpoint text', '.annotation-text',
                     '.gtitle', '.g-xtitle text', '.g-ytitle text'];
  const texts = [...chart.querySelectorAll(selectors.join(', '))]
    .filter((element) => element.textContent.trim() && getComputedStyle(element).visibility !== 'hidden'
            && element.closest('[display="none"]') === null)
    .map((element) => ({
      text: element.textContent.trim(),
      kind: selectors.find((selector) => element.matches(selector)),
      clipped: element.closest('.cartesianlayer [clip-path]') !== null,
      ...box(element.getBoundingClientRect()),
    }))
    .filter((b) => b.width > 0 && b.height > 0);
  const takeaways = [...main.querySelectorAll('[data-testid="stMarkdownContainer"]')]
    .filter((element) => element.innerText.trim().startsWith(takeawayStart));
  return {
    chart: box(chart.getBoundingClientRect()),
    plot: plot ? box(plot.getBoundingClientRect()) : null,
    texts,
    takeaway: takeaways.length ? takeaways[0].innerText.trim() : null,
    ticks: [...chart.querySelectorAll('.ytick text')].map((element) => element.textContent.trim()),
    bar: box(document.querySelector('.st-key-presentation_bar').getBoundingClientRect()),
    problems: [...document.querySelectorAll('[data-testid="stException"], [data-testid="stDialog"]')]
      .map((element) => element.innerText.trim()),
  };
}
"""

FOCUS_FRAME = """
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const frame = getComputedStyle(main, '::before');
  const drawn = frame.display !== 'none' && frame.boxShadow !== 'none';
  return {focused: document.activeElement === main, frame: drawn ? frame.boxShadow : null};
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
    # Plotly sizes the chart to its element after the first draw: wait until the drawing has the element's height.
    page.wait_for_function(
        """() => {
          const chart = document.querySelector('[data-testid="stMain"] [data-testid="stPlotlyChart"]');
          const svg = chart && chart.querySelector('.main-svg');
          return svg && Math.abs(svg.getBoundingClientRect().height - chart.getBoundingClientRect().height) < 2;
        }"""
    )
    page.wait_for_timeout(300)


@pytest.fixture(scope="module")
def projector_server() -> Iterator[str]:
    with streamlit_server("projector") as url:
        yield url


@pytest.fixture(scope="module")
def measured(browser, projector_server: str) -> dict:
    """Every screen at every size in every language, measured once. The first step to the second screen is
    made as a presenter does: a click on the slide, then the right arrow key (Next's shortcut)."""
    folder = Path(os.environ["FIT_SCREENSHOTS"]) if os.environ.get("FIT_SCREENSHOTS") else None
    results: dict = {}
    for width, height in SIZES:
        for language in LANGUAGES:
            context = browser.new_context(viewport={"width": width, "height": height})
            context.set_default_timeout(APP_TIMEOUT_MS)
            try:
                page = context.new_page()
                page.goto(f"{projector_server}/{SCREENS[0]}?present=1&lang={language}")
                for number, screen in enumerate(SCREENS):
                    if number:
                        if number == 1:
                            page.locator('[data-testid="stMain"] h1').click()  # a click on the slide's title
                        page.keyboard.press("ArrowRight")
                        page.wait_for_url(re.compile(f"/{screen}\\?"))
                    _settled(page)
                    results[(screen, width, language)] = page.evaluate(MEASURE, TAKEAWAY[language])
                    if number == 1:
                        results[("focus", width, language)] = page.evaluate(FOCUS_FRAME)
                    if folder is not None:
                        folder.mkdir(parents=True, exist_ok=True)
                        page.screenshot(path=str(folder / f"{screen or 'overview'}-{width}x{height}-{language}.png"))
            finally:
                context.close()
    return results


def _overlap(first: dict, second: dict) -> float:
    """The smaller side of the area two boxes share (0 when they do not meet)."""
    across = min(first["right"], second["right"]) - max(first["left"], second["left"])
    down = min(first["bottom"], second["bottom"]) - max(first["top"], second["top"])
    return max(0.0, min(across, down))


CASES = [(screen, width, language) for screen in SCREENS for width, _ in SIZES for language in LANGUAGES]
IDS = [f"{screen or 'overview'}-{width}-{language}" for screen, width, language in CASES]


@pytest.mark.slow
@pytest.mark.parametrize(("screen", "width", "language"), CASES, ids=IDS)
def test_no_two_texts_of_the_main_chart_overlap(measured, screen, width, language):
    texts = measured[(screen, width, language)]["texts"]
    assert texts, "the chart has texts"
    clashes = [
        f"{first['kind']} {first['text']!r} and {second['kind']} {second['text']!r}"
        for number, first in enumerate(texts)
        for second in texts[number + 1 :]
        if _overlap(first, second) > SLACK
    ]
    assert not clashes, clashes


@pytest.mark.slow
@pytest.mark.parametrize(("screen", "width", "language"), CASES, ids=IDS)
def test_every_text_of_the_main_chart_is_drawn_whole(measured, screen, width, language):
    boxes = measured[(screen, width, language)]
    chart, plot = boxes["chart"], boxes["plot"]
    for text in boxes["texts"]:
        inside = chart["top"] - SLACK <= text["top"] and text["bottom"] <= chart["bottom"] + SLACK
        inside = inside and chart["left"] - SLACK <= text["left"] and text["right"] <= chart["right"] + SLACK
        assert inside, f"{text['kind']} {text['text']!r} lies inside the chart: {text} in {chart}"
        if text["clipped"] and plot is not None:  # a text in a clipped layer is cut where it leaves the plot
            within = plot["top"] - SLACK <= text["top"] and text["bottom"] <= plot["bottom"] + SLACK
            assert within, f"{text['kind']} {text['text']!r} is cut off by the plot's edge: {text} in {plot}"
    assert not boxes["problems"], boxes["problems"]


@pytest.mark.slow
@pytest.mark.parametrize(("screen", "width", "language"), CASES, ids=IDS)
def test_the_chart_takes_the_room_the_window_has(measured, screen, width, language):
    boxes = measured[(screen, width, language)]
    height = dict(SIZES)[width]
    chart, bar = boxes["chart"], boxes["bar"]
    # Under the chart only its takeaway (at most three lines of the screen's type) before the bottom bar.
    room_below = bar["top"] - chart["bottom"]
    assert room_below <= 0.2 * height, f"the chart ends {room_below:.0f} px above the bottom bar"
    assert chart["height"] >= 0.4 * height, f"the chart is {chart['height']:.0f} px of a {height} px window"


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_larger_window_shows_a_larger_chart(measured, language):
    for screen in SCREENS:
        small, large = (measured[(screen, width, language)]["chart"]["height"] for width, _ in SIZES)
        assert large >= 1.35 * small, f"{screen or 'overview'}: {small:.0f} px at 1280×720, {large:.0f} px at 1920×1080"


@pytest.mark.slow
@pytest.mark.parametrize("width", [w for w, _ in SIZES])
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_click_on_the_slide_and_next_draw_no_focus_frame(measured, width, language):
    focus = measured[("focus", width, language)]
    assert focus["frame"] is None, f"a focus frame is drawn over the screen: {focus}"


@pytest.mark.slow
@pytest.mark.parametrize("width", [w for w, _ in SIZES])
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_enrolment_takeaway_names_groups_its_chart_shows(measured, width, language):
    boxes = measured[("enrolment-graduates", width, language)]
    shown = [tick.rstrip("…") for tick in boxes["ticks"]]
    named = re.findall(r"(?:in|是)\s*(.+?)\s*[（(][+-]", boxes["takeaway"])
    assert named, boxes["takeaway"]
    for name in named:
        assert any(name.startswith(tick) for tick in shown), f"{name!r} is not on the chart: {shown}"
