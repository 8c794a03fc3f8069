"""Names that are markup, in a real browser: a server of this module's own fills its
database from tests/fixtures/hostile, whose names hold Markdown, HTML, Streamlit's
directives and shortcodes and LaTeX. The Overview, Supply vs demand and Data pages
(with an uploaded file whose name is Markdown) must show them as text: no live link
to the fixture's address, no image, icon, emoji, colour or formula made from them,
and the names readable exactly as typed, in the page and in the charts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import App, first_visit, streamlit_server

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
# Every region and sector chosen (the sector code <i>J</i> written for a URL), in 2023: the sidebar names them all.
EVERY_NAME = "?from=2023&to=2023&region=R1&region=R2&region=R3&sector=Q&sector=%3Ci%3EJ%3C%2Fi%3E"
REGIONS = ("**bold** 北方", "[evil](http://evil.example)", '<a href="http://evil.example">x</a>')
SECTORS = ("<b>b</b> Health :red[red]", "<img src=x onerror=alert(1)> ICT")
FILE_NAME = "**bold** [evil](http://evil.example).csv"
# What a renderer would have made of the names: links (HTML and SVG), images, Streamlit's icons,
# logo and coloured text, KaTeX formulas.
MADE_FROM_MARKUP = (
    'a[href*="evil.example"], a[*|href*="evil.example"], img[onerror], img[src="x"], '
    'img[alt="Streamlit logo"], [aria-label="home icon"], [class*="stMarkdownColored"], .katex, '
    'strong:text-is("bold"), em:text-is("Software")'
)
WORD_JOINER = "\u2060"


@pytest.fixture(scope="module")
def hostile_server(browser) -> Iterator[str]:
    """A server whose embedded database holds tests/fixtures/hostile; "/" opened once first (Streamlit issue 9992)."""
    with streamlit_server("hostile", environment={"SAMPLE_DATA_DIR": str(HOSTILE)}) as url:
        first_visit(browser, url)
        yield url


@pytest.fixture
def app(page, hostile_server: str) -> App:
    return App(page, hostile_server)


def made_from_markup(app: App) -> list[str]:
    """The elements a renderer made from markup, as HTML, anywhere in the page (charts included)."""
    return app.page.locator(MADE_FROM_MARKUP).evaluate_all("elements => elements.map(e => e.outerHTML)")


def page_text(app: App) -> str:
    """The text of the app as a reader sees it (the invisible joiners that break Streamlit's shortcodes left out)."""
    return app.page.get_by_test_id("stApp").inner_text().replace(WORD_JOINER, "")


def chart_texts(app: App) -> list[str]:
    """The texts Plotly drew in the charts' SVG (titles, ticks, legends, bar texts), each as one string (the lines
    of a text Plotly wrapped joined by a space)."""
    app.page.wait_for_selector(".js-plotly-plot .main-svg")
    return app.page.locator(".js-plotly-plot .main-svg text").evaluate_all(
        "texts => texts.map(text => { const lines = text.querySelectorAll('tspan.line');"
        " return lines.length ? Array.from(lines, line => line.textContent).join(' ') : text.textContent; })"
    )


def test_the_overview_and_supply_vs_demand_show_names_as_typed(app):
    app.open("/" + EVERY_NAME)
    assert app.problems() == []
    assert made_from_markup(app) == []
    shown = page_text(app)
    for name in (*REGIONS, *SECTORS):
        assert name in shown, name  # in the sidebar's description of the filters, and in the gap sentences
    assert f"{SECTORS[0]} has the largest shortage in 2023" in shown

    app.nav("Supply vs demand")
    assert app.problems() == []
    texts = chart_texts(app)
    assert made_from_markup(app) == []
    assert SECTORS[1] in texts and SECTORS[0] in texts  # the bars' axis
    assert REGIONS[2] in texts and REGIONS[0] in texts  # the heat map's axis
    assert texts.count(SECTORS[0]) >= 2  # the bars' axis and the heat map's (both by name)
    assert any(text.startswith("Supply and demand by sector") and REGIONS[1] in text for text in texts)  # a title
    bar = app.page.locator(".js-plotly-plot").first.locator(".bars .point path").first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()  # Plotly's drag layer lies over the bars: the pointer is moved, not the bar hovered
    app.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    app.page.wait_for_selector(".js-plotly-plot .hoverlayer .hovertext")
    hover = app.page.locator(".js-plotly-plot .hoverlayer .hovertext").first.text_content()
    assert any(name in hover for name in SECTORS), hover
    assert made_from_markup(app) == []


def test_a_sector_clicked_in_a_chart_narrows_the_page_by_its_code_as_stored(app):
    app.open("/enrolment-graduates?to=2023")
    chart = app.page.locator(".js-plotly-plot").nth(2)  # graduates and enrolled by sector; ICT (<i>J</i>) is the first bar
    bar = chart.locator(".bars .point path").first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    app.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    app.wait()
    assert app.problems() == []
    assert made_from_markup(app) == []
    assert f"Narrowed to sector: {SECTORS[1]}" in page_text(app)


def test_the_scorecard_shows_an_institution_named_with_latex_and_shortcodes_as_typed(app):
    app.open("/")
    app.nav("Institution scorecard")
    app.page.get_by_test_id("stSelectbox").filter(has_text="Institution").click()
    app.page.get_by_role("option", name="$x^2$ :smile: :streamlit: School (I2) · [evil](http://evil.example)").click()
    app.wait()
    assert app.problems() == []
    assert made_from_markup(app) == []
    shown = page_text(app)
    assert "How $x^2$ :smile: :streamlit: School compares with its region" in shown
    assert "😄" not in shown
    assert ":red[school] in [evil](http://evil.example)" in shown  # its type and region in the caption


def test_the_data_page_shows_an_uploaded_file_name_as_typed(app):
    app.open("/")
    app.nav("Data")
    assert made_from_markup(app) == []
    app.page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(
        files=[
            {
                "name": FILE_NAME,
                "mimeType": "text/csv",
                "buffer": b"region_code,region_name,<img src=x onerror=alert(1)>\nR9,[x](http://evil.example),1\n",
            }
        ]
    )
    app.wait()
    shown = page_text(app)
    assert app.problems() == []
    assert made_from_markup(app) == []
    assert f"Choose the table of {FILE_NAME}" in shown  # the warning
    assert f"{FILE_NAME} ·" in shown  # the file's line
    assert f"Preview of {FILE_NAME}" in shown  # the preview's label

    app.page.get_by_test_id("stSelectbox").filter(has_text="Table").click()
    app.page.get_by_role("option", name="regions", exact=True).click()
    app.wait()
    app.page.get_by_role("button", name="Check files").click()
    app.wait()
    assert made_from_markup(app) == []
    assert "<img src=x onerror=alert(1)>" in page_text(app)  # the warning naming the column it ignores
