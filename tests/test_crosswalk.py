"""Contract version 2: a program trains for several sectors in shares, or for none; a year a table
has no rows for is missing, not zero. Numbers worked out by hand in tests/fixtures/README.md (v2)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.orm import Session

from data_access import queries
from data_access.filters import Filters
from data_access.loading import load_paths
from data_access.snapshot import build_snapshot
from data_access.views import VIEWS

from .conftest import FIXTURES, write_csv


def problems(outcome) -> list[str]:
    """The problems of a load, each with its file's name only."""
    return [f"{Path(p.file).name}:{p.line}: {p.column}: {p.message}" for p in outcome.validation.problems]


V2 = FIXTURES / "v2"


@pytest.fixture
def v2_engine(engine):
    outcome = load_paths(engine, [V2])
    assert outcome.ok, outcome.validation.report_lines()
    return engine


def independent_supply_demand(folder) -> pd.DataFrame:
    """supply_demand.csv computed with pandas straight from the CSV files and the contract's words."""
    read = {
        name: pd.read_csv(folder / f"{name}.csv", dtype={"sector_code": str})
        for name in ("programs", "program_sectors", "enrolments", "institutions", "demand")
    }
    programs, crosswalk = read["programs"], read["program_sectors"]
    own = programs[~programs["program_code"].isin(crosswalk["program_code"]) & programs["sector_code"].notna()]
    shares = pd.concat([crosswalk, own[["program_code", "sector_code"]].assign(share=1.0)])
    enrolments = read["enrolments"].merge(read["institutions"][["institution_id", "region_code"]], on="institution_id")
    supply = (
        enrolments.merge(shares, on="program_code")
        .assign(supply=lambda f: f["graduates"] * f["share"])
        .groupby(["year", "region_code", "sector_code"], as_index=False)["supply"]
        .sum()
    )
    demand = read["demand"].groupby(["year", "region_code", "sector_code"], as_index=False)["openings"].sum()
    frame = supply.merge(demand.rename(columns={"openings": "demand"}), on=["year", "region_code", "sector_code"], how="outer")
    supply_years, demand_years = set(enrolments["year"]), set(read["demand"]["year"])
    frame["supply"] = frame["supply"].where(frame["supply"].notna() | ~frame["year"].isin(supply_years), 0.0)
    frame["demand"] = frame["demand"].where(frame["demand"].notna() | ~frame["year"].isin(demand_years), 0.0)
    frame["gap"] = frame["supply"] - frame["demand"]
    frame["coverage_ratio"] = frame["supply"] / frame["demand"].replace(0, np.nan)
    return frame.sort_values(["year", "region_code", "sector_code"]).reset_index(drop=True)


def test_a_version_2_folder_loads_and_its_supply_demand_csv_equals_an_independent_computation(v2_engine):
    with Session(v2_engine) as session:
        archive = zipfile.ZipFile(io.BytesIO(build_snapshot(session, filters=Filters())))
    exported = pd.read_csv(io.BytesIO(archive.read("supply_demand.csv")), encoding="utf-8-sig")
    expected = independent_supply_demand(V2)
    columns = ["year", "region_code", "sector_code", "supply", "demand", "gap", "coverage_ratio"]
    pd.testing.assert_frame_equal(exported[columns], expected[columns], check_dtype=False)
    # by hand (tests/fixtures/README.md): 2022 R1 C is 30 x 0.6 = 18 against 20; 2023 has no supply at all.
    cells = exported.set_index(["year", "region_code", "sector_code"])
    assert cells.loc[(2022, "R1", "C"), "supply"] == 18 and cells.loc[(2022, "R1", "F"), "supply"] == 12
    assert pd.isna(cells.loc[(2023, "R1", "C"), "supply"]) and pd.isna(cells.loc[(2023, "R1", "C"), "gap"])
    assert cells.loc[(2024, "R1", "F"), "demand"] == 0  # 2024 has demand rows, none for F


