"""Names from the data and file names are shown as text, never as markup.

Every page runs through Streamlit's AppTest on tests/fixtures/hostile, whose
region, sector, institution, program and employer names and codes hold Markdown,
HTML, Streamlit's colour directives, shortcodes, LaTeX and a spreadsheet formula.
No text that Streamlit renders as Markdown may hold that markup as it is (it must
be escaped, so that it reads as typed), and no Plotly figure may hold the HTML
that Plotly renders (it must be written as entities). Tables and downloads keep
the names as stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from data_access.filters import Filters
from data_access.loading import load_paths
from ui.brief import build_brief
from ui.markup import markdown_text, plotly_text

from .conftest import APP, FIXTURES, VIEW_PAGES, app_database, click_chart
from .test_brief import parse

HOSTILE = FIXTURES / "hostile"
REGIONS = ("**bold** 北方", "[evil](http://evil.example)", '<a href="http://evil.example">x</a>')
SECTORS = {"Q": "<b>b</b> Health :red[red]", "<i>J</i>": "<img src=x onerror=alert(1)> ICT"}
INSTITUTIONS = {"I1": '=HYPERLINK("http://evil.example")', "I2": "$x^2$ :smile: :streamlit: School"}
PROGRAMS = {"P1": "[evil](http://evil.example) Nursing", "**P2**": ":material/home: _Software_"}
EMPLOYERS = {"E1": '<a href="http://evil.example">H</a>', "[E2](http://evil.example)": "**SoftCo** <img src=x onerror=alert(1)>"}
FILE_NAME = "**bold** [evil](http://evil.example).csv"

# Markup of the fixture as it would be written into a Markdown text unescaped (the interface's own
# texts hold none of these).
MARKDOWN_MARKUP = (
    "**bold**",
    "](http",
    "[evil]",
    "[E2]",
    "<a",
    "<b>",
    "<i>",
    "<img",
    ":red[",
    "$x^2$",
    ":smile:",
    ":streamlit:",
    ":material/home:",
    "_Software_",
    "**SoftCo**",
    "**P2**",
    "http://evil.example",
)
# The HTML of the fixture that Plotly would render (hover templates hold Plotly markup of their own, never these).
PLOTLY_MARKUP = ("<a href", "<a>", "<b>b</b>", "<i>J</i>", "<img", "<b>college</b>")
# Streamlit elements whose text is Markdown (widget labels are Markdown too: they are collected from every element).
MARKDOWN_ELEMENTS = ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success", "toast")
ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def unescaped_markup(markdown: str, markups: tuple[str, ...] = MARKDOWN_MARKUP) -> list[str]:
    """The markups that a Markdown text holds as markup: a backslash-escaped character is text, so it is
    replaced by one that belongs to no markup before the text is searched."""
    bare = ESCAPE.sub("\ufffd", markdown)
    return [markup for markup in markups if markup in bare]


@pytest.fixture
def hostile_app(migrated_sqlite, tmp_path_factory, tmp_path, monkeypatch) -> Iterator[str]:
    """DATABASE_URL of a database holding tests/fixtures/hostile; caches cleared so the app reads it."""
    yield from app_database(HOSTILE, migrated_sqlite, tmp_path_factory, tmp_path, monkeypatch)


def every_name_chosen() -> dict[str, list[str]]:
    """URL filters choosing every region and sector, so that descriptions of the filters name them all."""
    return {"region": ["R1", "R2", "R3"], "sector": list(SECTORS)}


def opened(page: str, **query_params) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params.update(query_params)
    app.run()
    return app.switch_page(page).run() if page != "pages/home.py" else app


def markdown_texts(app: AppTest) -> list[str]:
    """Every text of the page that Streamlit renders as Markdown, as sent (escaped or not)."""
    texts = []
    for node in app._tree:
        if node.type in MARKDOWN_ELEMENTS:
            texts.append(str(node.value))
        label = getattr(node, "label", None) if node.type not in ("selectbox", "multiselect") else None
        if isinstance(label, str):  # metric, expander, tab and widget labels (options of pickers are plain text)
            texts.append(label)
    return texts


def as_read(markdown: str) -> str:
    """What a reader sees of a Markdown text made of plain words: escapes and invisible joiners removed."""
    return ESCAPE.sub(r"\1", markdown).replace("\u2060", "")


def figure_strings(app: AppTest) -> Iterator[str]:
    """Every string in every Plotly figure of the page."""

    def walk(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    for chart in app.get("plotly_chart"):
        yield from walk(json.loads(chart.proto.spec))


def assert_shown_as_text(app: AppTest) -> None:
    """No Markdown text and no figure of the page holds the fixture's markup as it is."""
    assert not app.exception, [e.value for e in app.exception]
    for text in markdown_texts(app):
        raw = unescaped_markup(text)
        assert not raw, f"{raw} unescaped in Markdown text {text!r}"
    for text in figure_strings(app):
        raw = [markup for markup in PLOTLY_MARKUP if markup in text]
        assert not raw, f"{raw} unescaped in a Plotly figure: {text!r}"


