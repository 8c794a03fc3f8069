"""Enrolment and graduates: who is being trained, for which sectors, where, and is it growing?"""

import streamlit as st

from ui.charts_enrolment import (
    GROUPINGS,
    MEASURES,
    arrow,
    codes_in,
    enrolment_growth_bars,
    enrolment_headlines,
    enrolment_trend_lines,
    growth_groups_shown,
    institution_columns,
    latest_year,
    measure_label,
    names_by_code,
    program_columns,
    program_panel_note,
    sector_enrolment_bars,
    selected_program,
)
from ui.components import PROJECTOR_HEIGHT_UNDER_FIGURES, chart_with_data, table_with_data, takeaway
from ui.context import absent_table_notice, table_absent, view
from ui.data_flags import is_area_level
from ui.filters import active_filters, describe
from ui.i18n import md, t
from ui.presentation import presentation_on
from ui.selection import ChartSelection
from ui.takeaways import enrolment_growth_takeaway

PROJECTED_GROUPS = 5  # bars of the growth chart on a projected screen, under the headline figures

st.title(t("nav.enrolment"))
filters = active_filters()
scope = describe(filters)
presenting = presentation_on()  # on the projector: the headline figures and the growth chart with its takeaway only
if not presenting:
    st.caption(md("enrolment.caption", filters=scope))

if table_absent("enrolments"):
    st.info(absent_table_notice("enrolments"))
    st.stop()
left, right = st.columns(2) if not presenting else (None, None)  # the controls are the page's, not the projector's
area_level = is_area_level()  # one aggregate provider per area: a type breakdown would compare an area with itself
groups = [g for g in GROUPINGS if not (area_level and g == "type")]
group = (
    (st.session_state.get("enrolment_group") if st.session_state.get("enrolment_group") in groups else "sector")
    if presenting  # the projector keeps the grouping chosen on the page, without the control
    else left.segmented_control(
        t("enrolment.group_by"),
        options=groups,
        default="sector",
        required=True,
        key="enrolment_group",
        format_func=lambda g: GROUPINGS[g].label,
    )
)
measure = (
    "enrolled"
    if presenting
    else right.segmented_control(
        t("enrolment.show"),
        options=list(MEASURES),
        default="enrolled",
        required=True,
        key="enrolment_measure",
        format_func=measure_label,
    )
)
grouping = GROUPINGS[group]
if area_level and not presenting:
    st.caption(t("caveats.area_level"))
trend = view(grouping.view, filters)
if trend.empty:
    st.info(t("enrolment.no_enrolments"))
    st.stop()

year = latest_year(trend.numbers)
latest = filters.with_years(year, year)
totals = view("enrolment_trend", filters.with_years(year - 1, year))  # the year before too, for the change
for column, figure in zip(st.columns(3), enrolment_headlines(totals.numbers, year=year)):
    column.metric(
        t("metric.with_year", label=figure.label, year=year),
        figure.shown,
        delta=figure.change,
        delta_arrow=arrow(figure.change),
        help=figure.help,
        border=True,
        delta_color="off" if figure.key == "graduates_per_enrolled" else "normal",
    )

if not presenting:
    chart_with_data(
        enrolment_trend_lines(
            trend.numbers,
            grouping=grouping,
            measure=measure,
            title=t(f"enrolment.trend_title_{group}", measure=measure_label(measure), filters=scope),
        ),
        trend,
        f"enrolment_trend_by_{group}.csv",
    )
growth = view(grouping.view, filters.with_years(year - 1, year))
chart_with_data(
    enrolment_growth_bars(
        growth.numbers,
        grouping=grouping,
        year=year,
        title=t(f"enrolment.growth_title_{group}", previous=year - 1, year=year, filters=describe(latest)),
        largest=PROJECTED_GROUPS if presenting else None,
    ),
    growth,
    f"enrolment_growth_by_{group}.csv",
    projector_height=PROJECTOR_HEIGHT_UNDER_FIGURES,
)
shown = growth_groups_shown(growth.numbers, grouping=grouping, year=year, largest=PROJECTED_GROUPS) if presenting else None
takeaway(enrolment_growth_takeaway(growth.numbers, name=grouping.name, year=year, among=shown))
if presenting:
    st.stop()
st.caption(t("enrolment.completion_note"))

st.subheader(t("enrolment.drill_heading", year=year))
by_sector = view("enrolment_trend_by_sector", latest)
selection = ChartSelection("enrolment", "sector")
event = chart_with_data(
    sector_enrolment_bars(by_sector.numbers, title=t("enrolment.sector_title", filters=describe(latest))),
    by_sector,
    "enrolment_by_sector.csv",
    key=selection.chart_key,
    on_select="rerun",
)
sectors = codes_in(selection.codes(event), by_sector.numbers, "sector_code")
selection.show_active(sectors, names_by_code(by_sector.numbers, "sector_code", "sector_name"))

programs = view("programs", latest.narrowed(sectors=sectors) if sectors else latest)
if programs.empty:
    st.info(t("enrolment.no_programs", year=year))
    st.stop()
st.markdown(t("enrolment.programs_heading", year=year))
picked = table_with_data(
    programs,
    "enrolment_programs.csv",
    column_config=program_columns(),
    on_select="rerun",
    key=f"enrolment_programs_{year}_{'_'.join(sectors)}",
)  # a new table for a new sector selection
panel_note = program_panel_note(programs.numbers, year)
if panel_note:
    st.caption(panel_note)
program = selected_program(picked, programs.numbers)
if program is None:
    st.caption(t("enrolment.no_program_selected"))
    st.stop()

code, name = program
st.markdown(md("enrolment.institutions_heading", name=name, code=code, year=year))
offering = view("enrolment_by_institution", latest.narrowed(programs=(code,)))
table_with_data(offering, f"enrolment_institutions_{code}.csv", column_config=institution_columns())
