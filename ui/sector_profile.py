"""The planner's question on one table (Overview): per sector of the selection, the gap and coverage, the
placements per 100 openings and how many of them hire, the in-field and destination rates, the largest
shortage first; a row picked shows the programs that train for that sector."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st
from streamlit import column_config

from data_access.filters import Filters
from data_access.views import ViewRows

from .charts_enrolment import program_columns
from .charts_placements import gap_status_words
from .components import table_with_data
from .context import view
from .i18n import label, t

SHOWN = (
    "sector_name",
    "gap",
    "coverage_ratio",
    "gap_status",
    "placed_per_100_openings",
    "placement_hire_rate",
    "in_field_rate",
    "employment_rate",
)


def profile_columns(frame: pd.DataFrame) -> dict:
    """The table's columns: the ones of ``SHOWN`` headed in the current language, the rest hidden on screen
    (they stay in the download)."""
    config: dict = {column: None for column in frame.columns if column not in SHOWN}
    config.update(  # widths that fit the eight columns on a 1280-pixel screen beside the sidebar
        {
            "sector_name": column_config.TextColumn(label("sector_name"), pinned=True, width=180),
            "gap": column_config.NumberColumn(label("gap"), format="localized", step=1, width=95),
            "coverage_ratio": column_config.NumberColumn(label("coverage_ratio"), format="%.2f", width=70),
            "gap_status": column_config.TextColumn(label("gap_status"), width=85),
            "placed_per_100_openings": column_config.NumberColumn(label("placed_per_100_openings"), format="%,.0f", width=90),
            "placement_hire_rate": column_config.NumberColumn(
                label("placement_hire_rate"), format="percent", step=0.001, width=85
            ),
            "in_field_rate": column_config.NumberColumn(label("in_field_rate"), format="percent", step=0.001, width=85),
            "employment_rate": column_config.NumberColumn(label("employment_rate"), format="percent", step=0.001, width=85),
        }
    )
    return config


def worded(rows: ViewRows) -> ViewRows:
    """``rows`` with each sector's status in words of the current language ("▼ shortage") in its table and
    its download, as on screen; the numbers keep the codes."""

    def words(frame: pd.DataFrame) -> pd.DataFrame:
        status = frame["gap_status"].map(lambda code: gap_status_words(code) if isinstance(code, str) else code)
        return frame.assign(gap_status=status)

    return replace(rows, table=words(rows.table), display=words(rows.display))


def render_sector_profile(filters: Filters, year: int) -> None:
    """The table for ``year`` (the gap's latest year; outcomes of the latest cohort within ``filters``' years up
    to it); a sector picked: its programs below."""
    period = filters.with_years(filters.year_from, year)
    rows = view("sector_profile", period)
    if rows.empty:
        return
    st.subheader(t("overview.profile_heading", year=period.year_to))
    cohort = rows.numbers["outcomes_cohort"].dropna()
    st.caption(t("overview.profile_intro", cohort=int(cohort.iloc[0])) if len(cohort) else t("overview.profile_no_survey"))
    event = table_with_data(
        worded(rows),
        "sector_profile.csv",
        column_config=profile_columns(rows.table),
        on_select="rerun",
        key=f"sector_profile_{period.year_to}",
    )
    picked = event.selection.rows if event is not None else []
    if not picked or picked[0] >= len(rows.numbers):
        st.caption(t("overview.profile_pick"))
        return
    sector = rows.numbers.iloc[picked[0]]
    programs = view("programs", period.narrowed(sectors=(str(sector["sector_code"]),)))
    st.markdown(t("overview.profile_programs", sector=sector["sector_name"], year=period.year_to))
    if programs.empty:
        st.caption(t("overview.profile_no_programs"))
        return
    table_with_data(programs, "programs.csv", column_config=program_columns())
