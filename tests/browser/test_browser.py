"""The dashboard in a real browser: URL filters, sidebar widgets, pages and downloads.

Fixtures and the ``App`` helper (waits, sidebar caption, metrics, multiselects)
are in conftest.py beside this file.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from data_access.i18n import catalogue
from data_access.views import SNAPSHOT_VIEWS

# The sample data's years; a filter left at its default is left out of the URL.
FIRST_YEAR, LAST_YEAR = 2019, 2025
# A selection with data: two regions, three sectors, years that are not the defaults.
SELECTION = "from=2022&to=2024&region=R02&region=R05&sector=C&sector=F&sector=Q"
NO_DATA = "from=2019&to=2019&sector=U&region=R09"


def url_query(app) -> dict[str, list[str]]:
    return parse_qs(urlparse(app.page.url).query)


def url_filters(app) -> dict:
    """The filters the page's URL says, in the snapshot manifest's form."""
    query = url_query(app)
    return {
        "year_from": int(query.get("from", [FIRST_YEAR])[0]),
        "year_to": int(query.get("to", [LAST_YEAR])[0]),
        "regions": sorted(query.get("region", [])),
        "sectors": sorted(query.get("sector", [])),
    }


def as_number(shown: str) -> int:
    """A count as the dashboard shows it (thousands separators) as an int."""
    return int(shown.replace(",", "").replace("\u2009", "").strip())


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def download(app, button) -> tuple[str, bytes]:
    """Click a download button; the file's suggested name and bytes."""
    with app.page.expect_download() as info:
        button.click()
    file = info.value
    return file.suggested_filename, open(file.path(), "rb").read()


def export_snapshot(app) -> dict:
    """Click the sidebar's "Export snapshot": the manifest and the CSVs' rows, by file name. The file's name
    says what it holds: the selection's regions, sectors and years, and the data version."""
    name, data = download(app, app.page.get_by_test_id("stSidebar").get_by_role("button", name="Export snapshot", exact=True))
    scope = "Ellery-Heights-Anvilport-3-sectors-2022-2024" if "region=R02" in app.page.url else r"[\w-]+"
    assert re.fullmatch(rf"snapshot-{scope}-v\d+\.zip", name), name
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {member: archive.read(member) for member in archive.namelist()}
    snapshot = {"manifest": json.loads(files.pop("manifest.json"))}
    snapshot.update({member: read_csv(content) for member, content in files.items()})
    return snapshot


def csv_row_for_axis_label(rows: list[dict[str, str]], label: str) -> dict[str, str]:
    """The one row of the sector a category of the axis stands for (its code; the tick shows its name)."""
    matches = [row for row in rows if row["sector_code"] == label]
    assert len(matches) == 1, f"{label!r} matches {len(matches)} rows"
    return matches[0]


def assert_filters_kept(app, path: str) -> None:
    """The URL and the sidebar still hold from=2021, region=R01, sector=Q."""
    assert urlparse(app.page.url).path == path
    query = url_query(app)
    assert query.get("from") == ["2021"], app.page.url
    assert query.get("region") == ["R01"], app.page.url
    assert query.get("sector") == ["Q"], app.page.url
    assert app.multiselect_chosen("Regions") == ["Corvane City (R01)"]
    assert app.multiselect_chosen("Sectors") == ["Human health and social work activities (Q)"]
    assert app.caption().startswith("Showing 2021–2025; Corvane City; Human health and social work activities · data version ")


def test_the_first_session_after_a_fresh_server_start_keeps_url_filters_across_page_changes(first_session_app):
    app = first_session_app
    app.open("/?from=2021&region=R01&sector=Q")
    assert_filters_kept(app, "/")

    app.nav("Supply vs demand")
    assert_filters_kept(app, "/supply-demand")

    app.nav("Overview")
    assert_filters_kept(app, "/")

    app.page.reload()
    app.wait()
    assert_filters_kept(app, "/")


def test_the_first_session_after_a_fresh_server_start_can_open_a_deep_link_without_a_dialog(first_session_app):
    """Streamlit runs a pages/ folder by its file names until st.navigation has run once in the server (its
    issue 9992): started by ui.serve, the very first visit gets the app's own pages, and /overview, the
    Overview's name, opens it at "/" rather than Streamlit's "Page not found", in either language."""
    app = first_session_app
    app.open("/supply-demand?region=R01")
    assert app.page.get_by_test_id("stHeading").locator("h1").inner_text() == "Supply vs demand"
    assert app.multiselect_chosen("Regions") == ["Corvane City (R01)"]
    links = app.page.get_by_test_id("stSidebar").get_by_test_id("stPageLink-NavLink").all_inner_texts()
    titles = [link.strip().splitlines()[-1] for link in links]  # after the icon's name, where it is drawn as text
    assert titles[:3] == ["Overview", "Supply vs demand", "Enrolment and graduates"] and "home" not in titles
    assert app.problems() == []

    for language, heading in (("en", "Overview"), ("zh-CN", "总览")):
        app.page.goto(f"{app.base_url}/overview?region=R01&region=R02&lang={language}")
        app.page.wait_for_url(lambda now: urlparse(now).path == "/")
        app.page.wait_for_selector(f'[data-testid="stHeading"] h1:has-text("{heading}")')
        app.page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")
        assert url_query(app)["region"] == ["R01", "R02"]  # every value of a repeated parameter
        assert app.problems() == []


