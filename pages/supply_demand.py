"""Supply vs demand: where are we short of trained people, where oversupplied?"""

import streamlit as st

from ui.caveats import estimated_legend, marked, measured, openings_estimated, shapes, show_notes
from ui.charts import coverage_heatmap, supply_demand_bars, supply_demand_trend_lines
from ui.charts_map import coverage_map
from ui.components import chart_with_data, number_columns, table_with_data, takeaway
from ui.context import latest_comparable_year, view
from ui.filters import active_filters, describe
from ui.i18n import t
from ui.periods import gap_period, no_comparable_year_text, not_linked_note
from ui.presentation import presentation_on
from ui.scale import OTHER_CODE, by_largest_gap, keep_top, with_gap_measures
from ui.sensitivity import map_takeaway, sensitivity_section
from ui.takeaways import in_years, largest_shortage_takeaway, lowest_coverage_takeaway, trend_takeaway

PROJECTED_SECTORS = 10  # bars a projected screen shows readably; the rest are drawn as one
HEATMAP_REGIONS = 25  # rows of the region × sector heat map; at national scale the rest are one row

st.title(t("nav.supply_demand"))
filters = active_filters()

latest_year = latest_comparable_year(filters)
if latest_year is None:
    st.info(no_comparable_year_text())
    st.stop()
latest_only = (
    "latest"
    if presentation_on()
    else st.segmented_control(  # the projector shows the latest year
        t("supply_demand.period"),
        options=["latest", "total"],
        default="latest",
        key="period",
        required=True,
        format_func=lambda p: t("supply_demand.latest_year", year=latest_year) if p == "latest" else t("supply_demand.total"),
    )
)
gaps = gap_period(filters, latest_only=latest_only == "latest")
period = gaps.filters
scope = describe(period)

by_sector = view("gaps_by_sector", period)
if by_sector.empty:
    st.info(t("supply_demand.no_data"))
    st.stop()

for note in (*gaps.notes, not_linked_note(period)):
    if note and not presentation_on():
        st.caption(note)
show_notes(period)
if not presentation_on():
    st.caption(t("supply_demand.explain"))
    bars = by_sector.numbers
else:  # on a projector, the sectors with the largest gaps and the rest together, readable from the back
    bars = keep_top(
        by_sector.numbers,
        key="sector_code",
        name="sector_name",
        rank=by_largest_gap(by_sector.numbers, "sector_code"),
        limit=PROJECTED_SECTORS,
        sums=("supply", "demand"),
        recompute=with_gap_measures,
        other_name=t("supply_demand.other_sectors", count=len(by_sector.numbers) - PROJECTED_SECTORS),
    )
chart_with_data(
    estimated_legend(supply_demand_bars(bars, title=t("supply_demand.bars_title", filters=scope))),
    by_sector,
    "supply_demand_by_sector.csv",
)
when = in_years(period)  # "in 2025" or "in 2019–2025"
if latest_only == "latest":  # compared with the year before only when that year has both sides
    previous = view("gaps_by_sector", filters.with_years(gaps.previous, gaps.previous)).numbers if gaps.previous else None
    takeaway(marked(largest_shortage_takeaway(by_sector.numbers, previous, when=when, previous_year=gaps.before)))
else:
    takeaway(marked(largest_shortage_takeaway(by_sector.numbers, when=when)))

if not presentation_on():  # one idea per screen on the projector: the bars and their takeaway
    boundaries = shapes()
    if boundaries:  # every region on a map that needs no tile server
        by_region = view("coverage_by_region", period)
        chart_with_data(
            coverage_map(by_region.numbers, boundaries, title=t("caveats.map_title", filters=scope)),
            by_region,
            "coverage_by_region.csv",
        )
        st.caption(t("caveats.map_note"))
        takeaway(marked(map_takeaway(by_region.numbers, boundaries)))

    cells = view("gaps_by_region_sector", period)
    regions = cells.numbers["region_code"].nunique()
    drawn = keep_top(
        cells.numbers,
        key="region_code",
        name="region_name",
        rank=by_largest_gap(cells.numbers, "region_code"),
        limit=HEATMAP_REGIONS,
        sums=("supply", "demand"),
        by=("sector_code", "sector_name"),
        recompute=with_gap_measures,
        other_name=t("supply_demand.other_regions", count=regions - HEATMAP_REGIONS),
    )
    if (drawn["region_code"] == OTHER_CODE).any():  # keep_top folded the rest into one row
        st.caption(t("supply_demand.heatmap_top", shown=HEATMAP_REGIONS, regions=f"{regions:,}"))
    chart_with_data(
        coverage_heatmap(drawn, title=t("supply_demand.heatmap_title", filters=scope)), cells, "coverage_by_region_sector.csv"
    )
    takeaway(marked(lowest_coverage_takeaway(measured(cells.numbers, period), when=when)))

    trend = view("supply_demand_trend", filters)
    chart_with_data(
        estimated_legend(
            supply_demand_trend_lines(trend.numbers, title=t("supply_demand.trend_title", filters=describe(filters)))
        ),
        trend,
        "supply_demand_trend.csv",
    )
    takeaway(marked(trend_takeaway(trend.numbers)))

    if openings_estimated():
        sensitivity_section(period, scope)

    st.subheader(t("supply_demand.table_heading"))
    table_with_data(
        cells,
        "gaps_by_region_sector.csv",
        column_config=number_columns(
            {"supply": "localized", "demand": "localized", "gap": "localized", "coverage_ratio": "%.2f"}
        ),
    )
