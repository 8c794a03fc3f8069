"""The Supply vs demand page's sections about estimated openings and the map: how the coverage moves
with the replacement rate, and the map's finding in words."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from data_access import queries
from data_access.filters import Filters

from .charts_map import sensitivity_lines
from .components import chart_with_data, takeaway
from .context import dashboard_engine, data_version, view
from .formatting import fmt_ratio
from .i18n import t


@st.cache_data(show_spinner=False, max_entries=4)
def _rates_used(version: int) -> list[float]:
    with Session(dashboard_engine()) as session:
        return [float(r) for r in queries.replacement_rates(session)["rate_used"]]


def sensitivity_section(period: Filters, scope: str) -> None:
    """Coverage at half to one and a half times the replacement rates used, for all sectors and each."""
    rows = view("coverage_sensitivity", period)
    if rows.empty:
        return
    st.subheader(t("caveats.sensitivity_heading"))
    st.caption(t("caveats.sensitivity_explain"))
    chart_with_data(
        sensitivity_lines(rows.numbers, _rates_used(data_version()), title=t("caveats.sensitivity_title", filters=scope)),
        rows,
        "coverage_sensitivity.csv",
    )
    takeaway(sensitivity_takeaway(rows.numbers))


def sensitivity_takeaway(rows: pd.DataFrame) -> str | None:
    """The coverage of all sectors at the rates used, at half of them and at one and a half times."""
    every = rows[rows["sector_code"] == ""].set_index("factor")["coverage_ratio"]
    if every.empty or every.isna().all():
        return None
    return t(
        "caveats.sensitivity_takeaway",
        used=fmt_ratio(every.get(1.0)),
        low=fmt_ratio(every.get(0.5)),
        high=fmt_ratio(every.get(1.5)),
    )
