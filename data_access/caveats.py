"""What the figures rest on besides observed rows, for the notes on screen and in the exports: openings
estimated from employment, cells a published file suppressed, the rounding and academic years of imported
files, and the region boundaries an import brought.

Suppressed cells, import reports and boundaries belong to the load that brought them, so they are in force
while that load is: not undone, and not before a later load that replaced every table. A suppressed cell
stops counting once a later load gives its row.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from .contract import TABLES
from .facts import NOT_LINKED
from .filters import Filters
from .models import CONTRACT_MODELS, DemandOpenings, ImportRecord, Institution, LoadLog, ProgramShare, RegionShape, UnknownCell
from .routing import current_data_version

UNKNOWN_COLUMNS = ["table_name", "year", "region_code", "sector_code", "program_code", "institution_id", "column_name"]
_KEY_BATCH = 400


def _cached(session: Session, name: str, compute):
    key = ("caveats", name, current_data_version(session))
    if key not in session.info:
        session.info[key] = compute()
    return session.info[key]


def loads_in_force(session: Session) -> list[int]:
    """The loads whose rows the data holds now: not undone, from the latest full replacement on."""

    def compute() -> list[int]:
        active: list[int] = []
        rows = session.execute(select(LoadLog.id, LoadLog.mode, LoadLog.undone_by).order_by(LoadLog.id)).all()
        for load_id, mode, undone_by in rows:
            if mode == "undo" or undone_by is not None:
                continue
            if mode == "replace":
                active = []
            active.append(int(load_id))
        return active

    return _cached(session, "loads", compute)


def has_estimated_openings(session: Session) -> bool:
    """True when some openings are estimated from employment (a demand row without openings)."""
    return _cached(session, "estimated", lambda: bool(session.execute(select(func.max(DemandOpenings.estimated))).scalar() or 0))


def unknown_cells(session: Session) -> pd.DataFrame:
    """The suppressed cells in force, one row each: table_name, year, region_code, sector_code (demand),
    program_code and institution_id (enrolments, outcomes), column_name, marker, source_file, source_line."""
    return _cached(session, "unknown", lambda: _unknown_cells(session))


def _unknown_cells(session: Session) -> pd.DataFrame:
    loads = loads_in_force(session)
    columns = [*UNKNOWN_COLUMNS, "marker", "source_file", "source_line"]
    if not loads:
        return pd.DataFrame(columns=columns)
    statement = select(*[getattr(UnknownCell, c) for c in columns]).where(UnknownCell.load_id.in_(loads))
    frame = pd.DataFrame(session.connection().execute(statement).all(), columns=columns)
    if frame.empty:
        return frame
    of_institution = frame["institution_id"].notna()
    if of_institution.any():  # the region of a provider's cell is the provider's, as in every view
        regions: dict[str, str] = dict(session.execute(select(Institution.institution_id, Institution.region_code)).all())
        located = frame["institution_id"].map(regions).fillna("")
        frame["region_code"] = located.where(of_institution, frame["region_code"])
    return frame[~_given_later(session, frame)].reset_index(drop=True)


# the contract key of a row, in terms of an unknown cell's columns
_CELL_KEYS = {
    "demand": ("year", "region_code", "sector_code"),
    "enrolments": ("year", "institution_id", "program_code"),
    "outcomes": ("year", "institution_id", "program_code"),
}


def _given_later(session: Session, cells: pd.DataFrame) -> pd.Series:
    """True for a suppressed cell whose value the data now holds (a later load gave its row, with the value)."""
    given = pd.Series(False, index=cells.index)
    for table, cell_key in _CELL_KEYS.items():
        mine = cells[cells["table_name"] == table]
        if mine.empty:
            continue
        model = CONTRACT_MODELS[table]
        key_columns = [getattr(model, name) for name in TABLES[table].key]
        value_names = sorted(set(mine["column_name"]) & set(TABLES[table].column_names))
        wanted = sorted({tuple(row) for row in mine[list(cell_key)].itertuples(index=False)})
        stored: dict[tuple, dict] = {}
        for start in range(0, len(wanted), _KEY_BATCH):
            batch = wanted[start : start + _KEY_BATCH]
            statement = select(*key_columns, *[getattr(model, name) for name in value_names]).where(
                tuple_(*key_columns).in_(batch)
            )
            for row in session.execute(statement).all():
                stored[tuple(row[: len(key_columns)])] = dict(zip(value_names, row[len(key_columns) :]))
        given.loc[mine.index] = [
            stored.get(tuple(key), {}).get(column) is not None
            for key, column in zip(mine[list(cell_key)].itertuples(index=False), mine["column_name"])
        ]
    return given


def suppressed_counts(session: Session, filters: Filters, by: Sequence[str], tables: Sequence[str]) -> pd.DataFrame:
    """How many suppressed cells of ``tables`` each group of ``by`` (year, region_code, sector_code) includes,
    within ``filters``: a column ``suppressed_cells``. Grouped or filtered by sector, a cell of a program counts
    in every sector the program trains for, and one of a program linked to no sector in none; otherwise every
    cell counts once (a headline of all graduates includes the programs linked to no sector)."""
    cells = unknown_cells(session)
    cells = cells[cells["table_name"].isin(list(tables))]
    if cells.empty:
        return pd.DataFrame(columns=[*by, "suppressed_cells"])
    by_program = cells["program_code"].notna() & ("sector_code" in by or bool(filters.sectors))
    if by_program.any():
        shares = pd.DataFrame(
            session.connection().execute(select(ProgramShare.program_code, ProgramShare.sector_code)).all(),
            columns=["program_code", "linked_sector"],
        )
        linked = cells[by_program].merge(shares, on="program_code", how="inner")
        linked = linked.assign(sector_code=linked.pop("linked_sector"))
        cells = pd.concat([cells[~by_program], linked[linked["sector_code"] != NOT_LINKED]], ignore_index=True)
    cells = _filtered(session, cells, filters)
    if not by:
        return pd.DataFrame({"suppressed_cells": [len(cells)]})
    return cells.groupby(list(by), as_index=False).size().rename(columns={"size": "suppressed_cells"})


def _filtered(session: Session, cells: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    keep = pd.Series(True, index=cells.index)
    if filters.year_from is not None:
        keep &= cells["year"] >= filters.year_from
    if filters.year_to is not None:
        keep &= cells["year"] <= filters.year_to
    for attribute, column in (
        ("regions", "region_code"),
        ("sectors", "sector_code"),
        ("institutions", "institution_id"),
        ("programs", "program_code"),
    ):
        chosen = getattr(filters, attribute)
        if chosen:
            keep &= cells[column].isin(chosen)
    if filters.institution_types:
        types: dict[str, str] = dict(session.execute(select(Institution.institution_id, Institution.institution_type)).all())
        keep &= cells["institution_id"].map(types).isin(filters.institution_types)
    return cells[keep]


def suppressed_total(session: Session, filters: Filters, tables: Sequence[str]) -> int:
    """The suppressed cells of ``tables`` within ``filters``."""
    counted = suppressed_counts(session, filters, (), tables)
    return int(counted["suppressed_cells"].sum()) if not counted.empty else 0


def imports(session: Session) -> list[dict]:
    """The reports of the recipe imports in force, oldest first: {load_id, title, report}."""

    def compute() -> list[dict]:
        loads = loads_in_force(session)
        if not loads:
            return []
        rows = session.execute(
            select(ImportRecord.load_id, ImportRecord.title, ImportRecord.report)
            .where(ImportRecord.load_id.in_(loads))
            .order_by(ImportRecord.load_id)
        ).all()
        return [{"load_id": int(i), "title": title, "report": json.loads(report)} for i, title, report in rows]

    return _cached(session, "imports", compute)


def year_labels(session: Session) -> dict[int, str]:
    """The published label of each year an import turned from an academic year ({2022: "2021/22"})."""
    labels: dict[int, str] = {}
    for record in imports(session):
        labels.update({int(year): label for year, label in record["report"].get("year_labels", {}).items()})
    return labels


def academic_year_tables(session: Session) -> list[str]:
    """The tables whose years an import turned from academic years."""
    return sorted({table for record in imports(session) for table in record["report"].get("academic_year_tables", [])})


def roundings(session: Session) -> list[dict]:
    """Per imported file that states a rounding: {file, table, rounding}."""
    return [
        {"file": part["file"], "table": part["table"], "rounding": part["rounding"]}
        for record in imports(session)
        for part in record["report"].get("tables", [])
        if part.get("rounding")
    ]


def region_shapes(session: Session) -> dict[str, dict]:
    """Each region's boundary (a GeoJSON geometry in longitude and latitude) from the newest load in force
    that gives one."""

    def compute() -> dict[str, dict]:
        loads = loads_in_force(session)
        if not loads:
            return {}
        rows = session.execute(
            select(RegionShape.region_code, RegionShape.geometry)
            .where(RegionShape.load_id.in_(loads))
            .order_by(RegionShape.load_id)
        ).all()
        return {code: json.loads(geometry) for code, geometry in rows}

    return _cached(session, "shapes", compute)
