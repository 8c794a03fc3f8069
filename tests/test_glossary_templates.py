"""The glossary of measures and the CSV templates of the Data page."""

from __future__ import annotations

import io
import zipfile

import pandas as pd

from data_access import templates
from data_access.contract import LOAD_ORDER, TABLES
from data_access.loading import load_paths
from data_access.queries import SHORTAGE_BELOW, SURPLUS_ABOVE
from tests.conftest import open_page, table_rows
from ui.glossary import COLUMNS, ENTRIES, glossary_frame, search

GLOSSARY = "pages/glossary.py"


# --- templates ---------------------------------------------------------------------------------


def test_every_template_has_the_contract_header_in_order_and_one_example_row():
    for table in LOAD_ORDER:
        frame = pd.read_csv(io.BytesIO(templates.template_csv(table, "en")), encoding="utf-8-sig", dtype=str)
        assert list(frame.columns) == list(TABLES[table].column_names), table
        assert len(frame) == 1, table
    assert templates.template_csv("regions", "en").startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as the contract writes


def test_the_templates_together_load_as_they_are_one_row_per_table(engine, tmp_path):
    with zipfile.ZipFile(io.BytesIO(templates.templates_zip("zh-CN"))) as archive:
        assert sorted(archive.namelist()) == sorted(TABLES[t].file_name for t in LOAD_ORDER)
        archive.extractall(tmp_path)
    outcome = load_paths(engine, [tmp_path])
    assert outcome.ok, outcome.validation.report_lines()
    assert table_rows(engine) == dict.fromkeys(LOAD_ORDER, 1)


def test_names_follow_the_language_and_codes_do_not():
    english, chinese = templates.template_frame("regions", "en"), templates.template_frame("regions", "zh-CN")
    assert list(english["region_code"]) == list(chinese["region_code"]) == ["R01"]
    assert english["region_name"][0] != chinese["region_name"][0]
    assert all(ord(c) > 0x2E80 for c in chinese["region_name"][0] if not c.isspace())


def test_a_table_refers_to_its_parents_in_load_order():
    assert templates.referenced_tables("enrolments") == ["regions", "sectors", "institutions", "programs"]
    assert templates.referenced_tables("regions") == []


# --- glossary ----------------------------------------------------------------------------------


def test_the_glossary_has_every_entry_in_both_languages_with_no_empty_definition():
    for language in ("en", "zh-CN"):
        frame = glossary_frame(language)
        assert list(frame.columns) == list(COLUMNS)
        assert len(frame) == len(ENTRIES)
        assert frame["definition"].str.strip().ne("").all(), language
        assert frame["measure"].is_unique, language


def test_the_gap_status_bands_are_the_thresholds_the_code_uses():
    frame = glossary_frame("en").set_index("column")
    bands = frame.loc["gap_status", "definition"] + " " + frame.loc["gap_status", "notes"]
    assert f"{SHORTAGE_BELOW}" in bands and f"{SURPLUS_ABOVE}" in bands  # 0.9 and 1.1


def test_search_keeps_the_rows_holding_every_word():
    frame = glossary_frame("en")
    found = search(frame, "COVERAGE ratio")
    assert "coverage_ratio" in set(found["column"])
    assert all("coverage" in " ".join(map(str, row)).casefold() for row in found.itertuples(index=False))
    assert len(search(frame, "  ")) == len(frame)
    assert search(frame, "no-such-word-anywhere").empty


def test_the_glossary_page_shows_an_entry_per_measure_and_narrows_to_a_search(app_url):
    app = open_page(GLOSSARY)
    assert not app.exception
    assert app.title[0].value == "Glossary"
    entries = [m.value for m in app.markdown if m.value.startswith("**")]
    assert len(entries) == len(ENTRIES)
    app.text_input(key="glossary_search").input("coverage ratio").run()
    narrowed = [m.value for m in app.markdown if m.value.startswith("**")]
    assert 0 < len(narrowed) < len(ENTRIES)
    assert any("`coverage_ratio`" in entry for entry in narrowed)


def test_the_glossary_page_in_chinese(app_url):
    app = open_page(GLOSSARY, lang="zh-CN")
    assert not app.exception
    assert app.title[0].value == "指标说明"
    app.text_input(key="glossary_search").input("没有这个词").run()
    assert app.info and "没有这个词" in app.info[0].value
