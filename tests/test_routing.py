"""Routing gives the same numbers from the summaries as from the rows: ``routing.aggregate`` (and the
partner totals beside it) compared with itself under ``routing.reading_rows_only``, for every fact,
every measure its summaries hold or can count, every grouping of the dimensions a summary keeps and
every filter that routes differently (years, regions, sectors by share, institution types, programs),
after a load, an upsert, a replacing load and two undos, on SQLite and (with TEST_DATABASE_URL)
PostgreSQL.

The groupings and measures come from ``summaries.SUMMARIES``, so a new summary is covered here without
a change. The views are tested for their own logic in their own tests; tests/test_summaries.py keeps a
smoke check that every view is the same both ways."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from benchmark import scale_data
from data_access import routing, summaries
from data_access.facts import (
    DEMAND,
    ENROLMENTS,
    NOT_LINKED,
    OUTCOMES,
    PLACEMENTS,
    CountDistinct,
    CountMissing,
    Fact,
    Measure,
    Sum,
)
from data_access.filters import Filters
from data_access.loading import load_paths, undo_load
from data_access.models import Enrolment, Institution, ProgramShare
from data_access.routing import aggregate

from .conftest import FIXTURES

FACTS = (ENROLMENTS, OUTCOMES, PLACEMENTS, DEMAND)
ALIASES = {"cohort_year"}  # outcomes' year under its own name: the same column as "year"


def groupings(fact: Fact) -> list[tuple[str, ...]]:
    """Every subset of the dimensions a summary of ``fact`` keeps (the year under one name), in the fact's
    order of dimensions."""
    found: set[tuple[str, ...]] = set()
    for summary in summaries.SUMMARIES.values():
        if summary.fact is not fact:
            continue
        for size in range(len(summary.dims) + 1):
            for subset in itertools.combinations(summary.dims, size):
                if not ALIASES & set(subset):
                    found.add(tuple(d for d in fact.dims if d in subset))
    return sorted(found)


def _label(measure: Measure) -> str:
    if isinstance(measure, Sum):
        return "_".join(
            p for p in (measure.column, measure.times and f"x_{measure.times}", measure.where_present and "present") if p
        )
    if isinstance(measure, CountMissing):
        return f"missing_{measure.column}"
    return f"distinct_{measure.dimension}"


def measures(fact: Fact) -> dict[str, Measure]:
    """What a query may ask of ``fact`` that a summary answers: every measure a summary stores, and the
    distinct count of every dimension a summary keeps (one summary row exists where a fact row does); not
    of the sector of supply and outcomes, which is a program's only in shares."""
    asked: dict[str, Measure] = {}
    uncounted = {*ALIASES, *(["sector_code"] if fact.shared else [])}
    for summary in summaries.SUMMARIES.values():
        if summary.fact is fact:
            asked.update({_label(m): m for m in summary.stored})
            asked.update({_label(CountDistinct(d)): CountDistinct(d) for d in summary.dims if d not in uncounted})
    return dict(sorted(asked.items()))


def options(fact: Fact) -> list[dict]:
    """The restrictions a view passes besides the filters: supply of linked programs only, the graduates of
    programs linked to no sector, a fact's attribute (employers that state a capacity)."""
    found: list[dict] = [{}]
    if fact.shared:
        found += [{"linked_only": True}, {"where": {"sector_code": NOT_LINKED}}]
    found += [{"where": {attribute: True}} for attribute in fact.attributes]
    return found


def filter_sets(session: Session) -> list[Filters]:
    """Filters that route differently, with codes the database holds: none; a span of years with a region and
    an institution type; sectors (weighted by the programs' shares); one year (a distinct count stored per
    year answers it); one year of one program (the per-program summary)."""
    years = sorted(set(session.scalars(select(Enrolment.year)).all()))
    span = (years[1], years[-2]) if len(years) > 3 else (years[0], years[-1])
    region = session.scalars(select(Institution.region_code).order_by(Institution.region_code)).first()
    kind = session.scalars(select(Institution.institution_type).order_by(Institution.institution_type)).first()
    split = session.scalars(select(ProgramShare.sector_code).where(ProgramShare.share < 1).order_by(ProgramShare.sector_code))
    sectors = tuple(dict.fromkeys(split.all()))[:2] or tuple(
        session.scalars(select(ProgramShare.sector_code).where(ProgramShare.sector_code != NOT_LINKED).limit(2)).all()
    )
    program = session.scalars(select(Enrolment.program_code).order_by(Enrolment.program_code)).first()
    return [
        Filters(),
        Filters(*span, regions=(region,), institution_types=(kind,)),
        Filters(sectors=sectors),
        Filters(years[-1], years[-1]),
        Filters(years[-1], years[-1], programs=(program,)),
    ]


