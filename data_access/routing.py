"""Routing: answer a grouped query of a fact from the smallest summary table that can, or from
the fact's rows, with the same numbers either way.

A query names a fact, the filters, the dimensions to group by and the measures it wants
(data_access/facts.py). Each measure is read from the first summary (data_access/summaries.py)
that keeps every dimension the grouping and the filters use, stores the measure (or keeps the
dimension a distinct count counts) and, for enrolments and outcomes, weighs sectors the way the
query needs: by the programs' sector shares when it groups or filters by sector, exactly
otherwise. What no summary holds is read from the rows. Measures from different sources are
joined on the grouping.

Whether summaries are read is a setting of the session (``reading_rows_only``), not of the
module: tests/test_routing.py compares every grouping both ways on the same database.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import reduce

import pandas as pd
from sqlalchemy import BigInteger, ColumnElement, Select, and_, cast, func, literal, select, union_all
from sqlalchemy.orm import Session

from . import summaries
from .facts import NOT_LINKED, PLACEMENTS, CountDistinct, Fact, Measure, Sum
from .filters import Filters
from .models import Employer, Institution, LoadLog, Program, ProgramShare, Region, Sector, SummaryPartner
from .summaries import Summary

ROWS_ONLY = "routing.rows_only"  # session.info key: read the fact rows, never a summary

# filter attribute -> the dimension it restricts
FILTERED_DIMS = {
    "regions": "region_code",
    "sectors": "sector_code",
    "institution_types": "institution_type",
    "institutions": "institution_id",
    "programs": "program_code",
}

# code dimension -> (table, its key, its name column, output name)
NAMES = {
    "region_code": (Region, Region.region_code, Region.region_name, "region_name"),
    "sector_code": (Sector, Sector.sector_code, Sector.sector_name, "sector_name"),
    "institution_id": (Institution, Institution.institution_id, Institution.institution_name, "institution_name"),
    "program_code": (Program, Program.program_code, Program.program_name, "program_name"),
    "employer_id": (Employer, Employer.employer_id, Employer.employer_name, "employer_name"),
}


@contextmanager
def reading_rows_only(session: Session) -> Iterator[Session]:
    """Within the block, ``session``'s queries read the fact rows and never a summary."""
    previous = session.info.get(ROWS_ONLY, False)
    session.info[ROWS_ONLY] = True
    try:
        yield session
    finally:
        session.info[ROWS_ONLY] = previous


def uses_summaries(session: Session) -> bool:
    """Whether ``session`` reads summaries where they answer a query."""
    return not session.info.get(ROWS_ONLY, False)


# --- the grouped query ------------------------------------------------------------------------


