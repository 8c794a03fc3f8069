"""Openings estimated from employment by data contract version 3, on a few hand-written series whose numbers are
worked out in the comments: max(0, E(t) - E(t-1) + rate x E(t-1)), unknown (empty) in the first year of a series
and after a gap, the same through the summaries as through the rows; the coverage at other replacement rates
worked out row by row; and the employment smoothing setting, stored, recorded, undone, stated in the manifest
and changed on the Data page."""

from __future__ import annotations

import io
import json
import math
import zipfile

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access import queries, routing
from data_access.facts import DEMAND, CountMissing, Sum
from data_access.filters import Filters
from data_access.loading import load_history, load_paths, save_setting, undo_load
from data_access.models import DemandOpenings, StoredSetting
from data_access.snapshot import build_snapshot
from data_access.stored_settings import EMPLOYMENT_SMOOTHING, employment_smoothing
from data_access.views import VIEWS
from tests.conftest import data_version, write_csv

SECTORS = "sector_code,sector_name,replacement_rate\nC,Manufacturing,0.1\nQ,Health,\n"  # Health: the default 0.10
# R1 C falls 1000 -> 900, R2 C rises 1000 -> 1100; R1 Q has no 2022 (a gap); R2 Q states 30 openings in 2022
# with its employment, and gives employment only in 2023.
DEMAND_ROWS = """\
year,region_code,sector_code,openings,employment
2022,R1,C,,1000
2023,R1,C,,900
2022,R2,C,,1000
2023,R2,C,,1100
2021,R1,Q,,500
2023,R1,Q,,600
2022,R2,Q,30,400
2023,R2,Q,,500
"""
# 2023 graduates: C 50 in R1 and 120 in R2; Q 30 in R1 and 70 in R2.
ENROLMENTS = """\
year,institution_id,program_code,enrolled,graduates
2023,I1,P1,100,50
2023,I2,P1,200,120
2023,I1,P2,60,30
2023,I2,P2,140,70
"""


@pytest.fixture
def estimated(engine, tmp_path):
    folder = tmp_path / "estimated"
    write_csv(folder, "regions", "region_code,region_name\nR1,North\nR2,South\n")
    write_csv(folder, "sectors", SECTORS)
    write_csv(
        folder,
        "institutions",
        "institution_id,institution_name,region_code,institution_type\nI1,North College,R1,College\nI2,South College,R2,College\n",
    )
    write_csv(folder, "programs", "program_code,program_name,sector_code\nP1,Machining,C\nP2,Nursing,Q\n")
    write_csv(folder, "enrolments", ENROLMENTS)
    write_csv(folder, "demand", DEMAND_ROWS)
    outcome = load_paths(engine, [folder])
    assert outcome.ok, outcome.validation.report_lines()
    return engine


def openings(engine) -> dict[tuple, tuple]:
    """(year, region, sector) -> (openings, estimated, replacement_part, employment_change)."""
    with Session(engine) as session:
        rows = session.execute(select(DemandOpenings)).scalars()
        return {
            (r.year, r.region_code, r.sector_code): (r.openings, r.estimated, r.replacement_part, r.employment_change)
            for r in rows
        }


def test_falling_employment_gives_no_openings_when_the_fall_outweighs_replacement(estimated):
    # 1000 -> 900 at 0.10: max(0, -100 + 0.10 x 1000) = max(0, 0) = 0 (version 2 said 0 + 100 = 100)
    assert openings(estimated)[(2023, "R1", "C")] == (0, 1, 100, -100)


def test_rising_employment_gives_the_rise_plus_replacement(estimated):
    # 1000 -> 1100 at 0.10: max(0, 100 + 0.10 x 1000) = 200
    assert openings(estimated)[(2023, "R2", "C")] == (200, 1, 100, 100)
    # R2 Q: the stated row of 2022 gives employment 400, so 2023 follows it at the default 0.10: 100 + 40 = 140
    assert openings(estimated)[(2023, "R2", "Q")] == (pytest.approx(140), 1, pytest.approx(40), 100)