def test_graduates_of_a_program_linked_to_no_sector_are_never_supply(v2_engine):
    with Session(v2_engine) as session:
        not_linked = queries.supply_not_linked(session, filters=Filters())
        by_sector = VIEWS["gaps_by_sector"].run(session, Filters()).set_index("sector_code")
        overview = queries.headline_by_year(session, filters=Filters()).set_index("year")
    assert not_linked[["year", "region_code", "supply_not_linked"]].values.tolist() == [[2022, "R1", 20], [2024, "R2", 10]]
    assert "" not in by_sector.index and set(by_sector.index) == {"C", "F", "Q"}
    # over 2022 and 2024 (the years with both sides): C 18 + 21 against 20 + 25
    assert by_sector.loc["C", ["supply", "demand"]].tolist() == [39, 45]
    assert by_sector.loc["F", ["supply", "demand"]].tolist() == [26, 15]
    assert by_sector.loc["Q", ["supply", "demand"]].tolist() == [53, 59]
    # the Overview: every graduate counts as a graduate, only linked ones as supply
    assert overview.loc[2022, ["graduates", "supply", "supply_not_linked", "openings"]].tolist() == [75, 55, 20, 65]
    assert overview.loc[2022, "coverage_ratio"] == pytest.approx(55 / 65)


def test_counts_grouped_by_sector_are_split_by_share_and_the_unlinked_are_a_group_of_their_own(v2_engine):
    with Session(v2_engine) as session:
        enrolled = queries.enrolment_totals(session, filters=Filters(2022, 2022), by=("sector_code",)).set_index("sector_code")
        outcomes = queries.outcome_totals(session, filters=Filters(), by=("sector_code",)).set_index("sector_code")
        by_region = queries.enrolment_totals(session, filters=Filters(2022, 2022), by=("region_code",)).set_index("region_code")
    assert enrolled.loc["C", "enrolled"] == pytest.approx(60) and enrolled.loc["F", "enrolled"] == pytest.approx(40)
    assert enrolled.loc["", "enrolled"] == 50 and pd.isna(enrolled.loc["", "sector_name"])
    assert enrolled.loc["C", "entrants"] == pytest.approx(24)  # 40 x 0.6
    assert pd.isna(enrolled.loc["", "entrants"])  # P3 reports no entrants: unknown, not 0
    # in-field rate of C: (15 x 0.6) / (20 x 0.6); grouped by region nothing is split
    assert outcomes.loc["C", "in_field_rate"] == pytest.approx(0.75)
    assert by_region.loc["R1", "enrolled"] == 150 and by_region.loc["R1", "graduates"] == 50


def test_a_sector_filter_weighs_the_other_groupings_by_share(v2_engine):
    with Session(v2_engine) as session:
        in_f = queries.enrolment_totals(session, filters=Filters(2022, 2022, sectors=("F",)), by=("region_code",))
    assert in_f[["region_code", "graduates"]].values.tolist() == [["R1", 12]]


def test_the_program_table_names_a_program_s_sectors_and_shares(v2_engine):
    with Session(v2_engine) as session:
        table = queries.program_table(session, filters=Filters(2022, 2022)).set_index("program_code")
        in_f = queries.program_table(session, filters=Filters(2022, 2022, sectors=("F",)))
    assert table.loc["P1", "sectors"] == "C 60% · F 40%" and table.loc["P1", "sector_code"] == ""
    assert table.loc["P2", "sectors"] == "Q 100%" and table.loc["P2", "sector_code"] == "Q"
    assert table.loc["P3", "sectors"] == ""
    assert in_f["program_code"].tolist() == ["P1"] and in_f["graduates"].tolist() == [30]  # the program's whole count


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "P1,C,0.6\nP1,F,0.5\n",
            "program_sectors.csv:2: share: the sector shares of program 'P1' add up to 1.1: expected 1 (within 0.001)",
        ),
        ("P1,C,0.6\nP1,F,0\n", "program_sectors.csv:3: share: expected a number greater than 0 and at most 1, found '0'"),
        ("P1,C,1.5\n", "program_sectors.csv:2: share: expected a number greater than 0 and at most 1, found '1.5'"),
        ("P1,X,1\n", "program_sectors.csv:2: sector_code: unknown sector_code 'X'"),
    ],
)
def test_a_crosswalk_breaking_the_contract_is_refused_at_its_line(engine, tmp_path, rows, message):
    folder = tmp_path / "bad"
    folder.mkdir()
    for name in ("regions", "sectors", "institutions", "programs"):
        (folder / f"{name}.csv").write_bytes((V2 / f"{name}.csv").read_bytes())
    write_csv(folder, "program_sectors", "program_code,sector_code,share\n" + rows)
    outcome = load_paths(engine, [folder])
    assert not outcome.ok
    assert any(problem.startswith(message) for problem in problems(outcome)), problems(outcome)


