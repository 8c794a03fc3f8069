"""The meeting brief: a self-contained HTML file built from the tiny fixture
(tests/fixtures/README.md), checked for its numbers, its charts, that it links to
nothing outside itself, that names from users' files are escaped, and its print CSS."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from plotly.offline import get_plotlyjs
from sqlalchemy.orm import Session

from data_access.filters import Filters
from data_access.loading import load_paths
from tests.conftest import TINY, write_csv
from ui.brief import build_brief, meeting_brief_file

CHARTS = 6  # supply vs demand, coverage heat map, trend, placements vs gaps, in-field vs coverage, projected gap
GENERATED = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
HOSTILE_NAME = "<script>alert(1)</script>"


class _Document(HTMLParser):
    """Every tag with its attributes, the text of each <script> and <style>, and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._inside: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._inside = tag
            (self.scripts if tag == "script" else self.styles).append("")

    def handle_endtag(self, tag):
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data):
        if self._inside == "script":
            self.scripts[-1] += data
        elif self._inside == "style":
            self.styles[-1] += data
        else:
            self.text.append(data)

    @property
    def visible_text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text))


def parse(document: str) -> _Document:
    parsed = _Document()
    parsed.feed(document)
    parsed.close()
    return parsed


def brief(engine, **options) -> str:
    options.setdefault("generated_at", GENERATED)
    with Session(engine) as session:
        return build_brief(session, **options)


@pytest.fixture(scope="module")
def tiny_brief(tiny_reader):
    """``brief`` on the tiny fixture, each brief built once per module and database: the tests only read them."""
    built: dict[tuple, str] = {}

    def cached(filters: Filters, hide_below: int = 0) -> str:
        if (filters, hide_below) not in built:
            options = {"hide_below": hide_below} if hide_below else {}
            built[filters, hide_below] = brief(tiny_reader, filters=filters, **options)
        return built[filters, hide_below]

    return cached


@pytest.fixture
def brief_2023(tiny_brief) -> str:
    return tiny_brief(Filters(2023, 2023))


def test_the_brief_is_a_complete_utf8_html_document_in_english(brief_2023):
    assert brief_2023.startswith("<!DOCTYPE html>")
    tags = parse(brief_2023).tags
    assert ("html", {"lang": "en"}) in tags
    assert ("meta", {"charset": "utf-8"}) in tags
    assert brief_2023.rstrip().endswith("</html>")


def test_the_brief_names_its_filters_data_version_and_generation_time(brief_2023):
    text = parse(brief_2023).visible_text
    assert "Filters 2023; all regions; all sectors" in text
    assert "Data version 1" in text
    assert "Generated 2025-03-04 09:30 UTC" in text


def test_the_headline_figures_are_those_of_the_overview_for_2023(brief_2023):
    text = parse(brief_2023).visible_text
    # tiny fixture, 2023: 42 graduates, 75 openings known, coverage over the measured cells 42/70 (Remote's 5
    # openings have no known supply: it has no institution), destination 33/38, in field 18/26, 10 placed
    for shown in (
        "Graduates (2023) 42",
        "Openings (2023) 75",
        "Coverage ratio (2023) 0.60",
        "Coverage 0.60 compares 42 graduates of programs linked to a sector",
        "with 70 openings, in the 4 region-sector cells where both are known. Not in it: 5 openings where graduates are not known.",
        "Destination rate (2023) 86.8%",
        "In-field rate (2023) 69.2%",
        "Students placed (2023) 10",
    ):
        assert shown in text


def test_the_largest_shortage_is_said_in_words_with_its_numbers(brief_2023):
    text = parse(brief_2023).visible_text
    assert "Health in North: 30 fewer graduates than openings (30 against 60; coverage 0.50)." in text
    assert "ICT: 2 more graduates than openings (12 against 10; coverage 1.20)." in text


