"""Graduate outcomes: do graduates get jobs, in the field they trained for?"""

import streamlit as st

from ui.caveats import is_area_level
from ui.charts_enrolment import arrow, codes_in, names_by_code
from ui.charts_outcomes import (
    GROUPINGS,
    effective_supply_bars,
    effective_supply_note,
    in_field_coverage_scatter,
    institution_columns,
    latest_cohort,
    outcome_cohort_lines,
    outcome_headlines,
    outcome_rate_dots,
    overall_in_field_rate,
    sector_key,
    unplaced_sectors_note,
)
from ui.components import chart_with_data, table_with_data, takeaway
from ui.context import absent_table_notice, table_absent, view
from ui.filters import active_filters, describe
from ui.i18n import md, t
from ui.presentation import presentation_on
from ui.selection import ChartSelection
from ui.takeaways import in_field_takeaway

st.title(t("nav.outcomes"))
filters = active_filters()
presenting = presentation_on()  # on the projector: the headline rates and the in-field chart with its takeaway only
earliest = None if filters.year_from is None else filters.year_from - 1  # the cohort before, for the change
if table_absent("outcomes"):
    st.info(absent_table_notice("outcomes"))
    st.stop()
cohort = latest_cohort(view("outcomes_by_cohort", filters).numbers, filters)
if cohort is None:
    st.info(t("outcomes.no_results"))
    st.stop()

headline_area = st.container()  # filled last: the headline follows the sector selection made in the chart below
latest_only = st.segmented_control(
    t("outcomes.period"),
    options=["latest", "all"],
    default="latest",
    required=True,
    key="outcomes_period",
    format_func=lambda p: t("outcomes.period_latest", cohort=cohort) if p == "latest" else t("outcomes.period_all"),
)
period = filters.with_years(cohort, cohort) if latest_only == "latest" else filters

st.subheader(t("outcomes.disagree_heading"))
in_field = view("in_field_vs_coverage", period)
selection = ChartSelection("outcomes", "sector")
overall = overall_in_field_rate(view("outcomes_by_cohort", period).numbers)
event = chart_with_data(
    in_field_coverage_scatter(in_field.numbers, overall=overall, title=t("outcomes.scatter_title", filters=describe(period))),
    in_field,
    "in_field_vs_coverage.csv",
    key=selection.chart_key,
    on_select="rerun",
)
takeaway(in_field_takeaway(in_field.numbers, overall=overall))
sectors = codes_in(selection.codes(event), in_field.numbers, "sector_code")
if presenting:  # the codes that label the points, without the explanation
    st.caption(md("outcomes.sector_key", sectors=sector_key(in_field.numbers)))
else:
    st.caption(
        md("outcomes.scatter_caption", unplaced=unplaced_sectors_note(in_field.numbers), sectors=sector_key(in_field.numbers))
    )
if sectors or not presenting:
    selection.show_active(sectors, names_by_code(in_field.numbers, "sector_code", "sector_name"))
narrowed = filters.narrowed(sectors=sectors) if sectors else filters
in_period = narrowed.with_years(period.year_from, period.year_to)
scope = describe(in_period)

with headline_area:
    st.caption(md("outcomes.cohort_caption", cohort=cohort, filters=describe(narrowed)))
    by_cohort = view("outcomes_by_cohort", narrowed.with_years(earliest, filters.year_to))
    for column, figure in zip(st.columns(3) + st.columns(3), outcome_headlines(by_cohort.numbers, cohort=cohort)):
        column.metric(
            figure.label,
            figure.shown,
            delta=figure.change,
            delta_arrow=arrow(figure.change),
            help=figure.help,
            border=True,
            delta_color="off" if figure.key in ("self_employment_rate", "further_study_rate") else "normal",
        )
if presenting:
    st.stop()

st.subheader(t("outcomes.groups_heading"))
area_level = is_area_level()  # one aggregate provider per area: a type breakdown would compare an area with itself
if area_level:
    st.caption(t("caveats.area_level"))
group = st.segmented_control(
    t("outcomes.compare_by"),
    options=[g for g in GROUPINGS if not (area_level and g == "type")],
    default="sector",
    required=True,
    key="outcomes_group",
    format_func=lambda g: GROUPINGS[g].label,
)
grouping = GROUPINGS[group]
by_group = view(grouping.view, in_period)
chart_with_data(
    outcome_rate_dots(by_group.numbers, grouping=grouping, title=t(f"outcomes.dots_title_{group}", filters=scope)),
    by_group,
    f"outcomes_by_{group}.csv",
)
trend = view("outcomes_by_cohort", narrowed)
chart_with_data(
    outcome_cohort_lines(trend.numbers, title=t("outcomes.cohort_title", filters=describe(narrowed))),
    trend,
    "outcomes_by_cohort.csv",
)

st.subheader(t("outcomes.effective_heading"))
effective = view("effective_supply_by_sector", in_period)
chart_with_data(
    effective_supply_bars(effective.numbers, title=t("outcomes.effective_title", filters=scope)),
    effective,
    "effective_supply_by_sector.csv",
)
st.caption(t("outcomes.effective_caption", left_out=effective_supply_note(effective.numbers)))

st.subheader(md("outcomes.institutions_heading", filters=scope))
table_with_data(view("outcomes_by_institution", in_period), "outcomes_by_institution.csv", column_config=institution_columns())