def test_the_first_year_of_a_series_is_unknown_not_rate_times_employment(estimated):
    stored = openings(estimated)
    # version 2 gave 0.10 x 1000 = 100 and 0.10 x 500 = 50: now empty, still marked estimated
    assert stored[(2022, "R1", "C")] == (None, 1, None, None)
    assert stored[(2022, "R2", "C")] == (None, 1, None, None)
    assert stored[(2021, "R1", "Q")] == (None, 1, None, None)


def test_a_year_after_a_gap_is_unknown(estimated):
    # R1 Q has 2021 and 2023 but no 2022: 2023 has no employment for the year before
    assert openings(estimated)[(2023, "R1", "Q")] == (None, 1, None, None)


def test_stated_openings_stay_as_stated(estimated):
    assert openings(estimated)[(2022, "R2", "Q")] == (30, 0, 0, None)


def test_an_unknown_cell_has_no_demand_gap_or_coverage_and_is_not_measured(estimated):
    with Session(estimated) as session:
        detail = VIEWS["supply_demand"].run(session, Filters(2023, 2023)).set_index(["region_code", "sector_code"])
    assert math.isnan(detail.loc[("R1", "Q"), "demand"]) and math.isnan(detail.loc[("R1", "Q"), "gap"])
    assert detail.loc[("R1", "C"), "demand"] == 0 and detail.loc[("R2", "C"), "demand"] == 200
    assert detail.loc[("R2", "Q"), "coverage_ratio"] == pytest.approx(70 / 140)


GROUPINGS = (["year", "region_code", "sector_code"], ["year", "sector_code"], ["sector_code"], ["year"], [])
FILTERS = (Filters(), Filters(2023, 2023), Filters(sectors=("Q",)), Filters(2022, 2023, sectors=("C",)))


@pytest.mark.parametrize("by", GROUPINGS)
def test_unknown_openings_are_counted_alike_through_the_summary_and_the_rows(estimated, by):
    measures = {"demand": Sum("openings"), "unknown": CountMissing("openings")}
    with Session(estimated) as session:
        for filters in FILTERS:
            through_summaries = routing.aggregate(session, DEMAND, filters, by, measures)
            with routing.reading_rows_only(session):
                rows = routing.aggregate(session, DEMAND, filters, by, measures)
            pd.testing.assert_frame_equal(
                through_summaries.sort_values(by).reset_index(drop=True) if by else through_summaries,
                rows.sort_values(by).reset_index(drop=True) if by else rows,
                check_dtype=False,
                obj=f"{by} {filters}",
            )


def test_the_demand_summary_answers_the_count_of_unknown_openings_by_year_and_sector(estimated):
    statements = []
    measures = {"demand": Sum("openings"), "unknown": CountMissing("openings")}
    with Session(estimated) as session:
        from sqlalchemy import event

        connection = session.connection()
        event.listen(connection, "before_cursor_execute", lambda *args: statements.append(args[2]))
        frame = routing.aggregate(session, DEMAND, Filters(), ["year", "sector_code"], measures)
    assert all("summary_demand_by_sector" in s for s in statements) and not any("demand_openings" in s for s in statements)
    found = {(r.year, r.sector_code): (None if pd.isna(r.demand) else r.demand, r.unknown) for r in frame.itertuples()}
    # 2022 C: both regions in their first year; 2023 C: 0 + 200; 2021 Q: first year; 2022 Q: 30 stated;
    # 2023 Q: R1 after a gap, R2 140
    assert found == {
        (2022, "C"): (None, 2),
        (2023, "C"): (200, 0),
        (2021, "Q"): (None, 1),
        (2022, "Q"): (30, 0),
        (2023, "Q"): (pytest.approx(140), 1),
    }