def aggregate(
    session: Session,
    fact: Fact,
    filters: Filters,
    by: Sequence[str],
    measures: Mapping[str, Measure],
    *,
    linked_only: bool = False,
    where: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """The ``measures`` of ``fact`` per group of ``by``, over the rows the filters select.

    ``linked_only`` leaves out graduates of programs linked to no sector (supply). ``where``
    restricts further dimensions or attributes to one value (``{"employer_states_capacity":
    True}``). Columns: the ``by`` dimensions, then the measures in the order asked; one row per
    group with rows.
    """
    by, where = list(by), dict(where or {})
    by_share = fact.shared and ("sector_code" in by or bool(filters.sectors) or linked_only or "sector_code" in where)
    needed = set(by) | set(where) | {dim for name, dim in FILTERED_DIMS.items() if getattr(filters, name) and dim in fact.dims}
    if linked_only:
        needed.add("sector_code")
    sources: dict[str, list[str]] = {}
    for name, measure in measures.items() if measures else [("", None)]:
        source = _source(session, fact, filters, by, needed, measure, by_share, where)
        sources.setdefault(source.name if source else "", []).append(name)
    frames = []
    for source_name, names in sources.items():
        source = summaries.SUMMARIES.get(source_name)
        wanted = {n: measures[n] for n in names if n}
        statement = (
            _from_summary(source, fact, filters, by, wanted, linked_only, where)
            if source
            else _from_rows(fact, filters, by, wanted, by_share, linked_only, where)
        )
        rows = session.connection().execute(statement).all()
        frames.append(pd.DataFrame([tuple(r) for r in rows], columns=[*by, *wanted]))
    frame = reduce(lambda left, right: left.merge(right, on=by, how="outer") if by else pd.concat([left, right], axis=1), frames)
    return frame[[*by, *[n for n in measures]]] if measures else frame[by]


def _fixed(dim: str, filters: Filters, where: Mapping[str, object]) -> bool:
    """True when the filters leave one value of ``dim``."""
    if dim in where:
        return True
    if dim == "year":
        return filters.year_from is not None and filters.year_from == filters.year_to
    chosen = next((getattr(filters, name) for name, d in FILTERED_DIMS.items() if d == dim), ())
    return len(chosen) == 1


def _keeps(summary: Summary, fact: Fact, dims: set[str]) -> bool:
    """Whether ``summary`` gives every one of ``dims`` (an attribute through the key it depends on)."""
    return all(d in summary.dims or (d in fact.attributes and fact.attributes[d][0] in summary.dims) for d in dims)


def _answers(summary: Summary, measure: Measure | None, by: Sequence[str], filters: Filters, where: Mapping[str, object]) -> bool:
    if measure is None:
        return True
    if measure in summary.stored:
        return (
            all(d in by or _fixed(d, filters, where) for d in summary.counted_within)
            if isinstance(measure, CountDistinct)
            else True
        )
    return isinstance(measure, CountDistinct) and measure.dimension in summary.dims


def _source(
    session: Session,
    fact: Fact,
    filters: Filters,
    by: Sequence[str],
    needed: set[str],
    measure: Measure | None,
    by_share: bool,
    where: Mapping[str, object],
) -> Summary | None:
    """The first summary that answers ``measure`` for this grouping and these filters, else None (the rows)."""
    if not uses_summaries(session):
        return None
    for summary in summaries.of_fact(fact):
        if fact.shared and summary.by_share != by_share:
            continue
        if _keeps(summary, fact, needed) and _answers(summary, measure, by, filters, where):
            return summary
    return None


def _restrict(statement: Select, filters: Filters, dims: Mapping[str, ColumnElement]) -> Select:
    """Apply the filters to the columns that carry year, region, sector, ... (``dims``)."""
    if filters.year_from is not None:
        statement = statement.where(dims["year"] >= filters.year_from)
    if filters.year_to is not None:
        statement = statement.where(dims["year"] <= filters.year_to)
    for name, dim in FILTERED_DIMS.items():
        chosen = getattr(filters, name)
        if chosen and dim in dims:
            statement = statement.where(dims[dim].in_(chosen))
    return statement


def _finish(
    statement: Select,
    fact: Fact,
    filters: Filters,
    dims: Mapping[str, ColumnElement],
    by: Sequence[str],
    linked_only: bool,
    where: Mapping[str, object],
) -> Select:
    statement = _restrict(statement, filters, dims)
    if linked_only:
        statement = statement.where(dims["sector_code"] != NOT_LINKED)
    for dim, value in where.items():
        statement = statement.where(dims[dim] == value)
    return statement.group_by(*[dims[d] for d in by])


def _from_rows(
    fact: Fact,
    filters: Filters,
    by: Sequence[str],
    measures: Mapping[str, Measure],
    by_share: bool,
    linked_only: bool,
    where: Mapping[str, object],
) -> Select:
    dims = dict(fact.dims)
    for name, (_, _, expression) in fact.attributes.items():
        dims[name] = expression
    weight = ProgramShare.share if by_share else None
    statement = select(
        *[dims[d].label(d) for d in by], *[fact.measure(m, dims, weight).label(n) for n, m in measures.items()]
    ).select_from(fact.model)
    for target, onclause in fact.joins:
        statement = statement.join(target, onclause)
    if by_share:
        statement = statement.join(ProgramShare, ProgramShare.program_code == fact.model.program_code)
    return _finish(statement, fact, filters, dims, by, linked_only, where)


def _from_summary(
    summary: Summary,
    fact: Fact,
    filters: Filters,
    by: Sequence[str],
    measures: Mapping[str, Measure],
    linked_only: bool,
    where: Mapping[str, object],
) -> Select:
    dims = dict(summary.dims)
    joins = []
    for name, (key, table, expression) in fact.attributes.items():
        if name in where or name in by:
            dims[name] = expression
            joins.append((table, getattr(table, key) == summary.dims[key]))
    columns = []
    for name, measure in measures.items():
        if measure in summary.stored and isinstance(measure, CountDistinct):
            # A count over no rows is 0, as COUNT gives it from the rows, where a SUM of stored counts is NULL.
            columns.append(func.coalesce(summed(summary.column(summary.stored[measure])), 0).label(name))
        elif measure in summary.stored:
            columns.append(summed(summary.column(summary.stored[measure])).label(name))
        else:  # a distinct count of a dimension the summary keeps (a summary row exists where a fact row does)
            columns.append(func.count(func.distinct(summary.dims[measure.dimension])).label(name))
    statement = select(*[dims[d].label(d) for d in by], *columns).select_from(summary.model)
    for table, onclause in joins:
        statement = statement.join(table, onclause)
    return _finish(statement, fact, filters, dims, by, linked_only, where)


def summed(column: ColumnElement) -> ColumnElement:
    """SUM of a summary column, read as the column's kind of number: PostgreSQL sums BIGINT as NUMERIC,
    which its driver reads as Decimal; cast back, a summed count is an int on both databases."""
    total = func.sum(column)
    return cast(total, BigInteger) if isinstance(column.type, BigInteger) else total


# --- names --------------------------------------------------------------------------------------


def output_columns(by: Sequence[str]) -> list[str]:
    """The ``by`` columns with the name column after each code column."""
    names = []
    for dim in by:
        names.append(dim)
        if dim in NAMES:
            names.append(NAMES[dim][3])
    return names


def with_names(session: Session, frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """``frame`` with the name of every code dimension after its code (region_name after region_code, ...),
    sorted by the ``by`` columns. A program not linked to a sector has an empty sector name."""
    named = frame.copy()
    for dim in by:
        if dim not in NAMES:
            continue
        names = name_map(session, dim)
        named.insert(list(named.columns).index(dim) + 1, NAMES[dim][3], named[dim].map(names))
    return named.sort_values(list(by), kind="stable").reset_index(drop=True) if by else named


def name_map(session: Session, dim: str) -> dict[str, str]:
    """Names by code of a code dimension, read once per session and data version."""
    key = ("routing.names", dim, current_data_version(session))
    if key not in session.info:
        _, code, name, _ = NAMES[dim]
        session.info[key] = dict(session.connection().execute(select(code, name)).all())
    return session.info[key]


_PINNED_VERSION = "routing.pinned_version"  # session.info key: the data version read once for a block


def current_data_version(session: Session) -> int:
    """The id of the latest successful load; 0 for a database never loaded (inside ``one_data_version``,
    the one read when the block began)."""
    pinned = session.info.get(_PINNED_VERSION)
    if pinned is not None:
        return pinned
    return int(session.execute(select(func.coalesce(func.max(LoadLog.id), 0))).scalar_one())


@contextmanager
def one_data_version(session: Session) -> Iterator[int]:
    """Within the block, ``session`` reads the data version once: a view keys its memos by it many times over
    (an Overview read asked it 23 times in 42 statements)."""
    if session.info.get(_PINNED_VERSION) is not None:  # an outer block already read it
        yield session.info[_PINNED_VERSION]
        return
    session.info[_PINNED_VERSION] = current_data_version(session)
    try:
        yield session.info[_PINNED_VERSION]
    finally:
        session.info.pop(_PINNED_VERSION, None)


# --- partners: their totals over a span of years ----------------------------------------------


def _mask_test(mask: int) -> ColumnElement:
    """years_mask AND ``mask`` (a parameter, as a 64-bit integer)."""
    return SummaryPartner.years_mask.op("&")(literal(mask, BigInteger))


def partner_totals(session: Session, filters: Filters) -> pd.DataFrame:
    """Per partner employer with placements in the filters: employer_id, students_placed, hired,
    years_hosting. From the per-partner summary where the filters allow: a partner whose every
    hosting year is in the span gives its stored totals, one with hosting years on both sides of
    the span is summed from its rows per year; from the placement rows otherwise."""
    measures = {"students_placed": Sum("students_placed"), "hired": Sum("hired"), "years_hosting": CountDistinct("year")}
    span = summaries.years_mask(filters.year_from, filters.year_to)
    usable = (
        uses_summaries(session)
        and not (filters.institution_types or filters.institutions or filters.programs)
        and span is not None
        and not session.execute(select(SummaryPartner.employer_id).where(SummaryPartner.years_mask.is_(None)).limit(1)).first()
    )
    if not usable or span is None or summaries.ALL_YEARS_MASK is None:
        return aggregate(session, PLACEMENTS, filters, ["employer_id"], measures)
    outside = summaries.ALL_YEARS_MASK & ~span
    partners = summaries.SUMMARIES["partners"]
    whole = select(
        SummaryPartner.employer_id, SummaryPartner.students_placed, SummaryPartner.hired, SummaryPartner.years_hosting
    ).where(_mask_test(span) != 0, _mask_test(outside) == 0)
    whole = _restrict(whole, filters.with_years(None, None), partners.dims)
    partly = and_(_mask_test(span) != 0, _mask_test(outside) != 0)
    statement: Select = whole
    if session.execute(select(SummaryPartner.employer_id).where(partly).limit(1)).first():
        per_year = summaries.SUMMARIES["partner_years"]
        split = (
            select(
                per_year.dims["employer_id"],
                summed(per_year.column("students_placed")),
                summed(per_year.column("hired")),
                func.count(),
            )
            .select_from(per_year.model)
            .join(SummaryPartner, SummaryPartner.employer_id == per_year.dims["employer_id"])
            .where(partly)
        )
        statement = union_all(whole, _restrict(split, filters, per_year.dims).group_by(per_year.dims["employer_id"]))
    rows = session.connection().execute(statement).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["employer_id", *measures])


def partners_over_span(session: Session, filters: Filters, by: Sequence[str]) -> pd.DataFrame | None:
    """Distinct partner employers per ``by`` group (a subset of region_code and sector_code) over
    the filters' span of years, from the per-partner summary's years: None when it cannot answer
    (institution types, institutions or programs in the filters, years it cannot hold)."""
    span = summaries.years_mask(filters.year_from, filters.year_to)
    if (
        not uses_summaries(session)
        or "year" in by
        or not set(by) <= {"region_code", "sector_code"}
        or span is None
        or filters.institution_types
        or filters.institutions
        or filters.programs
    ):
        return None
    if session.execute(select(SummaryPartner.employer_id).where(SummaryPartner.years_mask.is_(None)).limit(1)).first():
        return None
    dims = summaries.SUMMARIES["partners"].dims
    statement = select(*[dims[d].label(d) for d in by], func.count().label("partners")).select_from(SummaryPartner)
    statement = _restrict(statement.where(_mask_test(span) != 0), filters.with_years(None, None), dims)
    rows = session.connection().execute(statement.group_by(*[dims[d] for d in by])).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=[*by, "partners"])
