"""Downloads: a quick second click on a download button delivers the file again.

A download made when clicked (a callable ``data``) is held by Streamlit under an id that every run of the
script replaces; a click that reruns the app drops the id a second click may still hold. So no download
button reruns the app (``ui.components.download_button``); tests/browser/test_browser_downloads.py clicks twice in a
real browser."""

from __future__ import annotations

import ast

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from .conftest import open_page
from .test_architecture import ROOT

CSV = b"\xef\xbb\xbfyear,supply\r\n2024,35\r\n"


def test_a_deferred_download_serves_every_click_until_a_run_replaces_its_id():
    # Streamlit's own bookkeeping, as a page run and clicks drive it (the reason for on_click="ignore").
    storage = MemoryMediaFileStorage("/media")
    manager = MediaFileManager(storage)
    first = manager.add_deferred(lambda: CSV, "text/csv", "1.2.0", file_name="supply.csv")  # the run that drew the button
    clicks = [manager.execute_deferred(first), manager.execute_deferred(first)]  # two clicks, no rerun
    assert [storage.get_file(url.rsplit("/", 1)[-1]).content for url in clicks] == [CSV, CSV]

    manager.add_deferred(lambda: CSV, "text/csv", "1.2.0", file_name="supply.csv")  # a rerun draws the button anew
    manager.remove_orphaned_files()  # ... and its end drops what no element holds any more
    with pytest.raises(MediaFileStorageError, match="not found"):
        manager.execute_deferred(first)  # a second click that still held the first id


@pytest.mark.parametrize("page", ["pages/home.py", "pages/supply_demand.py", "pages/planning.py", "pages/data.py"])
def test_no_download_button_reruns_the_app_when_clicked(app_url, page):
    buttons = open_page(page).get("download_button")
    assert len(buttons) > 3  # the sidebar's three and the page's own
    assert [button.proto.ignore_rerun for button in buttons] == [True] * len(buttons)


def _streamlit_download_calls(tree: ast.AST, function: str = "") -> list[str]:
    """The functions (by name, "" at module level) that call ``<something>.download_button(...)``."""
    found = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef):
            found += _streamlit_download_calls(node, node.name)
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "download_button":
            found.append(function)
        found += _streamlit_download_calls(node, function)
    return found


def test_every_download_button_is_drawn_by_ui_components_download_button():
    callers = {
        f"{path.relative_to(ROOT)}:{function}"
        for path in [ROOT / "dashboard.py", *(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py")]
        for function in _streamlit_download_calls(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert callers == {"ui/components.py:download_button"}


def test_a_chart_s_csv_carries_its_filters_so_two_regions_downloads_differ(app_url, downloads):
    """Two downloads of the same chart for two regions were the same table without a word of which region each
    was; each now carries the sidebar's filters as its last columns, and reads back as one plain table."""
    import io

    import pandas as pd

    from data_access.snapshot import csv_bytes

    open_page("pages/supply_demand.py", to="2023", region=["R1"])
    north = downloads[-1]
    del downloads[:]
    open_page("pages/supply_demand.py", **{"from": "2023", "to": "2024"}, region=["R1", "R3"], sector=["Q"])
    both = downloads[-1]
    headings = [
        "Filter: from year",
        "Filter: to year",
        "Filter: regions (codes; empty = all)",
        "Filter: sectors (codes; empty = all)",
    ]
    assert list(north.columns[-4:]) == headings and list(both.columns[-4:]) == headings
    read = pd.read_csv(io.BytesIO(csv_bytes(north)), encoding="utf-8-sig", keep_default_na=False)
    assert list(read.columns) == list(north.columns)  # one header row: a plain table
    assert set(read["Filter: regions (codes; empty = all)"]) == {"R1"} and set(read["Filter: sectors (codes; empty = all)"]) == {
        ""
    }
    assert set(read["Filter: from year"]) == {2023} and set(read["Filter: to year"]) == {2023}  # the data's first year
    assert set(both["Filter: regions (codes; empty = all)"]) == {"R1;R3"} and set(
        both["Filter: sectors (codes; empty = all)"]
    ) == {"Q"}
    assert set(both["Filter: from year"]) == {2023} and set(both["Filter: to year"]) == {2024}


def test_every_count_column_is_whole_and_every_percent_column_has_one_decimal():
    """Without a step Streamlit shows a weighted count as 488.857 and a rate of 0.55 as "55%" beside "57.9%"."""
    from ui.components import fixed_decimals, number_columns

    config = number_columns({"graduates": "localized", "in_field_rate": "percent", "coverage_ratio": "%.2f"})
    assert config["graduates"]["type_config"]["step"] == 1
    assert config["in_field_rate"]["type_config"]["step"] == 0.001
    assert "step" not in config["coverage_ratio"]["type_config"] or not config["coverage_ratio"]["type_config"]["step"]
    kept = fixed_decimals({"share": {"type_config": {"type": "number", "format": "percent", "step": 0.01}}, "name": "Name"})
    assert kept == {"share": {"type_config": {"type": "number", "format": "percent", "step": 0.01}}, "name": "Name"}