def test_the_coverage_at_other_rates_works_out_each_estimate_again_with_the_floor(estimated):
    with Session(estimated) as session:
        rows = queries.coverage_sensitivity(session, filters=Filters(2023, 2023))
    assert list(rows.columns) == ["sector_code", "sector_name", "factor", "supply", "demand", "coverage_ratio"]
    demand = {(r.sector_code, r.factor): r.demand for r in rows.itertuples()}
    supply = {r.sector_code: r.supply for r in rows.itertuples()}
    # C, measured in R1 and R2: max(0, -100 + f x 100) + max(0, 100 + f x 100); supply 50 + 120
    # (scaling the summed replacement part instead would give 200 - 0.5 x 200 = 100 at half the rate)
    assert [demand[("C", f)] for f in queries.RATE_FACTORS] == pytest.approx([0 + 150, 0 + 175, 0 + 200, 25 + 225, 50 + 250])
    assert supply["C"] == 170
    # Q: only R2 is measured (R1's 2023 is unknown): max(0, 100 + f x 40); supply 70 (R1's 30 is beside the gap)
    assert [demand[("Q", f)] for f in queries.RATE_FACTORS] == pytest.approx([120, 130, 140, 150, 160])
    assert supply["Q"] == 70
    assert [demand[("", f)] for f in queries.RATE_FACTORS] == pytest.approx([270, 305, 340, 400, 460])
    every = rows[rows["sector_code"] == ""].set_index("factor")
    assert every.loc[1.0, "coverage_ratio"] == pytest.approx(240 / 340)
    assert every.loc[0.5, "coverage_ratio"] == pytest.approx(240 / 270)


# --- employment smoothing --------------------------------------------------------------------------

SMOOTHED_ROWS = (
    "year,region_code,sector_code,openings,employment\n2020,R1,C,,1000\n2021,R1,C,,900\n2022,R1,C,,1100\n2023,R1,C,,1300\n"
)


@pytest.fixture
def series(engine, tmp_path):
    folder = tmp_path / "series"
    write_csv(folder, "regions", "region_code,region_name\nR1,North\n")
    write_csv(folder, "sectors", SECTORS)
    write_csv(folder, "demand", SMOOTHED_ROWS)
    assert load_paths(engine, [folder]).ok
    return engine


def test_smoothing_over_two_years_takes_the_change_of_the_two_year_means(series):
    # off: 2021 max(0, -100 + 100) = 0; 2022 200 + 90 = 290; 2023 200 + 110 = 310
    assert {y: o for (y, _, _), (o, *_) in openings(series).items()} == {2020: None, 2021: 0, 2022: 290, 2023: 310}
    assert save_setting(series, EMPLOYMENT_SMOOTHING, 2, loaded_by="test").ok
    # 2 years: means 2021 (1000 + 900) / 2 = 950, 2022 (900 + 1100) / 2 = 1000, 2023 (1100 + 1300) / 2 = 1200;
    # 2022: max(0, 50 + 0.10 x 950) = 145; 2023: max(0, 200 + 0.10 x 1000) = 300; 2020 and 2021 lack a year of their means
    stored = openings(series)
    assert stored[(2022, "R1", "C")] == (pytest.approx(145), 1, pytest.approx(95), 50)
    assert stored[(2023, "R1", "C")] == (pytest.approx(300), 1, pytest.approx(100), 200)
    assert stored[(2020, "R1", "C")][0] is None and stored[(2021, "R1", "C")][0] is None
    with Session(series) as session:  # the summary follows
        frame = routing.aggregate(
            session, DEMAND, Filters(), ["year"], {"demand": Sum("openings"), "unknown": CountMissing("openings")}
        )
    assert frame.set_index("year")["unknown"].to_dict() == {2020: 1, 2021: 1, 2022: 0, 2023: 0}


def test_a_change_of_the_smoothing_is_recorded_and_undone_like_a_load(series):
    before_version, before = data_version(series), openings(series)
    outcome = save_setting(series, EMPLOYMENT_SMOOTHING, 3, loaded_by="Ana Planner")
    assert outcome.ok and outcome.data_version == before_version + 1
    latest = load_history(series)[0]
    assert (latest["mode"], latest["loaded_by"], latest["files"]) == ("setting", "Ana Planner", ["employment_smoothing = 3"])
    # 3 years: only 2023 has 2020..2023: ((1300 - 1000) / 3) + 0.10 x (1000 + 900 + 1100) / 3 = 100 + 100 = 200
    assert openings(series)[(2023, "R1", "C")][0] == pytest.approx(200)
    with Session(series) as session:
        assert employment_smoothing(session) == 3
    undone = undo_load(series)
    assert undone.ok and undone.undone == before_version + 1
    assert openings(series) == before
    with Session(series) as session:
        assert employment_smoothing(session) == 1
        assert session.execute(select(func.count()).select_from(StoredSetting)).scalar_one() == 0
    # a second change, then back: the undo puts the value before it back, not the default
    assert save_setting(series, EMPLOYMENT_SMOOTHING, 2).ok and save_setting(series, EMPLOYMENT_SMOOTHING, 3).ok
    assert undo_load(series).ok
    with Session(series) as session:
        assert employment_smoothing(session) == 2


