"""Supply vs demand: where are we short of trained people, where oversupplied?"""

import streamlit as st

from ui.charts import coverage_heatmap, supply_demand_bars, supply_demand_trend_lines
from ui.components import chart_with_data, number_columns, table_with_data, takeaway
from ui.context import view
from ui.filters import active_filters, describe
from ui.i18n import t
from ui.presentation import presentation_on
from ui.takeaways import in_years, largest_shortage_takeaway, lowest_coverage_takeaway, trend_takeaway

st.title(t("nav.supply_demand"))
filters = active_filters()

latest_only = st.segmented_control(
    t("supply_demand.period"), options=["latest", "total"], default="latest", key="period", required=True,
    format_func=lambda p: t("supply_demand.latest_year", year=filters.year_to) if p == "latest" else t("supply_demand.total"),
)
period = filters.with_years(filters.year_to, filters.year_to) if latest_only == "latest" else filters
scope = describe(period)

by_sector = view("gaps_by_sector", period)
if by_sector.empty:
    st.info(t("supply_demand.no_data"))
    st.stop()

if not presentation_on():
    st.caption(t("supply_demand.explain"))
chart_with_data(supply_demand_bars(by_sector.numbers, title=t("supply_demand.bars_title", filters=scope)),
                by_sector, "supply_demand_by_sector.csv")
when, year = in_years(period), filters.year_to  # "in 2025" or "in 2019–2025"
previous = view("gaps_by_sector", filters.with_years(year - 1, year - 1)).numbers if latest_only == "latest" else None
takeaway(largest_shortage_takeaway(by_sector.numbers, previous, when=when, previous_year=year - 1))

if not presentation_on():  # one idea per screen on the projector: the bars and their takeaway
    cells = view("gaps_by_region_sector", period)
    chart_with_data(coverage_heatmap(cells.numbers, title=t("supply_demand.heatmap_title", filters=scope)), cells,
                    "coverage_by_region_sector.csv")
    takeaway(lowest_coverage_takeaway(cells.numbers, when=when))

    trend = view("supply_demand_trend", filters)
    chart_with_data(supply_demand_trend_lines(trend.numbers, title=t("supply_demand.trend_title", filters=describe(filters))),
                    trend, "supply_demand_trend.csv")
    takeaway(trend_takeaway(trend.numbers))

    st.subheader(t("supply_demand.table_heading"))
    table_with_data(
        cells, "gaps_by_region_sector.csv",
        column_config=number_columns({"supply": "localized", "demand": "localized", "gap": "localized",
                                      "coverage_ratio": "%.2f"}),
    )
