"""Graduate outcomes: do graduates get jobs, in the field they trained for?"""

import streamlit as st

from ui.charts_enrolment import arrow, codes_in, names_by_code
from ui.charts_outcomes import (
    GROUPINGS,
    effective_supply_bars,
    effective_supply_note,
    institution_columns,
    latest_cohort,
    outcome_cohort_lines,
    outcome_headlines,
    outcome_rate_dots,
    unplaced_sectors_note,
)
from ui.components import PROJECTOR_HEIGHT_UNDER_FIGURES, chart_with_data, show_statement, table_with_data
from ui.context import absent_table_notice, table_absent, view
from ui.data_flags import is_area_level
from ui.filters import active_filters, describe
from ui.i18n import md, t
from ui.presentation import presentation_on
from ui.selection import ChartSelection
from ui.statements import PageSource, in_field_against_coverage

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
latest_only = (
    "latest"
    if presenting  # the projector shows the latest cohort
    else st.segmented_control(
        t("outcomes.period"),
        options=["latest", "all"],
        default="latest",
        required=True,
        key="outcomes_period",
        format_func=lambda p: t("outcomes.period_latest", cohort=cohort) if p == "latest" else t("outcomes.period_all"),
    )
)
period = filters.with_years(cohort, cohort) if latest_only == "latest" else filters

if not presenting:
    st.subheader(t("outcomes.disagree_heading"))
# The statement the brief makes too: the in-field rate of the cohort against the coverage of the same years.
statement = in_field_against_coverage(PageSource(), filters, latest_only=latest_only == "latest", projector=presenting)
assert statement is not None  # a cohort was found above
in_field = statement.rows
selection = ChartSelection("outcomes", "sector")
event = show_statement(
    statement,
    notes_first=False,
    key=selection.chart_key,
    on_select="rerun",
    projector_height=PROJECTOR_HEIGHT_UNDER_FIGURES,
)
sectors = codes_in(selection.codes(event), in_field.numbers, "sector_code")
if not presenting:  # the points are labelled with the sectors' names: on the projector, no caption
    st.caption(md("outcomes.scatter_caption", unplaced=unplaced_sectors_note(in_field.numbers)))
if sectors or not presenting:
    selection.show_active(sectors, names_by_code(in_field.numbers, "sector_code", "sector_name"))
narrowed = filters.narrowed(sectors=sectors) if sectors else filters
in_period = narrowed.with_years(period.year_from, period.year_to)
scope = describe(in_period)

with headline_area:
    if not presenting:
        st.caption(md("outcomes.cohort_caption", cohort=cohort, filters=describe(narrowed)))
    by_cohort = view("outcomes_by_cohort", narrowed.with_years(earliest, filters.year_to))
    figures = outcome_headlines(by_cohort.numbers, cohort=cohort)
    # On the projector the three rates of the chain, so that the chart fits under them.
    for column, figure in zip(st.columns(3) + ([] if presenting else st.columns(3)), figures):
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
