"""The years Planning may project to: after the last year of demand data, within the contract's limits.
A low module (Streamlit's cache and the data layer only), so that a link's ``plan_to`` can be checked
(ui/bookmarks.py) without importing the Planning page's code."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.orm import Session

from data_access import planning
from data_access.filters import Filters

from .context import dashboard_engine, data_version

DEFAULT_AHEAD = 3  # the default horizon: three years after the last year of demand data
MOST_AHEAD = 10  # the page offers the ten years after the last year of demand data (within planning.latest_horizon)


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_last_demand_year(version: int) -> int | None:
    with Session(dashboard_engine()) as session:
        return planning.last_demand_year(session, Filters())


def last_demand_year() -> int | None:
    """The last year of demand data: projections start the year after."""
    return _cached_last_demand_year(data_version())


def horizon_years() -> list[int]:
    """The years the page offers as the last year to project, and the only ones a link's ``plan_to`` may name:
    the MOST_AHEAD years after the last year of demand data, none past ``planning.latest_horizon`` (so none
    past the contract's last year); none without demand data."""
    last = last_demand_year()
    if last is None:
        return []
    return list(range(last + 1, min(last + MOST_AHEAD, planning.latest_horizon(last)) + 1))


def default_horizon(years: list[int]) -> int:
    """The horizon when neither the link nor the page chose one: DEFAULT_AHEAD years after the last year of demand
    data, or the last year offered when fewer are."""
    return years[min(DEFAULT_AHEAD, len(years)) - 1]