def summaries_may_answer(fact: Fact, filters: Filters) -> bool:
    """Whether a summary of ``fact`` may answer under ``filters``: not when they restrict a dimension of the
    fact that no summary keeps (programs of placements), which the rows answer both ways."""
    kept = {d for s in summaries.SUMMARIES.values() if s.fact is fact for d in s.dims}
    return all(dim in kept for name, dim in routing.FILTERED_DIMS.items() if getattr(filters, name) and dim in fact.dims)


def every_query(session: Session) -> Iterator[tuple[Fact, list[str], Filters, dict]]:
    """Every grouping of every fact under every filter set a summary may answer, and under the restrictions
    a view passes besides the filters (without filters: a restriction adds a dimension as a grouping does)."""
    sets = filter_sets(session)
    for fact in FACTS:
        for by in groupings(fact):
            for filters in sets:
                if summaries_may_answer(fact, filters):
                    yield fact, list(by), filters, {}
            for restriction in options(fact)[1:]:
                yield fact, list(by), Filters(), restriction


def each_summary(session: Session) -> Iterator[tuple[Fact, list[str], Filters, dict]]:
    """Every summary read at its own grain (every dimension it keeps): equal to the rows there, its stored
    numbers are the rows' numbers. And every fact's totals under every filter set, also where the filters
    leave it no rows."""
    for summary in summaries.SUMMARIES.values():
        yield summary.fact, [d for d in summary.fact.dims if d in summary.dims and d not in ALIASES], Filters(), {}
    for fact, filters in itertools.product(FACTS, filter_sets(session)):
        yield fact, [], filters, {}


def differences(engine, queries) -> Iterator[str]:
    """The queries (and the partner totals) whose answer through the summaries is not that of the rows."""
    with Session(engine) as session:
        for fact, by, filters, restriction in queries(session):
            through, rows = _both_ways(session, aggregate, fact, filters, by, measures(fact), **restriction)
            yield from _unequal(through, rows, by, f"{fact.name} by {by} for {filters} {restriction}")
        for filters in filter_sets(session):
            through, rows = _both_ways(session, routing.partner_totals, filters)
            yield from _unequal(through, rows, ["employer_id"], f"partner totals for {filters}")
            for by in (["region_code"], ["sector_code"], ["region_code", "sector_code"]):
                over_span = routing.partners_over_span(session, filters, by)
                with routing.reading_rows_only(session):
                    rows = aggregate(session, PLACEMENTS, filters, by, {"partners": CountDistinct("employer_id")})
                if over_span is not None:
                    yield from _unequal(over_span, rows, by, f"partners over the span by {by} for {filters}")


def _both_ways(session: Session, read, *args, **options) -> tuple[pd.DataFrame, pd.DataFrame]:
    through = read(session, *args, **options)
    with routing.reading_rows_only(session):
        return through, read(session, *args, **options)


def _records(frame: pd.DataFrame, by: list[str]) -> list[tuple]:
    return sorted(frame.itertuples(index=False, name=None), key=lambda row: tuple(str(v) for v in row[: len(by)]))


def _close(left, right) -> bool:
    if pd.isna(left) or pd.isna(right):
        return bool(pd.isna(left) and pd.isna(right))
    if isinstance(left, str) or isinstance(right, str):
        return left == right
    return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9)  # float sums add in another order


def _unequal(through: pd.DataFrame, rows: pd.DataFrame, by: list[str], what: str) -> Iterator[str]:
    same = (
        list(through.columns) == list(rows.columns)
        and len(through) == len(rows)
        and all(_close(a, b) for left, right in zip(_records(through, by), _records(rows, by)) for a, b in zip(left, right))
    )
    if not same:
        yield f"{what}:\nsummaries:\n{through}\nrows:\n{rows}"


