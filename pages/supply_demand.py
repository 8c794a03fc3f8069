"""Supply vs demand: where are we short of trained people, where oversupplied?"""

import streamlit as st

from ui.charts import coverage_heatmap, supply_demand_bars, supply_demand_trend_lines
from ui.components import chart_with_data, table_with_data
from ui.context import view
from ui.filters import active_filters
from ui.takeaways import largest_shortage_takeaway, lowest_coverage_takeaway, trend_takeaway

st.title("Supply vs demand")
filters = active_filters()

latest_only = st.segmented_control(
    "Period", options=["latest", "total"], default="latest", key="period", required=True,
    format_func=lambda p: f"Latest year ({filters.year_to})" if p == "latest" else "Total over the selected years",
)
period = filters.with_years(filters.year_to, filters.year_to) if latest_only == "latest" else filters
scope = period.describe()

by_sector = view("gaps_by_sector", period)
if by_sector.empty:
    st.info("No graduates or openings match these filters. Widen the years, regions or sectors in the sidebar.")
    st.stop()

st.caption("Supply = graduates; demand = openings. Gap = supply − demand (negative = shortage); coverage = supply ÷ demand.")
chart_with_data(supply_demand_bars(by_sector.numbers, title=f"Supply and demand by sector, largest shortage first · {scope}"),
                by_sector, "supply_demand_by_sector.csv")
when, year = f"in {period.describe().split('; ')[0]}", filters.year_to  # "in 2025" or "in 2019–2025"
previous = view("gaps_by_sector", filters.with_years(year - 1, year - 1)).numbers if latest_only == "latest" else None
st.markdown(f"**Takeaway:** {largest_shortage_takeaway(by_sector.numbers, previous, when=when, previous_year=year - 1)}")

cells = view("gaps_by_region_sector", period)
chart_with_data(coverage_heatmap(cells.numbers, title=f"Coverage ratio by region and sector · {scope}"), cells,
                "coverage_by_region_sector.csv")
st.markdown(f"**Takeaway:** {lowest_coverage_takeaway(cells.numbers, when=when)}")

trend = view("supply_demand_trend", filters)
chart_with_data(supply_demand_trend_lines(trend.numbers, title=f"Supply and demand over the years · {filters.describe()}"),
                trend, "supply_demand_trend.csv")
st.markdown(f"**Takeaway:** {trend_takeaway(trend.numbers)}")

st.subheader("Gaps by region and sector")
table_with_data(
    cells,
    "gaps_by_region_sector.csv",
    column_config={
        "region_code": "Region code", "region_name": "Region", "sector_code": "Sector code", "sector_name": "Sector",
        "supply": st.column_config.NumberColumn("Supply", format="localized"),
        "demand": st.column_config.NumberColumn("Demand", format="localized"),
        "gap": st.column_config.NumberColumn("Gap", format="localized"),
        "coverage_ratio": st.column_config.NumberColumn("Coverage", format="%.2f"),
    },
)
