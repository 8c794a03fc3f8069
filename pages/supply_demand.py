"""Supply vs demand: where are we short of trained people, where oversupplied?"""

import streamlit as st

from ui.caveats import show_notes
from ui.components import number_columns, show_statement, table_with_data
from ui.context import view
from ui.data_flags import openings_estimated
from ui.filters import active_filters, describe
from ui.i18n import t
from ui.periods import no_comparable_year_text
from ui.presentation import presentation_on
from ui.sensitivity import sensitivity_section
from ui.statements import (
    PageSource,
    coverage_by_region_and_sector,
    coverage_on_the_map,
    gaps_by_sector,
    period_of_gaps,
    supply_and_demand_over_the_years,
)

st.title(t("nav.supply_demand"))
filters = active_filters()
source = PageSource()
presenting = presentation_on()

latest = period_of_gaps(source, filters)
if latest is None:
    st.info(no_comparable_year_text())
    st.stop()
latest_only = (
    "latest"
    if presenting  # the projector shows the latest year
    else st.segmented_control(
        t("supply_demand.period"),
        options=["latest", "total"],
        default="latest",
        key="period",
        required=True,
        format_func=lambda p: t("supply_demand.latest_year", year=latest.latest) if p == "latest" else t("supply_demand.total"),
    )
)
gaps = latest if latest_only == "latest" else period_of_gaps(source, filters, latest_only=False)
assert gaps is not None  # a range with a comparable latest year has one
period = gaps.filters

statement = gaps_by_sector(source, gaps, latest_only=latest_only == "latest", projector=presenting)
if statement.rows is None or statement.rows.empty:
    st.info(t("supply_demand.no_data"))
    st.stop()
show_notes(period)
if not presenting:
    graded = "openings_all" in statement.rows.numbers
    st.caption(t("supply_demand.explain_expected" if graded else "supply_demand.explain"))
show_statement(statement)
if presenting:  # one idea per screen on the projector: the bars and their takeaway
    st.stop()

on_the_map = coverage_on_the_map(source, gaps)
if on_the_map is not None:  # every region on a map that needs no tile server
    show_statement(on_the_map, notes_first=False)
show_statement(coverage_by_region_and_sector(source, gaps))
show_statement(supply_and_demand_over_the_years(source, filters))
if openings_estimated():
    sensitivity_section(period, describe(period))

st.subheader(t("supply_demand.table_heading"))
table_with_data(
    view("gaps_by_region_sector", period),
    "gaps_by_region_sector.csv",
    column_config=number_columns({"supply": "localized", "demand": "localized", "gap": "localized", "coverage_ratio": "%.2f"}),
)
