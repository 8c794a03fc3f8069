"""Placements and partners: do students get real workplace practice in the sectors that need
them, and which enterprises carry the partnership?"""

import streamlit as st

from ui.charts_placements import (
    capacity_by_sector_bars,
    capacity_note,
    capacity_use_bars,
    placed_and_hired_bars,
    tenure_band_words,
    tenure_bars,
    top_rows,
    worded,
)
from ui.components import chart_with_data, show_statement, table_with_data, takeaway
from ui.context import absent_table_notice, table_absent, view
from ui.filters import active_filters, describe
from ui.i18n import label, md, t
from ui.presentation import presentation_on
from ui.scale import keep_top, with_hire_rate
from ui.selection import ChartSelection
from ui.statements import PageSource, period_of_gaps, placements_against_gaps
from ui.takeaways import placements_takeaway

CHART_REGIONS = 15  # host regions drawn one by one; at national scale the rest are one bar
RANKINGS = ("students_placed", "hired")  # the text of each is t(f"placements.rank_{ranking}")
COUNTS, RATES = (
    ("tenure_years", "placement_capacity", "years_hosting", "students_placed", "hired"),
    ("placement_hire_rate", "capacity_use"),
)
# Columns whose heading on this page says more than the column's usual one (the host's sector and region).
PARTNER_HEADINGS = {
    "sector_name": "col_host_sector",
    "region_name": "col_host_region",
    "placement_capacity": "col_capacity_per_year",
    "years_hosting": "col_years_hosting",
    "placement_hire_rate": "col_hire_rate",
}


def partner_columns() -> dict:
    """The partner table's headings and number formats in the current language (rates to 0.1 %)."""
    heading = lambda column: t(f"placements.{PARTNER_HEADINGS[column]}") if column in PARTNER_HEADINGS else label(column)  # noqa: E731
    return {
        "sector_name": heading("sector_name"),
        "region_name": heading("region_name"),
        "partner_since": st.column_config.NumberColumn(heading("partner_since"), format="%d"),
        **{c: st.column_config.NumberColumn(heading(c), format="localized") for c in COUNTS},
        **{c: st.column_config.NumberColumn(heading(c), format="percent", step=0.001) for c in RATES},
    }


st.title(t("placements.title"))
filters = active_filters()
presenting = presentation_on()
if not presenting:
    st.caption(md("placements.caption", filters=describe(filters)))

if table_absent("placements"):
    st.info(absent_table_notice("placements"))
    st.stop()
by_sector = view("placements_by_sector", filters)
if by_sector.empty:
    st.info(t("placements.no_placements"))
    st.stop()

# The statement the brief and the projector make too: placements against the gaps of the same (latest comparable) year.
source = PageSource()
gaps = period_of_gaps(source, filters)
if gaps is not None:
    if not presenting:  # on the projector the chart's title says it
        st.subheader(t("placements.against_gaps_heading"))
    show_statement(placements_against_gaps(source, gaps, projector=presenting))
if presenting and gaps is not None:  # one idea per screen
    st.stop()

if not presenting:
    st.subheader(t("placements.where_heading"))
selection = ChartSelection("placements", "sector")
left, right = st.columns([3, 2]) if not presenting else (st.container(), None)
with left:
    event = chart_with_data(
        placed_and_hired_bars(
            by_sector.numbers,
            code="sector_code",
            name="sector_name",
            title=t("placements.by_sector_title", filters=describe(filters)),
        ),
        by_sector,
        "placements_by_host_sector.csv",
        key=selection.chart_key,
        on_select="rerun",
    )
    takeaway(placements_takeaway(by_sector.numbers))
if presenting:
    st.stop()
sector_names = dict(zip(by_sector.numbers["sector_code"], by_sector.numbers["sector_name"]))
chosen = tuple(code for code in selection.codes(event) if code in sector_names)  # a sidebar change can drop a selected sector
selection.show_active(chosen, sector_names)
narrowed = filters.narrowed(sectors=chosen) if chosen else filters
scope = describe(narrowed)
with right:
    by_region = view("placements_by_region", narrowed)
    regions = len(by_region.numbers)
    drawn = keep_top(
        by_region.numbers,
        key="region_code",
        name="region_name",
        limit=CHART_REGIONS,
        rank=by_region.numbers.set_index("region_code")["students_placed"],
        sums=("students_placed", "hired", "partners"),
        recompute=with_hire_rate,
        other_name=t("placements.other_regions", count=regions - CHART_REGIONS),
    )
    chart_with_data(
        placed_and_hired_bars(
            drawn, code="region_code", name="region_name", title=t("placements.by_region_title", filters=scope)
        ),
        by_region,
        "placements_by_host_region.csv",
    )

st.subheader(t("placements.partners_heading"))
partners = view("partners", narrowed)
rankings = {ranking: t(f"placements.rank_{ranking}") for ranking in RANKINGS}  # texts fixed now, not when the widget formats
rank_by = st.segmented_control(
    t("placements.rank_by"),
    options=list(rankings),
    format_func=rankings.get,
    default="students_placed",
    key="partners_rank_by",
    required=True,
)
top = top_rows(partners, by=rank_by)
left, right = st.columns(2)
with left:
    chart_with_data(
        placed_and_hired_bars(
            top.numbers,
            code="employer_id",
            name="employer_name",
            order_by=None,
            title=t(f"placements.top_by_{rank_by}", count=len(top.numbers), filters=scope),
        ),
        top,
        "top_partners.csv",
    )
with right:
    chart_with_data(
        capacity_use_bars(top.numbers, title=t("placements.capacity_use_title", filters=scope)),
        top,
        "top_partners_capacity_use.csv",
    )
table_with_data(partners, "partners.csv", column_config=partner_columns())

st.subheader(t("placements.capacity_heading", year=narrowed.year_to))
st.caption(t("placements.capacity_caption", note=capacity_note(partners.numbers)))
latest = narrowed.with_years(narrowed.year_to, narrowed.year_to)
capacity = view("capacity", latest)
if capacity.empty:
    st.info(t("placements.no_capacity", year=narrowed.year_to))
else:
    chart_with_data(
        capacity_by_sector_bars(capacity.numbers, title=t("placements.capacity_title", filters=describe(latest))),
        capacity,
        "capacity_by_sector.csv",
    )

st.subheader(t("placements.tenure_heading"))
tenure = view("partnership_tenure", narrowed)
chart_with_data(
    tenure_bars(tenure.numbers, title=t("placements.tenure_title", filters=scope)),
    worded(tenure, "tenure_band", tenure_band_words),
    "partnership_tenure.csv",
)
