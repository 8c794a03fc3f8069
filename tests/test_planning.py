"""Planning: projected openings, the intake pipeline and scenarios, with numbers worked out by hand
(tests/fixtures/README.md, plan/), and the exponential smoothing checked against statsmodels."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.orm import Session

from data_access import planning
from data_access.filters import Filters
from data_access.loading import load_paths
from data_access.planning import ScenarioChange, Series, project

from .conftest import FIXTURES, write_csv

PLAN = FIXTURES / "plan"


@pytest.fixture
def plan_engine(engine):
    assert load_paths(engine, [PLAN]).ok
    return engine


def cell(rows: pd.DataFrame, year: int, region: str, sector: str) -> pd.Series:
    return rows.set_index(["year", "region_code", "sector_code"]).loc[(year, region, sector)]


def test_trend_projects_a_straight_line_with_no_spread_when_the_points_lie_on_it(plan_engine):
    with Session(plan_engine) as session:
        rows = project(session, to_year=2025, method="trend").rows
    assert sorted(set(rows["year"])) == [2023, 2024, 2025]  # every year after the last year of demand
    for year, openings in ((2023, 150), (2024, 160), (2025, 170)):
        projected = cell(rows, year, "R1", "C")
        assert projected["demand"] == pytest.approx(openings)
        assert projected["demand_low"] == pytest.approx(openings) and projected["demand_high"] == pytest.approx(openings)
    assert cell(rows, 2025, "R2", "Q")["demand"] == pytest.approx(60)


def test_graduates_come_from_the_entrants_one_program_length_earlier_times_the_exact_completion(plan_engine):
    with Session(plan_engine) as session:
        projection = project(session, to_year=2025, method="trend")
    pipeline = projection.pipeline.set_index("program_code")
    assert (
        pipeline.loc["P1", "completion"] == pytest.approx(0.9)
        and pipeline.loc["P1", "completion_from"] == "program and institution"
    )
    rows = projection.rows
    assert [cell(rows, y, "R1", "C")["supply"] for y in (2023, 2024, 2025)] == pytest.approx([117, 126, 126])
    assert cell(rows, 2023, "R1", "C")["gap"] == pytest.approx(117 - 150)
    assert cell(rows, 2023, "R1", "C")["coverage_ratio"] == pytest.approx(117 / 150)
    # P2 reports no entrants: its graduates' own series, projected with the method asked (a line: +2 a year)
    assert [cell(rows, y, "R2", "Q")["supply_trend"] for y in (2023, 2024, 2025)] == pytest.approx([60, 62, 64])
    # R1 reports enrolments in 2022 and teaches nothing for Q: supply 0, known, so R1/Q is measured
    assert cell(rows, 2023, "R1", "Q")["supply"] == 0 and bool(cell(rows, 2023, "R1", "Q")["measured"])


def test_a_scenario_moves_only_the_years_its_intake_graduates_in(plan_engine):
    scenario = [ScenarioChange("P1", None, 2023, 0.10)]
    with Session(plan_engine) as session:
        base = project(session, to_year=2026, method="trend").rows
        changed = project(session, to_year=2026, method="trend", scenario=scenario).rows
    before = [cell(base, y, "R1", "C")["supply"] for y in (2023, 2024, 2025, 2026)]
    after = [cell(changed, y, "R1", "C")["supply"] for y in (2023, 2024, 2025, 2026)]
    assert before == pytest.approx([117, 126, 126, 126])
    assert after == pytest.approx([117, 126, 138.6, 138.6])  # a two-year program: entry 2023 graduates in 2025
    none = project_session(plan_engine, [ScenarioChange("P1", "R1", 2024, -1)])
    assert [cell(none, y, "R1", "C")["supply"] for y in (2025, 2026)] == pytest.approx([126, 0])
    elsewhere = project_session(plan_engine, [ScenarioChange("P1", "R2", 2023, 1.0)])  # P1 is taught in R1 only
    assert [cell(elsewhere, y, "R1", "C")["supply"] for y in (2025, 2026)] == pytest.approx([126, 126])


def project_session(engine, scenario):
    with Session(engine) as session:
        return project(session, to_year=2026, method="trend", scenario=scenario).rows


def test_a_sector_without_a_row_in_a_year_its_region_reports_has_0_openings(plan_engine):
    with Session(plan_engine) as session:
        rows = project(session, to_year=2024, method="trend").rows
    r1q = cell(rows, 2023, "R1", "Q")
    # R1 reports demand 2018-2022 (R1/C), so R1/Q is 0, 0, 10, 14, 0: five known years; its line has mean 4.8 at
    # 2020 and slope (-2 x -4.8 - 1 x -4.8 + 0 + 1 x 9.2 + 2 x -4.8) / 10 = 1.4: 4.8 + 3 x 1.4 = 9 in 2023
    assert r1q["observed_years"] == 5 and not bool(r1q["few_years"])
    assert r1q["demand"] == pytest.approx(9)


def test_a_cell_with_two_years_is_carried_forward_flat_with_a_wider_band_when_no_cell_shows_the_spread():
    projected = planning.project_matrix(Series(np.array([2020, 2021]), np.array([[10.0, 14.0]])), [2023], "trend")
    # two years are too short for a line: 14 carried forward; no cell with 5 years to pool how far such a
    # carry-forward strays: ±25% of the level per √2 years, x 5/2 (few years)
    assert projected["mean"][0, 0] == pytest.approx(14)
    assert projected["high"][0, 0] - projected["mean"][0, 0] == pytest.approx(0.25 * 14 * np.sqrt(2) * 2.5)
    assert list(projected["method"]) == ["naive"]


def test_a_short_cell_s_band_is_the_spread_a_carry_forward_showed_in_the_cells_with_enough_years():
    years = np.arange(2020, 2025)
    # five cells of five years growing 0%, 5%, 10%, 20% and -10% a year: four one-year steps each, so the twenty
    # carried-forward errors are 0 (x4), 0.05 (x4), 0.1 (x8: the rise and the fall) and 0.2 (x4); their 80th
    # percentile (numpy's linear rule) lies 0.2 of the way from the 16th to the 17th of them: 0.1 + 0.2 x 0.1 = 0.12
    long = [100 * (1 + g) ** (years - 2020.0) for g in (0.0, 0.05, 0.10, 0.20, -0.10)]
    short = [np.nan, np.nan, np.nan, 10.0, 14.0]
    series = Series(years, np.vstack([*long, short]))
    assert planning.pooled_naive_spread(series, [1, 2]) == pytest.approx([0.12, np.nan], nan_ok=True)
    projected = planning.project_matrix(series, [2025, 2026], "auto")
    # 14 carried forward; one year ahead ±14 x 0.12 x 5/2 (two years of five) = ±4.2; two years ahead only fifteen
    # pairs exist (fewer than twenty): ±25% per √2 years, x 5/2
    assert projected["mean"][5] == pytest.approx([14, 14])
    assert projected["high"][5] - projected["mean"][5] == pytest.approx([4.2, 0.25 * 14 * np.sqrt(2) * 2.5])
    assert projected["low"][5, 0] == pytest.approx(14 - 4.2)
    assert projected["method"][5] == "naive" and projected["method"][0] != "naive"


@pytest.fixture
def short_engine(engine, tmp_path):
    """The plan fixture with three short regions: R3 reports openings in 2021 and 2022 (R3/C 40, 50; R3/Q 0, 20),
    R4 in 2022 only (R4/C 30), R5 gives employment only, in 2022, so its openings cannot be estimated."""
    folder = tmp_path / "short"
    shutil.copytree(PLAN, folder)
    write_csv(folder, "regions", ["region_code,region_name", "R1,North", "R2,South", "R3,East", "R4,West", "R5,Isles"])
    demand = (PLAN / "demand.csv").read_text().splitlines()
    lines = [demand[0] + ",employment", *(line + "," for line in demand[1:])]
    lines += ["2021,R3,C,40,", "2022,R3,C,50,", "2022,R3,Q,20,", "2022,R4,C,30,", "2022,R5,C,,1000"]
    write_csv(folder, "demand", lines)
    assert load_paths(engine, [folder]).ok
    return engine


def test_a_short_cell_is_projected_flat_even_from_one_year_and_a_cell_of_none_says_why_it_is_not(short_engine):
    with Session(short_engine) as session:
        projection = project(session, to_year=2024, method="auto")
    rows = projection.rows
    # R3/C: two known years; 50 carried forward. The cells of five known years show too few one-year steps to
    # pool (R1/C four, R2/Q four, R1/Q two with a base above 0): ±25% a √year, x 5/2: ±31.25 in 2023
    r3c = cell(rows, 2023, "R3", "C")
    assert (r3c["demand"], r3c["demand_low"], r3c["demand_high"]) == pytest.approx((50, 50 - 31.25, 50 + 31.25))
    assert r3c["method"] == "naive" and r3c["observed_years"] == 2 and r3c["demand_not_projected"] == ""
    # R3/Q: 0 in 2021 (R3 reports it without a row), 20 in 2022
    assert cell(rows, 2023, "R3", "Q")["demand"] == pytest.approx(20)
    # R4/C: one known year, 30 carried forward with the widest range: ±25% x 30 x 5/1 = ±37.5, never below 0
    r4c, r5c = cell(rows, 2023, "R4", "C"), cell(rows, 2023, "R5", "C")
    assert (r4c["demand"], r4c["demand_low"], r4c["demand_high"]) == pytest.approx((30, 0, 67.5))
    assert (r4c["demand_not_projected"], r4c["observed_years"], r4c["last_known_year"]) == ("", 1, 2022)
    assert r4c["method"] == "naive" and not bool(r4c["measured"])  # R4 reports no enrolments: no supply
    # R5/C: no known year (employment alone, in a first year): no projection, never 0, with the reason
    assert pd.isna(r5c["demand"]) and r5c["demand_not_projected"] == "no_known_year" and r5c["observed_years"] == 0
    assert projection.assumptions["not_projected"] == {
        "demand_cells": 0,
        "supply_cells": 4,  # R3/C, R3/Q, R4/C, R5/C: their regions report no enrolments
        "one_known_year_cells": 0,
        "no_known_year_cells": 1,
    }
    # the total of 2023 is over the measured cells only (R1/C, R1/Q, R2/Q), the short ones counted beside it
    total = planning.totals(projection, "total").set_index("year").loc[2023]
    measured = rows[(rows["year"] == 2023) & rows["measured"]]
    assert total["demand"] == pytest.approx(measured["demand"].sum())
    assert (total["measured_cells"], total["cells_not_projected"]) == (3, 4)


def test_cagr_grows_the_last_value_at_the_compound_rate_between_the_first_and_last_years(plan_engine):
    with Session(plan_engine) as session:
        rows = project(session, to_year=2024, method="cagr").rows
    rate = (140 / 100) ** (1 / 4) - 1
    assert cell(rows, 2023, "R1", "C")["demand"] == pytest.approx(140 * (1 + rate))
    assert cell(rows, 2024, "R1", "C")["demand"] == pytest.approx(140 * (1 + rate) ** 2)


def test_auto_chooses_per_cell_the_method_with_the_smallest_back_test_error():
    years = np.arange(2015, 2025)
    line = 100 + 10 * (years - 2015.0)
    compound = 100 * 1.2 ** (years - 2015.0)
    series = Series(years, np.vstack([line, compound, [5, 9, 7, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan]]))
    errors = planning.backtest_errors(series)
    assert errors["trend"][0] == pytest.approx(0) and errors["cagr"][1] == pytest.approx(0, abs=1e-9)
    chosen = planning.project_matrix(series, [2025, 2026], "auto")["method"]
    assert list(chosen) == ["trend", "cagr", "trend"]  # the third has 3 years: too few to back-test, a line


def test_damped_exponential_smoothing_equals_statsmodels_with_the_same_parameters():
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    values = np.array([100, 104, 110, 113, 118, 121, 130, 128, 135, 140, 146.0])
    alpha, beta, phi = 0.5, 0.1, 0.9
    level, trend, sse, n = planning._ets_run(Series(np.arange(2015, 2026), values[None, :]), alpha, beta, phi)
    reference = ETSModel(
        pd.Series(values, index=pd.RangeIndex(2015, 2026)),
        error="add",
        trend="add",
        damped_trend=True,
        initialization_method="known",
        initial_level=100.0,
        initial_trend=4.0,
    ).smooth([alpha, beta, phi])
    frame = reference.get_prediction(start=11, end=13).summary_frame(alpha=0.2)
    steps = np.array([1, 2, 3])
    damped = np.cumsum(phi**steps)
    mean = level[0] + damped * trend[0]
    c = alpha + beta * damped
    variance = sse[0] / n[0] * (1 + np.concatenate([[0], np.cumsum(c**2)[:-1]]))
    assert mean == pytest.approx(frame["mean"].to_numpy())
    assert mean - planning.Z80 * np.sqrt(variance) == pytest.approx(frame["pi_lower"].to_numpy())
    assert sse[0] / n[0] == pytest.approx(reference.mse)


def test_the_scenario_csv_reads_back_and_bad_rows_are_refused_with_their_line():
    changes = [ScenarioChange("P1", None, 2026, 0.1), ScenarioChange("P2", "R2", 2027, -1.0)]
    assert planning.read_scenario(planning.scenario_csv(changes)) == (changes, [])
    _, problems = planning.read_scenario(b"program_code,region_code,from_year,change\nP1,,20x6,0.1\nP1,,2026,-2\n,,2026,0\n")
    assert problems == [
        "scenario.csv:2: from_year: expected a year from 1990 to 2100, found '20x6'",
        "scenario.csv:3: change: expected a fraction of -1 or more (0.10 = ten percent more, -1 = no intake), found '-2'",
        "scenario.csv:4: program_code: expected a program code, found an empty cell",
    ]


def test_the_project_command_writes_the_contract_columns_as_an_export(plan_engine, cli, tmp_path):
    db = plan_engine.url.render_as_string(hide_password=False)
    scenario = tmp_path / "scenario.csv"
    scenario.write_bytes(planning.scenario_csv([ScenarioChange("P1", "", 2023, 0.1)]))
    out = tmp_path / "projection.csv"
    code, printed, _ = cli("project", "--to", "2025", "--method", "trend", "--scenario", scenario, "--db", db, "--out", out)
    assert code == 0 and "2023–2025, method trend, 1 scenario change(s)" in printed
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = pd.read_csv(out, encoding="utf-8-sig")
    for column in (
        "year",
        "region_code",
        "region_name",
        "sector_code",
        "sector_name",
        "demand",
        "demand_low",
        "demand_high",
        "supply",
        "gap",
        "coverage_ratio",
        "method",
    ):
        assert column in rows.columns
    r1c = rows[(rows["region_code"] == "R1") & (rows["sector_code"] == "C")].set_index("year")
    assert r1c["supply"].tolist() == pytest.approx([117, 126, 138.6]) and r1c["demand"].tolist() == pytest.approx([150, 160, 170])
    assert set(r1c["method"]) == {"trend"}


def test_the_project_command_refuses_a_broken_scenario_and_writes_nothing(plan_engine, cli, tmp_path):
    db = plan_engine.url.render_as_string(hide_password=False)
    scenario = tmp_path / "scenario.csv"
    scenario.write_text("program_code,region_code,from_year,change\nP9,,2026,0.1\n", encoding="utf-8")
    out = tmp_path / "projection.csv"
    code, _, errors = cli("project", "--to", "2025", "--scenario", scenario, "--db", db, "--out", out)
    assert code == 1 and "unknown program_code in" in errors and "P9" in errors and not out.exists()


def test_the_project_command_refuses_a_year_outside_the_horizon_and_computes_nothing(plan_engine, cli, tmp_path, monkeypatch):
    import data_access.cli

    def computed(*args, **kwargs):
        raise AssertionError("a projection was computed")

    monkeypatch.setattr(data_access.cli, "project", computed)
    monkeypatch.setattr(data_access.cli, "build_snapshot", computed)
    db = plan_engine.url.render_as_string(hide_password=False)
    out = tmp_path / "projection.csv"
    assert cli("project", "--to", "99999", "--db", db, "--out", out) == (
        2,
        "",
        "error: --to 99999: the last year to project must be a year from 1990 to 2100, found 99999\n",
    )
    assert cli("project", "--to", "2053", "--db", db, "--out", out) == (
        2,
        "",
        "error: --to 2053: the last year to project may be at most 30 years after 2022, the last year of demand data: "
        "2052 at the latest, found 2053\n",
    )
    assert cli("export", "--out", tmp_path / "snapshot.zip", "--project-to", "99999", "--db", db) == (
        2,
        "",
        "error: --project-to 99999: the last year to project must be a year from 1990 to 2100, found 99999\n",
    )
    assert not out.exists() and not (tmp_path / "snapshot.zip").exists()
    monkeypatch.undo()
    code, printed, _ = cli("project", "--to", "2052", "--method", "trend", "--db", db, "--out", out)
    assert code == 0 and "2023–2052, method trend" in printed  # the latest year allowed


def test_a_projection_past_the_contract_s_last_year_is_refused_before_anything_is_read(plan_engine, monkeypatch):
    def read(*args, **kwargs):
        raise AssertionError("the demand history was read")

    monkeypatch.setattr(planning, "demand_history", read)
    with Session(plan_engine) as session, pytest.raises(ValueError, match=r"from 1990 to 2100, found 99999$"):
        project(session, to_year=99999)


def test_the_grow_shrink_list_says_which_rule_fired_with_its_numbers(plan_engine):
    with Session(plan_engine) as session:
        projection = project(session, to_year=2025, method="trend")
        programs = planning.grow_shrink(session, filters=Filters(), projection=projection).set_index("program_code")
    p1, p2 = programs.loc["P1"], programs.loc["P2"]
    assert p2["status"] == "cap" and p2["rule"] == "destination_below_cap"
    assert p2["rule_values"] == {"rate": pytest.approx(0.525), "limit": 0.6, "cohort": 2022}
    assert p1["status"] == "grow" and p1["rule"] == "shortage"
    assert p1["graduation_year"] == 2025 and p1["coverage"] == pytest.approx(126 / 170)
    assert p1["current_intake"] == 140 and p1["completion"] == pytest.approx(0.9)
    assert p1["suggested_intake"] == 154  # (170 - 0) / 0.9 = 189, at most 10% above 140
    assert list(programs.index) == ["P2", "P1"]  # the strictest status first


def test_thresholds_change_the_status(plan_engine):
    with Session(plan_engine) as session:
        projection = project(session, to_year=2025, method="trend")
        loose = planning.grow_shrink(
            session,
            filters=Filters(),
            projection=projection,
            rules=planning.Rules(cap_below=0.5, grow_coverage=0.7, max_change=0.5),
        )
    statuses = dict(zip(loose["program_code"], loose["status"]))
    # P1: 0.74 > 0.7; P2: 52.5% is not below 50%, and without entrants no rule on coverage can advise it
    assert statuses == {"P1": "keep", "P2": "no_advice"}


def test_the_bottom_share_rule_needs_the_floor_too(plan_engine):
    """P2's destination rates (22 / 40 = 55% in 2021, 21 / 40 = 52.5% in 2022) are the lower half of the two
    programs in both cohorts: shrink while they are below the floor (80%), not once the floor is under them."""
    ranked = dict(cap_below=0.5, alternate_below=0.3, stop_below=0.2, bottom_share=0.5)
    with Session(plan_engine) as session:
        projection = project(session, to_year=2025, method="trend")
        below = planning.grow_shrink(session, filters=Filters(), projection=projection, rules=planning.Rules(**ranked))
        above = planning.grow_shrink(
            session, filters=Filters(), projection=projection, rules=planning.Rules(**ranked, bottom_below=0.5)
        )
    p2 = below.set_index("program_code").loc["P2"]
    assert p2["status"] == "shrink" and p2["rule"] == "bottom_cohorts"
    assert p2["rule_values"] == {"share": 0.5, "below": 0.8, "cohorts": [2021, 2022], "rates": [0.55, 0.525]}
    assert above.set_index("program_code").loc["P2", "status"] == "no_advice"


def test_a_named_scenario_is_saved_as_versions_and_loads_back(engine):
    from data_access.scenarios import load_scenario, save_scenario, saved_scenarios

    first = [ScenarioChange("P1", None, 2026, 0.1)]
    second = [ScenarioChange("P1", "R1", 2027, -0.2), ScenarioChange("P2", None, 2026, 0.05)]
    assert save_scenario(engine, "  More  machinists ", first, saved_by="ana") == 1
    assert save_scenario(engine, "More machinists", second, saved_by="bo") == 2
    assert load_scenario(engine, "More machinists") == second
    assert load_scenario(engine, "More machinists", 1) == first
    assert load_scenario(engine, "nothing") == []
    listed = saved_scenarios(engine)
    assert listed[["name", "version", "saved_by", "changes"]].values.tolist() == [
        ["More machinists", 2, "bo", 2],
        ["More machinists", 1, "ana", 1],
    ]


def test_a_scenario_tells_how_many_more_students_need_a_placement_in_each_sector(plan_engine):
    with Session(plan_engine) as session:
        extra = planning.extra_students(
            session, filters=Filters(), scenario=[ScenarioChange("P1", None, 2024, 0.25)], years=[2023, 2024, 2025]
        )
    assert extra.values.tolist() == [[2024, "C", 35.0], [2025, "C", 35.0]]  # a quarter more than P1's last intake (140)


def test_the_snapshot_holds_the_projection_its_scenario_and_the_methods(plan_engine, cli, tmp_path):
    import io
    import json
    import zipfile

    db = plan_engine.url.render_as_string(hide_password=False)
    scenario = tmp_path / "scenario.csv"
    scenario.write_bytes(planning.scenario_csv([ScenarioChange("P1", None, 2023, 0.1)]))
    out = tmp_path / "snapshot.zip"
    code, _, _ = cli("export", "--out", out, "--project-to", "2025", "--method", "trend", "--scenario", scenario, "--db", db)
    assert code == 0
    archive = zipfile.ZipFile(io.BytesIO(out.read_bytes()))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["planning"]["method"] == "trend" and manifest["planning"]["to_year"] == 2025
    assert manifest["planning"]["scenario"] == [{"program_code": "P1", "region_code": None, "from_year": 2023, "change": 0.1}]
    assert {row["method"] for row in manifest["planning"]["backtest"]} == {"trend", "cagr", "ets"}
    assert "never the sum of the cells' bounds" in manifest["planning"]["total_interval"]
    assert manifest["planning"]["not_projected"] == {
        "demand_cells": 0,
        "supply_cells": 0,
        "one_known_year_cells": 0,
        "no_known_year_cells": 0,
    }
    projections = pd.read_csv(io.BytesIO(archive.read("projections.csv")), encoding="utf-8-sig")
    r1c = projections[(projections["region_code"] == "R1") & (projections["sector_code"] == "C")].set_index("year")
    assert r1c["supply"].tolist() == pytest.approx([117, 126, 138.6])
    written = pd.read_csv(io.BytesIO(archive.read("scenario.csv")), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert written.values.tolist() == [["P1", "", "2023", "0.1"]]  # the contract's scenario file, read back as it was given
    default = zipfile.ZipFile(io.BytesIO(_export_default(cli, db, tmp_path)))
    assert json.loads(default.read("manifest.json"))["planning"]["to_year"] == 2025  # the last year of demand (2022) + 3
    assert "scenario.csv" not in default.namelist()


def _export_default(cli, db, tmp_path) -> bytes:
    out = tmp_path / "default.zip"
    assert cli("export", "--out", out, "--db", db)[0] == 0
    return out.read_bytes()


def test_the_brief_shows_where_the_gap_is_heading_with_and_without_the_scenario(plan_engine):
    from ui.brief import build_brief

    plan = planning.PlanningSettings(2025, "trend", (ScenarioChange("P1", None, 2023, 0.1),))
    with Session(plan_engine) as session:
        document = build_brief(session, filters=Filters(), plan=plan)
    assert "Where the gap is heading" in document
    assert (
        "In 2025, Manufacturing is projected to have the largest shortage: 31 fewer graduates than openings (coverage "
        "0.82; openings between 170 and 170 in 80% of outcomes). Without the scenario the gap would be 44; with it, 31."
    ) in document


def test_effective_supply_is_projected_graduates_times_the_in_field_rate(plan_engine):
    with Session(plan_engine) as session:
        rows = project(session, to_year=2023, method="trend").rows
    # P1 (R1/C): 80 of 90 employed work in their field over both cohorts; P2 (R2/Q): 30 of 39
    assert cell(rows, 2023, "R1", "C")["effective_supply"] == pytest.approx(117 * 80 / 90)
    assert cell(rows, 2023, "R2", "Q")["effective_supply"] == pytest.approx(60 * 30 / 39)


# --- incomplete panels and the intervals of totals (data contract version 3) -------------------------

T80_3 = 1.637744353696209  # Student's t with 3 degrees of freedom at 0.9: the 80% interval of a line through 5 points
ROOM_2023 = np.sqrt(1 + 1 / 5 + 3**2 / 10)  # 2023 is 3 years after the mean year (2020) of 2018-2022; Sxx = 10


def panel_engine(engine, folder, demand: dict[str, list], graduates: dict[str, list]):
    """A panel of regions with one sector C: ``demand`` and ``graduates`` per region, a value per year from 2018
    (None: no row that year); each region has one institution teaching one program of C, without entrants."""
    regions = sorted(set(demand) | set(graduates))
    write_csv(folder, "regions", ["region_code,region_name"] + [f"{r},Region {r}" for r in regions])
    write_csv(folder, "sectors", ["sector_code,sector_name", "C,Manufacturing"])
    write_csv(
        folder,
        "institutions",
        ["institution_id,institution_name,region_code,institution_type"] + [f"I{r},School {r},{r},school" for r in regions],
    )
    write_csv(
        folder,
        "programs",
        ["program_code,program_name,sector_code,level,duration_years"] + [f"P{r},Program {r},C,,3" for r in regions],
    )
    write_csv(
        folder,
        "demand",
        ["year,region_code,sector_code,openings"]
        + [f"{2018 + i},{r},C,{v}" for r, values in demand.items() for i, v in enumerate(values) if v is not None],
    )
    write_csv(
        folder,
        "enrolments",
        ["year,institution_id,program_code,enrolled,graduates,entrants"]
        + [
            f"{2018 + i},I{r},P{r},{3 * v},{v}," for r, values in graduates.items() for i, v in enumerate(values) if v is not None
        ],
    )
    assert load_paths(engine, [folder]).ok
    with Session(engine) as session:
        return project(session, to_year=2023, method="trend")


EVERY_YEAR = [50, 50, 50, 50, 50]


def test_perfectly_correlated_cells_give_a_total_band_equal_to_the_sum_of_their_bands(engine, tmp_path):
    # deviations from their flat lines: A +1 -1 0 -1 +1 (squares 4), B twice A's (squares 16): correlation 1
    result = panel_engine(
        engine, tmp_path, {"RA": [101, 99, 100, 99, 101], "RB": [202, 198, 200, 198, 202]}, {"RA": EVERY_YEAR, "RB": EVERY_YEAR}
    )
    half_a = T80_3 * np.sqrt(4 / 3) * ROOM_2023  # t x s x room, s = sqrt(squares / (5 - 2)): 2.7405
    half_b = T80_3 * np.sqrt(16 / 3) * ROOM_2023  # 5.4809
    rows = result.rows.set_index("region_code")
    assert rows.loc["RA", "demand_high"] - 100 == pytest.approx(half_a) and rows.loc["RB", "demand_high"] - 200 == pytest.approx(
        half_b
    )
    total = planning.totals(result, "total").iloc[0]
    assert total["demand"] == pytest.approx(300)
    assert total["demand_high"] - 300 == pytest.approx(half_a + half_b) and 300 - total["demand_low"] == pytest.approx(
        half_a + half_b
    )
    assert total[["region_code", "sector_code"]].tolist() == ["", ""]


def test_independent_cells_give_a_total_band_narrower_than_the_sum_of_their_bands(engine, tmp_path):
    # deviations A +1 -1 0 -1 +1 and B +1 -2 0 +2 -1 (squares 10): their products sum to 1 + 2 + 0 - 2 - 1 = 0
    result = panel_engine(
        engine, tmp_path, {"RA": [101, 99, 100, 99, 101], "RB": [201, 198, 200, 202, 199]}, {"RA": EVERY_YEAR, "RB": EVERY_YEAR}
    )
    half_a = T80_3 * np.sqrt(4 / 3) * ROOM_2023  # 2.7405
    half_b = T80_3 * np.sqrt(10 / 3) * ROOM_2023  # 4.3331
    by_sector = planning.totals(result, "sector").iloc[0]
    assert by_sector["sector_code"] == "C" and by_sector["region_code"] == ""
    assert by_sector["demand_high"] - 300 == pytest.approx(np.sqrt(half_a**2 + half_b**2))  # 5.1270, not 7.0735
    by_region = planning.totals(result, "region").set_index("region_code")
    assert by_region.loc["RB", "demand_high"] - 200 == pytest.approx(half_b)  # a group of one cell: its own band


def test_a_cell_whose_region_stops_reporting_is_not_projected_and_is_counted_beside_the_total(engine, tmp_path):
    # RC's demand stops in 2020 and RD's graduates in 2020, while both tables run to 2022
    result = panel_engine(
        engine,
        tmp_path,
        {"RA": [100, 110, 120, 130, 140], "RC": [40, 40, 40, None, None], "RD": [30, 30, 30, 30, 30]},
        {"RA": EVERY_YEAR, "RC": EVERY_YEAR, "RD": [20, 20, 20, None, None]},
    )
    rows = result.rows.set_index("region_code")
    assert np.isnan(rows.loc["RC", "demand"]) and rows.loc["RC", "supply"] == pytest.approx(50)  # not 40, not 0
    assert np.isnan(rows.loc["RD", "supply"]) and rows.loc["RD", "demand"] == pytest.approx(30)
    assert rows["measured"].tolist() == [True, False, False] and rows[["gap", "coverage_ratio"]].iloc[1:].isna().all().all()
    assert result.assumptions["not_projected"] == {
        "demand_cells": 1,
        "supply_cells": 1,
        "one_known_year_cells": 0,
        "no_known_year_cells": 0,
    }
    total = planning.totals(result, "total").iloc[0]
    # measured: RA alone (150 openings, 50 graduates); RC's 50 graduates and RD's 30 openings beside, never in the gap
    assert total[["demand", "supply", "gap", "measured_cells", "cells_not_projected"]].tolist() == [150, 50, -100, 1, 2]
    assert total[["supply_unmeasured", "demand_unmeasured"]].tolist() == [50, 30]


def test_the_back_test_says_how_often_each_method_s_band_held(plan_engine):
    with Session(plan_engine) as session:
        backtest = project(session, to_year=2023, method="trend").backtest.set_index("method")
    # three cells of 5 years, 2 held out each: 6 held-out years per method. trend: R1/C and R2/Q lie on their lines
    # (a band of 0 that holds), R1/Q (0, 0, 10 then 14, 0) is inside its wide band: 6 of 6
    assert backtest.loc["trend", "held_out"] == 6 and backtest.loc["trend", "held"] == pytest.approx(6 / 6)
    # cagr from 2018-2020 (3 years: bands x 5/3): R1/C 131.45 ± 1.65 in 2021 holds 130, 144 ± 2.57 in 2022 misses
    # 140; R2/Q flat at 60 holds both; R1/Q starts at 0 (flat at 10, ±25%: 10 ± 4.17 holds 14, 10 ± 5.89 misses 0)
    assert backtest.loc["cagr", "held"] == pytest.approx(4 / 6)


def test_the_project_command_sums_per_sector_and_in_all_with_the_total_s_own_interval(plan_engine, cli, tmp_path):
    db = plan_engine.url.render_as_string(hide_password=False)
    written = {}
    for by in ("sector", "total"):
        out = tmp_path / f"{by}.csv"
        code, printed, _ = cli("project", "--to", "2023", "--method", "trend", "--by", by, "--db", db, "--out", out)
        assert code == 0 and "method trend" in printed
        written[by] = pd.read_csv(
            out, encoding="utf-8-sig", dtype={"region_code": str, "sector_code": str}, keep_default_na=False
        )
    # 2023: R1/C 150 openings (a line, band 0), 117 graduates; R2/Q 60 (flat, band 0), 60; R1/Q 9 (0, 0, 10, 14, 0:
    # deviations from its line -2, -3.4, 5.2, 7.8, -7.6, squares 161.2), 0 graduates. R1/Q's half-width:
    # t x sqrt(161.2 / 3) x sqrt(2.1) = 17.397; the other cells have none, so every total's half-width is 17.397
    half = T80_3 * np.sqrt(161.2 / 3) * ROOM_2023
    sectors = written["sector"].set_index("sector_code")
    assert sectors.loc["C", ["demand", "demand_low", "demand_high", "supply", "gap"]].astype(float).tolist() == pytest.approx(
        [150, 150, 150, 117, -33]
    )
    assert sectors.loc["Q", ["demand", "supply", "gap"]].astype(float).tolist() == pytest.approx([69, 60, -9])
    assert float(sectors.loc["Q", "demand_high"]) == pytest.approx(69 + half)
    assert float(sectors.loc["Q", "coverage_ratio"]) == pytest.approx(60 / 69)
    assert set(sectors["region_code"]) == {""} and sectors.loc["Q", "sector_name"] == "Health"
    total = written["total"].iloc[0]
    assert [total["region_code"], total["sector_code"]] == ["", ""]
    assert [float(total[c]) for c in ("demand", "supply", "gap", "demand_low")] == pytest.approx([219, 177, -42, 219 - half])
    assert int(total["measured_cells"]) == 3 and int(total["cells_not_projected"]) == 0


def test_the_80_percent_normal_quantile_is_scipy_s():
    from scipy import stats

    assert float(stats.norm.ppf(0.9)) == planning.Z80


def test_the_grow_shrink_list_grades_coverage_against_the_expected_share_of_openings(plan_engine, tmp_path):
    sectors = write_csv(
        tmp_path / "shares", "sectors", ["sector_code,sector_name,expected_share", "C,Manufacturing,0.5", "Q,Health,0.5"]
    )
    assert load_paths(plan_engine, [sectors]).ok
    with Session(plan_engine) as session:
        projection = project(session, to_year=2025, method="trend")
        p1 = planning.grow_shrink(session, filters=Filters(), projection=projection).set_index("program_code").loc["P1"]
    # half of the 170 projected openings are for vocational graduates: 126 / 85, no longer a shortage to grow
    assert p1["coverage"] == pytest.approx(126 / 85)
    assert p1["status"] == "keep"
    assert p1["suggested_intake"] == 126  # (85 - 0) / 0.9 = 94.4, at most 10% below 140


def test_completion_falls_back_from_the_program_at_its_institution_to_the_program_to_all_programs_to_one():
    def row(institution, program, year, entrants, graduates):
        return dict(institution_id=institution, program_code=program, region_code="R", year=year, entrants=entrants,
                    graduates=graduates, duration_years=2)  # fmt: skip

    rows = pd.DataFrame(
        [
            row("I1", "P1", 2020, 100, 0),
            row("I1", "P1", 2022, None, 80),  # 80 of I1's 100 entrants of 2020
            row("I2", "P1", 2022, None, 30),  # I2 gives no entrants: P1's rate over its institutions
            row("I4", "P3", 2020, 50, 0),
            row("I4", "P3", 2022, None, 20),  # 20 of 50
            row("I3", "P2", 2022, None, 9),  # nobody entered P2 anywhere: the rate of all programs
        ]
    )
    rates = planning.completion_rates(rows).set_index(["institution_id", "program_code"])
    assert rates.loc[("I1", "P1"), "completion"] == pytest.approx(0.8)
    assert rates.loc[("I2", "P1"), ["completion", "completion_from"]].tolist() == [pytest.approx(0.8), "program"]
    assert rates.loc[("I4", "P3"), "completion"] == pytest.approx(0.4)
    assert rates.loc[("I3", "P2"), ["completion", "completion_from"]].tolist() == [pytest.approx(100 / 150), "all programs"]
    nobody = planning.completion_rates(rows[rows["entrants"].isna()].assign(entrants=None))
    assert nobody["completion"].tolist() == [1.0] * 4 and set(nobody["completion_from"]) == {"assumed"}


def test_auto_uses_no_compound_rate_for_a_series_that_fell_near_zero_and_back():
    years = np.arange(2019, 2023)
    # England's Transport and Communication in one area: openings estimated from the net change of employment
    dipped = [8950.0, 20.0, 3840.0, 6980.0]
    steady = [100.0, 110.0, 121.0, 133.1]  # 10% a year: the compound rate fits it exactly
    series = Series(years, np.array([dipped, steady]))
    projected = planning.project_matrix(series, [2023, 2024, 2025], "auto")
    assert projected["method"][0] != "cagr" and projected["method"][1] == "cagr"
    assert projected["high"][0, 2] < 10 * max(dipped)  # a band about thousands, not billions
    forced = planning.project_matrix(series, [2025], "cagr")  # asked for by name, it is still given
    assert forced["method"][0] == "cagr"
