"""Graduate outcomes: do graduates get jobs, in the field they trained for?"""

import streamlit as st

from ui.charts_enrolment import arrow, codes_in, names_by_code
from ui.charts_outcomes import (
    GROUPINGS, INSTITUTION_COLUMNS, effective_supply_bars, effective_supply_note, in_field_coverage_scatter, latest_cohort,
    outcome_cohort_lines, outcome_headlines, outcome_rate_dots, overall_in_field_rate, sector_key,
    unplaced_sectors_note,
)
from ui.components import chart_with_data, table_with_data
from ui.context import view
from ui.filters import active_filters
from ui.selection import ChartSelection
from ui.takeaways import in_field_takeaway

st.title("Graduate outcomes")
filters = active_filters()
earliest = None if filters.year_from is None else filters.year_from - 1  # the cohort before, for the change
cohort = latest_cohort(view("outcomes_by_cohort", filters).numbers, filters)
if cohort is None:
    st.info("No graduate survey results match these filters. Widen the years, regions or sectors in the sidebar "
            "(the years select survey cohorts here).")
    st.stop()

headline_area = st.container()  # filled last: the headline follows the sector selection made in the chart below
latest_only = st.segmented_control(
    "Period of the charts below", options=["latest", "all"], default="latest", required=True, key="outcomes_period",
    format_func=lambda p: f"Latest cohort ({cohort})" if p == "latest" else "All cohorts in the selected years",
)
period = filters.with_years(cohort, cohort) if latest_only == "latest" else filters

st.subheader("Where training and demand disagree")
in_field = view("in_field_vs_coverage", period)
selection = ChartSelection("outcomes", "sector")
overall = overall_in_field_rate(view("outcomes_by_cohort", period).numbers)
event = chart_with_data(in_field_coverage_scatter(in_field.numbers, overall=overall,
                                                  title=f"In-field rate against coverage by sector · {period.describe()}"),
                        in_field, "in_field_vs_coverage.csv", key=selection.chart_key, on_select="rerun")
st.markdown(f"**Takeaway:** {in_field_takeaway(in_field.numbers, overall=overall)}")
sectors = codes_in(selection.codes(event), in_field.numbers, "sector_code")
st.caption("Left of the dashed line, a sector trains fewer people than it has openings; right of it, more. Above the dotted "
           "line its graduates work in their field more often than graduates overall; below it, less. A shortage with a "
           "low in-field rate points at fit, not places; a surplus with a high in-field rate may not be one. "
           "Point size: graduates." + unplaced_sectors_note(in_field.numbers) + " Sectors: " + sector_key(in_field.numbers))
selection.show_active(sectors, names_by_code(in_field.numbers, "sector_code", "sector_name"))
narrowed = filters.narrowed(sectors=sectors) if sectors else filters
in_period = narrowed.with_years(period.year_from, period.year_to)
scope = in_period.describe()

with headline_area:
    st.caption(f"Survey results for **cohort {cohort}**, the latest in the selected years (surveys follow graduation, so it "
               f"can be earlier than the latest enrolment year) · {narrowed.describe()}")
    by_cohort = view("outcomes_by_cohort", narrowed.with_years(earliest, filters.year_to))
    for column, figure in zip(st.columns(3) + st.columns(3), outcome_headlines(by_cohort.numbers, cohort=cohort)):
        column.metric(figure.label, figure.shown, delta=figure.change, delta_arrow=arrow(figure.change),
                      help=figure.help, border=True,
                      delta_color="off" if figure.key in ("self_employment_rate", "further_study_rate") else "normal")

st.subheader("Outcomes by group and over the cohorts")
group = st.segmented_control("Compare by", options=list(GROUPINGS), default="sector", required=True, key="outcomes_group",
                             format_func=lambda g: GROUPINGS[g].label)
grouping = GROUPINGS[group]
by_group = view(grouping.view, in_period)
chart_with_data(outcome_rate_dots(by_group.numbers, grouping=grouping, title=f"Outcome rates by {grouping.label.lower()} · {scope}"),
                by_group, f"outcomes_by_{group}.csv")
trend = view("outcomes_by_cohort", narrowed)
chart_with_data(outcome_cohort_lines(trend.numbers, title=f"Outcome rates by cohort · {narrowed.describe()}"), trend,
                "outcomes_by_cohort.csv")

st.subheader("Effective supply: graduates who work in their field, against demand")
effective = view("effective_supply_by_sector", in_period)
chart_with_data(effective_supply_bars(effective.numbers, title=f"Supply, effective supply and demand by sector · {scope}"),
                effective, "effective_supply_by_sector.csv")
st.caption("Effective supply = graduates × the in-field rate of their sector and region (the sector's rate where the region "
           "has no survey results): the graduates industry can count on in the field. Where it falls short of openings "
           "although supply does not, the shortage is graduates leaving the field, not too few places."
           + effective_supply_note(effective.numbers))

st.subheader(f"Outcomes by institution · {scope}")
table_with_data(view("outcomes_by_institution", in_period), "outcomes_by_institution.csv", column_config=INSTITUTION_COLUMNS)
