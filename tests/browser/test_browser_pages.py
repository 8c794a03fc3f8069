"""The Overview and Supply vs demand in a real browser: each renders without an exception for the URL's filters,
with its charts, its figures or its message when nothing matches.

Fixtures and the ``App`` helper (waits, sidebar caption, metrics, multiselects)
are in conftest.py beside this file; what the tests read from a page is in helpers.py.
"""

from __future__ import annotations

import re

import pytest

from .helpers import NO_DATA, SELECTION


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
