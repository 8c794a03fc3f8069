"""Placements and partners: do students get real workplace practice in the sectors that need
them, and which enterprises carry the partnership?"""

import streamlit as st

from ui.charts_placements import (capacity_by_sector_bars, capacity_note, capacity_use_bars, placed_and_hired_bars,
                                  placements_against_gaps_bars, placements_against_gaps_sentence, tenure_bars,
                                  top_rows)
from ui.components import chart_with_data, table_with_data
from ui.context import view
from ui.filters import active_filters
from ui.selection import ChartSelection
from ui.takeaways import placements_takeaway

count = lambda label: st.column_config.NumberColumn(label, format="localized")  # noqa: E731
rate = lambda label: st.column_config.NumberColumn(label, format="percent", step=0.001)  # noqa: E731 (step: one decimal)
RANKINGS = {"students_placed": "Students placed", "hired": "Hires after placement"}

st.title("Placements and partners")
filters = active_filters()
st.caption(f"Placements at partner employers; a placement's sector and region are the host employer's · {filters.describe()}")

by_sector = view("placements_by_sector", filters)
if by_sector.empty:
    st.info("No placements match these filters. Widen the years, regions or sectors in the sidebar.")
    st.stop()

st.subheader("Do the sectors short of trained people get placements?")
against_gaps = view("placements_vs_gaps", filters)
st.markdown(f"**{placements_against_gaps_sentence(against_gaps.numbers)}**")
chart_with_data(placements_against_gaps_bars(against_gaps.numbers, title=f"Students placed per 100 openings, sectors by coverage ratio · {filters.describe()}"),
                against_gaps, "placements_vs_gaps.csv")

st.subheader("Where students are placed")
selection = ChartSelection("placements", "sector")
left, right = st.columns([3, 2])
with left:
    event = chart_with_data(placed_and_hired_bars(by_sector.numbers, code="sector_code", name="sector_name",
                                                  title=f"Students placed and hired by host sector · {filters.describe()}"),
                            by_sector, "placements_by_host_sector.csv", key=selection.chart_key, on_select="rerun")
    st.markdown(f"**Takeaway:** {placements_takeaway(by_sector.numbers)}")
sector_names = dict(zip(by_sector.numbers["sector_code"], by_sector.numbers["sector_name"]))
chosen = tuple(code for code in selection.codes(event) if code in sector_names)  # a sidebar change can drop a selected sector
selection.show_active(chosen, sector_names)
narrowed = filters.narrowed(sectors=chosen) if chosen else filters
scope = narrowed.describe()
with right:
    by_region = view("placements_by_region", narrowed)
    chart_with_data(placed_and_hired_bars(by_region.numbers, code="region_code", name="region_name",
                                          title=f"Students placed and hired by host region · {scope}"),
                    by_region, "placements_by_host_region.csv")

st.subheader("Partner employers")
partners = view("partners", narrowed)
rank_by = st.segmented_control("Rank partners by", options=list(RANKINGS), format_func=RANKINGS.get,
                               default="students_placed", key="partners_rank_by", required=True)
top = top_rows(partners, by=rank_by)
left, right = st.columns(2)
with left:
    chart_with_data(placed_and_hired_bars(top.numbers, code="employer_id", name="employer_name", order_by=None,
                                          title=f"Top {len(top.numbers)} partners by {RANKINGS[rank_by].lower()} · {scope}"),
                    top, "top_partners.csv")
with right:
    chart_with_data(capacity_use_bars(top.numbers, title=f"Capacity use of the same partners · {scope}"), top,
                    "top_partners_capacity_use.csv")
table_with_data(partners, "partners.csv", column_config={
    "employer_id": "Employer ID", "employer_name": "Employer", "sector_code": "Sector code", "sector_name": "Host sector",
    "region_code": "Region code", "region_name": "Host region", "partner_since": st.column_config.NumberColumn("Partner since", format="%d"),
    "tenure_years": count("Years as partner"), "placement_capacity": count("Capacity per year"), "years_hosting": count("Years hosting"),
    "students_placed": count("Students placed"), "hired": count("Hired"), "placement_hire_rate": rate("Hire rate"),
    "capacity_use": rate("Capacity use"),
})

st.subheader("Placement capacity and its use")
st.caption(f"Capacity is the number of students an employer says it can host per year. {capacity_note(partners.numbers)}")
latest = narrowed.with_years(narrowed.year_to, narrowed.year_to)
capacity = view("capacity", latest)
if capacity.empty:
    st.info(f"No employer in this selection states a placement capacity for {narrowed.year_to}.")
else:
    chart_with_data(capacity_by_sector_bars(capacity.numbers, title=f"Placement places used and not used by host sector · {latest.describe()}"),
                    capacity, "capacity_by_sector.csv")

st.subheader("How long partnerships last")
tenure = view("partnership_tenure", narrowed)
chart_with_data(tenure_bars(tenure.numbers, title=f"Partners and students placed by length of partnership · {scope}"),
                tenure, "partnership_tenure.csv")