def test_changing_a_filter_in_the_sidebar_changes_a_headline_number_and_survives_page_changes(app):
    app.open("/")
    label, before = app.metric("Graduates")
    assert label == f"Graduates ({LAST_YEAR})"
    assert "region" not in url_query(app)

    app.choose("Regions", "Southmoor (R03)")
    app.page.wait_for_url(re.compile(r"[?&]region=R03\b"))
    label, after = app.metric("Graduates")
    assert label == f"Graduates ({LAST_YEAR})"
    assert as_number(after) != as_number(before)
    assert 0 < as_number(after) < as_number(before)
    assert app.caption().startswith(f"Showing {FIRST_YEAR}–{LAST_YEAR}; Southmoor; all sectors · ")

    # The known Streamlit pitfall: keyed sidebar widgets reset on the first page change.
    app.nav("Supply vs demand")
    assert app.multiselect_chosen("Regions") == ["Southmoor (R03)"]
    assert url_query(app).get("region") == ["R03"]

    app.choose("Sectors", "Manufacturing (C)")
    app.page.wait_for_url(re.compile(r"[?&]sector=C\b"))

    app.nav("Overview")
    assert app.multiselect_chosen("Regions") == ["Southmoor (R03)"]
    assert app.multiselect_chosen("Sectors") == ["Manufacturing (C)"]
    assert url_query(app).get("region") == ["R03"] and url_query(app).get("sector") == ["C"]
    assert app.caption().startswith(f"Showing {FIRST_YEAR}–{LAST_YEAR}; Southmoor; Manufacturing · ")
    _, with_sector = app.metric("Graduates")
    assert 0 < as_number(with_sector) < as_number(after)


@pytest.mark.parametrize(
    "path, charts, empty_message",
    [
        ("/", 0, None),
        (f"/?{SELECTION}", 0, None),
        (f"/?{NO_DATA}", 0, "No data matches these filters"),
        ("/?from=abc&to=1900&region=XX&sector=ZZ", 0, None),
        ("/supply-demand", 3, None),
        (f"/supply-demand?{SELECTION}", 3, None),
        # R09 has no institution: its supply is unknown, so no year is measured and the years' chart is not drawn
        ("/supply-demand?from=2025&to=2025&region=R09", 2, None),
        (f"/supply-demand?{NO_DATA}", 0, "No graduates or openings match these filters"),
    ],
    ids=[
        "overview-root",
        "overview-selection",
        "overview-no-data",
        "overview-bad-url",
        "supply-demand",
        "supply-demand-selection",
        "supply-demand-one-year",
        "supply-demand-no-data",
    ],
)
def test_every_page_renders_without_an_exception(app, path, charts, empty_message):
    app.open(path)
    assert app.problems() == []
    assert app.page.get_by_test_id("stHeading").locator("h1").count() == 1
    if charts:
        app.page.locator(".js-plotly-plot").nth(charts - 1).wait_for()
        assert app.page.locator(".js-plotly-plot").count() >= charts
    if empty_message:
        alert = app.page.get_by_test_id("stAlertContentInfo")
        assert empty_message in alert.inner_text()
    elif path.startswith("/supply-demand"):
        # The other period redraws everything without an error either.
        total = app.page.get_by_role("radio", name="Total over the selected years")
        total.click()
        app.wait()
        assert total.get_attribute("aria-checked") == "true"
        assert app.problems() == []
        app.page.locator(".js-plotly-plot").nth(charts - 1).wait_for()
        scope = re.fullmatch(r"Showing (.+) · data version \d+", app.caption()).group(1)
        assert app.page.locator(".js-plotly-plot .gtitle").first.text_content().endswith(scope)
    else:
        assert app.page.get_by_test_id("stMetric").count() == 6


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


