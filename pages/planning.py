"""Planning: how many places should each program get next year, and what happens to the gap if we change them?"""

import pandas as pd
import streamlit as st

from data_access.planning import CHOICES
from ui.auth import editor_name
from ui.caveats import marked, show_notes
from ui.charts_planning import projection_lines, target_gap_bars
from ui.components import chart_with_data, number_columns, table_with_data, takeaway
from ui.context import absent_table_notice, table_absent, view
from ui.filters import active_filters, describe
from ui.horizons import default_horizon, horizon_years, last_demand_year
from ui.i18n import md, t
from ui.planning import (
    HORIZON_KEY,
    METHOD_KEY,
    Settings,
    active_scenario,
    not_projected_notes,
    per_sector,
    per_year,
    projection,
    target_takeaway,
)
from ui.planning_layout import (
    placement_warnings,
    projected_sectors,
    projection_table,
    protected,
    render_backtest,
    render_grow_shrink,
    result_of,
    url_choice,
)
from ui.planning_scenario import render_editor, render_files, render_saved
from ui.presentation import presentation_on

st.title(t("nav.planning"))
filters = active_filters()
presenting = presentation_on()
last = last_demand_year()
if table_absent("demand") or last is None:
    st.info(absent_table_notice("demand"))
    st.stop()
if not presenting:
    st.caption(md("planning.caption", filters=describe(filters.with_years(None, None)), last=last))
    show_notes(filters.with_years(None, None))

years = horizon_years()
if not years:
    st.info(t("planning.no_year_left", last=last))
    st.stop()
left, right = st.columns(2)
to_year = (
    url_choice(HORIZON_KEY, years, default_horizon(years))  # the projector shows the horizon and method of the link or the page
    if presenting
    else left.select_slider(
        t("planning.horizon"), options=years, key="plan_horizon", value=url_choice(HORIZON_KEY, years, default_horizon(years))
    )
)
method = (
    url_choice(METHOD_KEY, CHOICES, "auto")
    if presenting
    else right.selectbox(
        t("planning.method"),
        CHOICES,
        index=CHOICES.index(url_choice(METHOD_KEY, CHOICES, "auto")),
        key="plan_method_choice",
        format_func=lambda m: t(f"planning.method_{m}"),
        help=t("planning.method_help"),
    )
)

charts = st.container()  # drawn after the editor below: they follow the scenario it holds
scenario = active_scenario()
if not presenting:
    st.subheader(t("planning.scenario_heading"))
    scenario = tuple(render_editor(filters, last + 1))
    render_files(list(scenario))
settings = Settings(to_year, method, scenario)
result, baseline = projection(filters, settings), projection(filters, settings, with_scenario=False)
rows = result.rows
by_sector = protected(per_sector(result, baseline, to_year))  # under protection: rounded as every view

with charts:
    scope = describe(filters.with_years(to_year, to_year))
    if not presenting:
        history = view("supply_demand_trend", filters.with_years(None, None))
        projected_years = protected(per_year(result, baseline))
        drawn = [frame[[c for c in ("supply", "demand") if c in frame]] for frame in (history.numbers, projected_years)]
        if any(part.apply(pd.to_numeric, errors="coerce").notna().any(axis=None) for part in drawn):
            lines = projection_lines(
                history.numbers,
                projected_years,
                scenario=bool(scenario),
                title=t("planning.lines_title", last=last, year=to_year, filters=describe(filters)),
            )
            chart_with_data(lines, result_of("projections", rows), "projections.csv")
            st.caption(t("planning.total_band_note"))
        else:  # a region without demand: no year measured, nothing projected on a measured cell, no empty chart
            st.info(t("planning.lines_not_measured"), icon=":material/info:")
    bars = projected_sectors(by_sector) if presenting else by_sector  # the projector: the largest gaps, the rest as one
    if not by_sector.empty and by_sector[["supply", "demand"]].apply(pd.to_numeric, errors="coerce").notna().any(axis=None):
        chart_with_data(  # nothing projected on either side (a region without demand): no empty chart
            target_gap_bars(bars, scenario=bool(scenario), title=t("planning.bars_title", year=to_year, filters=scope)),
            result_of("projection_by_sector", by_sector),
            "projection_by_sector.csv",
        )
    takeaway(marked(target_takeaway(by_sector, to_year, scenario=bool(scenario))))
    if presenting:
        st.stop()
    for warning in placement_warnings(filters, settings, years[: to_year - last]):
        st.warning(warning, icon=":material/handshake:")
    few = rows.loc[rows["year"] == to_year, "few_years"].sum()
    if few:
        st.caption(t("planning.few_years_note", cells=int(few)))
    for note in not_projected_notes(result):
        st.caption(note)
    st.subheader(t("planning.cells_heading", year=to_year))
    table_with_data(
        projection_table(rows, to_year),
        f"projection_{to_year}.csv",
        column_config=number_columns(
            {c: "%,.0f" for c in ("demand", "demand_low", "demand_high", "supply", "gap")} | {"coverage_ratio": "%.2f"}
        ),
    )

if not presenting:
    render_saved(editor_name(), list(scenario), filters, settings, to_year)
    render_backtest(result.backtest)
    render_grow_shrink(filters, settings)