def read(app: AppTest) -> str:
    return "\n".join(as_read(text) for text in markdown_texts(app))


def in_figures(app: AppTest) -> str:
    return "\n".join(figure_strings(app))


PAGES = [*VIEW_PAGES, "pages/data.py"]


def each_page(pages: list[str], **query_params) -> Iterator[tuple[str, AppTest]]:
    """Every page of ``pages`` in turn in one session opened with ``query_params``, as a reader moves through them."""
    app = opened("pages/home.py", **query_params)
    for page in pages:
        yield page, app if page == "pages/home.py" else app.switch_page(page).run()


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_every_page_shows_names_of_the_data_as_text(hostile_app, language):
    for page, app in each_page(PAGES, lang=language, **every_name_chosen()):
        assert_shown_as_text(app)
        shown = read(app)
        # The sidebar names the chosen regions and sectors: the names read as typed.
        for name in (*REGIONS, *SECTORS.values()):
            assert name in shown, (page, name)


def test_presentation_mode_shows_names_as_text(hostile_app):
    for page, app in each_page(PAGES[:5], present="1", **every_name_chosen()):
        assert_shown_as_text(app)
        assert REGIONS[1] in read(app), page  # the bottom bar describes the filters


def test_takeaways_and_gap_sentences_show_sector_and_region_names_as_text(hostile_app):
    app = opened("pages/home.py", **{"from": "2023", "to": "2023"})
    assert_shown_as_text(app)
    shown = read(app)
    assert f"{SECTORS['Q']} has the largest shortage in 2023" in shown
    assert f"{SECTORS['Q']} in {REGIONS[0]}: 30 fewer graduates than openings" in shown
    assert f"{SECTORS['<i>J</i>']} in {REGIONS[1]}: 2 more graduates than openings" in shown


def test_supply_vs_demand_charts_write_names_as_plotly_text(hostile_app):
    app = opened("pages/supply_demand.py", **{"from": "2023", "to": "2023"})
    assert_shown_as_text(app)
    figures = in_figures(app)
    assert plotly_text(REGIONS[2]) == '&lt;a href="http://evil.example"&gt;x&lt;/a&gt;'
    for name in (REGIONS[2], SECTORS["Q"], SECTORS["<i>J</i>"]):
        assert plotly_text(name) in figures, name
    assert plotly_text("<i>J</i>") in figures  # a code on the heat map's axis
    assert f"the lowest coverage in 2023 is {SECTORS['Q']} in {REGIONS[0]}" in read(app)  # the only cell with 20 openings or more


