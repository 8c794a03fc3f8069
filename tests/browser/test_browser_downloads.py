"""The downloads in a real browser: the snapshot, a chart's CSV and the meeting brief hold what the page shows.

Fixtures and the ``App`` helper (waits, sidebar caption, metrics, multiselects)
are in conftest.py beside this file; what the tests read from a page is in helpers.py.
"""

from __future__ import annotations

import re
from pathlib import Path

from data_access.i18n import catalogue
from data_access.views import SNAPSHOT_VIEWS

from .helpers import SELECTION, as_number, csv_row_for_axis_label, download, export_snapshot, read_csv, url_filters


def test_the_snapshot_download_matches_the_page(app):
    app.open(f"/?{SELECTION}")
    expected_filters = url_filters(app)
    assert expected_filters == {"year_from": 2022, "year_to": 2024, "regions": ["R02", "R05"], "sectors": ["C", "F", "Q"]}

    snapshot = export_snapshot(app)
    manifest = snapshot["manifest"]
    assert manifest["filters"] == expected_filters
    assert (
        set(manifest["row_counts"])
        == set(snapshot) - {"manifest"}
        == {v.snapshot_file for v in SNAPSHOT_VIEWS if v.applies is None}
    )  # the sample estimates no openings
    for name, count in manifest["row_counts"].items():
        assert count == len(snapshot[name]), name
        assert count > 0 or name == "supply_not_linked.csv", name  # every sample program is linked to a sector
    assert app.caption().endswith(f"data version {manifest['data_version']}")

    label, shown = app.metric("Graduates")
    year = int(re.fullmatch(r"Graduates \((\d{4})\)", label).group(1))
    assert year == expected_filters["year_to"]
    rows = [row for row in snapshot["supply_demand.csv"] if int(row["year"]) == year]
    assert {row["region_code"] for row in rows} <= set(expected_filters["regions"])
    assert {row["sector_code"] for row in rows} <= set(expected_filters["sectors"])
    assert as_number(shown) == sum(int(row["supply"]) for row in rows)


def test_a_chart_csv_download_equals_the_chart_data(app):
    app.open(f"/supply-demand?{SELECTION}")
    app.page.locator(".js-plotly-plot").nth(2).wait_for()
    year = url_filters(app)["year_to"]
    assert app.page.get_by_role("radio", name=f"Latest year ({year})").get_attribute("aria-checked") == "true"

    name, data = download(app, app.page.get_by_test_id("stMain").get_by_role("button", name="Download the data (CSV)").first)
    assert re.fullmatch(r"supply_demand_by_sector-Ellery-Heights-Anvilport-3-sectors-2022-2024-v\d+\.csv", name), name
    headed = read_csv(data)
    assert headed and {"Sector", "Supply (graduates)", "Demand (openings)"} <= set(headed[0])  # headers as on screen
    columns = {heading: key.removeprefix("column.") for key, heading in catalogue("en").items() if key.startswith("column.")}
    by_sector = [{columns.get(heading, heading): value for heading, value in row.items()} for row in headed]

    # The CSV holds what the first chart draws: per sector, the supply and demand bars.
    traces = app.page.locator(".js-plotly-plot").first.evaluate(
        "plot => plot._fullData.map(t => ({name: t.name, y: Array.from(t.y), x: Array.from(t.x)}))"
    )
    drawn = {trace["name"]: trace for trace in traces}
    supply, demand = drawn["Supply (graduates)"], drawn["Demand (openings)"]
    assert supply["y"] == demand["y"]
    assert len(supply["y"]) == len(by_sector)
    for label, drawn_supply, drawn_demand in zip(supply["y"], supply["x"], demand["x"]):
        row = csv_row_for_axis_label(by_sector, label)
        assert (drawn_supply, drawn_demand) == (int(row["supply"]), int(row["demand"])), label

    # And adds up to the snapshot's rows of the latest year for the same filters.
    snapshot = export_snapshot(app)
    assert snapshot["manifest"]["filters"] == url_filters(app)
    latest = [row for row in snapshot["supply_demand.csv"] if int(row["year"]) == year]
    assert sum(int(row["supply"]) for row in by_sector) == sum(int(row["supply"]) for row in latest)
    assert sum(int(row["demand"]) for row in by_sector) == sum(int(row["demand"]) for row in latest)


def test_quick_second_clicks_on_a_download_deliver_the_same_file_again(app):
    app.open(f"/supply-demand?{SELECTION}")
    button = app.page.get_by_test_id("stMain").get_by_role("button", name="Download the data (CSV)").first
    arrived = []
    app.page.on("download", lambda download: arrived.append(download))
    for _ in range(3):  # each a second click right after the first (one in three lost its file when a click reran the app)
        button.click()
        button.click()
    for _ in range(300):  # until the six files are there, 30 s at most
        if len(arrived) == 6:
            break
        app.page.wait_for_timeout(100)
    files = [Path(download.path()).read_bytes() for download in arrived]
    assert len(files) == 6 and files == [files[0]] * 6 and files[0].startswith(b"\xef\xbb\xbf")
    names = {download.suggested_filename for download in arrived}
    assert len(names) == 1 and re.fullmatch(
        r"supply_demand_by_sector-Ellery-Heights-Anvilport-3-sectors-2022-2024-v\d+\.csv", *names
    )
    assert app.problems() == []


def test_the_meeting_brief_download_is_one_offline_html_file_for_the_filters(app):
    app.open(f"/?{SELECTION}")
    button = app.page.get_by_test_id("stSidebar").get_by_role("button", name="Meeting brief (HTML)")
    name, data = download(app, button)
    html = data.decode("utf-8")
    assert re.fullmatch(r"meeting-brief-Ellery-Heights-Anvilport-3-sectors-2022-2024-v\d+\.html", name), name
    assert html.lstrip().lower().startswith("<!doctype html>")
    scope = re.fullmatch(r"Showing (.+) · data version \d+", app.caption()).group(1)
    assert scope in html
    assert '<script src="http' not in html and "cdn.plot.ly" not in html.split("</head>")[1]