def test_shares_are_checked_with_the_stored_rows_of_the_same_program(v2_engine, tmp_path):
    # Stored: P1 C 0.6, F 0.4. A load of P1 Q 0.2 alone would make 1.2 with them.
    folder = tmp_path / "more"
    folder.mkdir()
    write_csv(folder, "program_sectors", "program_code,sector_code,share\nP1,Q,0.2\n")
    outcome = load_paths(v2_engine, [folder])
    assert problems(outcome) == [
        "program_sectors.csv:2: share: the sector shares of program 'P1' add up to 1.2 with its 2 stored row(s) for other "
        "sectors: expected 1 (within 0.001); a load adds to and corrects stored shares, it does not remove them"
    ]
    # Correcting both stored shares keeps the sum at 1 and loads.
    write_csv(folder, "program_sectors", "program_code,sector_code,share\nP1,C,0.5\nP1,F,0.5\n")
    assert load_paths(v2_engine, [folder]).ok


def test_a_demand_row_needs_openings_or_employment(engine, tmp_path):
    folder = tmp_path / "demand"
    folder.mkdir()
    for name in ("regions", "sectors"):
        (folder / f"{name}.csv").write_bytes((V2 / f"{name}.csv").read_bytes())
    write_csv(folder, "demand", "year,region_code,sector_code,openings,employment\n2024,R1,C,,1000\n2024,R1,F,,\n")
    outcome = load_paths(engine, [folder])
    assert problems(outcome) == ["demand.csv:3: openings: a demand row needs openings, employment or both; found neither"]


def test_a_version_1_folder_still_loads_unchanged(engine):
    assert load_paths(engine, [FIXTURES / "tiny"]).ok


def test_a_load_warns_about_years_and_sectors_that_supply_and_demand_do_not_share(engine, cli, tmp_path):
    # v2: enrolments 2022 and 2024, demand 2022–2024, every sector on both sides; then demand for a
    # sector no program trains for, and only for 2026.
    assert load_paths(engine, [V2]).ok
    folder = tmp_path / "more"
    folder.mkdir()
    write_csv(folder, "sectors", "sector_code,sector_name\nA,Agriculture\n")
    write_csv(folder, "demand", "year,region_code,sector_code,openings\n2026,R1,A,40\n")
    outcome = load_paths(engine, [folder])
    assert outcome.ok
    assert [str(w) for w in outcome.validation.warnings] == [
        "(data set):0: -: 2023, 2026 have demand but no supply (enrolments): no gap is computed for those years",
        "(data set):0: sector_code: sectors with demand but never any graduates: A (no program trains for them, or "
        "their codes differ)",
    ]


def test_validate_shows_the_same_warnings_and_writes_nothing(engine, cli, tmp_path):
    db = engine.url.render_as_string(hide_password=False)
    folder = tmp_path / "apart"
    folder.mkdir()
    for name in ("regions", "sectors", "institutions", "programs", "enrolments"):
        (folder / f"{name}.csv").write_bytes((V2 / f"{name}.csv").read_bytes())
    write_csv(folder, "demand", "year,region_code,sector_code,openings\n2018,R1,C,20\n2019,R1,C,21\n")
    code, out, _ = cli("validate", folder, "--db", db)
    assert code == 0
    assert (
        "warning: (data set):0: -: supply (enrolments) covers 2022, 2024 and demand covers 2018–2019: no year has "
        "both, so no gap or coverage ratio can be computed"
    ) in out.splitlines()
    code, out, _ = cli("history", "--db", db)
    assert out.strip() == ""  # nothing was loaded


def test_the_crosswalk_lists_every_program_and_where_its_sectors_come_from(v2_engine):
    with Session(v2_engine) as session:
        table = queries.crosswalk(session)
    rows = table[["program_code", "sector_code", "share", "source"]].astype(object).where(table.notna(), None)
    assert rows.values.tolist() == [
        ["P1", "C", 0.6, "program_sectors"],
        ["P1", "F", 0.4, "program_sectors"],
        ["P2", "Q", 1.0, "programs"],
        ["P3", "", None, "not linked"],
    ]