def test_each_chart_has_a_takeaway_computed_from_its_numbers(brief_2023):
    text = parse(brief_2023).visible_text
    # the pages' own takeaways (ui/takeaways.py), worded the same way in the brief
    # Health over its measured cells: North 30/60, South 0/0 (Remote's supply is unknown)
    assert "Health has the largest shortage in 2023: 30 fewer graduates than openings (coverage 0.50)." in text
    # among cells with at least 20 openings (Remote's 5 openings are too few to call "the lowest coverage")
    assert (
        "Among regions and sectors with at least 20 openings, the lowest coverage in 2023 is Health in North: 0.50, "
        "30 graduates for 60 openings."
    ) in text
    assert "Supply and demand can be compared for at most one year in this selection" in text
    assert "Shortage sectors (1) get 17 placements per 100 openings from 1 partner employer" in text  # 10 / 60
    assert (
        "ICT graduates work in their field least often: 50.0% of those employed, against 69.2% overall (coverage 1.20)." in text
    )
    assert "Outcomes are those of the graduates of 2023 (the latest cohort surveyed)" in text


def test_the_trend_takeaway_compares_the_first_and_last_year_with_both_sides(tiny_brief):
    text = parse(tiny_brief(Filters(2023, 2024))).visible_text
    # 2024 has no openings, so only 2023 has both sides: no trend to show
    assert "Supply and demand can be compared for at most one year in this selection, so there is no trend to show." in text


def test_plotly_js_is_inline_exactly_once_and_every_chart_uses_it(brief_2023):
    parsed = parse(brief_2023)
    plotly_js = get_plotlyjs()
    assert [script for script in parsed.scripts if script == plotly_js] == [plotly_js]
    assert brief_2023.count(plotly_js[:200]) == 1
    assert brief_2023.index(plotly_js[:200]) < brief_2023.index("</head>")
    charts = [attrs for tag, attrs in parsed.tags if tag == "div" and "plotly-graph-div" in attrs.get("class", "")]
    assert len(charts) == CHARTS
    assert brief_2023.count("Plotly.newPlot(") == CHARTS


def test_the_brief_loads_nothing_from_outside_the_file(brief_2023):
    parsed = parse(brief_2023)
    references = [
        (tag, name, value)
        for tag, attrs in parsed.tags
        for name, value in attrs.items()
        if name in ("src", "href", "srcset", "data", "poster", "action") and value
    ]
    assert references == []
    assert not any(tag in ("link", "iframe", "img", "object", "embed", "base") for tag, _ in parsed.tags)
    assert not any(re.search(r"url\(|@import", style) for style in parsed.styles)
    # Outside plotly.js itself (which names its own site in comments and error messages), no web address at all.
    plotly_js = get_plotlyjs()
    rest = brief_2023.replace(plotly_js, "")
    assert not re.search(r"https?://|//cdn", rest)


def test_the_mode_bar_keeps_the_png_download_without_logo_or_cloud_upload(brief_2023):
    assert brief_2023.count('"toImageButtonOptions": {"format": "png", "scale": 2}') == CHARTS
    assert brief_2023.count('"displaylogo": false') == CHARTS
    assert brief_2023.count('"showSendToCloud": false') == CHARTS


def test_print_css_gives_a4_pages_with_a_chart_per_page_and_no_mode_bar(brief_2023):
    style = "".join(parse(brief_2023).styles)
    printed = style[style.index("@media print") :]
    assert "size: A4" in style
    assert re.search(r"\.chart-section \{[^}]*break-before: page[^}]*break-inside: avoid", printed)
    assert re.search(r"\.modebar[^{]*\{ display: none !important; \}", printed)
    assert "print-color-adjust: exact" in printed
    assert '"Noto Sans CJK SC"' in style


def test_every_chart_is_drawn_a4_wide_and_no_taller_than_a_page_leaves(tiny_brief):
    from ui.brief import CHART_HEIGHT, CHART_WIDTH

    document = tiny_brief(Filters(2023, 2024))
    sizes = [(int(w), int(h)) for w, h in re.findall(r'"width":(\d+),"autosize":false[^<]*?"height":(\d+)', document)]
    sizes += [(int(w), int(h)) for h, w in re.findall(r'"height":(\d+)[^<]*?"width":(\d+),"autosize":false', document)]
    assert sizes and all(w == CHART_WIDTH and 0 < h <= CHART_HEIGHT for w, h in sizes), sizes


