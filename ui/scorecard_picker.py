"""The Institution scorecard's picker: it offers only the institutions inside the sidebar's filters
(``ui.scorecard.inside_filters``). An institution given in the URL (read once, when the session
opens, like the sidebar filters) or chosen before the filters changed that is now outside them is
not shown: a message says why, and the first institution inside is shown instead (nothing when
none is inside)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from data_access import queries
from data_access.filters import Filters

from .context import dashboard_engine, data_version, exact_numbers
from .filters import describe
from .i18n import label, md
from .scorecard import inside_filters, institution_label, institutions_with_data, left_out_reason

PICKER, URL_NAME, URL_READ = "scorecard_institution", "institution", "scorecard_institution_read_from_url"


@st.cache_data(show_spinner=False, max_entries=64)
def _placements_by_institution(filters: Filters, version: int) -> pd.DataFrame:
    """Students placed per institution within ``filters`` (a placement's region and sector are the employer's)."""
    with Session(dashboard_engine()) as session:
        return queries.placement_totals(session, filters=filters, by=("institution_id",))


def offered(choices: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows of ``choices`` (every institution) the picker offers for ``filters``."""
    if not filters.sectors:  # regions only: no query needed
        return inside_filters(choices, filters)
    with_data = institutions_with_data(
        exact_numbers("enrolment_by_institution", filters),
        exact_numbers("outcomes_by_institution", filters),
        _placements_by_institution(filters, data_version()),
    )
    return inside_filters(choices, filters, with_data)


def _say_left_out(left_out: pd.Series, inside: pd.DataFrame, filters: Filters) -> None:
    """Why ``left_out`` is not shown, and what is shown instead."""
    scope = describe(filters)
    why = md(left_out_reason(left_out, filters), name=left_out["institution_name"], region=left_out["region_name"], filters=scope)
    then = (
        md("scorecard.showing_first", name=inside.iloc[0]["institution_name"])
        if not inside.empty
        else md("scorecard.none_inside", filters=scope)
    )
    st.info(f"{why}\n\n{then}", icon=":material/filter_alt:")


def pick_institution(choices: pd.DataFrame, filters: Filters) -> str | None:
    """The picker of the institutions inside ``filters`` (``choices`` is every institution); the id
    chosen, written into the URL, or None (said in words) when no institution is inside."""
    inside = offered(choices, filters)
    ids = list(inside["institution_id"])
    every = choices.set_index("institution_id")
    if not st.session_state.get(URL_READ):  # like the sidebar filters, the URL is read once, when the session opens
        st.session_state[URL_READ] = True
        if st.query_params.get(URL_NAME) in every.index:
            st.session_state[PICKER] = st.query_params[URL_NAME]
    before = st.session_state.get(PICKER)
    if before not in ids:  # outside the filters now, or removed by a load
        st.session_state.pop(PICKER, None)
        if before in every.index:
            _say_left_out(every.loc[before].rename(before), inside, filters)
        elif not ids:
            st.info(md("scorecard.none_inside", filters=describe(filters)))
    if not ids:
        if URL_NAME in st.query_params:
            del st.query_params[URL_NAME]
        return None
    chosen = st.selectbox(
        label("institution_name"), ids, format_func=institution_label(inside), key=PICKER, persist_state="session"
    )
    if st.query_params.get(URL_NAME) != chosen:  # page changes drop the parameter, so it is written back every run
        st.query_params[URL_NAME] = chosen
    return chosen