def assert_summaries_answer_as_the_rows(engine, queries) -> None:
    found = list(itertools.islice(differences(engine, queries), 3))
    assert not found, "\n\n".join(found)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A small generated data set (two regions, fifteen institutions, four years) where the first programs
    train for two sectors (0.7 and 0.3), every seventh program for none and every eleventh enrolment row
    gives no enrolled."""
    folder = tmp_path_factory.mktemp("routing")
    parameters = scale_data.ScaleParameters.scaled(0.005, years=4, offerings=6, employers=60)
    scale_data.write(scale_data.generate(parameters), folder)
    programs = pd.read_csv(folder / "programs.csv", dtype=str, keep_default_na=False)
    sectors = pd.read_csv(folder / "sectors.csv", dtype=str, keep_default_na=False)["sector_code"].tolist()
    rows = []
    for index, program in programs.head(6).iterrows():
        first, second = sectors[index % len(sectors)], sectors[(index + 1) % len(sectors)]
        rows += [(program["program_code"], first, 0.7), (program["program_code"], second, 0.3)]
    pd.DataFrame(rows, columns=["program_code", "sector_code", "share"]).to_csv(folder / "program_sectors.csv", index=False)
    programs.loc[programs.index % 7 == 3, "sector_code"] = ""
    programs.to_csv(folder / "programs.csv", index=False)
    enrolments = pd.read_csv(folder / "enrolments.csv", dtype=str, keep_default_na=False)
    enrolments.loc[enrolments.index % 11 == 4, "enrolled"] = ""  # completions only: enrolled unknown
    enrolments.to_csv(folder / "enrolments.csv", index=False)
    return folder


def an_upsert(folder: Path, target: Path) -> Path:
    """Changes to ``folder``: its first institution moved to the other region, every seventh enrolment row
    corrected to no graduates and every fifth placement row to 3 placed, 1 hired."""
    target.mkdir()
    tables = {
        t: pd.read_csv(folder / f"{t}.csv", keep_default_na=False, dtype=str)
        for t in ("institutions", "enrolments", "placements")
    }
    institutions = tables["institutions"]
    regions = sorted(set(institutions["region_code"]))
    institutions.loc[0, "region_code"] = regions[1] if institutions.loc[0, "region_code"] == regions[0] else regions[0]
    enrolments = tables["enrolments"].iloc[::7].copy()
    enrolments["graduates"] = "0"
    placements = tables["placements"].iloc[::5].copy()
    placements["students_placed"], placements["hired"] = "3", "1"
    for name, frame in (("institutions", institutions), ("enrolments", enrolments), ("placements", placements)):
        frame.to_csv(target / f"{name}.csv", index=False)
    return target


def test_the_summaries_answer_as_the_rows_after_load_upsert_replace_and_undo(engine, generated, tmp_path):
    """After the load, every grouping and filter of every fact (``every_query``, which holds every query of
    ``each_summary`` that a summary may answer); after each later change, every summary at its own grain and
    every fact's totals under every filter set (``each_summary``)."""
    assert load_paths(engine, [generated]).ok
    assert_summaries_answer_as_the_rows(engine, every_query)
    assert load_paths(engine, [an_upsert(generated, tmp_path / "changed")]).ok
    assert_summaries_answer_as_the_rows(engine, each_summary)
    assert load_paths(engine, [FIXTURES / "v2"], replace=True).ok  # crosswalk, estimated openings, no placements
    assert_summaries_answer_as_the_rows(engine, each_summary)
    assert undo_load(engine).ok  # back to before the replacing load
    assert_summaries_answer_as_the_rows(engine, each_summary)
    assert undo_load(engine).ok  # back to before the upsert
    assert_summaries_answer_as_the_rows(engine, each_summary)


def test_read_at_its_own_grain_each_summary_is_read_from_itself(tiny_engine):
    statements: list[str] = []

    def keep(conn, cursor, statement, *args):
        statements.append(statement)

    with Session(tiny_engine) as session:
        event.listen(session.connection(), "before_cursor_execute", keep)
        for fact, by, filters, restriction in each_summary(session):
            aggregate(session, fact, filters, by, measures(fact), **restriction)
        routing.partner_totals(session, Filters(2023, 2023))
    read = "\n".join(statements)
    assert [s.name for s in summaries.SUMMARIES.values() if not re.search(rf"FROM {s.model.__tablename__}\b", read)] == []


def test_the_groupings_cover_every_dimension_a_summary_keeps():
    kept = {d for s in summaries.SUMMARIES.values() for d in s.dims} - ALIASES
    grouped = {d for fact in FACTS for by in groupings(fact) for d in by}
    assert kept == grouped
    assert ("year", "region_code", "sector_code", "institution_type") in groupings(ENROLMENTS)
    assert ("program_code",) in groupings(ENROLMENTS) and ("employer_id",) in groupings(PLACEMENTS)
    assert {
        "distinct_institution_id",
        "distinct_employer_id",
        "missing_entrants",
        "missing_enrolled",
        "median_monthly_wage_x_employed_present",
    } <= {
        *measures(ENROLMENTS),
        *measures(PLACEMENTS),
        *measures(OUTCOMES),
    }
