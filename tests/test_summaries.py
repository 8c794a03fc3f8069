"""The summary tables: what a rebuild refills, sums past 32 bits, counts past the contract's limit,
which table a query reads, and a smoke check that every view gives the same frame through the
summaries and through the raw rows. That routing gives the rows' numbers for every fact, measure,
grouping and filter, after loads, upserts, replacing loads and undos, is tests/test_routing.py."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access import routing, summaries
from data_access.contract import INT_MAX
from data_access.facts import ENROLMENTS, Sum
from data_access.filters import Filters
from data_access.loading import load_paths
from data_access.models import (
    Enrolment,
    Institution,
    Outcome,
    Placement,
    SummaryEnrolment,
    SummaryEnrolmentByRegion,
    SummaryOutcomeByRegion,
    SummaryPartner,
    SummaryPartnerYear,
    SummaryProgram,
)
from data_access.views import VIEWS

from .conftest import TINY, write_csv


def test_on_the_tiny_fixture_every_view_is_the_same_through_the_summaries(tiny_engine):
    with Session(tiny_engine) as session:
        through_summaries = {name: view.run(session, Filters()) for name, view in VIEWS.items()}
        with routing.reading_rows_only(session):
            raw = {name: view.run(session, Filters()) for name, view in VIEWS.items()}
    for name, frame in through_summaries.items():
        # Float columns are sums in another order (wage x employed): equal to rounding.
        pd.testing.assert_frame_equal(frame, raw[name], check_dtype=False, obj=name)


def test_a_rebuild_from_scratch_gives_the_summaries_every_load_kept(engine, scale_folder):
    assert load_paths(engine, [scale_folder]).ok
    assert load_paths(engine, [TINY]).ok  # an upsert of other keys on top

    def stored(model) -> list:
        with engine.connect() as connection:
            return sorted(connection.execute(select(model)).all())

    kept = {model: stored(model) for model in (SummaryEnrolment, SummaryPartnerYear)}
    with engine.begin() as connection:
        assert "summary_enrolments" in summaries.rebuild(connection)
    assert {model: stored(model) for model in kept} == kept


def test_a_load_of_demand_only_rebuilds_only_the_demand_openings_and_their_summary(engine):
    with engine.begin() as connection:
        assert summaries.rebuild(connection, {"demand"}) == ["demand_openings", "summary_demand_by_sector"]
        assert connection.execute(select(func.count()).select_from(SummaryEnrolment)).scalar_one() == 0


def routed(engine, filters: Filters, by: list[str], **options) -> list[str]:
    """The tables the routing reads the graduates from, as SQL text."""
    statements = []
    with Session(engine) as session, _recording(session, statements):
        routing.aggregate(session, ENROLMENTS, filters, by, {"graduates": Sum("graduates")}, **options)
    return statements


def _recording(session, statements):
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def recording():
        def keep(conn, cursor, statement, *args):
            statements.append(statement)

        connection = session.connection()
        event.listen(connection, "before_cursor_execute", keep)
        try:
            yield
        finally:
            event.remove(connection, "before_cursor_execute", keep)

    return recording()


def test_views_read_the_summaries_when_the_filters_allow_and_the_raw_rows_otherwise(tiny_engine):
    by_sector = " ".join(routed(tiny_engine, Filters(2020, 2021), ["sector_code"]))
    assert "summary_enrolments_by_sector" in by_sector
    by_region = " ".join(routed(tiny_engine, Filters(regions=("R01",)), ["year"]))
    assert "summary_enrolments_by_region" in by_region and "program_sector_shares" not in by_region
    by_region_and_sector = " ".join(routed(tiny_engine, Filters(regions=("R01",), sectors=("Q",)), ["year"]))
    assert "summary_enrolments " in by_region_and_sector + " "
    one_school = " ".join(routed(tiny_engine, Filters(institutions=("I001",)), ["year"]))
    assert "summary_" not in one_school and "FROM enrolments" in one_school


# --- sums past 32 bits ----------------------------------------------------------------------------

BIGGEST = INT_MAX  # 2,147,483,647: the largest count a contract column holds (32 bits on PostgreSQL)


def _rows(connection, statement) -> list[tuple]:
    return [tuple(row) for row in connection.execute(statement).all()]


def _python_sums(rows: list[tuple], keys: int) -> dict[tuple, tuple]:
    """Rows (key..., value...) summed per key in Python: exact whole numbers of any size."""
    sums: dict[tuple, list[int]] = {}
    for row in rows:
        totals = sums.setdefault(row[:keys], [0] * (len(row) - keys))
        for index, value in enumerate(row[keys:]):
            totals[index] += value
    return {key: tuple(values) for key, values in sums.items()}


def test_summaries_hold_sums_past_32_bits_exactly_on_every_database(tiny_engine, tmp_path):
    folder = tmp_path / "big"
    big = BIGGEST
    write_csv(folder, "institutions", ["institution_id,institution_name,region_code,institution_type", "I3,Third,R1,college"])
    write_csv(
        folder,
        "enrolments",
        ["year,institution_id,program_code,enrolled,graduates,entrants"]
        + [f"2023,{i},{p},{big},{big},{big}" for i, p in (("I1", "P1"), ("I1", "P2"), ("I3", "P1"))],
    )
    write_csv(
        folder,
        "placements",
        ["year,institution_id,program_code,employer_id,students_placed,hired"]
        + [f"2023,{i},{p},E1,{big},{big}" for i, p in (("I1", "P1"), ("I1", "P2"), ("I3", "P1"))],
    )
    write_csv(
        folder,
        "outcomes",
        ["cohort_year,institution_id,program_code,surveyed,employed,employed_in_field,self_employed,further_study,unemployed"]
        + [f"2023,{i},{p},{big},{big},{big},{big},0,0" for i, p in (("I1", "P1"), ("I1", "P2"), ("I3", "P1"))],
    )
    outcome = load_paths(tiny_engine, [folder])
    assert outcome.ok, outcome.validation.report_lines()

    e, i, o, p = Enrolment, Institution, Outcome, Placement
    with tiny_engine.connect() as connection:
        expected = {
            SummaryEnrolmentByRegion: _python_sums(
                _rows(connection, select(e.year, i.region_code, i.institution_type, e.enrolled, e.graduates).join(i)), 3
            ),
            SummaryProgram: _python_sums(_rows(connection, select(e.year, e.program_code, e.enrolled, e.graduates)), 2),
            SummaryOutcomeByRegion: _python_sums(
                _rows(connection, select(o.cohort_year, i.region_code, i.institution_type, o.surveyed, o.employed).join(i)), 3
            ),
            SummaryPartnerYear: _python_sums(_rows(connection, select(p.year, p.employer_id, p.students_placed, p.hired)), 2),
            SummaryPartner: _python_sums(_rows(connection, select(p.employer_id, p.students_placed, p.hired)), 1),
        }
        measures = {
            SummaryEnrolmentByRegion: ("year", "region_code", "institution_type", "enrolled", "graduates"),
            SummaryProgram: ("year", "program_code", "enrolled", "graduates"),
            SummaryOutcomeByRegion: ("cohort_year", "region_code", "institution_type", "surveyed", "employed"),
            SummaryPartnerYear: ("year", "employer_id", "students_placed", "hired"),
            SummaryPartner: ("employer_id", "students_placed", "hired"),
        }
        for model, columns in measures.items():
            keys = len(columns) - 2
            stored = {row[:keys]: row[keys:] for row in _rows(connection, select(*[getattr(model, c) for c in columns]))}
            assert stored == expected[model], model.__tablename__
            assert all(type(value) is int for values in stored.values() for value in values), model.__tablename__
        assert max(max(values) for values in expected[SummaryEnrolmentByRegion].values()) == 3 * big > 2**31

    # Read through the summaries as the views read them: whole numbers, exact, not Decimal or float.
    with Session(tiny_engine) as session:
        graduates = routing.aggregate(session, ENROLMENTS, Filters(2023, 2023), ["year"], {"graduates": Sum("graduates")})
    assert graduates["graduates"].tolist() == [3 * big + 12]
    assert type(graduates["graduates"].tolist()[0]) is int


def test_a_count_past_what_the_contract_columns_store_is_refused_alike_on_every_database(tiny_engine, tmp_path):
    path = write_csv(
        tmp_path / "over", "enrolments", ["year,institution_id,program_code,enrolled,graduates", f"2023,I1,P1,1,{BIGGEST + 1}"]
    )
    outcome = load_paths(tiny_engine, [path])
    assert outcome.validation.report_lines() == [
        f"{path}:2: graduates: expected a whole number of 0 or more, at most 2,147,483,647, found '2147483648'"
    ]