def test_a_name_from_a_users_file_is_escaped_everywhere(engine, tmp_path):
    folder = tmp_path / "hostile"
    shutil.copytree(TINY, folder)
    write_csv(folder, "regions", ["region_code,region_name", f'R1,"{HOSTILE_NAME}"', "R2,South", "R3,Remote"])
    assert load_paths(engine, [folder], loaded_by="test").ok
    document = brief(engine, filters=Filters(2023, 2023))
    assert HOSTILE_NAME not in document
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document  # the shortage sentence, escaped
    assert HOSTILE_NAME in parse(document).visible_text  # and read back as the name itself
    assert len(parse(document).scripts) == 1 + CHARTS  # plotly.js and one per chart, nothing injected


def test_with_protection_the_brief_says_small_numbers_are_hidden(tiny_brief):
    text = parse(tiny_brief(Filters(2023, 2024), hide_below=5)).visible_text
    assert "Small numbers are protected: every count is rounded to the nearest 5, counts of 1 to 4 people are not shown" in text
    assert "rates are shown to a whole percent, left out when on a hidden count, on fewer than 25 people" in text
    assert "(some are hidden in this brief)" in text
    assert "Small numbers are protected" not in parse(tiny_brief(Filters(2023, 2024))).visible_text


def test_with_protection_a_rate_built_on_a_hidden_count_is_left_out_of_the_charts(tiny_brief):
    # 2023, Health: 10 students placed, 4 of them hired (hire rate 40.0%); with threshold 5 the 4 is hidden.
    plotly_js = get_plotlyjs()
    shown = tiny_brief(Filters(2023, 2023)).replace(plotly_js, "")
    protected = tiny_brief(Filters(2023, 2023), hide_below=5).replace(plotly_js, "")
    assert '"40.0%"' in shown
    assert '"40.0%"' not in protected
    assert "Students placed (2023) 10" in parse(protected).visible_text


def test_with_protection_the_brief_writes_no_rate_beyond_a_whole_percent(tiny_brief):
    plotly_js = get_plotlyjs()
    shown = tiny_brief(Filters(2023, 2024)).replace(plotly_js, "")
    protected = tiny_brief(Filters(2023, 2024), hide_below=5).replace(plotly_js, "")
    one_decimal = re.compile(r'"-?\d+\.\d%"')  # a percentage in a chart's texts and hovers: "40.0%"
    assert one_decimal.search(shown)
    assert not one_decimal.search(protected)


def test_the_brief_for_all_years_uses_the_latest_year_with_data(tiny_brief):
    text = parse(tiny_brief(Filters())).visible_text
    assert "Filters all years; all regions; all sectors" in text
    assert "Where training and demand disagree most in 2024" in text


def test_a_selection_without_data_gives_a_brief_without_charts(tiny_brief):
    document = tiny_brief(Filters(2023, 2023, sectors=("NOPE",)))
    assert "No data matches these filters." in parse(document).visible_text
    assert document.count("Plotly.newPlot(") == 0


def test_the_download_is_the_brief_encoded_as_utf8(tiny_reader):
    data = meeting_brief_file(tiny_reader, filters=Filters(2023, 2023))
    assert data.decode("utf-8").startswith("<!DOCTYPE html>")
    assert "Graduates (2023)" in data.decode("utf-8")


def test_takeaways_say_when_there_is_no_shortage_or_no_coverage(tiny_brief):
    text = parse(tiny_brief(Filters(2024, 2024))).visible_text
    assert "No sector has a shortage in 2024: each trains at least as many graduates as it has openings." in text
    assert "No region and sector has openings to compare graduates with in 2024." in text