@pytest.mark.parametrize(
    "path, charts",
    [
        ("/enrolment-graduates", 2),
        (f"/enrolment-graduates?{SELECTION}", 2),
        ("/placements-partners", 3),
        (f"/placements-partners?{SELECTION}&hide_below=5", 3),
        ("/graduate-outcomes", 3),
        (f"/graduate-outcomes?{SELECTION}", 3),
        ("/institution-scorecard", 2),
        ("/institution-scorecard?institution=INS019", 2),
    ],
    ids=[
        "enrolment",
        "enrolment-selection",
        "placements",
        "placements-protected",
        "outcomes",
        "outcomes-selection",
        "scorecard",
        "scorecard-weak-institution",
    ],
)
def test_every_chain_page_renders_its_charts_without_an_exception(app, path, charts):
    app.open(path)
    assert app.problems() == []
    assert app.page.get_by_test_id("stHeading").locator("h1").count() == 1
    app.page.locator(".js-plotly-plot").nth(charts - 1).wait_for()
    assert app.page.locator(".js-plotly-plot").count() >= charts


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


def wait_in_chinese(app, bar: str = '[data-testid="stSidebar"] [data-testid="stCaptionContainer"]') -> None:
    """Like App.wait, for a page in Chinese: the caption that says the data version reads 数据版本."""
    page = app.page
    page.wait_for_timeout(200)
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]', state="attached")
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")
    page.wait_for_selector('[data-testid="stSkeleton"], [data-stale="true"]', state="detached")
    page.wait_for_selector(f'{bar}:has-text("数据版本")')
    page.wait_for_timeout(300)


def page_title(app) -> str:
    return app.page.get_by_test_id("stHeading").locator("h1").first.inner_text().strip()


def language_button(app, name: str):
    """A choice of the sidebar's language control (a segmented control)."""
    return app.page.get_by_test_id("stSidebar").get_by_text(name, exact=True)


def sidebar_header(app) -> str:
    return app.page.get_by_test_id("stSidebar").locator("h2").first.inner_text().strip()


def test_the_sidebar_language_switch_changes_the_labels_and_the_url_and_back(app):
    app.open("/?sector=C")
    sidebar = app.page.get_by_test_id("stSidebar")
    assert sidebar_header(app) == "Filters" and page_title(app) == "Overview"

    language_button(app, "简体中文").click()
    wait_in_chinese(app)
    assert sidebar_header(app) == "筛选"
    assert page_title(app) == "总览"
    assert url_query(app).get("lang") == ["zh-CN"] and url_query(app).get("sector") == ["C"]
    assert sidebar.get_by_test_id("stPageLink-NavLink").filter(has_text="供需对比").count() == 1
    assert (
        "Manufacturing"
        in app.page.locator('[data-testid="stSidebar"] [data-testid="stCaptionContainer"]')
        .filter(has_text="数据版本")
        .inner_text()
    )
    # the brief is built on another thread when clicked, still in this session's language
    name, data = download(app, sidebar.get_by_role("button", name="会议简报（HTML）"))
    assert re.fullmatch(r"meeting-brief-Manufacturing-\d{4}-\d{4}-v\d+\.html", name), name
    brief = data.decode("utf-8")
    assert '<html lang="zh-CN">' in brief and "会议简报：人才培养供给与产业需求" in brief

    language_button(app, "English").click()
    app.wait()
    assert sidebar_header(app) == "Filters" and page_title(app) == "Overview"
    assert "lang" not in url_query(app) and url_query(app).get("sector") == ["C"]
    assert app.problems() == []


def test_a_chinese_present_link_opens_the_presentation_in_chinese(app):
    app.open("/")  # the server's first session must open "/" (Streamlit issue 9992)
    app.page.goto(app.base_url + "/?lang=zh-CN&present=1&sector=C")
    wait_in_chinese(app, bar='.st-key-presentation_bar [data-testid="stCaptionContainer"]')
    page = app.page
    assert not page.get_by_test_id("stSidebar").is_visible()
    bar = page.locator(".st-key-presentation_bar").inner_text()
    assert "总览" in bar and "全部地区；Manufacturing · 数据版本" in bar
    assert page.get_by_role("button", name="下一页 ▶").is_visible() and page.get_by_role("button", name="退出演示").is_visible()
    assert page_title(app) == "总览" and "要点：" in page.get_by_test_id("stMain").inner_text()

    page.locator("h1").first.click()  # focus the page, not a widget
    page.keyboard.press("ArrowRight")
    page.wait_for_selector('[data-testid="stHeading"] h1:has-text("供需对比")')
    wait_in_chinese(app, bar='.st-key-presentation_bar [data-testid="stCaptionContainer"]')
    query = url_query(app)
    assert query.get("lang") == ["zh-CN"] and query.get("present") == ["1"] and query.get("sector") == ["C"]
    assert app.problems() == []
