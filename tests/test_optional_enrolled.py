"""Contract version 3: ``enrolments.enrolled`` is optional, and an empty enrolled is unknown, never 0.

A file of completions only loads, through the command line as through a recipe (tests/test_recipes.py). In a
file where some rows give enrolled and some not, every total, change and ratio over a group with an unknown
row is empty and every other one exact; graduates stay exact; the summaries give what the rows give; the
Enrolment page shows a dash for what is unknown.

The mixed data set, by hand:

    year  institution (region)  program (sector)  enrolled  graduates
    2023  I1 (R1 North)         P1 (C)            100       30
    2023  I2 (R2 South)         P2 (Q)             50       12
    2024  I1 (R1 North)         P1 (C)            110       35
    2024  I2 (R2 South)         P2 (Q)            (empty)   15
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access import queries, routing
from data_access.filters import Filters
from data_access.loading import load_paths
from data_access.models import Enrolment

from .conftest import app_database, open_page, write_csv

BASE = {
    "regions": "region_code,region_name\nR1,North\nR2,South\n",
    "sectors": "sector_code,sector_name\nC,Manufacturing\nQ,Health\n",
    "institutions": "institution_id,institution_name,region_code,institution_type\nI1,North College,R1,college\n"
    "I2,South School,R2,school\n",
    "programs": "program_code,program_name,sector_code\nP1,Engineering,C\nP2,Nursing,Q\n",
}
MIXED = "year,institution_id,program_code,enrolled,graduates\n2023,I1,P1,100,30\n2023,I2,P2,50,12\n2024,I1,P1,110,35\n2024,I2,P2,,15\n"
COMPLETIONS_ONLY = "year,institution_id,program_code,graduates\n2023,I1,P1,30\n2023,I2,P2,12\n"


def data_set(folder: Path, enrolments: str) -> Path:
    for table, text in BASE.items():
        write_csv(folder, table, text)
    write_csv(folder, "enrolments", enrolments)
    return folder


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory) -> Path:
    return data_set(tmp_path_factory.mktemp("mixed"), MIXED)


@pytest.fixture
def mixed(engine, mixed_folder) -> Iterator[Session]:
    outcome = load_paths(engine, [mixed_folder])
    assert outcome.ok, outcome.validation.report_lines()
    with Session(engine) as session:
        yield session


def nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def test_a_file_of_completions_only_loads_through_the_command_line(engine, cli, tmp_path):
    db = engine.url.render_as_string(hide_password=False)
    code, out, err = cli("load", data_set(tmp_path / "completions", COMPLETIONS_ONLY), "--db", db)
    assert code == 0, out + err
    with Session(engine) as session:
        rows = sorted(session.execute(select(Enrolment.program_code, Enrolment.enrolled, Enrolment.graduates)).all())
        assert [tuple(r) for r in rows] == [("P1", None, 30), ("P2", None, 12)]
        totals = queries.enrolment_totals(session, filters=Filters())
    # 2023: enrolled unknown everywhere, graduates 30 + 12 = 42
    assert nan(totals.at[0, "enrolled"]) and totals.at[0, "graduates"] == 42
    assert nan(totals.at[0, "graduates_per_enrolled"])


def test_graduates_above_an_empty_enrolled_earn_no_warning(engine, tmp_path):
    outcome = load_paths(engine, [data_set(tmp_path / "completions", COMPLETIONS_ONLY)])
    assert outcome.ok and not [w for w in outcome.validation.warnings if "enrolled" in str(w)]


def test_totals_by_year_leave_enrolled_empty_where_a_row_lacks_it(mixed):
    totals = queries.enrolment_totals(mixed, filters=Filters()).set_index("year")
    # 2023: 100 + 50 = 150 enrolled, 30 + 12 = 42 graduates, 42 / 150 = 0.28
    assert totals.at[2023, "enrolled"] == 150 and totals.at[2023, "graduates"] == 42
    assert totals.at[2023, "graduates_per_enrolled"] == pytest.approx(0.28)
    # 2024: South's enrolled is unknown, so the total is; graduates 35 + 15 = 50 all the same
    assert nan(totals.at[2024, "enrolled"]) and totals.at[2024, "graduates"] == 50
    assert nan(totals.at[2024, "graduates_per_enrolled"])


def test_totals_by_sector_are_exact_where_every_row_gives_enrolled(mixed):
    totals = queries.enrolment_totals(mixed, filters=Filters(), by=("year", "sector_code"))
    rows = {(y, s): (e, g) for y, s, e, g in zip(totals["year"], totals["sector_code"], totals["enrolled"], totals["graduates"])}
    assert rows[(2023, "C")] == (100, 30) and rows[(2023, "Q")] == (50, 12) and rows[(2024, "C")] == (110, 35)
    assert nan(rows[(2024, "Q")][0]) and rows[(2024, "Q")][1] == 15


def test_the_trend_states_no_change_of_an_unknown_enrolled(mixed):
    trend = queries.enrolment_trend(mixed, filters=Filters()).set_index("year")
    # both regions report both years, but South's 2024 enrolled is unknown: no change of enrolled, like for like
    assert nan(trend.at[2024, "enrolled_change"]) and nan(trend.at[2024, "enrolled_growth"])
    # graduates: 50 - 42 = +8, 8 / 42
    assert trend.at[2024, "graduates_change"] == 8
    assert trend.at[2024, "graduates_growth"] == pytest.approx(8 / 42)
    by_sector = queries.enrolment_trend(mixed, filters=Filters(), by=("sector_code",))
    latest = by_sector[by_sector["year"] == 2024].set_index("sector_code")
    # Manufacturing 100 -> 110: +10, +10%; Health unknown in 2024
    assert latest.at["C", "enrolled_change"] == 10 and latest.at["C", "enrolled_growth"] == pytest.approx(0.1)
    assert nan(latest.at["Q", "enrolled_change"]) and nan(latest.at["Q", "enrolled_growth"])
    assert latest.at["Q", "graduates_change"] == 3  # 15 - 12


def test_the_program_table_leaves_an_unknown_enrolled_and_its_growth_empty(mixed):
    table = queries.program_table(mixed, filters=Filters(2024, 2024)).set_index("program_code")
    # P1: 110 after 100, +10%, 35 / 110 graduates per enrolled
    assert table.at["P1", "enrolled"] == 110 and table.at["P1", "enrolled_previous_year"] == 100
    assert table.at["P1", "enrolled_growth"] == pytest.approx(0.1)
    assert table.at["P1", "graduates_per_enrolled"] == pytest.approx(35 / 110)
    # P2: enrolled unknown in 2024 (50 in 2023): no growth, no ratio; its 15 graduates stand
    assert nan(table.at["P2", "enrolled"]) and table.at["P2", "enrolled_previous_year"] == 50
    assert nan(table.at["P2", "enrolled_growth"]) and nan(table.at["P2", "graduates_per_enrolled"])
    assert table.at["P2", "graduates"] == 15


def test_the_summaries_give_what_the_rows_give(mixed):
    def both_ways(read):
        through = read()
        with routing.reading_rows_only(mixed):
            return through, read()

    reads = [
        lambda: queries.enrolment_totals(mixed, filters=Filters()),
        lambda: queries.enrolment_totals(mixed, filters=Filters(), by=("year", "sector_code")),
        lambda: queries.enrolment_totals(mixed, filters=Filters(), by=("year", "region_code")),
        lambda: queries.enrolment_trend(mixed, filters=Filters()),
        lambda: queries.program_table(mixed, filters=Filters(2024, 2024)),
    ]
    for read in reads:
        through, rows = both_ways(read)
        pd.testing.assert_frame_equal(through, rows, check_dtype=False)


@pytest.fixture
def mixed_app(mixed_folder, migrated_sqlite, tmp_path_factory, tmp_path, monkeypatch) -> Iterator[str]:
    yield from app_database(mixed_folder, migrated_sqlite, tmp_path_factory, tmp_path, monkeypatch)


def test_the_enrolment_page_shows_a_dash_for_an_unknown_enrolled(mixed_app):
    app = open_page("pages/enrolment.py")
    assert not app.exception and not app.error
    shown = {m.label: m for m in app.metric}
    assert shown["Enrolled students (2024)"].value == "–"
    assert not shown["Enrolled students (2024)"].delta  # no change stated of what is unknown
    assert shown["Graduates (2024)"].value == "50"
    assert shown["Graduates per enrolled student (2024)"].value == "–"
    programs = app.dataframe[0].value.set_index("program_code")
    assert nan(programs.at["P2", "enrolled"]) and programs.at["P1", "enrolled"] == 110
    said = " ".join(str(m.value) for m in app.markdown)
    # the takeaway speaks of the known change only (Manufacturing 100 -> 110), not of Health
    assert "enrolment grew fastest in Manufacturing (+10.0%, +10)" in said and "Health" not in said


def test_the_scorecard_compares_no_rate_over_a_year_whose_enrolled_is_unknown():
    from data_access.queries import compared_totals

    nothing = pd.DataFrame(
        {c: [] for c in ("surveyed", "employed", "further_study", "employed_in_field", "students_placed", "hired")}
    )
    known = pd.DataFrame({"year": [2023, 2024], "enrolled": [100, 110], "graduates": [30, 35]})
    partly = pd.DataFrame({"year": [2023, 2024], "enrolled": [50, float("nan")], "graduates": [12, 15]})
    compared = compared_totals(
        [("institution", "South School", (partly, nothing, nothing)), ("all", "", (known, nothing, nothing))]
    )
    rows = compared.set_index("scope")
    # South: 50 known, then unknown: its enrolled and graduates per enrolled are unknown, not 50 and 27 / 50
    assert nan(rows.at["institution", "enrolled"]) and nan(rows.at["institution", "graduates_per_enrolled"])
    assert rows.at["institution", "graduates"] == 27  # 12 + 15
    # all: (30 + 35) / (100 + 110) = 65 / 210
    assert rows.at["all", "graduates_per_enrolled"] == pytest.approx(65 / 210)


def test_the_scorecard_page_shows_no_enrolled_for_an_institution_with_an_unknown_year(mixed_app):
    app = open_page("pages/scorecard.py", institution="I2")
    assert not app.exception and not app.error
    rates = next(d.value for d in app.dataframe if "scope" in d.value.columns).set_index("scope")
    # South School: 50 in 2023, unknown in 2024: no total, no rate; graduates 12 + 15 = 27
    assert nan(rates.at["institution", "enrolled"]) and nan(rates.at["institution", "graduates_per_enrolled"])
    assert rates.at["institution", "graduates"] == 27
