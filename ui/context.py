"""The app's connection to the data layer: one engine per process, and query
results cached per (query, filters, data version) so a new load shows on every
user's next interaction."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from data_access import queries
from data_access.filters import Filters
from data_access.snapshot import build_snapshot
from data_access.store import get_engine

# The views a page may ask for by name (names keep the cache key small and stable).
VIEWS = {
    "supply_demand_detail": queries.supply_demand_detail,
    "gaps_by_sector": queries.gaps_by_sector,
    "gaps_by_region_sector": queries.gaps_by_region_sector,
    "supply_demand_trend": queries.supply_demand_trend,
    "headline_by_year": queries.headline_by_year,
}


@st.cache_resource(show_spinner="Opening the database…")
def dashboard_engine():
    """The process-wide engine (the embedded default is created and filled on first use)."""
    return get_engine()


def data_version() -> int:
    """The current data version, read fresh on every run (a cheap MAX over the load log)."""
    with Session(dashboard_engine()) as session:
        return queries.current_data_version(session)


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_view(name: str, filters: Filters, version: int) -> pd.DataFrame:
    with Session(dashboard_engine()) as session:
        return VIEWS[name](session, filters=filters)


def view(name: str, filters: Filters) -> pd.DataFrame:
    """The result of view ``name`` for ``filters`` at the current data version (a copy: safe to change)."""
    return _cached_view(name, filters, data_version()).copy()


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_options(version: int) -> tuple[list[int], pd.DataFrame, pd.DataFrame]:
    with Session(dashboard_engine()) as session:
        return queries.available_years(session), queries.list_regions(session), queries.list_sectors(session)


def filter_options() -> tuple[list[int], pd.DataFrame, pd.DataFrame]:
    """Years with data, the regions and the sectors, for the sidebar."""
    return _cached_options(data_version())


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_snapshot(filters: Filters, version: int) -> bytes:
    with Session(dashboard_engine()) as session:
        return build_snapshot(session, filters=filters)


def snapshot_for(filters: Filters) -> bytes:
    """The snapshot zip for ``filters`` (same bytes as ``python -m data_access export`` but for the timestamp)."""
    return _cached_snapshot(filters, data_version())