def test_the_preview_of_an_edit_shows_what_it_moves_before_and_after(v2_engine):
    # P1 (graduates 30 in 2022 and 35 in 2024, the years with both sides) wholly to F instead of C 0.6 / F 0.4.
    edited = pd.DataFrame({"program_code": ["P1"], "sector_code": ["F"], "share": [1.0]})
    with Session(v2_engine) as session:
        preview = queries.crosswalk_preview(session, filters=Filters(), edited=edited).set_index("sector_code")
    assert preview.loc["C", ["supply_before", "supply_after", "demand"]].tolist() == pytest.approx([39, 0, 45])
    assert preview.loc["F", ["supply_before", "supply_after", "demand"]].tolist() == pytest.approx([26, 65, 15])
    assert preview.loc["F", "coverage_after"] == pytest.approx(65 / 15)
    assert preview.loc["Q", "supply_before"] == preview.loc["Q", "supply_after"] == 53
    assert list(preview.index[:2]) == ["C", "F"]  # the sectors the edit moves come first


def test_the_preview_counts_only_cells_whose_supply_and_demand_are_both_known(engine, tmp_path):
    # P1 (North) trains for C 0.5 / F 0.5, P2 (South) for F; the edit moves P2 wholly to C. South reports no
    # demand in 2024, so its 2024 cells are not measured and their 30 graduates count on neither side.
    folder = tmp_path / "panel"
    write_csv(folder, "regions", "region_code,region_name\nR1,North\nR2,South\n")
    write_csv(folder, "sectors", "sector_code,sector_name\nC,Manufacturing\nF,Construction\n")
    write_csv(
        folder,
        "institutions",
        "institution_id,institution_name,region_code,institution_type\nI1,North College,R1,college\nI2,South School,R2,school\n",
    )
    write_csv(folder, "programs", "program_code,program_name,sector_code\nP1,Engineering,C\nP2,Building,F\n")
    write_csv(folder, "program_sectors", "program_code,sector_code,share\nP1,C,0.5\nP1,F,0.5\n")
    write_csv(
        folder,
        "enrolments",
        "year,institution_id,program_code,enrolled,graduates\n2023,I1,P1,80,40\n2023,I2,P2,50,20\n"
        "2024,I1,P1,90,60\n2024,I2,P2,60,30\n",
    )
    write_csv(
        folder,
        "demand",
        "year,region_code,sector_code,openings\n2023,R1,C,10\n2023,R1,F,10\n2023,R2,F,5\n2024,R1,C,20\n2024,R1,F,20\n",
    )
    assert load_paths(engine, [folder]).ok
    edited = pd.DataFrame({"program_code": ["P2"], "sector_code": ["C"], "share": [1.0]})
    with Session(engine) as session:
        preview = queries.crosswalk_preview(session, filters=Filters(), edited=edited).set_index("sector_code")
    # C before: North 40 x 0.5 + 60 x 0.5 = 50; after: + South 2023's 20 = 70 (South 2024 is not measured)
    # F before: North 20 + 30 + South 2023's 20 = 70; after: 50
    # demand over the measured cells: C 10 + 20 + 0 (South 2023) = 30; F 10 + 5 + 20 = 35
    assert preview.loc["C", ["supply_before", "supply_after", "demand"]].tolist() == pytest.approx([50, 70, 30])
    assert preview.loc["F", ["supply_before", "supply_after", "demand"]].tolist() == pytest.approx([70, 50, 35])
    assert preview.loc["C", "coverage_after"] == pytest.approx(70 / 30)
    assert preview.loc["F", "gap_after"] == pytest.approx(50 - 35)


def test_a_year_whose_openings_are_all_unknown_is_a_year_without_demand(engine, tmp_path):
    # Openings estimated from employment 1000, 1100, 1200 from 2020 are unknown in 2020, the first year of the
    # series: 2020 has supply and no demand to compare it with.
    folder = tmp_path / "estimated"
    write_csv(folder, "regions", "region_code,region_name\nR1,North\n")
    write_csv(folder, "sectors", "sector_code,sector_name,replacement_rate\nC,Manufacturing,0.1\n")
    write_csv(
        folder, "institutions", "institution_id,institution_name,region_code,institution_type\nI1,North College,R1,college\n"
    )
    write_csv(folder, "programs", "program_code,program_name,sector_code\nP1,Engineering,C\n")
    write_csv(
        folder,
        "enrolments",
        "year,institution_id,program_code,enrolled,graduates\n2020,I1,P1,90,30\n2021,I1,P1,95,31\n2022,I1,P1,99,32\n",
    )
    write_csv(folder, "demand", "year,region_code,sector_code,employment\n2020,R1,C,1000\n2021,R1,C,1100\n2022,R1,C,1200\n")
    outcome = load_paths(engine, [folder])
    assert outcome.ok
    assert [str(w) for w in outcome.validation.warnings] == [
        "(data set):0: -: 2020 have supply (enrolments) but no demand: no gap is computed for those years"
    ]


