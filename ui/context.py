"""The app's connection to the data layer: one engine per process, and view
results cached per (view, filters, protection, data version) so that a new load
shows on every user's next interaction."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from data_access import queries
from data_access.facts import NOT_LINKED
from data_access.filters import Filters
from data_access.planning import PlanningSettings
from data_access.queries import CALENDAR_TABLES
from data_access.snapshot import build_snapshot
from data_access.store import default_needs_filling, get_engine
from data_access.views import ViewRows, read_view
from data_access.workbook_export import build_workbook

from .first_visit import prepare_sample_database
from .formatting import PROTECTION_STATE_KEY
from .i18n import current_language, t

PROTECTION_KEY = PROTECTION_STATE_KEY  # session state (and URL) key of the small-number threshold; absent = off


ViewResult = ViewRows  # a view's rows as the pages show them (data_access.views.read_view)


def dashboard_engine(*, announce: bool = False):
    """The process-wide engine (the embedded default is created and filled on first use).

    With ``announce`` (the app's first call in a run), a first use that creates and fills the
    embedded default database shows what it is doing meanwhile (ui.first_visit); otherwise the
    cost is one look at whether the database file exists.
    """
    if announce and default_needs_filling():
        prepare_sample_database()
    return _engine()


@st.cache_resource(show_spinner=False)
def _engine():
    return get_engine()


def data_version() -> int:
    """The current data version, read fresh on every run (a cheap MAX over the load log)."""
    with Session(dashboard_engine()) as session:
        return queries.current_data_version(session)


def protection_threshold() -> int | None:
    """The small-number threshold chosen in the sidebar, or None when protection is off."""
    return st.session_state.get(PROTECTION_KEY)


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_view(name: str, filters: Filters, threshold: int | None, version: int) -> ViewResult:
    with Session(dashboard_engine()) as session:
        return read_view(session, name, filters, threshold)


def exact_numbers(name: str, filters: Filters) -> pd.DataFrame:
    """View ``name``'s unprotected rows, for figures that are combined first and protected after
    (the scorecard's totals over the years); never shown as they are."""
    return _cached_view(name, filters, None, data_version()).numbers


def view(name: str, filters: Filters) -> ViewResult:
    """View ``name`` (see data_access.views) for ``filters`` at the current data version, protected
    as chosen in the sidebar, graduates of programs linked to no sector named so in the current
    language. Callers must not change the frames in place."""
    return named_not_linked(_cached_view(name, filters, protection_threshold(), data_version()))


def named_not_linked(result: ViewResult) -> ViewResult:
    """``result`` with the sector name of the not-linked group ("" as its code) in words, in every frame."""
    frame = result.numbers
    if "sector_name" not in frame.columns or not (frame["sector_code"] == NOT_LINKED).any():
        return result
    words, several = t("common.not_linked"), t("common.several_sectors")

    def named(rows: pd.DataFrame) -> pd.DataFrame:
        empty = rows["sector_code"] == NOT_LINKED
        # a program listed with its sectors in shares trains for several: linked, just not to one
        shared = empty & (rows["sectors"].fillna("") != "") if "sectors" in rows.columns else empty & False
        return rows.assign(sector_name=rows["sector_name"].where(~empty, words).where(~shared, several))

    return replace(result, numbers=named(result.numbers), table=named(result.table), display=named(result.display))


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_calendar(version: int) -> dict[str, list[int]]:
    with Session(dashboard_engine()) as session:
        return {**queries.data_calendar(session), "comparable": queries.comparable_years(session)}


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_calendar_detail(version: int) -> dict[str, dict]:
    with Session(dashboard_engine()) as session:
        return queries.data_calendar_detail(session)


def calendar_detail() -> dict[str, dict]:
    """Per fact table: its years and the regions whose years differ (data_access.queries.data_calendar_detail)."""
    return _cached_calendar_detail(data_version())


def calendar() -> dict[str, list[int]]:
    """The years each fact table covers (enrolments, demand, placements, outcomes), and "comparable":
    the years with both supply and demand. A year outside a table's list is missing for it, not zero."""
    return _cached_calendar(data_version())


@st.cache_data(show_spinner=False, max_entries=32)
def _cached_crosswalk_preview(filters: Filters, edited: tuple[tuple[str, str, float], ...], version: int) -> pd.DataFrame:
    frame = pd.DataFrame(list(edited), columns=["program_code", "sector_code", "share"])
    with Session(dashboard_engine()) as session:
        return queries.crosswalk_preview(session, filters=filters, edited=frame)


def crosswalk_preview(filters: Filters, program: str, rows: list[tuple[str, float]]) -> pd.DataFrame:
    """Supply, gap and coverage by sector before and after giving ``program`` the sector shares ``rows``."""
    edited = tuple((program, sector, float(share)) for sector, share in rows) or ((program, "", float("nan")),)
    return _cached_crosswalk_preview(filters, edited, data_version())


def table_absent(table: str) -> bool:
    """True when the data set has no rows at all in fact table ``table`` (enrolments, demand, placements,
    outcomes): a page about it has nothing to show whatever the filters."""
    return table in CALENDAR_TABLES and not calendar()[table]


def absent_table_notice(table: str) -> str:
    """What a page says when the data set does not include its table."""
    return t("common.not_in_data_set", what=t(f"common.table_{table}"), table=f"{table}.csv")


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_options(version: int) -> tuple[list[int], pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    with Session(dashboard_engine()) as session:
        return (
            queries.available_years(session),
            queries.list_regions(session),
            queries.list_sectors(session),
            queries.list_institutions(session),
        )


def filter_options() -> tuple[list[int], pd.DataFrame, pd.DataFrame]:
    """Years with data, the regions and the sectors, for the sidebar."""
    years, regions, sectors, _ = _cached_options(data_version())
    return years, regions, sectors


def name_maps() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Region, sector and institution names by code, for describing filters (a page does it several times)."""
    return _cached_name_maps(data_version())


@st.cache_data(show_spinner=False, max_entries=4)
def _cached_name_maps(version: int) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    _, regions, sectors, listed = _cached_options(version)
    return (
        dict(zip(regions["region_code"], regions["region_name"])),
        dict(zip(sectors["sector_code"], sectors["sector_name"])),
        dict(zip(listed["institution_id"], listed["institution_name"])),
    )


def institutions() -> pd.DataFrame:
    """Every institution with its region and type, for pickers."""
    return _cached_options(data_version())[3]


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_snapshot(filters: Filters, threshold: int | None, version: int, language: str, plan: PlanningSettings) -> bytes:
    with Session(dashboard_engine()) as session:
        return build_snapshot(session, filters=filters, hide_below=threshold, language=language, plan=plan)


def snapshot_for(filters: Filters, threshold: int | None, plan: PlanningSettings = PlanningSettings()) -> bytes:
    """The snapshot zip for ``filters`` and the planning settings (same bytes as ``python -m data_access export``
    but for the timestamp)."""
    return _cached_snapshot(filters, threshold, data_version(), current_language(), plan)


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_workbook(filters: Filters, threshold: int | None, version: int, language: str, plan: PlanningSettings) -> bytes:
    with Session(dashboard_engine()) as session:
        return build_workbook(session, filters=filters, hide_below=threshold, language=language, plan=plan)


def workbook_for(
    filters: Filters, threshold: int | None, plan: PlanningSettings = PlanningSettings(), language: str | None = None
) -> bytes:
    """The snapshot as an Excel workbook headed in ``language`` (default: the session's; a download built when
    clicked runs without the session and passes it along): the sheets of ``python -m data_access export --out
    FILE.xlsx`` but for the timestamp."""
    return _cached_workbook(filters, threshold, data_version(), language or current_language(), plan)