def test_enrolment_selections_and_program_heading_show_names_as_text(hostile_app):
    app = opened("pages/enrolment.py", to="2023")
    click_chart(app, "enrolment_sector_selection", ["<i>J</i>"])
    assert_shown_as_text(app)
    assert f"Narrowed to sector: **{SECTORS['<i>J</i>']}**" in read(app)
    assert list(app.dataframe[0].value["program_code"]) == ["**P2**"]  # a table shows the code as stored
    app.session_state["enrolment_programs_2023_<i>J</i>"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()
    assert_shown_as_text(app)
    assert f"Institutions offering {PROGRAMS['**P2**']} (**P2**) in 2023" in read(app)
    assert list(app.dataframe[1].value["institution_name"]) == [INSTITUTIONS["I2"]]


def test_outcomes_scatter_labels_and_selection_show_names_as_text(hostile_app):
    app = opened("pages/outcomes.py")
    assert_shown_as_text(app)
    # Each point is labelled with its name, cut between words to 18 characters, written as Plotly text.
    labels = next(spec["data"][0]["text"] for spec in map(json.loads, (c.proto.spec for c in app.get("plotly_chart"))))
    assert sorted(labels) == ["&lt;b&gt;b&lt;/b&gt; Health…", "&lt;img src=x…"]
    click_chart(app, "outcomes_sector_selection", ["<i>J</i>"])
    assert_shown_as_text(app)
    assert f"Narrowed to sector: **{SECTORS['<i>J</i>']}**" in read(app)


def test_placements_charts_write_employer_names_as_plotly_text(hostile_app):
    app = opened("pages/placements.py")
    assert_shown_as_text(app)
    figures = in_figures(app)
    for name in EMPLOYERS.values():
        assert plotly_text(name) in figures, name


@pytest.mark.parametrize("institution", list(INSTITUTIONS))
def test_the_scorecard_shows_the_institution_its_type_and_region_as_text(hostile_app, institution):
    app = opened("pages/scorecard.py", institution=institution)
    assert_shown_as_text(app)
    shown = read(app)
    assert f"How {INSTITUTIONS[institution]} compares with its region" in shown
    assert ("<b>college</b>" if institution == "I1" else ":red[school]") in shown
    assert plotly_text(INSTITUTIONS[institution]) in in_figures(app)


def test_the_data_page_shows_an_uploaded_file_name_and_its_column_names_as_text(hostile_app):
    app = opened("pages/data.py")
    header = "region_code,region_name,<img src=x onerror=alert(1)>\n"
    app.file_uploader[0].set_value([(FILE_NAME, (header + "R9,[x](http://evil.example),1\n").encode(), "text/csv")]).run()
    assert_shown_as_text(app)
    shown = read(app)
    assert FILE_NAME in shown  # the file line, its preview's label and the warning that its table must be chosen
    assert any(FILE_NAME in as_read(e.label) for e in app.expander)
    app.selectbox[0].set_value("regions").run()
    next(b for b in app.button if b.label == "Check files").click().run()
    assert_shown_as_text(app)
    assert "<img src=x onerror=alert(1)>" in read(app)  # the warning naming the column it ignores


def test_the_meeting_brief_shows_names_as_text_in_its_sentences_and_its_charts(engine):
    assert load_paths(engine, [HOSTILE]).ok
    with Session(engine) as session:
        document = build_brief(session, filters=Filters(2023, 2023, tuple(["R1", "R2", "R3"]), tuple(SECTORS)))
    parsed = parse(document)
    assert not [attributes for tag, attributes in parsed.tags if tag in ("a", "img", "b", "i")]
    charts = parsed.scripts[1:]  # after plotly.js, one script per chart
    assert len(charts) == 6 and not [markup for chart in charts for markup in PLOTLY_MARKUP if markup in chart]
    assert plotly_text(SECTORS["<i>J</i>"]) in "".join(charts)
    # HTML-escaped for the page, not Markdown-escaped: the names read exactly as typed.
    for name in (*REGIONS, *SECTORS.values()):
        assert name in parsed.visible_text, name
    assert f"{SECTORS['Q']} has the largest shortage in 2023" in parsed.visible_text


@pytest.mark.parametrize(
    "name",
    [
        *REGIONS,
        *SECTORS.values(),
        *INSTITUTIONS.values(),
        *PROGRAMS.values(),
        *EMPLOYERS.values(),
        FILE_NAME,
        "a -> b <= c",
        "ftp: x@example.com www.example.com",
    ],
)
def test_markdown_text_escapes_every_markup_and_reads_as_typed(name):
    escaped = markdown_text(name)
    assert as_read(escaped) == name
    assert not unescaped_markup(escaped)
    assert not re.search(r"https?://|www\.|@\w|:\w|[<>\-~]=|<-|->|--", escaped.replace("\\", ""))
    assert markdown_text(escaped) == escaped  # escaped once, never twice
