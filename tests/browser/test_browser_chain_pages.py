"""The pages of the chain (enrolment, placements, outcomes, scorecard) in a real browser: each draws its charts
without an exception.

Fixtures and the ``App`` helper (waits, sidebar caption, metrics, multiselects)
are in conftest.py beside this file; what the tests read from a page is in helpers.py.
"""

from __future__ import annotations

import pytest

from .helpers import SELECTION


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
