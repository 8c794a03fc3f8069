"""The planner's question on one table (Overview, snapshot sector_profile.csv), on the tiny fixture, by hand:

2023: Health (Q) 30 graduates against 60 openings in North, 0 against 0 in South (Remote's 5 openings have no
supply known: beside the gap): gap -30, coverage 0.50; North College placed 10 at the Hospital (Q), 4 hired:
100 x 10 / 60 = 16.7 per 100 openings, hire rate 40%; the 2023 cohort of Nursing: 28 surveyed, 20 employed,
15 in field, 5 in further study: in-field 75%, destination (20 + 5) / 28 = 89.3%.
ICT (J) 12 against 10: gap +2, coverage 1.20; no placement in 2023: 0 per 100 openings, no hire rate; Software's
cohort: 10 surveyed, 6 employed, 3 in field, 2 further study: in-field 50%, destination 80%.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from data_access import queries
from data_access.filters import Filters

from .conftest import clear_app_caches, run_app


def test_one_row_per_sector_the_largest_shortage_first_with_placements_and_outcomes(tiny_engine):
    with Session(tiny_engine) as session:
        profile = queries.sector_profile(session, filters=Filters(year_to=2023))
    assert profile["sector_code"].tolist() == ["Q", "J"]
    health, ict = profile.iloc[0], profile.iloc[1]
    assert health[["supply", "demand", "gap", "students_placed", "hired"]].tolist() == [30, 60, -30, 10, 4]
    assert health["coverage_ratio"] == pytest.approx(0.5) and health["gap_status"] == "shortage"
    assert health["placed_per_100_openings"] == pytest.approx(100 * 10 / 60)
    assert health["placement_hire_rate"] == pytest.approx(0.4)
    assert health["outcomes_cohort"] == 2023
    assert health["in_field_rate"] == pytest.approx(0.75) and health["employment_rate"] == pytest.approx(25 / 28)
    assert ict[["gap", "students_placed"]].tolist() == [2, 0] and ict["placed_per_100_openings"] == 0
    assert ict["placement_hire_rate"] != ict["placement_hire_rate"]  # no placement: no rate, not 0
    assert ict["in_field_rate"] == pytest.approx(0.5) and ict["employment_rate"] == pytest.approx(0.8)


def test_the_overview_shows_the_table_and_a_picked_sector_s_programs(app_url):
    app = run_app(to="2023")
    assert not app.exception
    table = next(
        d for d in app.dataframe if "Placed per 100 openings" in d.value.columns or "placed_per_100_openings" in d.value.columns
    )
    assert len(table.value) == 2
    assert any("Pick a sector in the table" in c.value for c in app.caption)
    clear_app_caches()


def test_the_download_of_the_table_words_each_status_as_the_screen_does(tiny_engine):
    from data_access.views import read_view
    from ui.i18n import speaking
    from ui.sector_profile import worded

    with Session(tiny_engine) as session:
        rows = read_view(session, "sector_profile", Filters(year_to=2023))
    with speaking("en"):
        shown = worded(rows)
    assert shown.display["gap_status"].tolist() == shown.table["gap_status"].tolist()
    assert shown.display["gap_status"].iloc[0].endswith("shortage") and shown.display["gap_status"].iloc[0] != "shortage"
    assert rows.numbers["gap_status"].tolist() == ["shortage", "surplus"]  # the numbers keep the codes