def test_an_edit_of_the_crosswalk_is_checked_logged_and_undone_like_a_load(v2_engine):
    from data_access.loading import load_history, save_crosswalk, undo_load

    bad = save_crosswalk(v2_engine, {"P1": [("C", 0.5), ("F", 0.4)]}, loaded_by="editor")
    assert not bad.ok
    assert problems(bad) == [
        "program_sectors.csv:2: share: the sector shares of program 'P1' add up to 0.9: expected 1 (within 0.001)"
    ]
    saved = save_crosswalk(v2_engine, {"P1": [("C", 0.5), ("Q", 0.5)]}, loaded_by="editor")
    assert saved.ok and saved.counts == {"program_sectors": {"rows": 2, "added": 1, "updated": 1, "removed": 1}}
    with Session(v2_engine) as session:
        assert VIEWS["gaps_by_sector"].run(session, Filters(2022, 2022)).set_index("sector_code").loc["Q", "supply"] == 40
    assert load_history(v2_engine)[0]["mode"] == "edit"
    assert undo_load(v2_engine).ok
    with Session(v2_engine) as session:
        assert queries.crosswalk(session)["share"].tolist()[:2] == [0.6, 0.4]
        assert VIEWS["gaps_by_sector"].run(session, Filters(2022, 2022)).set_index("sector_code").loc["Q", "supply"] == 25
    # A program given no rows trains wholly for its own sector again.
    assert save_crosswalk(v2_engine, {"P1": []}).ok
    with Session(v2_engine) as session:
        assert queries.crosswalk(session).query("program_code == 'P1'")[["sector_code", "source"]].values.tolist() == [
            ["C", "programs"]
        ]


def test_the_brief_names_the_graduates_outside_every_gap(v2_engine):
    from ui.brief import build_brief

    with Session(v2_engine) as session:
        document = build_brief(session, filters=Filters())
    assert "Not in any gap: 10 graduates of programs linked to no labour-market sector" in document
    assert "2023 has no supply or no demand data to compare with" in document


def test_the_editor_checks_the_rules_as_the_planner_types():
    from ui.crosswalk import shares_problems

    known = {"C", "F", "Q"}
    assert shares_problems([("C", 0.6), ("F", 0.4)], known) == []
    assert shares_problems([("C", 0.6), ("F", 0.5)], known) == ["The shares add up to 1.1: they must add up to 1 (within 0.001)."]
    assert shares_problems([("C", 0.6), ("C", 0.4)], known) == ["A sector appears twice: C."]
    assert shares_problems([("X", 1.0)], known) == ["Unknown sector code: X."]
    assert shares_problems([("C", 0.0), ("F", 1.0)], known) == ["Every share must be more than 0 and at most 1."]


def test_the_data_page_shows_the_crosswalk_to_everyone_and_the_editor_to_editors(v2_engine, monkeypatch):
    from .conftest import clear_app_caches
    from .test_data_page import LOCAL_EDITORS, open_data_page, sign_in

    monkeypatch.setenv("DATABASE_URL", v2_engine.url.render_as_string(hide_password=False))
    clear_app_caches()
    viewer = open_data_page()
    assert not viewer.exception
    calendar, table = viewer.dataframe[0].value, viewer.dataframe[1].value
    assert calendar.values.tolist()[0] == ["enrolments.csv", "2022, 2024", ""]
    assert "Years with both supply and demand: 2022, 2024." in [c.value for c in viewer.caption]
    assert table[["program_code", "sector_code"]].values.tolist() == [["P1", "C"], ["P1", "F"], ["P2", "Q"], ["P3", ""]]
    assert "Sign in as an editor to change the crosswalk." in [i.value for i in viewer.info]
    editor = open_data_page(local_editors=LOCAL_EDITORS)
    sign_in(editor, name="ana planner")
    assert not editor.exception
    assert editor.selectbox(key="crosswalk_program").value == "P1"
    assert "The shares add up to 1." in [s.value for s in editor.success]
    assert "This edit moves no supply in the selected years." in [i.value for i in editor.info]
    assert any(b.label == "Save the crosswalk of Engineering" for b in editor.button)
    clear_app_caches()
