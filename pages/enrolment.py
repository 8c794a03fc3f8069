"""Enrolment and graduates: who is being trained, for which sectors, where, and is it growing?"""

import streamlit as st

from ui.charts_enrolment import (
    GROUPINGS, INSTITUTION_COLUMNS, MEASURES, PROGRAM_COLUMNS, arrow, codes_in, enrolment_growth_bars, enrolment_headlines,
    enrolment_trend_lines, latest_year, names_by_code, sector_enrolment_bars, selected_program,
)
from ui.components import chart_with_data, table_with_data
from ui.context import view
from ui.filters import active_filters
from ui.selection import ChartSelection
from ui.takeaways import enrolment_growth_takeaway

st.title("Enrolment and graduates")
filters = active_filters()
scope = filters.describe()
st.caption(f"Who is being trained, for which sectors, where, and is it growing? · {scope}")

left, right = st.columns(2)
group = left.segmented_control("Group by", options=list(GROUPINGS), default="sector", required=True, key="enrolment_group",
                               format_func=lambda g: GROUPINGS[g].label)
measure = right.segmented_control("Show", options=list(MEASURES), default="enrolled", required=True, key="enrolment_measure",
                                  format_func=MEASURES.get)
grouping = GROUPINGS[group]
trend = view(grouping.view, filters)
if trend.empty:
    st.info("No enrolments match these filters. Widen the years, regions or sectors in the sidebar.")
    st.stop()

year = latest_year(trend.numbers)
latest = filters.with_years(year, year)
totals = view("enrolment_trend", filters.with_years(year - 1, year))  # the year before too, for the change
for column, figure in zip(st.columns(3), enrolment_headlines(totals.numbers, year=year)):
    column.metric(f"{figure.label} ({year})", figure.shown, delta=figure.change, delta_arrow=arrow(figure.change), help=figure.help,
                  border=True, delta_color="off" if figure.key == "graduates_per_enrolled" else "normal")

chart_with_data(enrolment_trend_lines(trend.numbers, grouping=grouping, measure=measure,
                                      title=f"{MEASURES[measure]} by {grouping.label.lower()} over the years · {scope}"),
                trend, f"enrolment_trend_by_{group}.csv")
growth = view(grouping.view, filters.with_years(year - 1, year))
chart_with_data(enrolment_growth_bars(growth.numbers, grouping=grouping, year=year,
                                      title=f"Growth from {year - 1} to {year} by {grouping.label.lower()} · {latest.describe()}"),
                growth, f"enrolment_growth_by_{group}.csv")
st.markdown(f"**Takeaway:** {enrolment_growth_takeaway(growth.numbers, name=grouping.name, year=year)}")
st.caption("Graduates per enrolled student (graduates ÷ enrolled in the same year) is a rough completion indicator, "
           "not a cohort completion rate: this year's graduates enrolled in earlier years, and programs differ in length.")

st.subheader(f"From sector to program to institution, {year}")
by_sector = view("enrolment_trend_by_sector", latest)
selection = ChartSelection("enrolment", "sector")
event = chart_with_data(sector_enrolment_bars(by_sector.numbers, title=f"Enrolled and graduates by sector · {latest.describe()}"),
                        by_sector, "enrolment_by_sector.csv", key=selection.chart_key, on_select="rerun")
sectors = codes_in(selection.codes(event), by_sector.numbers, "sector_code")
selection.show_active(sectors, names_by_code(by_sector.numbers, "sector_code", "sector_name"))

programs = view("programs", latest.narrowed(sectors=sectors) if sectors else latest)
if programs.empty:
    st.info(f"No programs have enrolments in {year} for this selection.")
    st.stop()
st.markdown(f"**Programs in {year}** · select a row to see the institutions that offer it")
picked = table_with_data(programs, "enrolment_programs.csv", column_config=PROGRAM_COLUMNS, on_select="rerun",
                         key=f"enrolment_programs_{year}_{'_'.join(sectors)}")  # a new table for a new sector selection
program = selected_program(picked, programs.numbers)
if program is None:
    st.caption("No program selected.")
    st.stop()

code, name = program
st.markdown(f"**Institutions offering {name} ({code}) in {year}**")
offering = view("enrolment_by_institution", latest.narrowed(programs=(code,)))
table_with_data(offering, f"enrolment_institutions_{code}.csv", column_config=INSTITUTION_COLUMNS)