def test_a_smoothing_it_does_not_take_or_already_has_writes_nothing(series):
    version = data_version(series)
    refused = save_setting(series, EMPLOYMENT_SMOOTHING, 5)
    assert not refused.ok
    assert refused.validation.report_lines() == ["(stored setting):0: employment_smoothing: expected one of 1, 2, 3, found 5"]
    same = save_setting(series, EMPLOYMENT_SMOOTHING, 1)
    assert not same.ok and same.nothing_to_load and same.validation.ok
    assert data_version(series) == version


def test_the_manifest_states_the_formula_the_smoothing_and_the_unknown_estimates(series):
    assert save_setting(series, EMPLOYMENT_SMOOTHING, 2).ok
    with Session(series) as session:
        archive = zipfile.ZipFile(io.BytesIO(build_snapshot(session, filters=Filters())))
    note = json.loads(archive.read("manifest.json"))["caveats"]["estimated_openings"]
    assert note["employment_smoothing"] == 2 and note["unknown_within_filters"] == 2
    assert note["formula"].startswith("openings(t) = max(0, E(t) - E(t-1) + rate x E(t-1))")
    assert "unknown" in note["formula"] and "employment_smoothing" in note["formula"]


def test_the_note_on_estimated_openings_says_the_smoothing_when_it_is_on(series):
    from ui.caveats import estimated_note

    with Session(series) as session:
        assert "averaged" not in estimated_note(session)
    assert save_setting(series, EMPLOYMENT_SMOOTHING, 2).ok
    with Session(series) as session:
        note = estimated_note(session)
    assert "net change plus replacement" in note and "Employment is averaged over 2 years before its change is taken" in note


def test_an_editor_sets_the_smoothing_on_the_data_page_and_undoes_it_there(app_url):
    from data_access.store import make_engine
    from tests.test_data_page import LOCAL_EDITORS, button, open_data_page, shown_table, sign_in

    engine = make_engine(app_url)
    version = data_version(engine)
    viewer = open_data_page(local_editors=LOCAL_EDITORS)
    assert "Smoothing of employment" in [s.value for s in viewer.subheader]
    assert any(c.value == "Employment smoothing in use: 1 year (off)." for c in viewer.caption)

    app = sign_in(open_data_page(local_editors=LOCAL_EDITORS))
    control = app.segmented_control(key=f"smoothing_{version}")
    assert control.value == 1 and control.options == ["1 year (off)", "2 years", "3 years"]
    control.set_value(2).run()
    assert any(c.value.startswith("From 1 year (off) to 2 years: saving recomputes every estimate") for c in app.caption)
    button(app, "Save the smoothing").click().run()
    assert not app.exception
    assert any(f"Employment smoothing saved. Data version is now {version + 1}." in s.value for s in app.success)
    history = shown_table(app, "version")
    assert (history.loc[0, "change"], history.loc[0, "files"]) == ("setting changed", "employment_smoothing = 2")
    with Session(engine) as session:
        assert employment_smoothing(session) == 2
    assert app.segmented_control(key=f"smoothing_{version + 1}").value == 2

    app.checkbox(key=f"undo_sure_{version + 1}").check().run()
    button(app, f"Undo the latest load (version {version + 1})").click().run()
    assert not app.exception
    with Session(engine) as session:
        assert employment_smoothing(session) == 1
    assert app.segmented_control(key=f"smoothing_{version + 2}").value == 1
    engine.dispose()
